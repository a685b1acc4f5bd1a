package dev.fathom.autograd;

import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Recording, for op implementations: every differentiable op computes its result, then, when
 * {@link #recording} says a graph is being built, attaches a node with its backward rule:
 *
 * {@snippet :
 * Tensor y = forward(x);
 * return Graph.recording(x) ? Graph.record("exp", y, (s, g) -> new Tensor[] {g.mul(s.output())}, x) : y;
 * }
 *
 * The check costs one field read for tensors that do not require grad. Forwards that call other
 * public (recording) ops on inputs that require grad run inside {@link #pause()} so only the
 * outer op is recorded.
 */
public final class Graph {
    private Graph() {}

    /** True when {@code x} requires grad and this thread is recording. */
    public static boolean recording(Tensor x) { return x.requiresGrad() && GradMode.recording(); }

    /** True when either tensor requires grad and this thread is recording. */
    public static boolean recording(Tensor a, Tensor b) {
        return (a.requiresGrad() || b.requiresGrad()) && GradMode.recording();
    }

    /** True when any tensor requires grad and this thread is recording. */
    public static boolean recording(Tensor... xs) {
        for (Tensor x : xs) if (x != null && x.requiresGrad()) return GradMode.recording();
        return false;
    }

    /** True when any tensor of the list requires grad and this thread is recording. */
    public static boolean recording(List<Tensor> xs) {
        for (Tensor x : xs) if (x != null && x.requiresGrad()) return GradMode.recording();
        return false;
    }

    /**
     * Runs {@code forward} and, when any input requires grad and this thread is recording,
     * records its result with {@code rule}; the forward itself runs with recording paused, so ops
     * it calls internally leave no nodes behind.
     */
    public static Tensor run(String name, java.util.function.Supplier<Tensor> forward, Backward rule, Tensor... inputs) {
        return run(name, forward, rule, Saves.ALL, inputs);
    }

    /** {@link #run(String, java.util.function.Supplier, Backward, Tensor...)} keeping only what {@code saves} names. */
    public static Tensor run(String name, java.util.function.Supplier<Tensor> forward, Backward rule, Saves saves,
                             Tensor... inputs) {
        if (!recording(inputs)) return forward.get();
        Tensor out;
        try (Scope ignored = pause()) {
            out = forward.get();
        }
        return record(name, out, rule, saves, inputs);
    }

    /** Turns recording off on this thread until the scope closes (for forwards built from public ops). */
    public static Scope pause() { return Scope.open(false, null, null); }

    /**
     * Attaches a node named {@code name} with backward {@code rule} to {@code out}, whose inputs
     * are {@code inputs} (null entries are ignored). Does nothing when no input requires grad,
     * when {@code out} is not floating point, or when {@code out} is one of the inputs (an op
     * that returned its input unchanged needs no node). Returns {@code out}.
     */
    public static Tensor record(String name, Tensor out, Backward rule, Tensor... inputs) {
        return record(name, out, rule, Saves.ALL, inputs);
    }

    /**
     * {@link #record(String, Tensor, Backward, Tensor...)} keeping only what {@code saves} names
     * for the rule (shapes and types are always kept), so the graph does not hold memory the
     * backward never reads alive until backward runs.
     */
    public static Tensor record(String name, Tensor out, Backward rule, Saves saves, Tensor... inputs) {
        if (!out.dtype().isFloatingPoint()) return out;
        Node[] next = new Node[inputs.length];
        boolean any = false;
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null) continue;
            if (in == out) return out;
            next[i] = edge(in);
            any |= next[i] != null;
        }
        if (!any) return out;
        Tensor[] saved = inputs.clone();
        for (int i = 0; i < saved.length; i++) if (saved[i] == null) saved[i] = EMPTY;
        attach(out, new OpNode(name, rule, saved, saves, out, next));
        return out;
    }

    /** {@link #record} for ops with a list of inputs (cat, stack). */
    public static Tensor record(String name, Tensor out, Backward rule, List<Tensor> inputs) {
        return record(name, out, rule, inputs.toArray(new Tensor[0]));
    }

    private static final Tensor EMPTY = Tensor.zeros(0);

    static void attach(Tensor out, Node node) {
        if (GradMode.state().anomaly)
            node.createdAt = new Throwable("the forward of " + node.name + " ran here");
        AutogradMeta m = out.autogradMeta();
        m.requiresGrad = true;
        m.gradFn = node;
    }

    /** The node that receives {@code t}'s gradient: its gradFn, or its leaf accumulator; null if it needs none. */
    static Node edge(Tensor t) {
        if (!t.requiresGrad()) return null;
        AutogradMeta m = t.autogradMeta();
        if (m.gradFn != null) return m.gradFn;
        if (m.accumulator == null) m.accumulator = new AccumulateGrad(t);
        return m.accumulator;
    }

    /**
     * {@code g} summed down to {@code shape}, the reverse of broadcasting {@code shape} up to
     * {@code g}'s shape: leading dimensions are summed away, size-1 dimensions summed with keepDim.
     */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        if (lead < 0)
            throw new IllegalArgumentException("sumTo: cannot sum a gradient of shape " + Arrays.toString(gs)
                + " down to the larger rank shape " + Arrays.toString(shape));
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < gs.length; i++)
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) dims.add(i);
        Tensor r = dims.isEmpty() ? g : g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
        return r.reshape(shape);
    }
}
