package dev.fathom.ops;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.autograd.Scope;
import dev.fathom.backend.Parallel;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;
import dev.fathom.tensor.ValuesIndices;

import java.util.Arrays;

/**
 * Reductions (sum, mean, prod, amax/amin, var/std, logsumexp, argmax/argmin), softmax and scans,
 * with PyTorch semantics and dtype rules.
 *
 * <p>Every reduction is planned the same way ({@link #plan}): the input is viewed as a 3-d block
 * {@code [A, R, B]} whose middle extent {@code R} is reduced. {@code B == 1} is a row reduction
 * (contiguous segments, vectorised horizontally); {@code B > 1} is a column reduction (rows of
 * length B accumulated into an output row, which vectorises vertically). A transposed or permuted
 * view of a dense block is walked in storage order (no copy) and the result permuted back; two
 * separate reduced blocks (such as batch-norm axes {@code {0, 2, 3}} of NCHW) are reduced in two
 * stages; only three or more blocks, or sliced/expanded inputs, are copied first.
 *
 * <p>Determinism: work is cut into units whose size depends only on the shape (segments of
 * {@value #SEG} elements for rows, {@value #RSEG} rows by {@value #BCH} columns for columns), each
 * unit produces a partial, and partials are combined in a fixed order in double precision. The
 * result is therefore bit-identical whatever the number of threads. Float32 partials are short
 * float sums combined in double, which keeps long sums accurate (cascade-like, as PyTorch).
 *
 * <p>Vector API kernels live in {@code ReduceVec}, loaded only when {@code jdk.incubator.vector}
 * is present; otherwise plain loops run.
 */
public final class Reductions {
    private Reductions() {}

    /** Elements per parallel task below which work stays on one thread. */
    static final int GRAIN = 1 << 15;
    /** Elements per row segment (one partial each). */
    static final int SEG = 4096;
    /** Rows per column segment. */
    static final int RSEG = 256;
    /** Columns per column chunk. */
    static final int BCH = 2048;

    /** True when jdk.incubator.vector could be loaded and the vector kernels work. */
    static final boolean VECTOR_AVAILABLE = detectVector();
    /** Package-private switch (tests force the plain path with it). */
    static boolean useVector = VECTOR_AVAILABLE;
    /** Package-private switch: run every loop on the caller's thread (tests check determinism with it). */
    static boolean serial = false;

    private static boolean detectVector() {
        try {
            return dev.fathom.backend.Simd.AVAILABLE && ReduceVec.selfTest();
        } catch (Throwable t) { // a vector kernel that cannot link: use the plain path
            return false;
        }
    }

    private static void par(int n, int grain, Parallel.RangeBody body) {
        if (serial) body.run(0, n);
        else Parallel.forRange(n, Math.max(1, grain), body);
    }

    /** The associative kernels; SQDEV and SUMEXP take a per-output parameter (mean, max). */
    enum Op {
        SUM, PROD, MAX, MIN, SQDEV, SUMEXP;

        double identity() {
            return switch (this) {
                case SUM, SQDEV, SUMEXP -> 0;
                case PROD -> 1;
                case MAX -> Double.NEGATIVE_INFINITY;
                case MIN -> Double.POSITIVE_INFINITY;
            };
        }
    }

    // ================================================================== public API

    /** Sum over {@code dims} (empty: all); bool/int inputs give int64. */
    public static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        return Graph.run("sum", () -> sumProd("sum", Op.SUM, x, dims, keepDim),
            (s, g) -> new Tensor[] {expandBack(g, s.inputShape(0), dims, keepDim)}, Saves.NONE, x);
    }

    /**
     * The gradient of a reduction over {@code dims} spread back over the input's shape: the
     * reduced dimensions are restored with size 1 and expanded (a view, no copy).
     */
    public static Tensor expandBack(Tensor g, int[] inShape, int[] dims, boolean keepDim) {
        int nd = inShape.length;
        if (nd == 0) return g.reshape();
        boolean[] mask = Shapes.axesMask("backward", dims, nd);
        int[] keep = inShape.clone();
        for (int d = 0; d < nd; d++) if (mask[d]) keep[d] = 1;
        return (keepDim ? g : g.reshape(keep)).expand(inShape);
    }

    /**
     * Product over {@code dims} (empty: all); bool/int inputs give int64.
     *
     * <p>Gradient (as PyTorch): {@code g * out / x} where {@code x != 0}; at a zero, the product of
     * the rest of its slice when it is the slice's only zero, else 0. First derivatives are exact
     * for any number of zeros, higher ones for at most one zero per reduced slice.
     */
    public static Tensor prod(Tensor x, int[] dims, boolean keepDim) {
        return Graph.run("prod", () -> sumProd("prod", Op.PROD, x, dims, keepDim), (s, g) -> {
            Tensor in = s.input(0);
            int[] shape = in.shape();
            Tensor gx = expandBack(g, shape, dims, keepDim), out = expandBack(s.output(), shape, dims, keepDim);
            Tensor z = in.eq(0.0);
            if (!any(z)) return new Tensor[] {gx.mul(out).div(in)};
            // x with its zeros set to 1: out / xs off the zeros, prod(xs) at a slice's only zero
            Tensor xs = Tensor.where(z, Tensor.scalar(1.0, in.dtype()), in);
            Tensor atZero = Tensor.where(z.sum(dims, true).eq(1.0), xs.prod(dims, true), Tensor.scalar(0.0, in.dtype()));
            return new Tensor[] {gx.mul(Tensor.where(z, atZero, out.div(xs)))};
        }, x);
    }

    /** Whether any element of a bool tensor is true. */
    private static boolean any(Tensor mask) { return mask.sum().itemLong() != 0; }

    /** Mean over {@code dims} (empty: all); floating inputs only. */
    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        return Graph.run("mean", () -> meanForward(x, dims, keepDim), (s, g) -> {
            int[] in = s.inputShape(0);
            int count = Shapes.numel(in) / Math.max(1, Shapes.numel(g.shape()));
            return new Tensor[] {expandBack(g.div((double) count), in, dims, keepDim)};
        }, Saves.NONE, x);
    }

    private static Tensor meanForward(Tensor x, int[] dims, boolean keepDim) {
        requireFloat("mean", x);
        Plan p = plan("mean", x, dims, keepDim);
        double[] s = engine(Op.SUM, p, null);
        for (int i = 0; i < s.length; i++) s[i] /= p.count;
        return fromDoubles(x.dtype(), s, p);
    }

    /** Maximum over {@code dims} (empty: all), NaN-propagating, same dtype (torch.amax). */
    public static Tensor amax(Tensor x, int[] dims, boolean keepDim) { return extreme("amax", Op.MAX, x, dims, keepDim); }

    /** Minimum over {@code dims} (empty: all), NaN-propagating, same dtype (torch.amin). */
    public static Tensor amin(Tensor x, int[] dims, boolean keepDim) { return extreme("amin", Op.MIN, x, dims, keepDim); }

    /** The largest element as a 0-d tensor (NaN if any element is NaN). */
    public static Tensor max(Tensor x) {
        requireNonEmpty("max", x);
        return extreme("max", Op.MAX, x, new int[0], false);
    }

    /** The smallest element as a 0-d tensor (NaN if any element is NaN). */
    public static Tensor min(Tensor x) {
        requireNonEmpty("min", x);
        return extreme("min", Op.MIN, x, new int[0], false);
    }

    /**
     * amax/amin/max/min, recorded: the gradient is split evenly among the elements equal to the
     * extreme of their slice (NaNs, where the extreme is NaN), as PyTorch's amax and max().
     */
    private static Tensor extreme(String name, Op op, Tensor x, int[] dims, boolean keepDim) {
        return Graph.run(name, () -> extremeForward(name, op, x, dims, keepDim), (s, g) -> {
            Tensor in = s.input(0);
            int[] shape = in.shape();
            Tensor out = expandBack(s.output(), shape, dims, keepDim);
            Tensor hit = in.eq(out).logicalOr(in.isNaN().logicalAnd(out.isNaN())).to(in.dtype());
            return new Tensor[] {expandBack(g, shape, dims, keepDim).mul(hit).div(hit.sum(dims, true))};
        }, x);
    }

    /**
     * {@code log(sum(exp(x)))} over {@code dims}, computed stably (max subtracted first). Gradient:
     * {@code g * exp(x - out)} (the softmax of the slice).
     */
    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepDim) {
        return Graph.run("logsumexp", () -> logsumexpForward(x, dims, keepDim), (s, g) -> {
            int[] shape = s.inputShape(0);
            Tensor out = expandBack(s.output(), shape, dims, keepDim);
            return new Tensor[] {expandBack(g, shape, dims, keepDim).mul(s.input(0).sub(out).exp())};
        }, x);
    }

    private static Tensor logsumexpForward(Tensor x, int[] dims, boolean keepDim) {
        requireFloat("logsumexp", x);
        Plan p = plan("logsumexp", x, dims, keepDim);
        double[] m = engine(Op.MAX, p, null);
        // As torch: an infinite max is replaced by 0 so all -inf gives -inf and +inf gives +inf.
        for (int i = 0; i < m.length; i++) if (Double.isInfinite(m[i])) m[i] = 0;
        double[] s = engine(Op.SUMEXP, p, m);
        for (int i = 0; i < s.length; i++) s[i] = m[i] + Math.log(s[i]);
        return fromDoubles(x.dtype(), s, p);
    }

    /**
     * Variance over {@code dims} (empty: all) with divisor {@code N - correction} (clamped at 0),
     * by the two-pass algorithm (mean first, then squared deviations). Gradient:
     * {@code g * 2 (x - mean) / (N - correction)}.
     */
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepDim) {
        return Graph.run("var", () -> {
            Plan p = plan("var", requireFloat("var", x), dims, keepDim);
            return fromDoubles(x.dtype(), variance(p, correction), p);
        }, (s, g) -> new Tensor[] {varBack(g, s.input(0), dims, correction, keepDim)}, x);
    }

    /**
     * Standard deviation: the square root of {@link #var}. Gradient: var's with {@code g / (2 out)},
     * and 0 where the deviation is 0 (as PyTorch).
     */
    public static Tensor std(Tensor x, int[] dims, int correction, boolean keepDim) {
        return Graph.run("std", () -> {
            Plan p = plan("std", requireFloat("std", x), dims, keepDim);
            double[] v = variance(p, correction);
            for (int i = 0; i < v.length; i++) v[i] = Math.sqrt(v[i]);
            return fromDoubles(x.dtype(), v, p);
        }, (s, g) -> {
            Tensor out = s.output(), zero = out.eq(0.0), o = Tensor.scalar(0.0, out.dtype());
            // 1 in place of a zero deviation keeps the unused branch (and its derivatives) finite
            Tensor gv = Tensor.where(zero, o, g.div(Tensor.where(zero, o.add(1.0), out).mul(2.0)));
            return new Tensor[] {varBack(gv, s.input(0), dims, correction, keepDim)};
        }, x);
    }

    /** The gradient of var at {@code x} for the output gradient {@code g}. */
    private static Tensor varBack(Tensor g, Tensor x, int[] dims, int correction, boolean keepDim) {
        int[] shape = x.shape();
        long n = 1;
        if (shape.length > 0) {
            boolean[] mask = Shapes.axesMask("var", dims, shape.length);
            for (int d = 0; d < shape.length; d++) if (mask[d]) n *= shape[d];
        }
        double div = Math.max(0, (double) n - correction);
        return expandBack(g, shape, dims, keepDim).mul(x.sub(x.mean(dims, true))).mul(2.0 / div);
    }

    /** Index of the largest element of the flattened tensor (int64, 0-d); first one on ties, NaN counts as largest. */
    public static Tensor argmax(Tensor x) {
        requireNonEmpty("argmax", x);
        return arg("argmax", true, x.reshape(-1), 0, false).indices();
    }

    /** Index of the smallest element of the flattened tensor (int64, 0-d); first one on ties, NaN counts as smallest. */
    public static Tensor argmin(Tensor x) {
        requireNonEmpty("argmin", x);
        return arg("argmin", false, x.reshape(-1), 0, false).indices();
    }

    /** Positions of the maxima along {@code dim} (int64). */
    public static Tensor argmax(Tensor x, int dim, boolean keepDim) { return arg("argmax", true, x, dim, keepDim).indices(); }

    /** Positions of the minima along {@code dim} (int64). */
    public static Tensor argmin(Tensor x, int dim, boolean keepDim) { return arg("argmin", false, x, dim, keepDim).indices(); }

    /** Maxima along {@code dim} and their int64 positions (torch.max(x, dim)). */
    public static ValuesIndices maxWithIndices(Tensor x, int dim, boolean keepDim) { return withIndices("max", true, x, dim, keepDim); }

    /** Minima along {@code dim} and their int64 positions (torch.min(x, dim)). */
    public static ValuesIndices minWithIndices(Tensor x, int dim, boolean keepDim) { return withIndices("min", false, x, dim, keepDim); }

    /**
     * {@link #arg} with its values recorded: their gradient goes whole to the returned index
     * (torch.max(x, dim)), even on ties; the indices are not differentiable.
     */
    private static ValuesIndices withIndices(String name, boolean max, Tensor x, int dim, boolean keepDim) {
        if (!Graph.recording(x)) return arg(name, max, x, dim, keepDim);
        ValuesIndices r;
        try (Scope ignored = Graph.pause()) {
            r = arg(name, max, x, dim, keepDim);
        }
        Graph.record(name, r.values(), (s, g) -> new Tensor[] {
            indexBack(g, s.input(1), s.inputShape(0), dim, keepDim), null}, x, r.indices());
        return r;
    }

    /** {@code g} placed at positions {@code idx} along {@code dim} of zeros of {@code shape}; differentiable in g. */
    private static Tensor indexBack(Tensor g, Tensor idx, int[] shape, int dim, boolean keepDim) {
        int nd = shape.length;
        if (nd == 0) return g.reshape();
        int d = Shapes.axis("backward", dim, nd);
        int[] along = new int[nd];
        Arrays.fill(along, 1);
        along[d] = shape[d];
        Tensor hit = Tensor.arange(shape[d]).reshape(along).eq(keepDim ? idx : idx.unsqueeze(d));
        return Tensor.where(hit, keepDim ? g : g.unsqueeze(d), Tensor.scalar(0.0, g.dtype()));
    }

    /**
     * Softmax along {@code dim}: {@code exp(x - max) / sum(exp(x - max))}; floating inputs only.
     * Gradient from the output y: {@code y * (g - sum(g * y))}.
     */
    public static Tensor softmax(Tensor x, int dim) {
        return Graph.run("softmax", () -> softmax("softmax", x, dim, false), (s, g) -> {
            Tensor y = s.output();
            if (!Autograd.isGradEnabled() && y.ndim() > 0 && Shapes.axis("softmax", dim, y.ndim()) == y.ndim() - 1)
                return new Tensor[] {softmaxBackwardLastDim(y, g)};
            return new Tensor[] {y.mul(g.sub(g.mul(y).sum(alongDim(y, dim), true)))};
        }, x);
    }

    /**
     * softmax's backward along the last dimension in one pass per row, {@code y·(g - Σ g·y)} with the
     * sum in double (the rule above without its three temporaries; not differentiable, so only
     * for backward passes that do not create a graph).
     */
    static Tensor softmaxBackwardLastDim(Tensor y, Tensor g) { return softmaxBackwardLastDim(y, g, null, 1.0); }
    /**
     * Masked scaled softmax along the last dimension, {@code softmax(maskedFill(x·scale, mask, -inf), -1)}
     * in one pass per row (attention weights; same values as that composition, including NaN rows where
     * the mask covers a whole row). {@code mask} is a bool tensor broadcastable to {@code x}, true where
     * masked. Gradient from the output y, one pass per row:
     * {@code maskedFill(y·(g - Σ g·y), mask, 0)·scale}; under createGraph the same rule in tensor ops.
     */
    public static Tensor maskedSoftmax(Tensor x, Tensor mask, double scale) {
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException("maskedSoftmax: expected a floating point tensor (float32 or float64), got "
                + x.dtype() + "; convert first with to(DType.FLOAT32)");
        if (mask.dtype() != DType.BOOL)
            throw new IllegalArgumentException("maskedSoftmax: the mask must be a bool tensor, got " + mask.dtype());
        if (x.ndim() == 0)
            throw new IllegalArgumentException("maskedSoftmax: expected at least one dimension, got a scalar");
        Tensor m = mask.expand(x.shape());
        return Graph.run("maskedSoftmax", () -> maskedSoftmaxForward(x, m, scale), (s, g) -> {
            Tensor y = s.output();
            if (!Autograd.isGradEnabled()) return new Tensor[] {softmaxBackwardLastDim(y, g, m, scale), null};
            return new Tensor[] {y.mul(g.sub(g.mul(y).sum(-1, true))).maskedFill(m, 0.0).mul(scale), null};
        }, x, mask);
    }

    /** Storage offsets of each last-dimension row of {@code m} (a view shaped like the tensor it masks). */
    private static int[] rowOffsets(Tensor m) {
        int[] shape = m.shape(), st = m.strides();
        int nd = shape.length, r = shape[nd - 1], rows = r == 0 ? 0 : m.numel() / r;
        int[] offs = new int[rows], idx = new int[nd - 1];
        int o = m.offset();
        for (int i = 0; i < rows; i++) {
            offs[i] = o;
            for (int k = nd - 2; k >= 0; k--) {
                o += st[k];
                if (++idx[k] < shape[k]) break;
                o -= st[k] * shape[k];
                idx[k] = 0;
            }
        }
        return offs;
    }

    /** {@code Σ a·b} over n floats, each product in float, the sum in double. */
    private static double dotF(float[] a, int ao, float[] b, int bo, int n) {
        if (useVector) return ReduceVec.dotFloatProductsInDouble(a, ao, b, bo, n);
        double s = 0;
        for (int j = 0; j < n; j++) s += a[ao + j] * b[bo + j];
        return s;
    }

    /**
     * The length p of a row's unmasked prefix when the row is causal, unmasked before p and masked
     * from p on with {@code p >= 1}; 0 for any other row (all masked, or a mask with holes).
     */
    static int unmaskedPrefix(boolean[] mk, int mi, int ms, int r) {
        int p = 0;
        while (p < r && !mk[mi + p * ms]) p++;
        for (int j = p + 1; j < r; j++) if (!mk[mi + j * ms]) return 0;
        return p;
    }

    /**
     * How much of a float32 row of length r with only its first p elements unmasked the softmax
     * kernel must see so that its sums are the full row's: p rounded up to whole vectors (the
     * masked lanes inside them add exact zeros in the same lane order), all of r when that reaches
     * the scalar tail.
     */
    static int softmaxSpanF(int p, int r) {
        if (!useVector) return p;
        int lanes = ReduceVec.floatLanes(), span = (p + lanes - 1) / lanes * lanes;
        return span > r - r % lanes ? r : span;
    }

    private static Tensor maskedSoftmaxForward(Tensor x, Tensor m, double scale) {
        Tensor c = x.contiguous();
        int r = x.size(-1), rows = r == 0 ? 0 : x.numel() / r, xo = c.offset(), ms = m.strides()[m.ndim() - 1];
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        if (rows == 0) return out;
        boolean[] mk = m.storage().bools();
        int[] mo = rowOffsets(m);
        switch (c.storage().array()) {
            case float[] in -> {
                float[] o = out.storage().floats();
                float sf = (float) scale;
                par(rows, Math.max(1, GRAIN / r), (a, b) -> {
                    for (int i = a; i < b; i++) maskedSoftmaxRowF(in, xo + i * r, o, i * r, mk, mo[i], ms, r, sf);
                });
            }
            case double[] in -> {
                double[] o = out.storage().doubles();
                par(rows, Math.max(1, GRAIN / r), (a, b) -> {
                    for (int i = a; i < b; i++) maskedSoftmaxRowD(in, xo + i * r, o, i * r, mk, mo[i], ms, r, scale);
                });
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    /**
     * One float32 row of {@link #maskedSoftmax}: {@code o[oi..oi+r)} from {@code in[xi..xi+r)}, masked
     * where {@code mk[mi + j·ms]}; {@code in} may be {@code o} at the same offset (in place).
     */
    static void maskedSoftmaxRowF(float[] in, int xi, float[] o, int oi, boolean[] mk, int mi, int ms, int r, float sf) {
        // a causal row (unmasked prefix, masked rest): softmax over the span holding the
        // prefix, zeros after it; the same sums, as what is skipped adds exact zeros
        int p = unmaskedPrefix(mk, mi, ms, r), span = p == 0 ? r : softmaxSpanF(p, r);
        if (p == 0)
            for (int j = 0; j < r; j++) o[oi + j] = mk[mi + j * ms] ? Float.NEGATIVE_INFINITY : in[xi + j] * sf;
        else {
            for (int j = 0; j < p; j++) o[oi + j] = in[xi + j] * sf;
            java.util.Arrays.fill(o, oi + p, oi + span, Float.NEGATIVE_INFINITY);
        }
        softmaxRowF(o, oi, o, oi, span, false);
        java.util.Arrays.fill(o, oi + span, oi + r, 0f);
    }

    /** {@link #maskedSoftmaxRowF} for float64. */
    static void maskedSoftmaxRowD(double[] in, int xi, double[] o, int oi, boolean[] mk, int mi, int ms, int r,
                                  double scale) {
        for (int j = 0; j < r; j++) o[oi + j] = mk[mi + j * ms] ? Double.NEGATIVE_INFINITY : in[xi + j] * scale;
        softmaxRowD(o, oi, o, oi, r, false);
    }

    /**
     * The one-pass softmax backward along the last dimension, per row {@code masked ? 0 : y·(g - Σ g·y)·scale}
     * with the sum in double ({@code mask} null: nothing masked).
     */
    private static Tensor softmaxBackwardLastDim(Tensor y, Tensor g, Tensor m, double scale) {
        Tensor yc = y.contiguous(), gc = g.contiguous();
        int r = y.size(-1), rows = r == 0 ? 0 : y.numel() / r, yo = yc.offset(), go = gc.offset();
        Tensor out = Tensor.empty(y.dtype(), y.shape());
        if (rows == 0) return out;
        boolean[] mk = m == null ? null : m.storage().bools();
        int[] mo = m == null ? null : rowOffsets(m);
        int ms = m == null ? 0 : m.strides()[m.ndim() - 1];
        switch (yc.storage().array()) {
            case float[] ya -> {
                float[] ga = (float[]) gc.storage().array(), o = out.storage().floats();
                float sf = (float) scale;
                par(rows, Math.max(1, GRAIN / r), (a, b) -> {
                    for (int i = a; i < b; i++)
                        maskedSoftmaxBackwardRowF(ya, yo + i * r, ga, go + i * r, o, i * r, mk, mk == null ? 0 : mo[i], ms, r, sf);
                });
            }
            case double[] ya -> {
                double[] ga = (double[]) gc.storage().array(), o = out.storage().doubles();
                par(rows, Math.max(1, GRAIN / r), (a, b) -> {
                    for (int i = a; i < b; i++)
                        maskedSoftmaxBackwardRowD(ya, yo + i * r, ga, go + i * r, o, i * r, mk, mk == null ? 0 : mo[i], ms, r,
                            scale);
                });
            }
            default -> throw new IllegalStateException("softmax backward: expected a floating output, got " + y.dtype());
        }
        return out;
    }

    /**
     * One float32 row of the masked softmax backward, {@code o = masked ? 0 : y·(g - Σ g·y)·sf} ({@code mk}
     * null: nothing masked); {@code o} may be {@code ga} at the same offset (in place).
     */
    static void maskedSoftmaxBackwardRowF(float[] ya, int yi, float[] ga, int gi, float[] o, int oi, boolean[] mk, int mi,
                                          int ms, int r, float sf) {
        // a causal row: y is exactly 0 past its unmasked prefix, which adds nothing to the dot
        int p = mk == null ? 0 : unmaskedPrefix(mk, mi, ms, r), span = p == 0 ? r : p;
        float d = (float) dotF(ga, gi, ya, yi, span);
        if (mk == null || p > 0)   // nothing masked in the span: a loop C2 vectorises
            for (int j = 0; j < span; j++) o[oi + j] = ya[yi + j] * (ga[gi + j] - d) * sf;
        else
            for (int j = 0; j < r; j++) o[oi + j] = mk[mi + j * ms] ? 0f : ya[yi + j] * (ga[gi + j] - d) * sf;
        java.util.Arrays.fill(o, oi + span, oi + r, 0f);
    }

    /** {@link #maskedSoftmaxBackwardRowF} for float64 (the dot over the whole row). */
    static void maskedSoftmaxBackwardRowD(double[] ya, int yi, double[] ga, int gi, double[] o, int oi, boolean[] mk, int mi,
                                          int ms, int r, double scale) {
        double dot = 0;
        for (int j = 0; j < r; j++) dot += ga[gi + j] * ya[yi + j];
        for (int j = 0; j < r; j++) o[oi + j] = mk != null && mk[mi + j * ms] ? 0.0 : ya[yi + j] * (ga[gi + j] - dot) * scale;
    }

    /**
     * Log-softmax along {@code dim}: {@code x - max - log(sum(exp(x - max)))}; floating inputs only.
     * Gradient from the output y: {@code g - exp(y) * sum(g)}.
     */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return Graph.run("logSoftmax", () -> softmax("logSoftmax", x, dim, true), (s, g) -> {
            Tensor y = s.output();
            return new Tensor[] {g.sub(y.exp().mul(g.sum(alongDim(y, dim), true)))};
        }, x);
    }

    /** {@code {dim}} for a reduction along dim, or all (nothing) for a 0-d tensor. */
    private static int[] alongDim(Tensor x, int dim) { return x.ndim() == 0 ? new int[0] : new int[] {dim}; }

    /**
     * Running sum along {@code dim}; bool/int inputs give int64, floats accumulate in double.
     * Gradient: the running sum of g from the end ({@link #reverseCumsum}).
     */
    public static Tensor cumsum(Tensor x, int dim) {
        return Graph.run("cumsum", () -> scan("cumsum", false, false, x, dim),
            (s, g) -> new Tensor[] {reverseCumsum(g, dim)}, x);
    }

    /**
     * Running sum along {@code dim} taken from the last element backwards
     * ({@code out[i] = sum over j >= i of x[j]}): the gradient of cumsum, and its gradient is cumsum.
     */
    static Tensor reverseCumsum(Tensor x, int dim) {
        return Graph.run("reverseCumsum", () -> scan("reverseCumsum", false, true, x, dim),
            (s, g) -> new Tensor[] {cumsum(g, dim)}, x);
    }

    /**
     * Running product along {@code dim}; bool/int inputs give int64, floats accumulate in double.
     *
     * <p>Gradient (as PyTorch): {@code reverseCumsum(g * out) / x}; at the first zero of a line,
     * {@code reverseCumsum(g * cumprod(x with that zero set to 1))}; after it every gradient is 0.
     * First derivatives are exact for any number of zeros, higher ones for at most one zero per
     * line.
     */
    public static Tensor cumprod(Tensor x, int dim) {
        return Graph.run("cumprod", () -> scan("cumprod", true, false, x, dim), (s, g) -> {
            Tensor in = s.input(0), out = s.output(), z = in.eq(0.0);
            if (!any(z)) return new Tensor[] {reverseCumsum(g.mul(out), dim).div(in)};
            Tensor one = Tensor.scalar(1.0, in.dtype()), first = z.logicalAnd(z.cumsum(dim).eq(1.0));
            Tensor rest = reverseCumsum(g.mul(out), dim).div(Tensor.where(z, one, in));
            Tensor atFirst = reverseCumsum(g.mul(Tensor.where(first, one, in).cumprod(dim)), dim);
            return new Tensor[] {Tensor.where(first, atFirst, rest)};
        }, x);
    }

    // ================================================================== planning

    /**
     * A contiguous source viewed as {@code [A, R, B]} with R reduced ({@code count} elements per
     * output in all, see {@link #twoStage}). The raw result has shape
     * {@code resShape} (kept dims in iteration order); {@link #finish} turns it into
     * {@code outShape}, permuting back when the input was iterated in a permuted (storage) order.
     */
    record Plan(Tensor src, int A, int R, int B, int[] outShape, int[] resShape, int[] back,
                int outer, int r1, int mid, int count) {
        /** A single [A, R, B] reduction (no second reduced block). */
        Plan(Tensor src, int A, int R, int B, int[] outShape, int[] resShape, int[] back) {
            this(src, A, R, B, outShape, resShape, back, 1, 1, 1, R);
        }

        /**
         * Two reduced blocks: the source is {@code [outer, r1, mid, R, B]}; stage one reduces R
         * (as {@code [outer*r1*mid, R, B]}), stage two combines the partials over r1 in order.
         */
        boolean twoStage() { return r1 != 1 || count != R; }

        Object array() { return src.storage().array(); }

        int off() { return src.offset(); }

        Tensor finish(Tensor raw) {
            return back == null ? raw : raw.permute(back).contiguous().reshape(outShape);
        }
    }

    static int[] outShape(String op, Tensor x, int[] dims, boolean keepDim) {
        int nd = x.ndim();
        if (nd == 0) {
            Shapes.axesMask(op, dims, 1);
            return new int[0];
        }
        boolean[] mask = Shapes.axesMask(op, dims, nd);
        int kept = 0;
        for (boolean m : mask) if (!m) kept++;
        int[] out = new int[keepDim ? nd : kept];
        for (int d = 0, j = 0; d < nd; d++) {
            if (keepDim) out[d] = mask[d] ? 1 : x.size(d);
            else if (!mask[d]) out[j++] = x.size(d);
        }
        return out;
    }

    static Plan plan(String op, Tensor x, int[] dims, boolean keepDim) {
        int[] outShape = outShape(op, x, dims, keepDim);
        int nd = x.ndim();
        if (nd == 0) return new Plan(x, 1, 1, 1, outShape, outShape, null);
        boolean[] mask = Shapes.axesMask(op, dims, nd);
        // A transposed/permuted view of a dense block is reduced in storage order, without a copy.
        int[] order = storageOrder(x);
        Tensor v = order == null ? x : x.permute(order);
        if (order != null) {
            boolean[] pm = new boolean[nd];
            for (int d = 0; d < nd; d++) pm[d] = mask[order[d]];
            mask = pm;
        } else {
            order = new int[nd];
            for (int d = 0; d < nd; d++) order[d] = d;
        }
        int[] shape = v.shape();
        // coalesce into alternating kept/reduced groups (size-1 dims do not matter)
        long[] gs = new long[nd];
        boolean[] gr = new boolean[nd];
        int ng = 0;
        for (int d = 0; d < nd; d++) {
            if (shape[d] == 1) continue;
            if (ng > 0 && gr[ng - 1] == mask[d]) gs[ng - 1] *= shape[d];
            else { gs[ng] = shape[d]; gr[ng++] = mask[d]; }
        }
        int nred = 0;
        for (int g = 0; g < ng; g++) if (gr[g]) nred++;
        int g0 = 0;
        long k0 = 1, r1 = 1, k1 = 1, r = 1, b = 1;
        if (g0 < ng && !gr[g0]) k0 = gs[g0++];
        if (nred == 2) { // [k0] r1 k1 r [b]
            r1 = gs[g0++];
            k1 = gs[g0++];
        }
        if (nred >= 1 && nred <= 2) {
            r = gs[g0++];
            if (g0 < ng) b = gs[g0];
        }
        long a = k0 * r1 * k1;
        Tensor c;
        if (nred > 2) { // three or more reduced blocks: move reduced dims last with one copy
            int[] perm = new int[nd];
            int j = 0;
            for (int d = 0; d < nd; d++) if (!mask[d]) perm[j++] = d;
            for (int d = 0; d < nd; d++) if (mask[d]) perm[j++] = d;
            c = v.permute(perm).contiguous();
            a = 1;
            r = 1;
            for (int d = 0; d < nd; d++) if (mask[d]) r *= shape[d]; else a *= shape[d];
            b = 1;
            r1 = 1;
            k0 = 1;
            k1 = 1;
        } else {
            c = v.contiguous();
        }
        if (a * b > Integer.MAX_VALUE)
            throw new IllegalArgumentException(op + ": result shape " + Shapes.format(outShape) + " is too large");
        // kept dims in iteration order, and the permutation that restores their original order
        int kept = 0;
        for (boolean m : mask) if (!m) kept++;
        int[] keptOrig = new int[kept], resShape = new int[kept];
        for (int d = 0, j = 0; d < nd; d++)
            if (!mask[d]) { keptOrig[j] = order[d]; resShape[j++] = shape[d]; }
        int[] back = null;
        for (int j = 1; j < kept; j++) {
            if (keptOrig[j] < keptOrig[j - 1]) {
                Integer[] idx = new Integer[kept];
                for (int q = 0; q < kept; q++) idx[q] = q;
                Arrays.sort(idx, (p1, p2) -> Integer.compare(keptOrig[p1], keptOrig[p2]));
                back = new int[kept];
                for (int q = 0; q < kept; q++) back[q] = idx[q];
                break;
            }
        }
        return new Plan(c, (int) a, (int) r, (int) b, outShape, back == null ? outShape : resShape, back,
            (int) k0, (int) r1, (int) k1, (int) (r1 * r));
    }

    /**
     * For a non-contiguous tensor whose elements fill a dense block in some dimension order (a
     * transpose or permute of a contiguous tensor), that order (outermost first); otherwise null.
     */
    static int[] storageOrder(Tensor x) {
        if (x.isContiguous()) return null;
        int nd = x.ndim();
        int[] st = x.strides();
        Integer[] idx = new Integer[nd];
        for (int d = 0; d < nd; d++) idx[d] = d;
        Arrays.sort(idx, (p1, p2) -> Integer.compare(st[p2], st[p1]));
        int[] order = new int[nd];
        for (int d = 0; d < nd; d++) order[d] = idx[d];
        Tensor p = x.permute(order);
        return p.isContiguous() ? order : null;
    }

    private static Tensor requireFloat(String op, Tensor x) {
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException(op + ": could not infer output dtype; input dtype must be floating point "
                + "(float32 or float64), got " + x.dtype() + "; convert first with to(DType.FLOAT32)");
        return x;
    }

    private static void requireNonEmpty(String op, Tensor x) {
        if (x.numel() == 0)
            throw new IllegalArgumentException(op + ": the input of shape " + Shapes.format(x.shape())
                + " is empty; reducing all elements needs at least one element (reduce over a non-empty dim instead)");
    }

    private static void requireNonEmptyReduction(String op, Tensor x, Plan p, String dims) {
        if (p.count == 0)
            throw new IllegalArgumentException(op + ": cannot reduce over dimension(s) " + dims + " of shape "
                + Shapes.format(x.shape()) + " because they have no elements; expected a non-zero size");
    }

    private static Tensor fromDoubles(DType t, double[] v, Plan p) {
        Tensor out = Tensor.empty(t, p.resShape);
        if (t == DType.FLOAT64) System.arraycopy(v, 0, out.storage().doubles(), 0, v.length);
        else {
            float[] o = out.storage().floats();
            for (int i = 0; i < v.length; i++) o[i] = (float) v[i];
        }
        return p.finish(out);
    }

    private static Tensor fromLongs(long[] v, Plan p) {
        Tensor out = Tensor.empty(DType.INT64, p.resShape);
        System.arraycopy(v, 0, out.storage().longs(), 0, v.length);
        return p.finish(out);
    }

    // ================================================================== op drivers

    private static Tensor sumProd(String name, Op op, Tensor x, int[] dims, boolean keepDim) {
        DType t = x.dtype();
        if (!t.isFloatingPoint()) {
            outShape(name, x, dims, keepDim); // validate before converting
            Plan p = plan(name, x.to(DType.INT64), dims, keepDim);
            return fromLongs(reduceL(op, p), p);
        }
        Plan p = plan(name, x, dims, keepDim);
        return fromDoubles(t, engine(op, p, null), p);
    }

    private static Tensor extremeForward(String name, Op op, Tensor x, int[] dims, boolean keepDim) {
        DType t = x.dtype();
        outShape(name, x, dims, keepDim);
        Plan p = plan(name, t.isFloatingPoint() ? x : x.to(DType.INT64), dims, keepDim);
        requireNonEmptyReduction(name, x, p, dims.length == 0 ? "(all)" : Arrays.toString(dims));
        if (t.isFloatingPoint()) return fromDoubles(t, engine(op, p, null), p);
        return fromLongs(reduceL(op, p), p).to(t);
    }

    private static double[] variance(Plan p, int correction) {
        double[] mean = engine(Op.SUM, p, null);
        for (int i = 0; i < mean.length; i++) mean[i] /= p.count;
        double[] ss = engine(Op.SQDEV, p, mean);
        double div = Math.max(0, (double) p.count - correction);
        for (int i = 0; i < ss.length; i++) ss[i] /= div;
        return ss;
    }

    private static double[] engine(Op op, Plan p, double[] param) {
        if (!p.twoStage()) return stage(op, p, param, p.A);
        int k0 = p.outer, r1 = p.r1, m = p.mid * p.B;
        double[] res = new double[k0 * m];
        if (p.count == 0) {
            Arrays.fill(res, op.identity());
            return res;
        }
        double[] tiled = null;
        if (param != null) {
            tiled = new double[k0 * r1 * m];
            for (int a = 0; a < k0; a++)
                for (int q = 0; q < r1; q++) System.arraycopy(param, a * m, tiled, (a * r1 + q) * m, m);
        }
        combineColumns(op, stage(op, p, tiled, p.A), res, k0, r1, m);
        return res;
    }

    private static double[] stage(Op op, Plan p, double[] param, int A) {
        return switch (p.array()) {
            case float[] a -> reduce(op, a, p.off(), A, p.R, p.B, param);
            case double[] a -> reduce(op, a, p.off(), A, p.R, p.B, param);
            default -> throw new IllegalStateException("engine: unexpected storage " + p.src.dtype());
        };
    }

    // ================================================================== engine: the work split

    /**
     * The work split shared by both element types ({@code in} is a float[] or a double[]): whole
     * rows or row segments when the reduced dim is innermost ({@code B == 1}), else column blocks
     * of {@code rows x bw}. Only the per-segment kernels ({@link #segF}/{@link #segD},
     * {@link #colSegF}/{@link #colSegD}) are typed: one type test per segment.
     */
    static double[] reduce(Op op, Object in, int off, int A, int R, int B, double[] p) {
        double[] res = new double[A * B];
        if (res.length == 0) return res;
        if (R == 0) {
            Arrays.fill(res, op.identity());
            return res;
        }
        if (B == 1) {
            if (R <= SEG) {
                par(A, GRAIN / R, (s, e) -> {
                    for (int a = s; a < e; a++) res[a] = seg(op, in, off + a * R, R, p == null ? 0 : p[a]);
                });
                return res;
            }
            int nseg = (R + SEG - 1) / SEG;
            double[] part = new double[A * nseg];
            par(A * nseg, GRAIN / SEG, (s, e) -> {
                for (int t = s; t < e; t++) {
                    int a = t / nseg, r0 = (t % nseg) * SEG;
                    part[t] = seg(op, in, off + a * R + r0, Math.min(SEG, R - r0), p == null ? 0 : p[a]);
                }
            });
            for (int a = 0; a < A; a++) res[a] = combineRun(op, part, a * nseg, nseg);
            return res;
        }
        int nb = (B + BCH - 1) / BCH, nr = (R + RSEG - 1) / RSEG;
        double[] part = nr == 1 ? res : new double[A * nr * B];
        int unitWork = Math.min(B, BCH) * Math.min(R, RSEG);
        par(A * nb * nr, GRAIN / unitWork, (s, e) -> {
            // the column partials are kept in the element type, as each typed kernel accumulates
            float[] tf = in instanceof float[] ? new float[Math.min(B, BCH)] : null;
            double[] td = tf == null ? new double[Math.min(B, BCH)] : null;
            for (int t = s; t < e; t++) {
                int a = t / (nb * nr), rem = t % (nb * nr), b0 = (rem / nr) * BCH, r0 = (rem % nr) * RSEG;
                int bw = Math.min(BCH, B - b0), rows = Math.min(RSEG, R - r0);
                int src = off + (a * R + r0) * B + b0, dst = (a * nr + r0 / RSEG) * B + b0;
                if (tf != null) {
                    colSegF(op, (float[]) in, src, rows, B, bw, tf, p, a * B + b0);
                    for (int b = 0; b < bw; b++) part[dst + b] = tf[b];
                } else {
                    colSegD(op, (double[]) in, src, rows, B, bw, td, p, a * B + b0);
                    System.arraycopy(td, 0, part, dst, bw);
                }
            }
        });
        if (nr > 1) combineColumns(op, part, res, A, nr, B);
        return res;
    }

    private static double seg(Op op, Object in, int o, int n, double pv) {
        return in instanceof float[] f ? segF(op, f, o, n, pv) : segD(op, (double[]) in, o, n, pv);
    }

    // ================================================================== float32 kernels

    /** One row segment (n >= 1) reduced to a partial. */
    static double segF(Op op, float[] in, int o, int n, double pv) {
        if (useVector && op != Op.PROD) return ReduceVec.segF(op, in, o, n, pv);
        switch (op) {
            case SUM -> {
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int i = 0;
                for (; i + 3 < n; i += 4) {
                    s0 += in[o + i]; s1 += in[o + i + 1]; s2 += in[o + i + 2]; s3 += in[o + i + 3];
                }
                for (; i < n; i++) s0 += in[o + i];
                return (s0 + s1) + (s2 + s3);
            }
            case PROD -> {
                double s = 1;
                for (int i = 0; i < n; i++) s *= in[o + i];
                return s;
            }
            case MAX -> {
                float m = in[o];
                for (int i = 1; i < n; i++) m = Math.max(m, in[o + i]);
                return m;
            }
            case MIN -> {
                float m = in[o];
                for (int i = 1; i < n; i++) m = Math.min(m, in[o + i]);
                return m;
            }
            case SQDEV -> {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    double d = in[o + i] - pv;
                    s += d * d;
                }
                return s;
            }
            case SUMEXP -> {
                double s = 0;
                for (int i = 0; i < n; i++) s += Math.exp(in[o + i] - pv);
                return s;
            }
        }
        throw new IllegalStateException();
    }

    /** {@code rows} rows of width {@code bw} (row stride B) reduced column-wise into {@code tmp}. */
    static void colSegF(Op op, float[] in, int o, int rows, int B, int bw, float[] tmp, double[] p, int pOff) {
        if (useVector && op != Op.PROD) {
            ReduceVec.colSegF(op, in, o, rows, B, bw, tmp, p, pOff);
            return;
        }
        switch (op) {
            case SUM -> {
                Arrays.fill(tmp, 0, bw, 0f);
                for (int r = 0; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] += in[ro + b];
                }
            }
            case PROD -> {
                Arrays.fill(tmp, 0, bw, 1f);
                for (int r = 0; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] *= in[ro + b];
                }
            }
            case MAX -> {
                System.arraycopy(in, o, tmp, 0, bw);
                for (int r = 1; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] = Math.max(tmp[b], in[ro + b]);
                }
            }
            case MIN -> {
                System.arraycopy(in, o, tmp, 0, bw);
                for (int r = 1; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] = Math.min(tmp[b], in[ro + b]);
                }
            }
            case SQDEV -> {
                Arrays.fill(tmp, 0, bw, 0f);
                for (int r = 0; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) {
                        float d = (float) (in[ro + b] - p[pOff + b]);
                        tmp[b] += d * d;
                    }
                }
            }
            case SUMEXP -> {
                Arrays.fill(tmp, 0, bw, 0f);
                for (int r = 0; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] += (float) Math.exp(in[ro + b] - p[pOff + b]);
                }
            }
        }
    }

    // ================================================================== float64 kernels

    static double segD(Op op, double[] in, int o, int n, double pv) {
        if (useVector && op != Op.PROD) return ReduceVec.segD(op, in, o, n, pv);
        switch (op) {
            case SUM -> {
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int i = 0;
                for (; i + 3 < n; i += 4) {
                    s0 += in[o + i]; s1 += in[o + i + 1]; s2 += in[o + i + 2]; s3 += in[o + i + 3];
                }
                for (; i < n; i++) s0 += in[o + i];
                return (s0 + s1) + (s2 + s3);
            }
            case PROD -> {
                double s = 1;
                for (int i = 0; i < n; i++) s *= in[o + i];
                return s;
            }
            case MAX -> {
                double m = in[o];
                for (int i = 1; i < n; i++) m = Math.max(m, in[o + i]);
                return m;
            }
            case MIN -> {
                double m = in[o];
                for (int i = 1; i < n; i++) m = Math.min(m, in[o + i]);
                return m;
            }
            case SQDEV -> {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    double d = in[o + i] - pv;
                    s += d * d;
                }
                return s;
            }
            case SUMEXP -> {
                double s = 0;
                for (int i = 0; i < n; i++) s += Math.exp(in[o + i] - pv);
                return s;
            }
        }
        throw new IllegalStateException();
    }

    static void colSegD(Op op, double[] in, int o, int rows, int B, int bw, double[] tmp, double[] p, int pOff) {
        switch (op) {
            case SUM -> {
                Arrays.fill(tmp, 0, bw, 0);
                for (int r = 0; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] += in[ro + b];
                }
            }
            case PROD -> {
                Arrays.fill(tmp, 0, bw, 1);
                for (int r = 0; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] *= in[ro + b];
                }
            }
            case MAX -> {
                System.arraycopy(in, o, tmp, 0, bw);
                for (int r = 1; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] = Math.max(tmp[b], in[ro + b]);
                }
            }
            case MIN -> {
                System.arraycopy(in, o, tmp, 0, bw);
                for (int r = 1; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] = Math.min(tmp[b], in[ro + b]);
                }
            }
            case SQDEV -> {
                Arrays.fill(tmp, 0, bw, 0);
                for (int r = 0; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) {
                        double d = in[ro + b] - p[pOff + b];
                        tmp[b] += d * d;
                    }
                }
            }
            case SUMEXP -> {
                Arrays.fill(tmp, 0, bw, 0);
                for (int r = 0; r < rows; r++) {
                    int ro = o + r * B;
                    for (int b = 0; b < bw; b++) tmp[b] += Math.exp(in[ro + b] - p[pOff + b]);
                }
            }
        }
    }

    // ================================================================== partial combination

    private static double combine(Op op, double a, double b) {
        return switch (op) {
            case SUM, SQDEV, SUMEXP -> a + b;
            case PROD -> a * b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }

    private static double combineRun(Op op, double[] part, int from, int n) {
        double acc = part[from];
        for (int i = 1; i < n; i++) acc = combine(op, acc, part[from + i]);
        return acc;
    }

    /** {@code res[a, b] = combine over s of part[a, s, b]}, in segment order. */
    private static void combineColumns(Op op, double[] part, double[] res, int A, int nr, int B) {
        par(A, GRAIN / Math.max(1, nr * B), (s, e) -> {
            for (int a = s; a < e; a++) {
                int dst = a * B;
                System.arraycopy(part, a * nr * B, res, dst, B);
                for (int sg = 1; sg < nr; sg++) {
                    int src = (a * nr + sg) * B;
                    switch (op) {
                        case SUM, SQDEV, SUMEXP -> { for (int b = 0; b < B; b++) res[dst + b] += part[src + b]; }
                        case PROD -> { for (int b = 0; b < B; b++) res[dst + b] *= part[src + b]; }
                        case MAX -> { for (int b = 0; b < B; b++) res[dst + b] = Math.max(res[dst + b], part[src + b]); }
                        case MIN -> { for (int b = 0; b < B; b++) res[dst + b] = Math.min(res[dst + b], part[src + b]); }
                    }
                }
            }
        });
    }

    // ================================================================== int64 engine (exact, so no segmentation)

    static long[] reduceL(Op op, Plan pl) {
        long[] in = pl.src.storage().longs();
        if (!pl.twoStage()) return reduceL(op, in, pl.off(), pl.A, pl.R, pl.B);
        int k0 = pl.outer, r1 = pl.r1, m = pl.mid * pl.B;
        if (pl.count == 0) return reduceL(op, in, pl.off(), k0 * m, 0, 1);
        long[] part = reduceL(op, in, pl.off(), pl.A, pl.R, pl.B);
        long[] res = new long[k0 * m];
        for (int a = 0; a < k0; a++) {
            System.arraycopy(part, a * r1 * m, res, a * m, m);
            for (int q = 1; q < r1; q++) {
                int src = (a * r1 + q) * m, dst = a * m;
                for (int j = 0; j < m; j++) {
                    long x = res[dst + j], y = part[src + j];
                    res[dst + j] = switch (op) {
                        case SUM -> x + y;
                        case PROD -> x * y;
                        case MAX -> Math.max(x, y);
                        default -> Math.min(x, y);
                    };
                }
            }
        }
        return res;
    }

    private static long[] reduceL(Op op, long[] in, int off, int A, int R, int B) {
        long[] res = new long[A * B];
        if (res.length == 0) return res;
        long id = switch (op) {
            case SUM -> 0L;
            case PROD -> 1L;
            case MAX -> Long.MIN_VALUE;
            case MIN -> Long.MAX_VALUE;
            default -> throw new IllegalStateException(op + " on integers");
        };
        if (R == 0) {
            Arrays.fill(res, id);
            return res;
        }
        if (B == 1) {
            // integer arithmetic is exact (wrapping), so long rows may be split in any way
            int seg = Math.max(R / Math.max(1, (int) Math.min(64, (long) R / GRAIN)), 1);
            int nseg = (R + seg - 1) / seg;
            long[] part = nseg == 1 ? res : new long[A * nseg];
            par(A * nseg, Math.max(1, GRAIN / Math.min(R, seg)), (s, e) -> {
                for (int t = s; t < e; t++) {
                    int a = t / nseg, r0 = (t % nseg) * seg, o = off + a * R + r0, n = Math.min(seg, R - r0);
                    long acc = id;
                    switch (op) {
                        case SUM -> { for (int i = 0; i < n; i++) acc += in[o + i]; }
                        case PROD -> { for (int i = 0; i < n; i++) acc *= in[o + i]; }
                        case MAX -> { for (int i = 0; i < n; i++) acc = Math.max(acc, in[o + i]); }
                        default -> { for (int i = 0; i < n; i++) acc = Math.min(acc, in[o + i]); }
                    }
                    part[t] = acc;
                }
            });
            if (nseg > 1)
                for (int a = 0; a < A; a++) {
                    long acc = part[a * nseg];
                    for (int q = 1; q < nseg; q++) {
                        long y = part[a * nseg + q];
                        acc = switch (op) {
                            case SUM -> acc + y;
                            case PROD -> acc * y;
                            case MAX -> Math.max(acc, y);
                            default -> Math.min(acc, y);
                        };
                    }
                    res[a] = acc;
                }
            return res;
        }
        int nb = (B + BCH - 1) / BCH;
        par(A * nb, GRAIN / (Math.min(B, BCH) * R), (s, e) -> {
            for (int t = s; t < e; t++) {
                int a = t / nb, b0 = (t % nb) * BCH, bw = Math.min(BCH, B - b0), dst = a * B + b0;
                Arrays.fill(res, dst, dst + bw, id);
                for (int r = 0; r < R; r++) {
                    int ro = off + (a * R + r) * B + b0;
                    switch (op) {
                        case SUM -> { for (int b = 0; b < bw; b++) res[dst + b] += in[ro + b]; }
                        case PROD -> { for (int b = 0; b < bw; b++) res[dst + b] *= in[ro + b]; }
                        case MAX -> { for (int b = 0; b < bw; b++) res[dst + b] = Math.max(res[dst + b], in[ro + b]); }
                        default -> { for (int b = 0; b < bw; b++) res[dst + b] = Math.min(res[dst + b], in[ro + b]); }
                    }
                }
            }
        });
        return res;
    }

    // ================================================================== argmax / argmin

    private static ValuesIndices arg(String name, boolean max, Tensor x, int dim, boolean keepDim) {
        DType t = x.dtype();
        outShape(name, x, new int[] {dim}, keepDim);
        Plan p = plan(name, t.isFloatingPoint() ? x : x.to(DType.INT64), new int[] {dim}, keepDim);
        requireNonEmptyReduction(name, x, p, String.valueOf(dim));
        int A = p.A, R = p.R, B = p.B, off = p.off();
        Tensor idxT = Tensor.empty(DType.INT64, p.resShape);
        long[] idx = idxT.storage().longs();
        Tensor valT = Tensor.empty(p.src.dtype(), p.resShape);
        if (idx.length == 0) return new ValuesIndices(p.finish(t.isFloatingPoint() ? valT : valT.to(t)), p.finish(idxT));
        Object in = p.array(), vals = valT.storage().array();
        if (B == 1 && R >= 4 * ARG_SEG && A <= 8) {
            argLongRows(max, in, off, A, R, vals, idx);
            valT = p.finish(valT);
            return new ValuesIndices(t.isFloatingPoint() ? valT : valT.to(t), p.finish(idxT));
        }
        int nb = (B + BCH - 1) / BCH;
        par(A * nb, GRAIN / (Math.min(B, BCH) * R), (s, e) -> {
            for (int u = s; u < e; u++) {
                int a = u / nb, b0 = (u % nb) * BCH, bw = Math.min(BCH, B - b0);
                int o = off + a * R * B + b0, dst = a * B + b0;
                switch (in) {
                    case float[] f -> argF(max, f, o, R, B, bw, (float[]) vals, idx, dst);
                    case double[] d -> argD(max, d, o, R, B, bw, (double[]) vals, idx, dst);
                    case long[] l -> argL(max, l, o, R, B, bw, (long[]) vals, idx, dst);
                    default -> throw new IllegalStateException();
                }
            }
        });
        valT = p.finish(valT);
        return new ValuesIndices(t.isFloatingPoint() ? valT : valT.to(t), p.finish(idxT));
    }

    /** Elements per segment when a few long rows are searched in parallel. */
    static final int ARG_SEG = 1 << 16;

    /**
     * Arg-extremum of a few long contiguous rows: segments are searched in parallel, then their
     * winners are compared in segment order, so the first occurrence (or first NaN) still wins.
     */
    private static void argLongRows(boolean max, Object in, int off, int A, int R, Object vals, long[] idx) {
        int nseg = (R + ARG_SEG - 1) / ARG_SEG;
        Object pv = java.lang.reflect.Array.newInstance(in.getClass().getComponentType(), A * nseg);
        long[] pi = new long[A * nseg];
        par(A * nseg, 1, (s, e) -> {
            for (int t = s; t < e; t++) {
                int a = t / nseg, r0 = (t % nseg) * ARG_SEG, n = Math.min(ARG_SEG, R - r0), o = off + a * R + r0;
                switch (in) {
                    case float[] f -> argF(max, f, o, n, 1, 1, (float[]) pv, pi, t);
                    case double[] d -> argD(max, d, o, n, 1, 1, (double[]) pv, pi, t);
                    case long[] l -> argL(max, l, o, n, 1, 1, (long[]) pv, pi, t);
                    default -> throw new IllegalStateException();
                }
                pi[t] += r0;
            }
        });
        for (int a = 0; a < A; a++) {
            int w = a * nseg;
            for (int q = a * nseg + 1; q < (a + 1) * nseg; q++) {
                boolean take = switch (pv) {
                    case float[] f -> (max ? f[q] > f[w] : f[q] < f[w]) || (f[q] != f[q] && f[w] == f[w]);
                    case double[] d -> (max ? d[q] > d[w] : d[q] < d[w]) || (d[q] != d[q] && d[w] == d[w]);
                    case long[] l -> max ? l[q] > l[w] : l[q] < l[w];
                    default -> throw new IllegalStateException();
                };
                if (take) w = q;
            }
            System.arraycopy(pv, w, vals, a, 1);
            idx[a] = pi[w];
        }
    }

    // Strict comparison keeps the first occurrence on ties; the first NaN wins and stays.
    private static void argF(boolean max, float[] in, int o, int R, int B, int bw, float[] vals, long[] idx, int dst) {
        if (bw > 1 && useVector) {
            ReduceVec.argColF(max, in, o, R, B, bw, vals, idx, dst);
            return;
        }
        if (bw > 1) { // rows outer: the input streams and the best-so-far row stays in cache
            System.arraycopy(in, o, vals, dst, bw);
            java.util.Arrays.fill(idx, dst, dst + bw, 0L);
            for (int r = 1; r < R; r++) {
                int q = o + r * B;
                for (int b = 0; b < bw; b++) {
                    float v = in[q + b], best = vals[dst + b];
                    if ((max ? v > best : v < best) || (v != v && best == best)) { vals[dst + b] = v; idx[dst + b] = r; }
                }
            }
            return;
        }
        if (B == 1 && useVector) {
            int at = ReduceVec.argRowF(max, in, o, R);
            vals[dst] = in[o + at];
            idx[dst] = at;
            return;
        }
        float best = in[o];
        int bi = 0;
        if (best == best) for (int r = 1, q = o + B; r < R; r++, q += B) {
            float v = in[q];
            if (max ? v > best : v < best) { best = v; bi = r; }
            else if (v != v) { best = v; bi = r; break; }
        }
        vals[dst] = best;
        idx[dst] = bi;
    }

    private static void argD(boolean max, double[] in, int o, int R, int B, int bw, double[] vals, long[] idx, int dst) {
        if (bw > 1) { // rows outer: the input streams and the best-so-far row stays in cache
            System.arraycopy(in, o, vals, dst, bw);
            java.util.Arrays.fill(idx, dst, dst + bw, 0L);
            for (int r = 1; r < R; r++) {
                int q = o + r * B;
                for (int b = 0; b < bw; b++) {
                    double v = in[q + b], best = vals[dst + b];
                    if ((max ? v > best : v < best) || (v != v && best == best)) { vals[dst + b] = v; idx[dst + b] = r; }
                }
            }
            return;
        }
        double best = in[o];
        int bi = 0;
        if (best == best) for (int r = 1, q = o + B; r < R; r++, q += B) {
            double v = in[q];
            if (max ? v > best : v < best) { best = v; bi = r; }
            else if (v != v) { best = v; bi = r; break; }
        }
        vals[dst] = best;
        idx[dst] = bi;
    }

    private static void argL(boolean max, long[] in, int o, int R, int B, int bw, long[] vals, long[] idx, int dst) {
        if (bw > 1) { // rows outer: the input streams and the best-so-far row stays in cache
            System.arraycopy(in, o, vals, dst, bw);
            java.util.Arrays.fill(idx, dst, dst + bw, 0L);
            for (int r = 1; r < R; r++) {
                int q = o + r * B;
                for (int b = 0; b < bw; b++) {
                    long v = in[q + b], best = vals[dst + b];
                    if ((max ? v > best : v < best)) { vals[dst + b] = v; idx[dst + b] = r; }
                }
            }
            return;
        }
        long best = in[o];
        int bi = 0;
        for (int r = 1, q = o + B; r < R; r++, q += B) {
            long v = in[q];
            if (max ? v > best : v < best) { best = v; bi = r; }
            
        }
        vals[dst] = best;
        idx[dst] = bi;
    }

    // ================================================================== softmax

    private static Tensor softmax(String name, Tensor x, int dim, boolean log) {
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException(name + ": expected a floating point tensor (float32 or float64), got "
                + x.dtype() + "; convert first with to(DType.FLOAT32)");
        if (x.ndim() == 0) {
            Shapes.axis(name, dim, 1);
            return softmax(name, x.reshape(1), 0, log).reshape();
        }
        int d = Shapes.axis(name, dim, x.ndim());
        int[] shape = x.shape();
        Tensor c = x.contiguous();
        int A = 1, B = 1, R = shape[d];
        for (int i = 0; i < d; i++) A *= shape[i];
        for (int i = d + 1; i < shape.length; i++) B *= shape[i];
        Tensor out = Tensor.empty(x.dtype(), shape);
        if (out.numel() == 0) return out;
        int off = c.offset();
        final int fa = A, fb = B;
        switch (c.storage().array()) {
            case float[] in -> {
                float[] o = out.storage().floats();
                if (B == 1) par(A, GRAIN / R, (s, e) -> {
                    for (int a = s; a < e; a++) softmaxRowF(in, off + a * R, o, a * R, R, log);
                });
                else {
                    int nb = (fb + BCH - 1) / BCH;
                    par(fa * nb, GRAIN / (Math.min(fb, BCH) * R), (s, e) -> {
                        float[] m = new float[Math.min(fb, BCH)];
                        double[] sum = new double[m.length];
                        float[] sumF = new float[m.length];
                        for (int u = s; u < e; u++) {
                            int a = u / nb, b0 = (u % nb) * BCH, bw = Math.min(BCH, fb - b0);
                            if (useVector) ReduceVec.softmaxColF(in, off + a * R * fb + b0, o, a * R * fb + b0, R, fb, bw, log, m, sumF);
                            else softmaxColF(in, off + a * R * fb + b0, o, a * R * fb + b0, R, fb, bw, log, m, sum);
                        }
                    });
                }
            }
            case double[] in -> {
                double[] o = out.storage().doubles();
                if (B == 1) par(A, GRAIN / R, (s, e) -> {
                    for (int a = s; a < e; a++) softmaxRowD(in, off + a * R, o, a * R, R, log);
                });
                else {
                    int nb = (fb + BCH - 1) / BCH;
                    par(fa * nb, GRAIN / (Math.min(fb, BCH) * R), (s, e) -> {
                        double[] m = new double[Math.min(fb, BCH)];
                        double[] sum = new double[m.length];
                        for (int u = s; u < e; u++) {
                            int a = u / nb, b0 = (u % nb) * BCH, bw = Math.min(BCH, fb - b0);
                            softmaxColD(in, off + a * R * fb + b0, o, a * R * fb + b0, R, fb, bw, log, m, sum);
                        }
                    });
                }
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    static void softmaxRowF(float[] in, int io, float[] out, int oo, int n, boolean log) {
        if (useVector) {
            ReduceVec.softmaxRowF(in, io, out, oo, n, log);
            return;
        }
        float m = in[io];
        for (int i = 1; i < n; i++) m = Math.max(m, in[io + i]);
        double s = 0;
        if (log) {
            for (int i = 0; i < n; i++) s += Math.exp(in[io + i] - m);
            float ls = (float) Math.log(s);
            for (int i = 0; i < n; i++) out[oo + i] = (in[io + i] - m) - ls;
        } else {
            for (int i = 0; i < n; i++) {
                float e = (float) Math.exp(in[io + i] - m);
                out[oo + i] = e;
                s += e;
            }
            float inv = (float) (1.0 / s);
            for (int i = 0; i < n; i++) out[oo + i] *= inv;
        }
    }

    static void softmaxRowD(double[] in, int io, double[] out, int oo, int n, boolean log) {
        double m = in[io];
        for (int i = 1; i < n; i++) m = Math.max(m, in[io + i]);
        double s = 0;
        if (log) {
            for (int i = 0; i < n; i++) s += Math.exp(in[io + i] - m);
            double ls = Math.log(s);
            for (int i = 0; i < n; i++) out[oo + i] = (in[io + i] - m) - ls;
        } else {
            for (int i = 0; i < n; i++) {
                double e = Math.exp(in[io + i] - m);
                out[oo + i] = e;
                s += e;
            }
            double inv = 1.0 / s;
            for (int i = 0; i < n; i++) out[oo + i] *= inv;
        }
    }

    private static void softmaxColF(float[] in, int io, float[] out, int oo, int R, int B, int bw, boolean log,
                                    float[] m, double[] sum) {
        System.arraycopy(in, io, m, 0, bw);
        for (int r = 1; r < R; r++) {
            int ro = io + r * B;
            for (int b = 0; b < bw; b++) m[b] = Math.max(m[b], in[ro + b]);
        }
        Arrays.fill(sum, 0, bw, 0);
        for (int r = 0; r < R; r++) {
            int ro = io + r * B, wo = oo + r * B;
            for (int b = 0; b < bw; b++) {
                float e = (float) Math.exp(in[ro + b] - m[b]);
                if (!log) out[wo + b] = e;
                sum[b] += e;
            }
        }
        if (log) {
            for (int b = 0; b < bw; b++) sum[b] = Math.log(sum[b]);
            for (int r = 0; r < R; r++) {
                int ro = io + r * B, wo = oo + r * B;
                for (int b = 0; b < bw; b++) out[wo + b] = (in[ro + b] - m[b]) - (float) sum[b];
            }
        } else {
            for (int b = 0; b < bw; b++) sum[b] = 1.0 / sum[b];
            for (int r = 0; r < R; r++) {
                int wo = oo + r * B;
                for (int b = 0; b < bw; b++) out[wo + b] *= (float) sum[b];
            }
        }
    }

    private static void softmaxColD(double[] in, int io, double[] out, int oo, int R, int B, int bw, boolean log,
                                    double[] m, double[] sum) {
        System.arraycopy(in, io, m, 0, bw);
        for (int r = 1; r < R; r++) {
            int ro = io + r * B;
            for (int b = 0; b < bw; b++) m[b] = Math.max(m[b], in[ro + b]);
        }
        Arrays.fill(sum, 0, bw, 0);
        for (int r = 0; r < R; r++) {
            int ro = io + r * B, wo = oo + r * B;
            for (int b = 0; b < bw; b++) {
                double e = Math.exp(in[ro + b] - m[b]);
                if (!log) out[wo + b] = e;
                sum[b] += e;
            }
        }
        if (log) {
            for (int b = 0; b < bw; b++) sum[b] = Math.log(sum[b]);
            for (int r = 0; r < R; r++) {
                int ro = io + r * B, wo = oo + r * B;
                for (int b = 0; b < bw; b++) out[wo + b] = (in[ro + b] - m[b]) - sum[b];
            }
        } else {
            for (int b = 0; b < bw; b++) sum[b] = 1.0 / sum[b];
            for (int r = 0; r < R; r++) {
                int wo = oo + r * B;
                for (int b = 0; b < bw; b++) out[wo + b] *= sum[b];
            }
        }
    }

    // ================================================================== scans

    /**
     * Running sum or product along {@code dim}, from the first element or, {@code rev}, from the
     * last one backwards.
     */
    private static Tensor scan(String name, boolean prod, boolean rev, Tensor x, int dim) {
        if (x.ndim() == 0) {
            Shapes.axis(name, dim, 1);
            return scan(name, prod, rev, x.reshape(1), 0).reshape();
        }
        int d = Shapes.axis(name, dim, x.ndim());
        DType t = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        Tensor c = x.to(t).contiguous();
        int[] shape = x.shape();
        int A = 1, B = 1, R = shape[d];
        for (int i = 0; i < d; i++) A *= shape[i];
        for (int i = d + 1; i < shape.length; i++) B *= shape[i];
        Tensor out = Tensor.empty(t, shape);
        if (out.numel() == 0) return out;
        int off = c.offset(), nb = (B + BCH - 1) / BCH, fb = B, w = Math.min(B, BCH);
        int st = rev ? -B : B, last = rev ? (R - 1) * B : 0;
        Object in = c.storage().array(), o = out.storage().array();
        // Units are (outer index, column chunk); B == 1 is the contiguous row scan.
        par(A * nb, GRAIN / (w * R), (s, e) -> {
            double[] accD = new double[w];
            long[] accL = new long[w];
            for (int u = s; u < e; u++) {
                int a = u / nb, b0 = (u % nb) * BCH, bw = Math.min(BCH, fb - b0);
                int io = off + a * R * fb + b0 + last, oo = a * R * fb + b0 + last;
                switch (in) {
                    case float[] f -> scanF(prod, f, io, (float[]) o, oo, R, st, bw, accD);
                    case double[] f -> scanD(prod, f, io, (double[]) o, oo, R, st, bw, accD);
                    case long[] f -> scanL(prod, f, io, (long[]) o, oo, R, st, bw, accL);
                    default -> throw new IllegalStateException();
                }
            }
        });
        return out;
    }

    // The scan kernels: R rows of width bw, starting at io/oo, one row to the next st elements apart.

    private static void scanF(boolean prod, float[] in, int io, float[] out, int oo, int R, int st, int bw, double[] acc) {
        if (bw == 1) {
            double a = prod ? 1 : 0;
            if (prod) for (int r = 0; r < R; r++, io += st, oo += st) out[oo] = (float) (a *= in[io]);
            else for (int r = 0; r < R; r++, io += st, oo += st) out[oo] = (float) (a += in[io]);
            return;
        }
        Arrays.fill(acc, 0, bw, prod ? 1 : 0);
        for (int r = 0; r < R; r++, io += st, oo += st) {
            if (prod) for (int b = 0; b < bw; b++) out[oo + b] = (float) (acc[b] *= in[io + b]);
            else for (int b = 0; b < bw; b++) out[oo + b] = (float) (acc[b] += in[io + b]);
        }
    }

    private static void scanD(boolean prod, double[] in, int io, double[] out, int oo, int R, int st, int bw, double[] acc) {
        if (bw == 1) {
            double a = prod ? 1 : 0;
            if (prod) for (int r = 0; r < R; r++, io += st, oo += st) out[oo] = a *= in[io];
            else for (int r = 0; r < R; r++, io += st, oo += st) out[oo] = a += in[io];
            return;
        }
        Arrays.fill(acc, 0, bw, prod ? 1 : 0);
        for (int r = 0; r < R; r++, io += st, oo += st) {
            if (prod) for (int b = 0; b < bw; b++) out[oo + b] = acc[b] *= in[io + b];
            else for (int b = 0; b < bw; b++) out[oo + b] = acc[b] += in[io + b];
        }
    }

    private static void scanL(boolean prod, long[] in, int io, long[] out, int oo, int R, int st, int bw, long[] acc) {
        if (bw == 1) {
            long a = prod ? 1 : 0;
            if (prod) for (int r = 0; r < R; r++, io += st, oo += st) out[oo] = a *= in[io];
            else for (int r = 0; r < R; r++, io += st, oo += st) out[oo] = a += in[io];
            return;
        }
        Arrays.fill(acc, 0, bw, prod ? 1 : 0);
        for (int r = 0; r < R; r++, io += st, oo += st) {
            if (prod) for (int b = 0; b < bw; b++) out[oo + b] = acc[b] *= in[io + b];
            else for (int b = 0; b < bw; b++) out[oo + b] = acc[b] += in[io + b];
        }
    }
}
