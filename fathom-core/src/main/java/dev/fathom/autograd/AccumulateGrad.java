package dev.fathom.autograd;

import dev.fathom.tensor.Tensor;

/** The node at a leaf that requires grad: backward adds the arriving gradient into the leaf's {@code grad()}. */
final class AccumulateGrad extends Node {
    final Tensor leaf;

    AccumulateGrad(Tensor leaf) {
        super("accumulateGrad", new Node[0], leaf.shape(), leaf.dtype());
        this.leaf = leaf;
    }

    @Override
    Tensor[] apply(Tensor grad) { throw new IllegalStateException("the engine accumulates leaf gradients itself"); }
}
