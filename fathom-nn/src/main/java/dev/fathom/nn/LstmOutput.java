package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/**
 * What {@link LSTM} returns: {@code output} {@code [seq, batch, directions·hidden]}
 * ({@code [batch, seq, ...]} with batchFirst), the last layer's hidden state at every step, and
 * the final hidden and cell states {@code hn}, {@code cn}, each
 * {@code [numLayers·directions, batch, hidden]}.
 */
public record LstmOutput(Tensor output, Tensor hn, Tensor cn) {}
