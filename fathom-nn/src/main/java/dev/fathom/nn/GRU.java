package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * Gated recurrent unit layer, as PyTorch's {@code nn.GRU}, gates in PyTorch's order r, z, n:
 * <pre>
 * r = σ(W_ir·x + b_ir + W_hr·h + b_hr)
 * z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
 * n = tanh(W_in·x + b_in + r⊙(W_hn·h + b_hn))
 * h' = (1 − z)⊙n + z⊙h
 * </pre>
 * stacked {@code numLayers} deep, optionally bidirectional. Parameters, initialisation, variable
 * lengths: see {@link RNNBase}.
 */
public class GRU extends RNNBase {
    public GRU(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, 1); }

    public GRU(int inputSize, int hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, numLayers, true, false, 0, false);
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
               boolean bidirectional) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, DType.FLOAT32);
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
               boolean bidirectional, DType dtype) {
        super(Mode.GRU, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype);
    }

    /** The layer from zero initial state. */
    public RnnOutput forward(Tensor input) { return forward(input, null, null); }

    /** The layer from {@code h0} {@code [numLayers·directions, batch, hidden]} (null: zeros). */
    public RnnOutput forward(Tensor input, Tensor h0) { return forward(input, h0, null); }

    /**
     * The layer over sequences of the given {@code lengths} (integer {@code [batch]}, null: all
     * full length): outputs past a sequence's length are zero and its final state is the state at
     * its last valid step.
     */
    public RnnOutput forward(Tensor input, Tensor h0, Tensor lengths) {
        Tensor[] r = run(input, h0, null, lengths);
        return new RnnOutput(r[0], r[1]);
    }
}
