package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * One GRU step, as PyTorch's {@code nn.GRUCell} (gates r, z, n):
 * {@code r = σ(W_ir·x + b_ir + W_hr·h + b_hr)}, {@code z = σ(W_iz·x + b_iz + W_hz·h + b_hz)},
 * {@code n = tanh(W_in·x + b_in + r⊙(W_hn·h + b_hn))}, {@code h' = (1 − z)⊙n + z⊙h}.
 * Input {@code [batch, input]} or {@code [input]}; state {@code [batch, hidden]} or {@code [hidden]}.
 */
public class GRUCell extends RNNCellBase {
    public GRUCell(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, true); }

    public GRUCell(int inputSize, int hiddenSize, boolean bias) { this(inputSize, hiddenSize, bias, DType.FLOAT32); }

    public GRUCell(int inputSize, int hiddenSize, boolean bias, DType dtype) {
        super(3, inputSize, hiddenSize, bias, dtype);
    }

    /** The next hidden state from zero state. */
    public Tensor forward(Tensor input) { return forward(input, null); }

    /** The next hidden state from {@code h} (null: zeros). */
    public Tensor forward(Tensor input, Tensor h) {
        checkInput(input);
        Tensor x = batched(input), hs = state("h", h, input);
        return unbatched(RNNBase.gruGates(inputPart(x), hiddenPart(hs), hs, hiddenSize), input);
    }
}
