package dev.fathom.data;

import dev.fathom.tensor.Tensor;
import java.util.Objects;

/**
 * One training example: an input and its target (a class index as an int64 scalar, or values).
 * The default {@link Collate} stacks the inputs and the targets of a list of examples into a
 * {@link Batch}.
 */
public record Example(Tensor input, Tensor target) {
    public Example {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(target, "target");
    }

    /** This example with {@code input} replaced (for example by a transformed copy). */
    public Example withInput(Tensor input) { return new Example(input, target); }

    /** This example with the input passed through {@code transform}. */
    public Example mapInput(java.util.function.UnaryOperator<Tensor> transform) {
        return new Example(transform.apply(input), target);
    }
}
