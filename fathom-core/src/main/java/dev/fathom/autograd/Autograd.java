package dev.fathom.autograd;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * Reverse-mode automatic differentiation, define-by-run: every op on tensors that require grad
 * records a node with its backward rule, and {@link Tensor#backward()} walks the recorded graph
 * from the loss back to the leaves. This class holds the scopes that switch recording off or on,
 * the functional {@link #grad} and the entry points {@link Tensor}'s autograd methods use.
 *
 * {@snippet :
 * Tensor w = Tensor.randn(3, 2).requiresGrad(true);
 * Tensor loss = x.matmul(w).tanh().pow(2).mean();
 * loss.backward();                        // w.grad() now holds d loss / d w
 * try (var ignored = Autograd.noGrad()) { // an update that must not be recorded
 *     w.subInPlace(w.grad().mul(0.1));
 * }
 * }
 */
public final class Autograd {
    private Autograd() {}

    // ------------------------------------------------------------------ modes

    /** Stops recording on this thread until the scope closes (for evaluation and parameter updates). */
    public static Scope noGrad() { return Scope.open(false, null, null); }

    /** Turns recording back on inside a {@link #noGrad()} scope (not inside inference mode). */
    public static Scope enableGrad() { return Scope.open(true, null, null); }

    /** Turns recording on or off until the scope closes. */
    public static Scope setGradEnabled(boolean enabled) { return Scope.open(enabled, null, null); }

    /**
     * Inference mode: nothing is recorded and no graph is kept, even if {@link #enableGrad()} is
     * opened inside; in-place updates of tensors that require grad are allowed.
     */
    public static Scope inferenceMode() { return Scope.open(false, true, null); }

    /**
     * Anomaly detection: every backward rule's result is checked for NaN and infinities, and the
     * first op that produces one is reported together with where its forward ran. Slow; for
     * debugging.
     */
    public static Scope detectAnomaly() { return Scope.open(null, null, true); }

    /** Whether ops on this thread record the graph now. */
    public static boolean isGradEnabled() { return GradMode.recording(); }

    /** Whether this thread is in inference mode. */
    public static boolean isInferenceMode() { return GradMode.state().inference; }

    /** Whether anomaly detection is on for this thread. */
    public static boolean isAnomalyEnabled() { return GradMode.state().anomaly; }

    // ------------------------------------------------------------------ backward and grad

    /**
     * Accumulates into every leaf's {@code grad()} the gradient of {@code outputs} (weighted by
     * {@code grads}; a null entry means ones, allowed for one-element outputs).
     *
     * @param retainGraph keep the saved values so backward can run through this graph again
     * @param createGraph record the backward itself, so the gradients are differentiable
     */
    public static void backward(Tensor[] outputs, Tensor[] grads, boolean retainGraph, boolean createGraph) {
        checkLengths("backward", outputs, grads);
        Engine.backward("backward", outputs, grads, retainGraph || createGraph, createGraph);
    }

    /** The gradients of a one-element {@code output} with respect to {@code inputs}, without touching {@code grad()}. */
    public static Tensor[] grad(Tensor output, Tensor[] inputs, boolean createGraph) {
        return grad(new Tensor[] {output}, inputs, null, createGraph, createGraph, false);
    }

    /** The gradients of a one-element {@code output} with respect to one input. */
    public static Tensor grad(Tensor output, Tensor input, boolean createGraph) {
        return grad(output, new Tensor[] {input}, createGraph)[0];
    }

    /** The gradients of the sum of one-element {@code outputs} with respect to {@code inputs}. */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, boolean createGraph) {
        return grad(outputs, inputs, null, createGraph, createGraph, false);
    }

    /**
     * The functional form of backward (PyTorch's {@code torch.autograd.grad}): the gradients of
     * {@code outputs} weighted by {@code gradOutputs} (null, or null entries, mean ones) with
     * respect to each of {@code inputs}; leaves' {@code grad()} is not touched and only the part
     * of the graph that leads to the inputs runs.
     *
     * @param allowUnused an input the outputs do not depend on gets zeros instead of an error
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
                                boolean createGraph, boolean allowUnused) {
        checkLengths("Autograd.grad", outputs, gradOutputs);
        if (inputs.length == 0) throw new IllegalArgumentException("Autograd.grad: no inputs given");
        return Engine.grad(outputs, gradOutputs, inputs, retainGraph || createGraph, createGraph, allowUnused);
    }

    private static void checkLengths(String op, Tensor[] outputs, Tensor[] grads) {
        if (outputs.length == 0) throw new IllegalArgumentException(op + ": no outputs given");
        if (grads != null && grads.length != outputs.length)
            throw new IllegalArgumentException(op + ": " + grads.length + " gradients for " + outputs.length + " outputs");
    }

    // ------------------------------------------------------------------ tensor state (used by Tensor's methods)

    /** Marks a leaf as requiring grad (or not); only floating-point leaves can. */
    public static void setRequiresGrad(Tensor t, boolean flag) {
        if (!flag && !t.requiresGrad()) return;
        if (t.gradFn() != null)
            throw new IllegalArgumentException("requiresGrad: only leaf tensors can change requiresGrad; this tensor was "
                + "computed by " + t.gradFn().name() + ". Use detach() to get a leaf that shares its values");
        if (flag && !t.dtype().isFloatingPoint())
            throw new IllegalArgumentException("requiresGrad: only floating-point tensors can require grad, got "
                + t.dtype() + "; convert with to(DType.FLOAT32) first");
        t.autogradMeta().requiresGrad = flag;
    }

    /** Sets (or clears, with null) a tensor's gradient; it must match the tensor's shape. */
    public static void setGrad(Tensor t, Tensor grad) {
        if (grad != null && !java.util.Arrays.equals(grad.shape(), t.shape()))
            throw new IllegalArgumentException("setGrad: the gradient has shape " + Shapes.format(grad.shape())
                + " but the tensor has shape " + Shapes.format(t.shape()));
        if (grad == null && !t.requiresGrad() && t.grad() == null) return;
        t.autogradMeta().grad = grad;
    }

    /**
     * Registers a hook called with the gradient of {@code t} each time it is computed; the hook
     * may return a replacement (same shape) or null to keep it.
     */
    public static Hook registerHook(Tensor t, UnaryOperator<Tensor> hook) {
        if (!t.requiresGrad())
            throw new IllegalStateException("registerHook: the tensor does not require grad, so no gradient will reach "
                + "the hook; call requiresGrad(true) on it (or on what it is computed from) first");
        return Graph.edge(t).addHook(hook);
    }

    /** Keeps the gradient of a non-leaf tensor in its {@code grad()} after backward (leaves always keep theirs). */
    public static void retainGrad(Tensor t) {
        if (!t.requiresGrad())
            throw new IllegalStateException("retainGrad: the tensor does not require grad");
        AutogradMeta m = t.autogradMeta();
        if (m.gradFn == null || m.retainsGrad) return;
        m.retainsGrad = true;
        m.gradFn.retainGrad = g -> m.grad = m.grad == null ? g.copy() : m.grad.add(g); // a copy: g flows on into the graph
    }

    /**
     * Refuses an in-place change to a tensor that requires grad while recording (the change would
     * not be part of the graph); inside {@link #noGrad()} or inference mode it is allowed.
     */
    public static void checkInPlace(String op, Tensor t) {
        if (!t.requiresGrad() || !GradMode.recording()) return;
        throw new IllegalStateException(op + ": this tensor requires grad" + (t.gradFn() == null ? " (a leaf)" : "")
            + ", and in-place changes to it would not be recorded for backward. Use the out-of-place op instead (e.g. "
            + "add for addInPlace), or, for updates that are not part of the model (optimizer steps, initialisation), "
            + "run it inside try (var ignored = Autograd.noGrad()) { ... }");
    }
}
