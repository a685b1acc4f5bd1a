package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * Long short-term memory layer, as PyTorch's {@code nn.LSTM}, gates in PyTorch's order i, f, g, o:
 * <pre>
 * i = σ(W_ii·x + b_ii + W_hi·h + b_hi)     f = σ(W_if·x + b_if + W_hf·h + b_hf)
 * g = tanh(W_ig·x + b_ig + W_hg·h + b_hg)  o = σ(W_io·x + b_io + W_ho·h + b_ho)
 * c' = f⊙c + i⊙g                          h' = o⊙tanh(c')
 * </pre>
 * stacked {@code numLayers} deep, optionally bidirectional. Parameters, initialisation, variable
 * lengths: see {@link RNNBase}.
 *
 * {@snippet :
 * LSTM lstm = new LSTM(10, 20, 2, true, true, 0, true);       // batch first, bidirectional
 * LstmOutput r = lstm.forward(Tensor.randn(3, 5, 10));       // output [3, 5, 40], hn and cn [4, 3, 20]
 * }
 */
public class LSTM extends RNNBase {
    public LSTM(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, 1); }

    public LSTM(int inputSize, int hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, numLayers, true, false, 0, false);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                boolean bidirectional) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, DType.FLOAT32);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                boolean bidirectional, DType dtype) {
        super(Mode.LSTM, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype);
    }

    /** The layer from zero initial states. */
    public LstmOutput forward(Tensor input) { return forward(input, null, null, null); }

    /** The layer from {@code h0} and {@code c0}, each {@code [numLayers·directions, batch, hidden]} (null: zeros). */
    public LstmOutput forward(Tensor input, Tensor h0, Tensor c0) { return forward(input, h0, c0, null); }

    /**
     * The layer over sequences of the given {@code lengths} (integer {@code [batch]}, null: all
     * full length): outputs past a sequence's length are zero and its final states are the
     * states at its last valid step.
     */
    public LstmOutput forward(Tensor input, Tensor h0, Tensor c0, Tensor lengths) {
        Tensor[] r = run(input, h0, c0, lengths);
        return new LstmOutput(r[0], r[1], r[2]);
    }
}
