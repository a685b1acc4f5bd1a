package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The shared machinery of {@link RNN}, {@link LSTM} and {@link GRU}, as PyTorch's
 * {@code nn.RNNBase}: stacked layers, optional reverse direction, dropout between layers, initial
 * states and variable sequence lengths.
 *
 * <p>Parameters per layer {@code k} and direction, named exactly as PyTorch's state dict
 * ({@code _reverse} for the backward direction): {@code weight_ih_lk [G·hidden, in]},
 * {@code weight_hh_lk [G·hidden, hidden]}, {@code bias_ih_lk [G·hidden]},
 * {@code bias_hh_lk [G·hidden]}, where G is 1 (RNN), 4 (LSTM, gates i, f, g, o) or 3 (GRU, gates
 * r, z, n), and {@code in} is {@code inputSize} for layer 0 and {@code directions·hidden} above.
 * Every parameter is drawn uniform in ±1/√hidden from {@link Generator#global()} in registration
 * order, so after {@code Generator.manualSeed(s)} a layer equals PyTorch's after
 * {@code torch.manual_seed(s)}.
 *
 * <p>Per layer and direction the input projections of all time steps are one matrix product. An
 * LSTM over full-length sequences then runs as one op with its own backward ({@link LstmSequence});
 * otherwise a loop over time of differentiable tensor ops adds the recurrent product and applies
 * the gates.
 *
 * <p>Variable lengths: given {@code lengths} (integer {@code [batch]}, each in 0..seq), sequence
 * {@code b} is read only for its first {@code lengths[b]} steps, as PyTorch's
 * {@code pack_padded_sequence} achieves: its final state is the state after its last valid step,
 * its outputs past the length are zero, and the reverse direction starts from its own last valid
 * step. The output keeps the full padded length (PyTorch's {@code pad_packed_sequence} returns
 * {@code max(lengths)} steps; the steps beyond are zero here).
 */
public abstract class RNNBase extends Module {
    /** The recurrence a layer computes. */
    public enum Mode {
        RNN_TANH(1), RNN_RELU(1), LSTM(4), GRU(3);

        /** Gates per hidden unit: the factor G in the weight shapes. */
        public final int gates;

        Mode(int gates) { this.gates = gates; }
    }

    public final Mode mode;
    public final int inputSize, hiddenSize, numLayers;
    public final boolean bias, batchFirst, bidirectional;
    /** Dropout probability applied to the outputs of every layer but the last, in training mode. */
    public final double dropout;
    private final Tensor[] weightIh, weightHh, biasIh, biasHh;

    protected RNNBase(Mode mode, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
                      double dropout, boolean bidirectional, DType dtype) {
        String name = mode == Mode.LSTM ? "LSTM" : mode == Mode.GRU ? "GRU" : "RNN";
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
            throw new IllegalArgumentException(name + ": inputSize, hiddenSize and numLayers must be positive, got inputSize="
                + inputSize + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers);
        if (!(dropout >= 0 && dropout <= 1))
            throw new IllegalArgumentException(name + ": dropout must be in [0, 1], got " + dropout);
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64)
            throw new IllegalArgumentException(name + ": parameters must be float32 or float64, got " + dtype);
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.bidirectional = bidirectional;
        int dirs = directions(), n = numLayers * dirs, g = mode.gates * hiddenSize;
        weightIh = new Tensor[n];
        weightHh = new Tensor[n];
        biasIh = new Tensor[n];
        biasHh = new Tensor[n];
        double bound = 1 / Math.sqrt(hiddenSize);
        Generator gen = Generator.global();
        try (var ignored = Autograd.noGrad()) {
            for (int layer = 0; layer < numLayers; layer++) {
                int in = layer == 0 ? inputSize : hiddenSize * dirs;
                for (int d = 0; d < dirs; d++) {
                    String suffix = "_l" + layer + (d == 1 ? "_reverse" : "");
                    int i = layer * dirs + d;
                    // PyTorch registers w_ih, w_hh, b_ih, b_hh per layer and direction, then draws them in that order
                    weightIh[i] = registerParameter("weight_ih" + suffix, Tensor.uniform(gen, -bound, bound, dtype, g, in));
                    weightHh[i] = registerParameter("weight_hh" + suffix, Tensor.uniform(gen, -bound, bound, dtype, g, hiddenSize));
                    if (bias) {
                        biasIh[i] = registerParameter("bias_ih" + suffix, Tensor.uniform(gen, -bound, bound, dtype, g));
                        biasHh[i] = registerParameter("bias_hh" + suffix, Tensor.uniform(gen, -bound, bound, dtype, g));
                    }
                }
            }
        }
    }

    /** 2 when bidirectional, else 1. */
    public int directions() { return bidirectional ? 2 : 1; }

    /** {@code weight_ih_l<layer>} (direction 0) or {@code weight_ih_l<layer>_reverse} (direction 1). */
    public Tensor weightIh(int layer, int direction) { return weightIh[index(layer, direction)]; }

    /** {@code weight_hh_l<layer>[_reverse]}. */
    public Tensor weightHh(int layer, int direction) { return weightHh[index(layer, direction)]; }

    /** {@code bias_ih_l<layer>[_reverse]}, or null without bias. */
    public Tensor biasIh(int layer, int direction) { return biasIh[index(layer, direction)]; }

    /** {@code bias_hh_l<layer>[_reverse]}, or null without bias. */
    public Tensor biasHh(int layer, int direction) { return biasHh[index(layer, direction)]; }

    private int index(int layer, int direction) {
        if (layer < 0 || layer >= numLayers || direction < 0 || direction >= directions())
            throw new IndexOutOfBoundsException(describe() + ": no layer " + layer + " direction " + direction);
        return layer * directions() + direction;
    }

    @Override
    protected String extraRepr() {
        StringBuilder b = new StringBuilder("inputSize=" + inputSize + ", hiddenSize=" + hiddenSize);
        if (numLayers != 1) b.append(", numLayers=").append(numLayers);
        if (mode == Mode.RNN_RELU) b.append(", nonlinearity=relu");
        if (!bias) b.append(", bias=false");
        if (batchFirst) b.append(", batchFirst=true");
        if (dropout != 0) b.append(", dropout=").append(dropout);
        if (bidirectional) b.append(", bidirectional=true");
        return b.toString();
    }

    String describe() { return typeName() + "(" + extraRepr() + ")"; }

    // ------------------------------------------------------------------ forward

    /**
     * Runs the layer. {@code input} is {@code [seq, batch, inputSize]} ({@code [batch, seq, inputSize]}
     * with batchFirst) or unbatched {@code [seq, inputSize]}; {@code h0}/{@code c0} are
     * {@code [numLayers·directions, batch, hidden]} (without the batch dimension for unbatched
     * input) or null for zeros; {@code c0} is used by LSTM only; {@code lengths} is null or an
     * integer tensor {@code [batch]}. Returns {output, hn, cn} (cn null except for LSTM).
     */
    protected Tensor[] run(Tensor input, Tensor h0, Tensor c0, Tensor lengths) {
        if (input == null) throw new IllegalArgumentException(describe() + ": input is null");
        if ((input.ndim() != 2 && input.ndim() != 3) || input.size(-1) != inputSize)
            throw new IllegalArgumentException(describe() + ": expected input with " + inputSize
                + " features in the last dimension and 2 or 3 dimensions ("
                + (batchFirst ? "[batch, seq, features]" : "[seq, batch, features]") + " or unbatched [seq, features]), got shape "
                + Shapes.format(input.shape()));
        boolean batched = input.ndim() == 3;
        Tensor x = batched ? (batchFirst ? input.transpose(0, 1) : input) : input.unsqueeze(1);
        int seq = x.size(0), batch = x.size(1), dirs = directions();
        int[] stateShape = batched ? new int[] {numLayers * dirs, batch, hiddenSize} : new int[] {numLayers * dirs, hiddenSize};
        Tensor h = initialState("h0", h0, stateShape, batched, x.dtype());
        Tensor c = mode == Mode.LSTM ? initialState("c0", c0, stateShape, batched, x.dtype()) : null;

        Tensor[] stepMask = null;
        Tensor outMask = null;
        if (lengths != null) {
            if (!batched)
                throw new IllegalArgumentException(describe() + ": lengths need batched input, got unbatched shape "
                    + Shapes.format(input.shape()));
            long[] len = checkLengths(lengths, batch, seq);
            boolean[] m = new boolean[seq * batch];
            for (int t = 0; t < seq; t++) for (int b = 0; b < batch; b++) m[t * batch + b] = t < len[b];
            Tensor mask = Tensor.of(m, seq, batch, 1);
            stepMask = new Tensor[seq];
            for (int t = 0; t < seq; t++) stepMask[t] = mask.select(0, t);
            outMask = mask.to(x.dtype());
        }

        List<Tensor> hn = new ArrayList<>(), cn = new ArrayList<>();
        Tensor layerInput = x;
        for (int layer = 0; layer < numLayers; layer++) {
            Tensor[] outs = new Tensor[dirs];
            for (int d = 0; d < dirs; d++) {
                int i = layer * dirs + d;
                Tensor[] r = direction(layerInput, i, d == 1, h.select(0, i), c == null ? null : c.select(0, i), stepMask);
                outs[d] = outMask == null ? r[0] : r[0].mul(outMask);
                hn.add(r[1]);
                if (c != null) cn.add(r[2]);
            }
            layerInput = dirs == 1 ? outs[0] : Tensor.cat(2, outs);
            if (dropout > 0 && isTraining() && layer < numLayers - 1) layerInput = dropout(layerInput);
        }
        Tensor output = batched ? (batchFirst ? layerInput.transpose(0, 1) : layerInput) : layerInput.squeeze(1);
        Tensor hOut = Tensor.stack(0, hn), cOut = c == null ? null : Tensor.stack(0, cn);
        if (!batched) {
            hOut = hOut.squeeze(1);
            if (cOut != null) cOut = cOut.squeeze(1);
        }
        return new Tensor[] {output, hOut, cOut};
    }

    private Tensor initialState(String name, Tensor s, int[] shape, boolean batched, DType dtype) {
        if (s == null) return Tensor.zeros(dtype, batched ? shape : new int[] {shape[0], 1, shape[1]});
        if (!java.util.Arrays.equals(s.shape(), shape))
            throw new IllegalArgumentException(describe() + ": expected " + name + " of shape " + Shapes.format(shape)
                + " ([numLayers·directions, " + (batched ? "batch, " : "") + "hidden]), got shape " + Shapes.format(s.shape()));
        return batched ? s : s.unsqueeze(1);
    }

    private long[] checkLengths(Tensor lengths, int batch, int seq) {
        DType t = lengths.dtype();
        if ((t != DType.INT64 && t != DType.INT32) || lengths.ndim() != 1 || lengths.size(0) != batch)
            throw new IllegalArgumentException(describe() + ": expected lengths as an integer tensor of shape [" + batch
                + "], got " + t + " of shape " + Shapes.format(lengths.shape()));
        long[] len = lengths.toLongArray();
        for (int b = 0; b < batch; b++)
            if (len[b] < 0 || len[b] > seq)
                throw new IllegalArgumentException(describe() + ": lengths[" + b + "] = " + len[b]
                    + " is outside 0.." + seq + " (the padded sequence length)");
        return len;
    }

    private Tensor dropout(Tensor x) {
        if (dropout >= 1) return x.mul(0.0);
        Tensor keep = Tensor.bernoulli(Generator.global(), 1 - dropout, x.dtype(), x.shape());
        return x.mul(keep.div(1 - dropout));
    }

    /**
     * One layer and direction over the whole sequence: x {@code [seq, batch, in]}, h and c
     * {@code [batch, hidden]}. Returns {outputs [seq, batch, hidden], final h, final c}.
     */
    private Tensor[] direction(Tensor x, int i, boolean reverse, Tensor h, Tensor c, Tensor[] stepMask) {
        int seq = x.size(0), batch = x.size(1), H = hiddenSize, G = mode.gates * H;
        // the input projections of every step in one product (a fused linear: the bias is the GEMM's
        // addend); the biases that are plain sums join there
        Tensor bih = null, bhh = null;
        if (bias) {
            if (mode == Mode.GRU) {
                bih = biasIh[i];
                bhh = biasHh[i];
            } else {
                bih = biasIh[i].add(biasHh[i]);
            }
        }
        Tensor xp = Functional.linear(x.reshape(seq * batch, x.size(2)), weightIh[i], bih).view(seq, batch, G);
        if (mode == Mode.LSTM && stepMask == null && seq > 0 && xp.dtype() == weightHh[i].dtype())
            return LstmSequence.run(xp, h, c, weightHh[i], reverse);
        Slices.RecurrentProduct hh = new Slices.RecurrentProduct(weightHh[i]);
        Tensor[] steps = Slices.unbind(xp, 0), outs = new Tensor[seq];
        for (int s = 0; s < seq; s++) {
            int t = reverse ? seq - 1 - s : s;
            Tensor xt = steps[t];
            Tensor hNew, cNew = null;
            switch (mode) {
                case RNN_TANH -> hNew = xt.add(hh.apply(h)).tanh();
                case RNN_RELU -> hNew = xt.add(hh.apply(h)).relu();
                case LSTM -> {
                    Tensor[] hc = lstmGates(xt.add(hh.apply(h)), c, H);
                    hNew = hc[0];
                    cNew = hc[1];
                }
                case GRU -> {
                    Tensor gh = hh.apply(h);
                    hNew = gruGates(xt, bhh == null ? gh : gh.add(bhh), h, H);
                }
                default -> throw new AssertionError(mode);
            }
            outs[t] = hNew;
            if (stepMask != null) {
                hNew = Tensor.where(stepMask[t], hNew, h);
                if (cNew != null) cNew = Tensor.where(stepMask[t], cNew, c);
            }
            h = hNew;
            c = cNew;
        }
        return new Tensor[] {Tensor.stack(0, outs), h, c};
    }

    // ------------------------------------------------------------------ the gate formulas, shared with the cells

    /** LSTM: gates {@code [batch, 4H]} (i, f, g, o, pre-activation) and c → {h', c'}. */
    static Tensor[] lstmGates(Tensor gates, Tensor c, int H) {
        Tensor[] p = Slices.chunk(gates, 1, 4);
        Tensor i = p[0].sigmoid(), f = p[1].sigmoid(), g = p[2].tanh(), o = p[3].sigmoid();
        Tensor cNew = f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(cNew.tanh()), cNew};
    }

    /**
     * GRU with PyTorch's formula: xi = W_i·x + b_i and hh = W_h·h + b_h, each {@code [batch, 3H]}
     * (r, z, n): r = σ(xi_r + hh_r), z = σ(xi_z + hh_z), n = tanh(xi_n + r⊙hh_n),
     * h' = (1 − z)⊙n + z⊙h.
     */
    static Tensor gruGates(Tensor xi, Tensor hh, Tensor h, int H) {
        Tensor[] x = Slices.chunk(xi, 1, 3), y = Slices.chunk(hh, 1, 3);
        Tensor r = x[0].add(y[0]).sigmoid(), z = x[1].add(y[1]).sigmoid();
        Tensor n = x[2].add(r.mul(y[2])).tanh();
        return n.add(z.mul(h.sub(n)));
    }
}
