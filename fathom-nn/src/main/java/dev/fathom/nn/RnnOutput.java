package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/**
 * What {@link RNN} and {@link GRU} return: {@code output} {@code [seq, batch, directions·hidden]}
 * ({@code [batch, seq, ...]} with batchFirst), the last layer's hidden state at every step, and
 * {@code hn} {@code [numLayers·directions, batch, hidden]}, every layer's final hidden state.
 */
public record RnnOutput(Tensor output, Tensor hn) {}
