package dev.fathom.autograd;

import dev.fathom.tensor.Tensor;

/**
 * A tensor's autograd state: whether it requires grad, the node that produced it, its
 * accumulated gradient. Created only for tensors that take part in autograd; its state is
 * changed only by this package (through the methods on {@link Tensor}).
 */
public final class AutogradMeta {
    boolean requiresGrad;
    Node gradFn;
    Tensor grad;
    AccumulateGrad accumulator;
    boolean retainsGrad;

    AutogradMeta() {}

    /** A fresh, empty state (used by {@link Tensor} when it first needs one). */
    public static AutogradMeta create() { return new AutogradMeta(); }

    public boolean requiresGrad() { return requiresGrad; }

    public Node gradFn() { return gradFn; }

    public Tensor grad() { return grad; }
}
