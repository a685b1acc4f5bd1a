package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * Elman recurrent layer, as PyTorch's {@code nn.RNN}:
 * {@code h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t-1} + b_hh)} (or relu with
 * {@code nonlinearity = "relu"}), stacked {@code numLayers} deep, optionally bidirectional.
 * Parameters, initialisation, variable lengths: see {@link RNNBase}.
 *
 * {@snippet :
 * RNN rnn = new RNN(10, 20, 2);
 * RnnOutput r = rnn.forward(Tensor.randn(5, 3, 10));   // output [5, 3, 20], hn [2, 3, 20]
 * }
 */
public class RNN extends RNNBase {
    public RNN(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, 1); }

    public RNN(int inputSize, int hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, numLayers, "tanh", true, false, 0, false);
    }

    /** {@code nonlinearity} is "tanh" or "relu". */
    public RNN(int inputSize, int hiddenSize, int numLayers, String nonlinearity, boolean bias, boolean batchFirst,
               double dropout, boolean bidirectional) {
        this(inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, dropout, bidirectional, DType.FLOAT32);
    }

    public RNN(int inputSize, int hiddenSize, int numLayers, String nonlinearity, boolean bias, boolean batchFirst,
               double dropout, boolean bidirectional, DType dtype) {
        super(mode(nonlinearity), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype);
    }

    private static Mode mode(String nonlinearity) {
        return switch (nonlinearity == null ? "" : nonlinearity) {
            case "tanh" -> Mode.RNN_TANH;
            case "relu" -> Mode.RNN_RELU;
            default -> throw new IllegalArgumentException("RNN: nonlinearity must be \"tanh\" or \"relu\", got \"" + nonlinearity + "\"");
        };
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
