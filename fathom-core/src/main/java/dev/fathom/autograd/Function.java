package dev.fathom.autograd;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A differentiable function with a hand-written backward, for ops that are not built from
 * Fathom's own (a fused kernel, a numerically special formula). Subclass it, then call
 * {@link #apply}:
 *
 * {@snippet :
 * class Square extends Function {
 *     protected Tensor forward(Context ctx, Tensor... in) {
 *         ctx.saveForBackward(in[0]);
 *         return in[0].mul(in[0]);
 *     }
 *     protected Tensor[] backward(Context ctx, Tensor grad) {
 *         return new Tensor[] {grad.mul(ctx.saved(0)).mul(2)};
 *     }
 * }
 * Tensor y = new Square().apply(x);
 * }
 *
 * The forward runs with recording off; backward returns one gradient per input (null where none
 * is needed) and may use any Tensor ops, which are recorded when backward runs with
 * {@code createGraph}. Check a new function with {@link GradCheck}.
 */
public abstract class Function {
    /** Computes the output from the inputs; save what backward needs in {@code ctx}. */
    protected abstract Tensor forward(Context ctx, Tensor... inputs);

    /** The gradients with respect to each input, given the gradient of the output. */
    protected abstract Tensor[] backward(Context ctx, Tensor grad);

    /** The name used in graph nodes and error messages; the class name by default. */
    public String name() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? "customFunction" : n;
    }

    /** Runs the forward and, when an input requires grad, records this function's backward. */
    public final Tensor apply(Tensor... inputs) {
        Context ctx = new Context(this, inputs.length);
        boolean record = Graph.recording(inputs);
        for (int i = 0; i < inputs.length; i++) ctx.needs[i] = record && inputs[i] != null && inputs[i].requiresGrad();
        Tensor out;
        try (Scope ignored = Graph.pause()) {
            out = forward(ctx, inputs);
        }
        if (out == null) throw new IllegalStateException(name() + ".forward returned null");
        if (!record) return out;
        for (Tensor in : inputs) if (in == out) { out = out.detach(); break; } // the output needs its own node
        ctx.freeze();
        Tensor result = Graph.record(name(), out, (s, g) -> {
            Tensor[] r = backward(ctx, g);
            if (r == null || r.length != inputs.length)
                throw new IllegalStateException(name() + ".backward returned " + (r == null ? "null" : r.length + " gradients")
                    + " for " + inputs.length + " inputs; return one per input (null where none is needed)");
            for (int i = 0; i < r.length; i++) {
                if (r[i] == null || !s.needsGrad(i)) { r[i] = null; continue; }
                int[] want = s.inputShape(i);
                if (!java.util.Arrays.equals(r[i].shape(), want))
                    throw new IllegalStateException(name() + ".backward returned a gradient of shape "
                        + Shapes.format(r[i].shape()) + " for input " + i + ", which has shape " + Shapes.format(want));
            }
            ctx.afterBackward(s);
            return r;
        }, inputs);
        if (result.gradFn() != null) result.gradFn().userBackward = true; // its gradients may be tensors it keeps
        return result;
    }

    /** What a {@link Function}'s forward leaves for its backward. */
    public static final class Context {
        private final Function fn;
        private final boolean[] needs;
        private final List<Tensor> saved = new ArrayList<>();
        private int[] versions;
        private final Map<String, Object> values = new HashMap<>();
        private boolean released;

        Context(Function fn, int inputs) {
            this.fn = fn;
            this.needs = new boolean[inputs];
        }

        /** Keeps tensors for backward; backward reports it if they are changed in place in between. */
        public void saveForBackward(Tensor... tensors) {
            if (versions != null) throw new IllegalStateException(fn.name() + ": saveForBackward must be called in forward");
            saved.addAll(List.of(tensors));
        }

        /** Saved tensor {@code i}, checked to be unchanged since forward. */
        public Tensor saved(int i) {
            if (released)
                throw new IllegalStateException("backward of " + fn.name() + ": trying to backward through the graph a second "
                    + "time; its saved tensors were freed by the first backward. Pass retainGraph = true to the first backward");
            Tensor t = saved.get(i);
            if (versions != null && t.storage().version() != versions[i])
                throw new IllegalStateException("backward of " + fn.name() + ": saved tensor " + i + " (shape "
                    + Shapes.format(t.shape()) + ") was modified in place after the forward pass (version " + versions[i]
                    + ", now " + t.storage().version() + "); modify a copy instead");
            return t;
        }

        /** Keeps a non-tensor value (a shape, a flag) for backward. */
        public void put(String key, Object value) { values.put(key, value); }

        /** A value kept with {@link #put}. */
        @SuppressWarnings("unchecked")
        public <T> T get(String key) { return (T) values.get(key); }

        /** Whether input {@code i} needs a gradient (known from the start of forward). */
        public boolean needsInputGrad(int i) { return needs[i]; }

        void freeze() {
            versions = new int[saved.size()];
            for (int i = 0; i < versions.length; i++) versions[i] = saved.get(i).storage().version();
        }

        void afterBackward(Saved s) {
            // the engine releases the node after a backward without retainGraph; drop our tensors with it
            if (s instanceof OpNode n) n.onRelease(() -> { released = true; saved.clear(); });
        }
    }
}
