package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * {@code y = x·Wᵀ + b} over the last dimension: input {@code [..., in]}, output {@code [..., out]}.
 * Initialised as PyTorch's {@code nn.Linear}: weight and bias uniform in ±1/√in, drawn from the
 * default generator in the same order, so after {@code Generator.manualSeed(s)} the values equal
 * PyTorch's after {@code torch.manual_seed(s)}.
 */
public class Linear extends Layer {
    public final int inFeatures, outFeatures;
    /** {@code [out, in]}. */
    public final Tensor weight;
    /** {@code [out]}, or null without bias. */
    public final Tensor bias;

    public Linear(int inFeatures, int outFeatures) { this(inFeatures, outFeatures, true); }

    public Linear(int inFeatures, int outFeatures, boolean bias) { this(inFeatures, outFeatures, bias, DType.FLOAT32); }

    public Linear(int inFeatures, int outFeatures, boolean bias, DType dtype) {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new IllegalArgumentException("Linear: features must be positive, got in=" + inFeatures + ", out=" + outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        try (var ignored = Autograd.noGrad()) {
            this.weight = registerParameter("weight", Tensor.empty(dtype, outFeatures, inFeatures));
            this.bias = registerParameter("bias", bias ? Tensor.empty(dtype, outFeatures) : null);
        }
        resetParameters();
    }

    /**
     * PyTorch's {@code reset_parameters}: weight {@code kaimingUniform(a = √5)} (uniform in ±1/√in),
     * then bias uniform in ±1/√in, from the default generator.
     */
    public void resetParameters() {
        Init.kaimingUniform(weight, Math.sqrt(5));
        if (bias != null) {
            int fanIn = Init.fans(weight).fanIn();
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            Init.uniform(bias, -bound, bound);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        expectInput(x, -1, inFeatures, "features in the last dimension");
        return Functional.linear(x, weight, bias);
    }

    @Override
    protected String extraRepr() {
        return "in=" + inFeatures + ", out=" + outFeatures + ", bias=" + (bias != null);
    }
}
