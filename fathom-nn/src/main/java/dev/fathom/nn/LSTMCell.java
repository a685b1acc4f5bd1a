package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * One LSTM step, as PyTorch's {@code nn.LSTMCell} (gates i, f, g, o):
 * {@code c' = f⊙c + i⊙g}, {@code h' = o⊙tanh(c')} with i, f, o = σ(·), g = tanh(·) of
 * {@code W_ih·x + b_ih + W_hh·h + b_hh}. Input {@code [batch, input]} or {@code [input]};
 * states {@code [batch, hidden]} or {@code [hidden]}.
 */
public class LSTMCell extends RNNCellBase {
    /** The hidden and cell state after a step. */
    public record State(Tensor h, Tensor c) {}

    public LSTMCell(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, true); }

    public LSTMCell(int inputSize, int hiddenSize, boolean bias) { this(inputSize, hiddenSize, bias, DType.FLOAT32); }

    public LSTMCell(int inputSize, int hiddenSize, boolean bias, DType dtype) {
        super(4, inputSize, hiddenSize, bias, dtype);
    }

    /** The next states from zero states. */
    public State forward(Tensor input) { return forward(input, null, null); }

    /** The next states from {@code h} and {@code c} (null: zeros). */
    public State forward(Tensor input, Tensor h, Tensor c) {
        checkInput(input);
        Tensor x = batched(input), hs = state("h", h, input), cs = state("c", c, input);
        Tensor[] hc = RNNBase.lstmGates(inputPart(x).add(hiddenPart(hs)), cs, hiddenSize);
        return new State(unbatched(hc[0], input), unbatched(hc[1], input));
    }

    /** The next states from {@code state} (its h and c). */
    public State forward(Tensor input, State state) {
        return state == null ? forward(input) : forward(input, state.h(), state.c());
    }
}
