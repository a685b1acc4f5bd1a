package dev.fathom.ops;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Graph;
import dev.fathom.backend.Parallel;
import dev.fathom.backend.StridedIter;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * Index-driven ops with PyTorch semantics: {@code gather}, {@code scatter}, {@code scatterAdd},
 * {@code indexSelect}, {@code maskedFill}, {@code maskedSelect} and {@code oneHot}.
 *
 * <p>Index tensors must be int64 or int32. As in PyTorch, index values must lie in
 * {@code [0, size)} of the indexed dimension: negative values are rejected by every op here
 * (torch.gather, torch.scatter and torch.index_select all reject them too).
 *
 * <p>A 0-d input or index is treated as 1-d of size 1, as PyTorch does for gather/scatter.
 *
 * <p>Each op's backward sits beside it and is written with these same ops, so gradients are
 * themselves differentiable: gather and scatterAdd are each other's adjoint, as are indexSelect
 * and indexAdd; maskedSelect's gradient is a scatterAdd at the mask's positions. Index and mask
 * tensors get no gradient. The in-place variants are not recorded and refuse tensors that
 * require grad while recording.
 */
public final class Indexing {
    private Indexing() {}

    // ------------------------------------------------------------------ shared checks

    /** Checks the index type and returns the index as a contiguous int64 tensor. */
    static Tensor longIndex(String op, Tensor index) {
        if (index == null) throw new IllegalArgumentException(op + ": index must not be null");
        DType t = index.dtype();
        if (t != DType.INT64 && t != DType.INT32)
            throw new IllegalArgumentException(op + ": index must be an int64 or int32 tensor, got " + t
                + " (shape " + Shapes.format(index.shape()) + ")");
        return index.to(DType.INT64).contiguous();
    }

    /** Fails on the first value of {@code a[off, off+n)} outside {@code [0, size)}. */
    static void checkRange(String op, long[] a, int off, int n, int size, int dim) {
        for (int i = off, end = off + n; i < end; i++) {
            long v = a[i];
            if (v < 0 || v >= size)
                throw new IndexOutOfBoundsException(op + ": index " + v + " is out of range for dimension " + dim
                    + " of size " + size + "; expected values in [0, " + (size - 1) + "]"
                    + (v < 0 ? " (negative indices are not allowed)" : ""));
        }
    }

    /** {@code Tensor.empty} whose too-large-shape error names the op. */
    static Tensor newTensor(String op, DType dtype, int[] shape) {
        Shapes.numel(op, shape);
        return Tensor.empty(dtype, shape);
    }

    private static int[] nonEmpty(int[] a, int fill) { return a.length == 0 ? new int[] {fill} : a; }

    private static IllegalArgumentException rankMismatch(String op, String what, int[] whatShape, String other,
                                                         int[] otherShape) {
        return new IllegalArgumentException(op + ": " + what + " shape " + Shapes.format(whatShape) + " has "
            + whatShape.length + " dimensions but " + other + " shape " + Shapes.format(otherShape) + " has "
            + otherShape.length + "; they must have the same number of dimensions");
    }

    private static IllegalArgumentException indexTooLarge(String op, int[] ixShape, int k, int ixSize, String other,
                                                          int[] otherShape, int otherSize, String rule) {
        return new IllegalArgumentException(op + ": index shape " + Shapes.format(ixShape) + " is larger than "
            + other + " shape " + Shapes.format(otherShape) + " in dimension " + k + " (" + ixSize + " > " + otherSize
            + "); " + rule);
    }

    private static void checkNoInternalOverlap(String op, Tensor t) {
        int[] sh = t.shape(), st = t.strides();
        for (int i = 0; i < sh.length; i++)
            if (sh[i] > 1 && st[i] == 0)
                throw new IllegalArgumentException(op + ": cannot write in place into a tensor whose elements share "
                    + "memory (dimension " + i + " of shape " + Shapes.format(sh) + " has stride 0, e.g. from expand); "
                    + "call contiguous() first");
    }

    // ------------------------------------------------------------------ gather

    /**
     * {@code torch.gather}: {@code out[i][j][k] = input[i][index[i][j][k]][k]} for {@code dim = 1}.
     * {@code index} has the input's number of dimensions and may not be larger than the input
     * outside {@code dim}; the result has the index's shape and the input's type.
     * Its gradient is {@code scatterAdd} into zeros: an element gathered several times collects
     * every use.
     */
    public static Tensor gather(Tensor input, int dim, Tensor index) {
        return Graph.run("gather", () -> gatherForward(input, dim, index), (s, g) -> new Tensor[] {
            scatterAdd(Tensor.zeros(g.dtype(), s.inputShape(0)), dim, s.input(1), g), null}, input, index);
    }

    private static Tensor gatherForward(Tensor input, int dim, Tensor index) {
        final String op = "gather";
        Tensor idx = longIndex(op, index);
        int[] inShape = input.shape(), ixShape = idx.shape();
        int nd = Math.max(inShape.length, 1);
        if (Math.max(ixShape.length, 1) != nd) throw rankMismatch(op, "index", ixShape, "input", inShape);
        int d = Shapes.axis(op, dim, nd);
        int[] is = nonEmpty(inShape, 1), xs = nonEmpty(ixShape, 1);
        for (int k = 0; k < nd; k++)
            if (k != d && xs[k] > is[k])
                throw indexTooLarge(op, ixShape, k, xs[k], "input", inShape, is[k],
                    "outside dimension " + d + " the index may not exceed the input");
        Tensor out = Tensor.empty(input.dtype(), ixShape);
        int n = out.numel();
        if (n == 0) return out;
        long[] ia = idx.storage().longs();
        checkRange(op, ia, idx.offset(), n, is[d], d);
        int[] inSt = nonEmpty(input.strides(), 0);
        int dimStride = inSt[d];
        inSt[d] = 0; // the index supplies the position along dim
        int[] cs = Shapes.contiguousStrides(xs);
        StridedIter it = StridedIter.of(xs, new int[] {0, input.offset(), idx.offset()}, cs, inSt, cs);
        gatherKernel(it, out.storage().array(), input.storage().array(), ia, dimStride);
        return out;
    }

    /** Operands: 0 = destination, 1 = source (stride 0 along the gathered dim), 2 = int64 index. */
    private static void gatherKernel(StridedIter it, Object dst, Object src, long[] ix, int ds) {
        int s0 = it.innerStride(0), s1 = it.innerStride(1), s2 = it.innerStride(2);
        switch (dst) {
            case float[] o -> {
                float[] s = (float[]) src;
                it.forEachRow((p, n) -> {
                    for (int i = 0, a = p[0], b = p[1], c = p[2]; i < n; i++, a += s0, b += s1, c += s2)
                        o[a] = s[b + (int) ix[c] * ds];
                });
            }
            case double[] o -> {
                double[] s = (double[]) src;
                it.forEachRow((p, n) -> {
                    for (int i = 0, a = p[0], b = p[1], c = p[2]; i < n; i++, a += s0, b += s1, c += s2)
                        o[a] = s[b + (int) ix[c] * ds];
                });
            }
            case int[] o -> {
                int[] s = (int[]) src;
                it.forEachRow((p, n) -> {
                    for (int i = 0, a = p[0], b = p[1], c = p[2]; i < n; i++, a += s0, b += s1, c += s2)
                        o[a] = s[b + (int) ix[c] * ds];
                });
            }
            case long[] o -> {
                long[] s = (long[]) src;
                it.forEachRow((p, n) -> {
                    for (int i = 0, a = p[0], b = p[1], c = p[2]; i < n; i++, a += s0, b += s1, c += s2)
                        o[a] = s[b + (int) ix[c] * ds];
                });
            }
            case boolean[] o -> {
                boolean[] s = (boolean[]) src;
                it.forEachRow((p, n) -> {
                    for (int i = 0, a = p[0], b = p[1], c = p[2]; i < n; i++, a += s0, b += s1, c += s2)
                        o[a] = s[b + (int) ix[c] * ds];
                });
            }
            default -> throw new IllegalStateException("unsupported array " + dst.getClass().getSimpleName());
        }
    }

    // ------------------------------------------------------------------ scatter

    /**
     * Out-of-place {@code torch.scatter}: a copy of {@code self} with {@code src} values written at
     * {@code index}. Where indices repeat, the element of {@code src} that comes last in the
     * index's row-major order is written, and only it receives gradient.
     */
    public static Tensor scatter(Tensor self, int dim, Tensor index, Tensor src) {
        return Graph.run("scatter", () -> scatterCopy("scatter", self, dim, index, src, 0, false), (s, g) -> {
            Tensor ix = s.input(1);
            return new Tensor[] {s.needsGrad(0) ? g.scatter(dim, ix, 0.0) : null, null,
                s.needsGrad(2) ? srcGrad(g, dim, ix, s.inputShape(2), s.inputShape(0)) : null};
        }, self, index, src);
    }

    /** Out-of-place {@code torch.scatter} with a scalar: a copy of {@code self} with {@code value} written at {@code index}. */
    public static Tensor scatter(Tensor self, int dim, Tensor index, double value) {
        return Graph.run("scatter", () -> scatterCopy("scatter", self, dim, index, null, value, false),
            (s, g) -> new Tensor[] {g.scatter(dim, s.input(1), 0.0), null}, self, index);
    }

    /** Out-of-place {@code torch.scatter_add}: a copy of {@code self} with {@code src} summed in at {@code index} (duplicates accumulate). */
    public static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        return Graph.run("scatterAdd", () -> scatterCopy("scatterAdd", self, dim, index, src, 0, true),
            (s, g) -> new Tensor[] {s.needsGrad(0) ? g : null, null,
                s.needsGrad(2) ? srcGrad(g, dim, s.input(1), s.inputShape(2), null) : null}, self, index, src);
    }

    private static Tensor scatterCopy(String op, Tensor self, int dim, Tensor index, Tensor src, double value,
                                      boolean add) {
        Tensor out = self.copy();
        scatterApply(op, out, dim, index, src, value, add);
        return out;
    }

    /**
     * The gradient of a scatter's {@code src}: {@code g} read back at {@code index}, and zero for
     * the elements of {@code src} that were not scattered (outside the index's extent or, when
     * {@code selfShape} is given for a plain scatter, overwritten by a later duplicate).
     */
    private static Tensor srcGrad(Tensor g, int dim, Tensor index, int[] srcShape, int[] selfShape) {
        Tensor r = g.gather(dim, index);
        if (selfShape != null) {
            Tensor ids = Tensor.arange(index.numel()).reshape(index.shape());
            Tensor last = scatter(Tensor.zeros(DType.INT64, selfShape), dim, index, ids).gather(dim, index);
            r = r.maskedFill(last.ne(ids), 0.0);
        }
        if (Arrays.equals(r.shape(), srcShape)) return r;
        int[] rs = nonEmpty(r.shape(), 1), ss = nonEmpty(srcShape, 1);
        int[] pads = new int[2 * ss.length]; // zeros after the index's extent, last dimension first
        for (int k = 0; k < ss.length; k++) pads[2 * (ss.length - 1 - k) + 1] = ss[k] - rs[k];
        return r.reshape(rs).pad(pads, 0.0).reshape(srcShape);
    }

    /** In-place {@code torch.Tensor.scatter_}; returns {@code self}. */
    public static Tensor scatterInPlace(Tensor self, int dim, Tensor index, Tensor src) {
        checkInPlace("scatterInPlace", "scatter", self, src);
        checkNoInternalOverlap("scatterInPlace", self);
        scatterApply("scatterInPlace", self, dim, index, src, 0, false);
        self.storage().bumpVersion();
        return self;
    }

    /** In-place {@code torch.Tensor.scatter_} with a scalar; returns {@code self}. */
    public static Tensor scatterInPlace(Tensor self, int dim, Tensor index, double value) {
        checkInPlace("scatterInPlace", "scatter", self, null);
        checkNoInternalOverlap("scatterInPlace", self);
        scatterApply("scatterInPlace", self, dim, index, null, value, false);
        self.storage().bumpVersion();
        return self;
    }

    /** In-place {@code torch.Tensor.scatter_add_}; returns {@code self}. */
    public static Tensor scatterAddInPlace(Tensor self, int dim, Tensor index, Tensor src) {
        checkInPlace("scatterAddInPlace", "scatterAdd", self, src);
        checkNoInternalOverlap("scatterAddInPlace", self);
        scatterApply("scatterAddInPlace", self, dim, index, src, 0, true);
        self.storage().bumpVersion();
        return self;
    }

    /**
     * In-place ops are not recorded: they refuse to write a tensor that requires grad, and to read
     * a {@code src} that requires grad (its gradient would be lost), while recording.
     */
    private static void checkInPlace(String op, String outOfPlace, Tensor self, Tensor src) {
        Autograd.checkInPlace(op, self);
        if (src != null && Graph.recording(src))
            throw new IllegalStateException(op + ": src requires grad, but in-place ops are not recorded, so its "
                + "gradient would be lost; use the out-of-place " + outOfPlace + " instead");
    }

    /**
     * Writes into {@code self} (which must not have overlapping elements). {@code src == null}
     * means the scalar {@code value}.
     */
    private static void scatterApply(String op, Tensor self, int dim, Tensor index, Tensor src, double value,
                                     boolean add) {
        Tensor idx = longIndex(op, index);
        int[] selfShape = self.shape(), ixShape = idx.shape();
        int nd = Math.max(selfShape.length, 1);
        if (Math.max(ixShape.length, 1) != nd) throw rankMismatch(op, "index", ixShape, "self", selfShape);
        if (src != null) {
            if (Math.max(src.ndim(), 1) != nd) throw rankMismatch(op, "src", src.shape(), "self", selfShape);
            if (src.dtype() != self.dtype())
                throw new IllegalArgumentException(op + ": src dtype " + src.dtype() + " does not match self dtype "
                    + self.dtype() + "; convert src with to(" + self.dtype() + ") first");
        }
        int d = Shapes.axis(op, dim, nd);
        int[] ss = nonEmpty(selfShape, 1), xs = nonEmpty(ixShape, 1);
        int[] srcShape = src == null ? null : nonEmpty(src.shape(), 1);
        for (int k = 0; k < nd; k++) {
            if (k != d && xs[k] > ss[k])
                throw indexTooLarge(op, ixShape, k, xs[k], "self", selfShape, ss[k],
                    "outside dimension " + d + " the index may not exceed self");
            if (srcShape != null && xs[k] > srcShape[k])
                throw indexTooLarge(op, ixShape, k, xs[k], "src", src.shape(), srcShape[k],
                    "the index may not exceed src in any dimension");
        }
        int n = idx.numel();
        if (n == 0) return;
        long[] ia = idx.storage().longs();
        checkRange(op, ia, idx.offset(), n, ss[d], d);
        if (src == null) src = Tensor.full(value, self.dtype()).expand(xs); // one element read everywhere
        int[] selfSt = nonEmpty(self.strides(), 0);
        int dimStride = selfSt[d];
        selfSt[d] = 0;
        scatterRun(xs, d, new int[] {self.offset(), idx.offset(), src.offset()}, selfSt, Shapes.contiguousStrides(xs),
            nonEmpty(src.strides(), 0), self.storage().array(), src.storage().array(), ia, dimStride, add);
    }

    /**
     * Runs the scatter kernel over {@code xs} (the index's shape): operand strides and offsets are
     * for self (stride 0 along {@code d}, whose step is {@code dimStride}), the int64 index and src.
     */
    private static void scatterRun(int[] xs, int d, int[] offs, int[] selfSt, int[] ixSt, int[] srcSt, Object dst,
                                   Object sa, long[] ia, int dimStride, boolean add) {
        int nd = xs.length, n = Shapes.numel(xs);
        // Threads split the index along one dimension other than dim: slabs then write disjoint
        // self elements (self has no overlapping elements), so there are no races, and within a
        // slab duplicates resolve in row-major index order, deterministically.
        int p = -1;
        for (int k = 0; k < nd && p < 0; k++) if (k != d && xs[k] > 1) p = k;
        if (p < 0 || n < 2 * StridedIter.PARALLEL_GRAIN) {
            scatterKernel(StridedIter.of(xs, offs, selfSt, ixSt, srcSt), dst, sa, ia, dimStride, add);
            return;
        }
        final int pp = p;
        Parallel.forRange(xs[p], Math.max(1, StridedIter.PARALLEL_GRAIN / (n / xs[p])), (s, e) -> {
            int[] sub = xs.clone();
            sub[pp] = e - s;
            int[] o = {offs[0] + s * selfSt[pp], offs[1] + s * ixSt[pp], offs[2] + s * srcSt[pp]};
            scatterKernel(StridedIter.of(sub, o, selfSt, ixSt, srcSt), dst, sa, ia, dimStride, add);
        });
    }

    /** Operands: 0 = destination (stride 0 along dim), 1 = int64 index, 2 = source. Runs on the caller's thread. */
    private static void scatterKernel(StridedIter it, Object dst, Object src, long[] ix, int ds, boolean add) {
        int s0 = it.innerStride(0), s1 = it.innerStride(1), s2 = it.innerStride(2);
        switch (dst) {
            case float[] o -> {
                float[] s = (float[]) src;
                if (add) it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] += s[b];
                });
                else it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] = s[b];
                });
            }
            case double[] o -> {
                double[] s = (double[]) src;
                if (add) it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] += s[b];
                });
                else it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] = s[b];
                });
            }
            case int[] o -> {
                int[] s = (int[]) src;
                if (add) it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] += s[b];
                });
                else it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] = s[b];
                });
            }
            case long[] o -> {
                long[] s = (long[]) src;
                if (add) it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] += s[b];
                });
                else it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] = s[b];
                });
            }
            case boolean[] o -> {
                boolean[] s = (boolean[]) src;
                // bool addition saturates, i.e. logical or (as PyTorch)
                if (add) it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] |= s[b];
                });
                else it.forRows(0, it.rows(), (p, n) -> {
                    for (int i = 0, a = p[0], c = p[1], b = p[2]; i < n; i++, a += s0, c += s1, b += s2)
                        o[a + (int) ix[c] * ds] = s[b];
                });
            }
            default -> throw new IllegalStateException("unsupported array " + dst.getClass().getSimpleName());
        }
    }

    // ------------------------------------------------------------------ indexSelect

    /** Inner block length from which indexSelect copies whole blocks with System.arraycopy. */
    private static final int BLOCK_COPY_MIN = 16;

    /**
     * {@code torch.index_select}: the slices {@code index[0], index[1], ...} of dimension
     * {@code dim}, in that order (repeats allowed). {@code index} is 1-d (or 0-d); the result has
     * the input's shape with {@code size(dim) = index.numel()}. Its gradient is {@link #indexAdd}
     * into zeros, so a slice selected several times collects every use.
     */
    public static Tensor indexSelect(Tensor input, int dim, Tensor index) {
        return Graph.run("indexSelect", () -> indexSelectForward(input, dim, index), (s, g) -> new Tensor[] {
            indexAdd(Tensor.zeros(g.dtype(), s.inputShape(0)), dim, s.input(1), g), null}, input, index);
    }

    private static Tensor indexSelectForward(Tensor input, int dim, Tensor index) {
        final String op = "indexSelect";
        Tensor idx = longIndex(op, index);
        if (idx.ndim() > 1)
            throw new IllegalArgumentException(op + ": index must be 1-d, got shape " + Shapes.format(idx.shape()));
        int nd = Math.max(input.ndim(), 1);
        int d = Shapes.axis(op, dim, nd);
        int[] inShape = nonEmpty(input.shape(), 1);
        int k = idx.numel();
        long[] ia = idx.storage().longs();
        int io = idx.offset();
        checkRange(op, ia, io, k, inShape[d], d);
        int[] outShape = inShape.clone();
        outShape[d] = k;
        Tensor out = Tensor.empty(input.dtype(), input.ndim() == 0 ? idx.shape() : outShape);
        if (out.numel() == 0) return out;
        Object src = input.storage().array(), dst = out.storage().array();
        int inner = 1, outer = 1;
        for (int i = d + 1; i < nd; i++) inner *= inShape[i];
        for (int i = 0; i < d; i++) outer *= inShape[i];
        if (input.isContiguous() && inner >= BLOCK_COPY_MIN) {
            // whole rows (embedding lookups): one arraycopy per selected block
            final int in = inner, size = inShape[d], base = input.offset();
            Parallel.forRange(outer * k, Math.max(1, StridedIter.PARALLEL_GRAIN / inner), (s, e) -> {
                for (int b = s; b < e; b++) {
                    int o = b / k, j = b - o * k;
                    System.arraycopy(src, base + (o * size + (int) ia[io + j]) * in, dst, b * in, in);
                }
            });
            return out;
        }
        int[] inSt = nonEmpty(input.strides(), 0);
        int dimStride = inSt[d];
        inSt[d] = 0;
        int[] ixSt = new int[nd];
        ixSt[d] = 1; // the 1-d index, broadcast along every other dimension
        StridedIter it = StridedIter.of(outShape, new int[] {0, input.offset(), io},
            Shapes.contiguousStrides(outShape), inSt, ixSt);
        gatherKernel(it, dst, src, ia, dimStride);
        return out;
    }

    /**
     * {@code torch.index_add}: a copy of {@code self} with slice {@code j} of {@code source} along
     * {@code dim} added to slice {@code index[j]}; repeated indices accumulate. {@code index} is
     * 1-d (or 0-d) and {@code source} has self's shape except {@code size(dim) = index.numel()}.
     * The adjoint of {@link #indexSelect}: source's gradient is {@code g.indexSelect(dim, index)}.
     */
    public static Tensor indexAdd(Tensor self, int dim, Tensor index, Tensor source) {
        return Graph.run("indexAdd", () -> indexAddForward(self, dim, index, source), (s, g) -> new Tensor[] {
            s.needsGrad(0) ? g : null, null,
            s.needsGrad(2) ? reshapeTo(g.indexSelect(dim, s.input(1)), s.inputShape(2)) : null}, self, index, source);
    }

    private static Tensor reshapeTo(Tensor t, int[] shape) { return Arrays.equals(t.shape(), shape) ? t : t.reshape(shape); }

    private static Tensor indexAddForward(Tensor self, int dim, Tensor index, Tensor source) {
        final String op = "indexAdd";
        Tensor idx = longIndex(op, index);
        if (idx.ndim() > 1)
            throw new IllegalArgumentException(op + ": index must be 1-d, got shape " + Shapes.format(idx.shape()));
        if (source == null) throw new IllegalArgumentException(op + ": source must not be null");
        if (source.dtype() != self.dtype())
            throw new IllegalArgumentException(op + ": source dtype " + source.dtype() + " does not match self dtype "
                + self.dtype() + "; convert source with to(" + self.dtype() + ") first");
        int nd = Math.max(self.ndim(), 1);
        if (Math.max(source.ndim(), 1) != nd) throw rankMismatch(op, "source", source.shape(), "self", self.shape());
        int d = Shapes.axis(op, dim, nd);
        int[] ss = nonEmpty(self.shape(), 1), xs = nonEmpty(source.shape(), 1);
        int k = idx.numel();
        for (int i = 0; i < nd; i++)
            if (xs[i] != (i == d ? k : ss[i]))
                throw new IllegalArgumentException(op + ": source shape " + Shapes.format(source.shape())
                    + " must equal self shape " + Shapes.format(self.shape()) + " except in dimension " + d
                    + ", which must have the index's length " + k);
        Tensor out = self.copy();
        if (source.numel() == 0) return out;
        long[] ia = idx.storage().longs();
        checkRange(op, ia, idx.offset(), k, ss[d], d);
        int[] outSt = nonEmpty(out.strides(), 0);
        int dimStride = outSt[d];
        outSt[d] = 0;
        int[] ixSt = new int[nd];
        ixSt[d] = 1; // the 1-d index, broadcast along every other dimension
        scatterRun(xs, d, new int[] {out.offset(), idx.offset(), source.offset()}, outSt, ixSt,
            nonEmpty(source.strides(), 0), out.storage().array(), source.storage().array(), ia, dimStride, true);
        return out;
    }

    // ------------------------------------------------------------------ masks

    private static void checkMask(String op, Tensor mask) {
        if (mask == null) throw new IllegalArgumentException(op + ": mask must not be null");
        if (mask.dtype() != DType.BOOL)
            throw new IllegalArgumentException(op + ": mask must be a bool tensor, got " + mask.dtype()
                + " (shape " + Shapes.format(mask.shape()) + ")");
    }

    /**
     * {@code torch.masked_fill}: {@code value} (converted to this type) where {@code mask} is true,
     * the input elsewhere. Input and bool mask broadcast together. The gradient is {@code g} with
     * the filled positions zeroed.
     */
    public static Tensor maskedFill(Tensor input, Tensor mask, double value) {
        return Graph.run("maskedFill", () -> maskedFillForward(input, mask, value), (s, g) -> new Tensor[] {
            Graph.sumTo(g.maskedFill(s.input(1), 0.0), s.inputShape(0)), null}, input, mask);
    }

    private static Tensor maskedFillForward(Tensor input, Tensor mask, double value) {
        final String op = "maskedFill";
        checkMask(op, mask);
        int[] shape = Shapes.broadcast(op, input.shape(), mask.shape());
        Tensor out = Tensor.empty(input.dtype(), shape);
        if (out.numel() == 0) return out;
        Tensor a = input.broadcastTo(shape), m = mask.broadcastTo(shape);
        StridedIter it = StridedIter.of(shape, new int[] {0, a.offset(), m.offset()}, out.strides(), a.strides(),
            m.strides());
        int s0 = it.innerStride(0), s1 = it.innerStride(1), s2 = it.innerStride(2);
        boolean[] mk = m.storage().bools();
        boolean unit = s0 == 1 && s1 == 1 && s2 == 1; // the common case: plain loops the JIT vectorises
        switch (out.storage().array()) {
            case float[] o -> {
                float[] s = a.storage().floats();
                float v = (float) value;
                if (unit) it.forEachRow((p, n) -> {
                    int x = p[0], b = p[1], c = p[2];
                    for (int i = 0; i < n; i++) o[x + i] = mk[c + i] ? v : s[b + i];
                });
                else it.forEachRow((p, n) -> {
                    for (int i = 0, x = p[0], b = p[1], c = p[2]; i < n; i++, x += s0, b += s1, c += s2)
                        o[x] = mk[c] ? v : s[b];
                });
            }
            case double[] o -> {
                double[] s = a.storage().doubles();
                if (unit) it.forEachRow((p, n) -> {
                    int x = p[0], b = p[1], c = p[2];
                    for (int i = 0; i < n; i++) o[x + i] = mk[c + i] ? value : s[b + i];
                });
                else it.forEachRow((p, n) -> {
                    for (int i = 0, x = p[0], b = p[1], c = p[2]; i < n; i++, x += s0, b += s1, c += s2)
                        o[x] = mk[c] ? value : s[b];
                });
            }
            case int[] o -> {
                int[] s = a.storage().ints();
                int v = (int) value;
                if (unit) it.forEachRow((p, n) -> {
                    int x = p[0], b = p[1], c = p[2];
                    for (int i = 0; i < n; i++) o[x + i] = mk[c + i] ? v : s[b + i];
                });
                else it.forEachRow((p, n) -> {
                    for (int i = 0, x = p[0], b = p[1], c = p[2]; i < n; i++, x += s0, b += s1, c += s2)
                        o[x] = mk[c] ? v : s[b];
                });
            }
            case long[] o -> {
                long[] s = a.storage().longs();
                long v = (long) value;
                if (unit) it.forEachRow((p, n) -> {
                    int x = p[0], b = p[1], c = p[2];
                    for (int i = 0; i < n; i++) o[x + i] = mk[c + i] ? v : s[b + i];
                });
                else it.forEachRow((p, n) -> {
                    for (int i = 0, x = p[0], b = p[1], c = p[2]; i < n; i++, x += s0, b += s1, c += s2)
                        o[x] = mk[c] ? v : s[b];
                });
            }
            case boolean[] o -> {
                boolean[] s = a.storage().bools();
                boolean v = value != 0;
                if (unit) it.forEachRow((p, n) -> {
                    int x = p[0], b = p[1], c = p[2];
                    for (int i = 0; i < n; i++) o[x + i] = mk[c + i] ? v : s[b + i];
                });
                else it.forEachRow((p, n) -> {
                    for (int i = 0, x = p[0], b = p[1], c = p[2]; i < n; i++, x += s0, b += s1, c += s2)
                        o[x] = mk[c] ? v : s[b];
                });
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    /**
     * In-place {@code torch.Tensor.masked_fill_}: the bool mask must broadcast to this tensor's
     * shape. Returns {@code self}.
     */
    public static Tensor maskedFillInPlace(Tensor self, Tensor mask, double value) {
        final String op = "maskedFillInPlace";
        Autograd.checkInPlace(op, self);
        checkMask(op, mask);
        checkNoInternalOverlap(op, self);
        int[] shape = self.shape();
        if (!Arrays.equals(Shapes.broadcast(op, shape, mask.shape()), shape))
            throw new IllegalArgumentException(op + ": mask shape " + Shapes.format(mask.shape())
                + " does not broadcast to the filled tensor's shape " + Shapes.format(shape)
                + "; an in-place fill cannot change the shape");
        self.storage().bumpVersion();
        if (self.numel() == 0) return self;
        Tensor m = mask.broadcastTo(shape);
        StridedIter it = StridedIter.of(shape, new int[] {self.offset(), m.offset()}, self.strides(), m.strides());
        int s0 = it.innerStride(0), s1 = it.innerStride(1);
        boolean[] mk = m.storage().bools();
        switch (self.storage().array()) {
            case float[] o -> {
                float v = (float) value;
                it.forEachRow((p, n) -> {
                    for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[x] = v;
                });
            }
            case double[] o -> it.forEachRow((p, n) -> {
                for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[x] = value;
            });
            case int[] o -> {
                int v = (int) value;
                it.forEachRow((p, n) -> {
                    for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[x] = v;
                });
            }
            case long[] o -> {
                long v = (long) value;
                it.forEachRow((p, n) -> {
                    for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[x] = v;
                });
            }
            case boolean[] o -> {
                boolean v = value != 0;
                it.forEachRow((p, n) -> {
                    for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[x] = v;
                });
            }
            default -> throw new IllegalStateException();
        }
        return self;
    }

    /**
     * {@code torch.masked_select}: the 1-d tensor of the elements where {@code mask} is true, in
     * row-major order of the broadcast of input and mask. The gradient puts {@code g} back at the
     * selected positions (a scatterAdd into zeros).
     */
    public static Tensor maskedSelect(Tensor input, Tensor mask) {
        return Graph.run("maskedSelect", () -> maskedSelectForward(input, mask), (s, g) -> {
            int[] shape = Shapes.broadcast("maskedSelect", s.inputShape(0), s.inputShape(1));
            Tensor flat = scatterAdd(Tensor.zeros(g.dtype(), Shapes.numel(shape)), 0, maskPositions(s.input(1), shape), g);
            return new Tensor[] {Graph.sumTo(flat.reshape(shape), s.inputShape(0)), null};
        }, input, mask);
    }

    /** The row-major flat positions of {@code shape} where {@code mask} (broadcast to it) is true, as int64. */
    private static Tensor maskPositions(Tensor mask, int[] shape) {
        Tensor m = mask.broadcastTo(shape);
        boolean[] mk = m.storage().bools();
        long[] pos = new long[Shapes.numel(shape)];
        int[] count = {0, 0}; // positions found, elements visited
        StridedIter it = StridedIter.of(shape, new int[] {m.offset()}, m.strides());
        int st = it.innerStride(0);
        it.forRows(0, it.rows(), (p, n) -> {
            int k = count[0], base = count[1];
            for (int i = 0, x = p[0]; i < n; i++, x += st) if (mk[x]) pos[k++] = base + i;
            count[0] = k;
            count[1] = base + n;
        });
        return Tensor.of(Arrays.copyOf(pos, count[0]), count[0]);
    }

    private static Tensor maskedSelectForward(Tensor input, Tensor mask) {
        final String op = "maskedSelect";
        checkMask(op, mask);
        int[] shape = Shapes.broadcast(op, input.shape(), mask.shape());
        if (Shapes.numel(shape) == 0) return Tensor.empty(input.dtype(), 0);
        Tensor a = input.broadcastTo(shape), m = mask.broadcastTo(shape);
        boolean[] mk = m.storage().bools();
        StridedIter it = StridedIter.of(shape, new int[] {a.offset(), m.offset()}, a.strides(), m.strides());
        int s0 = it.innerStride(0), s1 = it.innerStride(1);
        int[] count = {0};
        it.forRows(0, it.rows(), (p, n) -> {
            int c = 0;
            for (int i = 0, x = p[1]; i < n; i++, x += s1) if (mk[x]) c++;
            count[0] += c;
        });
        Tensor out = Tensor.empty(input.dtype(), count[0]);
        Object src = a.storage().array(), dst = out.storage().array();
        int[] pos = {0};
        // sequential: each element's output position depends on everything before it
        switch (dst) {
            case float[] o -> {
                float[] s = (float[]) src;
                it.forRows(0, it.rows(), (p, n) -> {
                    int k = pos[0];
                    for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[k++] = s[x];
                    pos[0] = k;
                });
            }
            case double[] o -> {
                double[] s = (double[]) src;
                it.forRows(0, it.rows(), (p, n) -> {
                    int k = pos[0];
                    for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[k++] = s[x];
                    pos[0] = k;
                });
            }
            case int[] o -> {
                int[] s = (int[]) src;
                it.forRows(0, it.rows(), (p, n) -> {
                    int k = pos[0];
                    for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[k++] = s[x];
                    pos[0] = k;
                });
            }
            case long[] o -> {
                long[] s = (long[]) src;
                it.forRows(0, it.rows(), (p, n) -> {
                    int k = pos[0];
                    for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[k++] = s[x];
                    pos[0] = k;
                });
            }
            case boolean[] o -> {
                boolean[] s = (boolean[]) src;
                it.forRows(0, it.rows(), (p, n) -> {
                    int k = pos[0];
                    for (int i = 0, x = p[0], c = p[1]; i < n; i++, x += s0, c += s1) if (mk[c]) o[k++] = s[x];
                    pos[0] = k;
                });
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    // ------------------------------------------------------------------ oneHot

    /**
     * {@code torch.nn.functional.one_hot}: an int64 tensor with the input's shape plus a last
     * dimension of {@code numClasses}, holding 1 at each input value and 0 elsewhere. The input
     * must be int64 or int32 with values in {@code [0, numClasses)}; {@code numClasses = -1}
     * means the largest value plus one.
     */
    public static Tensor oneHot(Tensor input, int numClasses) {
        final String op = "oneHot";
        if (!input.dtype().isInteger())
            throw new IllegalArgumentException(op + ": expects an int64 or int32 tensor of class indices, got "
                + input.dtype() + " (shape " + Shapes.format(input.shape()) + ")");
        if (numClasses < -1)
            throw new IllegalArgumentException(op + ": numClasses must be -1 (infer) or non-negative, got " + numClasses);
        Tensor x = input.to(DType.INT64).contiguous();
        long[] a = x.storage().longs();
        int off = x.offset(), n = x.numel();
        int classes = numClasses;
        if (classes == -1) {
            if (n == 0)
                throw new IllegalArgumentException(op + ": cannot infer the number of classes from an empty tensor "
                    + "(shape " + Shapes.format(input.shape()) + "); pass numClasses explicitly");
            long max = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) max = Math.max(max, a[off + i]);
            if (max >= Integer.MAX_VALUE)
                throw new IllegalArgumentException(op + ": largest value " + max + " is too large for a class count");
            classes = (int) Math.max(max + 1, 0);
        }
        for (int i = 0; i < n; i++) {
            long v = a[off + i];
            if (v < 0 || v >= classes)
                throw new IndexOutOfBoundsException(op + ": class value " + v + " at flat position " + i
                    + " is out of range for " + classes + " classes; expected values in [0, " + (classes - 1) + "]");
        }
        int[] inShape = input.shape();
        int[] outShape = Arrays.copyOf(inShape, inShape.length + 1);
        outShape[inShape.length] = classes;
        Tensor out = newTensor(op, DType.INT64, outShape);
        long[] o = out.storage().longs();
        final int c = classes;
        Parallel.forRange(n, StridedIter.PARALLEL_GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) o[i * c + (int) a[off + i]] = 1;
        });
        return out;
    }
}
