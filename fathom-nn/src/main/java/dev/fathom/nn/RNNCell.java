package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * One step of an Elman RNN, as PyTorch's {@code nn.RNNCell}:
 * {@code h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh)} (relu with {@code nonlinearity = "relu"}).
 * Input {@code [batch, input]} or {@code [input]}; state {@code [batch, hidden]} or {@code [hidden]}.
 */
public class RNNCell extends RNNCellBase {
    public final boolean relu;

    public RNNCell(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, true, "tanh"); }

    /** {@code nonlinearity} is "tanh" or "relu". */
    public RNNCell(int inputSize, int hiddenSize, boolean bias, String nonlinearity) {
        this(inputSize, hiddenSize, bias, nonlinearity, DType.FLOAT32);
    }

    public RNNCell(int inputSize, int hiddenSize, boolean bias, String nonlinearity, DType dtype) {
        super(1, inputSize, hiddenSize, bias, dtype);
        if (!"tanh".equals(nonlinearity) && !"relu".equals(nonlinearity))
            throw new IllegalArgumentException("RNNCell: nonlinearity must be \"tanh\" or \"relu\", got \"" + nonlinearity + "\"");
        this.relu = nonlinearity.equals("relu");
    }

    /** The next hidden state from zero state. */
    public Tensor forward(Tensor input) { return forward(input, null); }

    /** The next hidden state from {@code h} (null: zeros). */
    public Tensor forward(Tensor input, Tensor h) {
        checkInput(input);
        Tensor x = batched(input), hs = state("h", h, input);
        Tensor pre = inputPart(x).add(hiddenPart(hs));
        return unbatched(relu ? pre.relu() : pre.tanh(), input);
    }

    @Override
    protected String extraRepr() { return super.extraRepr() + (relu ? ", nonlinearity=relu" : ""); }
}
