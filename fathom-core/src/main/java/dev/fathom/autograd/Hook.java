package dev.fathom.autograd;

import dev.fathom.tensor.Tensor;

import java.util.function.UnaryOperator;

/** A registered tensor hook; {@link #remove()} unregisters it. */
public final class Hook {
    private final Node node;
    private final UnaryOperator<Tensor> hook;

    Hook(Node node, UnaryOperator<Tensor> hook) {
        this.node = node;
        this.hook = hook;
    }

    /** Stops calling the hook (removing twice does nothing). */
    public void remove() {
        if (node.hooks != null) node.hooks.remove(hook);
    }
}
