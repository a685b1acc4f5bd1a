package dev.fathom.data;

import dev.fathom.tensor.Tensor;

/**
 * One mini-batch: the model's input and the target it should produce (labels, values). Data
 * loaders yield them; the trainer consumes them.
 */
public record Batch(Tensor input, Tensor target) {
    /** The number of examples (the input's first dimension). */
    public int size() { return input.ndim() == 0 ? 1 : input.size(0); }
}
