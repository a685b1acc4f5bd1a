package dev.fathom.autograd;

import dev.fathom.tensor.Tensor;

/**
 * An op's backward rule: given what the forward saved and the gradient of the loss with respect
 * to the op's output, the gradients with respect to each input (null where an input needs none;
 * check {@link Saved#needsGrad(int)} to skip work). Rules are written with ordinary Tensor ops,
 * so when backward runs with {@code createGraph} the gradients are themselves differentiable.
 */
@FunctionalInterface
public interface Backward {
    Tensor[] apply(Saved saved, Tensor grad);
}
