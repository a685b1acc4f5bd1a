package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * Splits a tensor into views along one dimension (every step of a sequence, every gate of a gate
 * block) whose gradients are gathered into one buffer. Plain {@code select}/{@code narrow} views
 * each hand back a gradient of the whole tensor's size, which the autograd engine then sums: for
 * the T steps of a sequence that is T² work and memory. Here the first part whose backward runs
 * allocates the whole gradient once and hands it on; the others write their slice into that same
 * buffer and hand on nothing. A gathering node between the tensor and its parts runs only after
 * every part has run or been skipped (the engine's dependency order), so it passes on the finished
 * buffer, and it clears the buffer for the next backward pass. Under {@code createGraph} a part
 * returns a differentiable embedding of its gradient instead (zeros joined around it), so
 * higher-order gradients stay correct.
 */
final class Slices {
    private Slices() {}

    private static final class Buffer {
        Tensor grad;
        boolean[] written;
    }

    /** The {@code x.size(dim)} slices {@code x.select(dim, i)}. */
    static Tensor[] unbind(Tensor x, int dim) { return parts(x, dim, x.size(dim), true); }

    /** {@code n} equal consecutive narrow views along {@code dim} (its size must be a multiple of n). */
    static Tensor[] chunk(Tensor x, int dim, int n) { return parts(x, dim, n, false); }

    private static Tensor[] parts(Tensor x, int dim, int n, boolean select) {
        int d = dim < 0 ? dim + x.ndim() : dim, size = x.size(d) / n;
        Tensor[] out = new Tensor[n];
        if (!Graph.recording(x)) {
            for (int i = 0; i < n; i++) out[i] = select ? x.select(d, i) : x.narrow(d, i * size, size);
            return out;
        }
        Buffer buffer = new Buffer();
        buffer.written = new boolean[n];
        int[] shape = x.shape();
        Tensor gathered = Graph.record("gatherSlices", x.detach(), (s, g) -> {
            buffer.grad = null;
            java.util.Arrays.fill(buffer.written, false);
            return new Tensor[] {g};
        }, Saves.NONE, x);
        Tensor base = gathered.detach();
        for (int i = 0; i < n; i++) {
            final int start = i * size, index = i;
            UnaryOperator<Tensor> view = select ? t -> t.select(d, index) : t -> t.narrow(d, start, size);
            out[i] = Graph.record(select ? "unbind" : "chunk", view.apply(base), (s, g) -> {
                if (Autograd.isGradEnabled()) return new Tensor[] {embed(select ? g.unsqueeze(d) : g, shape, d, start, size)};
                // a part runs once per pass: finding its slice written means a pass was abandoned midway
                boolean first = buffer.grad == null || buffer.written[index];
                if (first) {
                    buffer.grad = Tensor.zeros(g.dtype(), shape);
                    java.util.Arrays.fill(buffer.written, false);
                }
                buffer.written[index] = true;
                view.apply(buffer.grad).copyFrom(g);
                return new Tensor[] {first ? buffer.grad : null};
            }, Saves.NONE, gathered);
        }
        return out;
    }

    /** {@code g} (of size {@code len} along d) placed at {@code start} in zeros of {@code shape}, differentiably. */
    private static Tensor embed(Tensor g, int[] shape, int d, int start, int len) {
        int after = shape[d] - start - len;
        if (start == 0 && after == 0) return g;
        int[] before = shape.clone(), rest = shape.clone();
        before[d] = start;
        rest[d] = after;
        if (start == 0) return Tensor.cat(d, g, Tensor.zeros(g.dtype(), rest));
        if (after == 0) return Tensor.cat(d, Tensor.zeros(g.dtype(), before), g);
        return Tensor.cat(d, Tensor.zeros(g.dtype(), before), g, Tensor.zeros(g.dtype(), rest));
    }

    /**
     * The recurrent products {@code h_t·Wᵀ} of one sequence with the weight's gradient taken in one
     * matrix product: each step's backward passes on the gradient for h at once but only keeps
     * its (h, dG) pair; a gathering node between the weight and the steps, which the engine runs
     * after all of them, multiplies the stacked pairs, {@code dW = Σ_t dG_tᵀ·h_t}, as one large
     * product instead of one small one per step (and one weight-sized sum per step). Under
     * {@code createGraph} each step returns its own differentiable {@code dGᵀ·h}.
     */
    static final class RecurrentProduct {
        private final Tensor weight, gathered;
        private final java.util.List<Tensor> dG = new java.util.ArrayList<>(), hs = new java.util.ArrayList<>();
        private final java.util.BitSet ran = new java.util.BitSet();
        private Tensor placeholder;
        private int steps;

        RecurrentProduct(Tensor weight) {
            this.weight = weight;
            this.gathered = !Graph.recording(weight) ? null : Graph.record("gatherRecurrentGrad", weight.detach(), (s, g) -> {
                Tensor out = g;
                if (!dG.isEmpty()) {
                    Tensor prod = Tensor.cat(0, dG).t().matmul(Tensor.cat(0, hs));
                    out = g == placeholder ? prod : g.add(prod);
                }
                reset();
                return new Tensor[] {out};
            }, Saves.NONE, weight);
        }

        private void reset() {
            dG.clear();
            hs.clear();
            ran.clear();
            placeholder = null;
        }

        /** {@code h·Wᵀ} for h {@code [batch, in]}. */
        Tensor apply(Tensor h) {
            if (gathered == null) return h.matmul(weight.t());
            Tensor w = gathered;
            int step = steps++;
            Tensor out;
            try (var ignored = Graph.pause()) {
                out = h.matmul(w.t());
            }
            return Graph.record("recurrentMatmul", out, (s, g) -> {
                Tensor x = s.input(0), wt = s.input(1);
                Tensor dh = s.needsGrad(0) ? g.matmul(wt) : null;
                if (Autograd.isGradEnabled()) return new Tensor[] {dh, g.t().matmul(x)};
                if (ran.get(step)) reset(); // a step runs once per pass: a pass was abandoned midway
                ran.set(step);
                boolean first = placeholder == null;
                if (first) placeholder = Tensor.zeros(g.dtype(), wt.shape());
                dG.add(g);
                hs.add(x.detach());
                return new Tensor[] {dh, first ? placeholder : null};
            }, Saves.INPUTS, h, w);
        }
    }
}
