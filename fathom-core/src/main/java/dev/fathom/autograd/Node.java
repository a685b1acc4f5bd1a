package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One recorded step of the graph (PyTorch's {@code grad_fn}): the op that produced a tensor,
 * edges to the nodes of its inputs, and how to turn the output's gradient into the inputs'
 * gradients. A leaf tensor's gradient arrives at its accumulator node. Users see nodes through
 * {@link Tensor#gradFn()}; they are created only by recording ops.
 */
public abstract class Node {
    final String name;
    /** One edge per input: the node that receives that input's gradient, or null. */
    final Node[] next;
    /** Shape and type of the tensor whose gradient this node receives. */
    final int[] shape;
    final DType dtype;
    /** Tensor hooks run on the incoming gradient, in registration order. */
    List<UnaryOperator<Tensor>> hooks;
    /** retainGrad's observer: sees the gradient after all hooks (as PyTorch), whenever it was registered. */
    Consumer<Tensor> retainGrad;
    /**
     * Whether the backward is user code (a custom {@link Function}): its gradients may be tensors it
     * also keeps elsewhere, so a leaf copies rather than adopts them.
     */
    boolean userBackward;
    /** Where the forward ran, kept only in anomaly mode. */
    Throwable createdAt;

    Node(String name, Node[] next, int[] shape, DType dtype) {
        this.name = name;
        this.next = next;
        this.shape = shape;
        this.dtype = dtype;
    }

    /** The op's name, e.g. {@code "mul"} (an accumulator is named after the leaf: {@code "accumulateGrad"}). */
    public String name() { return name; }

    /** The nodes this node passes gradients to, one per input (null where an input needs no gradient). */
    public List<Node> nextFunctions() { return Collections.unmodifiableList(Arrays.asList(next.clone())); }

    /** Gradients for each input given the gradient of the output; package-private, run by the engine. */
    abstract Tensor[] apply(Tensor grad);

    /** Drops what was saved for backward (after a backward that did not retain the graph). */
    void release() {}

    Hook addHook(UnaryOperator<Tensor> hook) {
        if (hooks == null) hooks = new ArrayList<>(2);
        hooks.add(hook);
        return new Hook(this, hook);
    }

    Tensor runHooks(Tensor grad) {
        if (hooks != null) grad = runTensorHooks(grad);
        if (retainGrad != null) retainGrad.accept(grad);
        return grad;
    }

    private Tensor runTensorHooks(Tensor grad) {
        for (UnaryOperator<Tensor> h : List.copyOf(hooks)) {
            Tensor r = h.apply(grad);
            if (r != null) {
                if (!Arrays.equals(r.shape(), shape))
                    throw new IllegalStateException("hook on the gradient of " + name + " returned shape "
                        + Shapes.format(r.shape()) + "; a hook must return a gradient of shape " + Shapes.format(shape)
                        + " (or null to keep the gradient)");
                grad = r;
            }
        }
        return grad;
    }

    @Override
    public String toString() { return name + "Backward"; }
}
