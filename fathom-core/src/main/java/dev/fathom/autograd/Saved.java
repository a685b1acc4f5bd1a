package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * What a recorded op kept for its backward rule. Reading a saved tensor checks that it was not
 * modified in place since the forward ran, and that the graph was not already freed by a
 * previous backward.
 */
public interface Saved {
    /** Input {@code i} as the forward saw it. */
    Tensor input(int i);

    /** The op's output. */
    Tensor output();

    /** Whether input {@code i} needs a gradient (requires grad and is connected to the graph). */
    boolean needsGrad(int i);

    /** The shape of input {@code i} (available even after the graph is freed). */
    int[] inputShape(int i);

    /** The type of input {@code i}. */
    DType inputType(int i);
}
