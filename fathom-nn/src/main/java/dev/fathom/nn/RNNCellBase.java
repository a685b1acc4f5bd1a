package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * The shared part of {@link RNNCell}, {@link LSTMCell} and {@link GRUCell}, as PyTorch's
 * {@code nn.RNNCellBase}: one time step. Parameters {@code weight_ih [G·hidden, input]},
 * {@code weight_hh [G·hidden, hidden]}, {@code bias_ih}, {@code bias_hh [G·hidden]} (G = 1, 4, 3),
 * drawn uniform in ±1/√hidden from {@link Generator#global()} in that order, as PyTorch does.
 */
public abstract class RNNCellBase extends Module {
    public final int inputSize, hiddenSize;
    public final boolean bias;
    public final Tensor weightIh, weightHh, biasIh, biasHh;

    protected RNNCellBase(int gates, int inputSize, int hiddenSize, boolean bias, DType dtype) {
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new IllegalArgumentException(getClass().getSimpleName() + ": inputSize and hiddenSize must be positive, got inputSize="
                + inputSize + ", hiddenSize=" + hiddenSize);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.bias = bias;
        double bound = 1 / Math.sqrt(hiddenSize);
        Generator g = Generator.global();
        int rows = gates * hiddenSize;
        try (var ignored = Autograd.noGrad()) {
            weightIh = registerParameter("weight_ih", Tensor.uniform(g, -bound, bound, dtype, rows, inputSize));
            weightHh = registerParameter("weight_hh", Tensor.uniform(g, -bound, bound, dtype, rows, hiddenSize));
            biasIh = registerParameter("bias_ih", bias ? Tensor.uniform(g, -bound, bound, dtype, rows) : null);
            biasHh = registerParameter("bias_hh", bias ? Tensor.uniform(g, -bound, bound, dtype, rows) : null);
        }
    }

    @Override
    protected String extraRepr() {
        return "inputSize=" + inputSize + ", hiddenSize=" + hiddenSize + (bias ? "" : ", bias=false");
    }

    /** Checks input {@code [batch, input]} or unbatched {@code [input]}. */
    void checkInput(Tensor x) {
        if (x == null || (x.ndim() != 1 && x.ndim() != 2) || x.size(-1) != inputSize)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected input with " + inputSize
                + " features in the last dimension and 1 or 2 dimensions ([batch, features] or [features]), got "
                + (x == null ? "null" : "shape " + Shapes.format(x.shape())));
    }

    /** The state {@code name} for input {@code x} as [batch, hidden]: zeros when null, else checked. */
    Tensor state(String name, Tensor s, Tensor x) {
        int[] want = x.ndim() == 2 ? new int[] {x.size(0), hiddenSize} : new int[] {hiddenSize};
        if (s == null) return Tensor.zeros(x.dtype(), x.ndim() == 2 ? x.size(0) : 1, hiddenSize);
        if (!java.util.Arrays.equals(s.shape(), want))
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected " + name + " of shape "
                + Shapes.format(want) + " for input of shape " + Shapes.format(x.shape()) + ", got shape " + Shapes.format(s.shape()));
        return s.ndim() == 1 ? s.unsqueeze(0) : s;
    }

    /** {@code W_ih·x + b_ih} for x [batch, input]. */
    Tensor inputPart(Tensor x) {
        Tensor y = x.matmul(weightIh.t());
        return biasIh == null ? y : y.add(biasIh);
    }

    /** {@code W_hh·h + b_hh} for h [batch, hidden]. */
    Tensor hiddenPart(Tensor h) {
        Tensor y = h.matmul(weightHh.t());
        return biasHh == null ? y : y.add(biasHh);
    }

    static Tensor batched(Tensor x) { return x.ndim() == 1 ? x.unsqueeze(0) : x; }

    static Tensor unbatched(Tensor y, Tensor x) { return x.ndim() == 1 ? y.squeeze(0) : y; }
}
