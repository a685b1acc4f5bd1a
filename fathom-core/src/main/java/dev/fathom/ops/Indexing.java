package dev.fathom.ops;

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
     */
    public static Tensor gather(Tensor input, int dim, Tensor index) {
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

    /** Out-of-place {@code torch.scatter}: a copy of {@code self} with {@code src} values written at {@code index}. */
    public static Tensor scatter(Tensor self, int dim, Tensor index, Tensor src) {
        Tensor out = self.copy();
        scatterApply("scatter", out, dim, index, src, 0, false);
        return out;
    }

    /** Out-of-place {@code torch.scatter} with a scalar: a copy of {@code self} with {@code value} written at {@code index}. */
    public static Tensor scatter(Tensor self, int dim, Tensor index, double value) {
        Tensor out = self.copy();
        scatterApply("scatter", out, dim, index, null, value, false);
        return out;
    }

    /** Out-of-place {@code torch.scatter_add}: a copy of {@code self} with {@code src} summed in at {@code index} (duplicates accumulate). */
    public static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        Tensor out = self.copy();
        scatterApply("scatterAdd", out, dim, index, src, 0, true);
        return out;
    }

    /** In-place {@code torch.Tensor.scatter_}; returns {@code self}. */
    public static Tensor scatterInPlace(Tensor self, int dim, Tensor index, Tensor src) {
        checkNoInternalOverlap("scatterInPlace", self);
        scatterApply("scatterInPlace", self, dim, index, src, 0, false);
        self.storage().bumpVersion();
        return self;
    }

    /** In-place {@code torch.Tensor.scatter_} with a scalar; returns {@code self}. */
    public static Tensor scatterInPlace(Tensor self, int dim, Tensor index, double value) {
        checkNoInternalOverlap("scatterInPlace", self);
        scatterApply("scatterInPlace", self, dim, index, null, value, false);
        self.storage().bumpVersion();
        return self;
    }

    /** In-place {@code torch.Tensor.scatter_add_}; returns {@code self}. */
    public static Tensor scatterAddInPlace(Tensor self, int dim, Tensor index, Tensor src) {
        checkNoInternalOverlap("scatterAddInPlace", self);
        scatterApply("scatterAddInPlace", self, dim, index, src, 0, true);
        self.storage().bumpVersion();
        return self;
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
        int[] srcSt = nonEmpty(src.strides(), 0);
        int[] ixSt = Shapes.contiguousStrides(xs);
        // Threads split the index along one dimension other than dim: slabs then write disjoint
        // self elements (self has no overlapping elements), so there are no races, and within a
        // slab duplicates resolve in row-major index order, deterministically.
        int p = -1;
        for (int k = 0; k < nd && p < 0; k++) if (k != d && xs[k] > 1) p = k;
        int[] offs = {self.offset(), idx.offset(), src.offset()};
        Object dst = self.storage().array(), sa = src.storage().array();
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
     * the input's shape with {@code size(dim) = index.numel()}.
     */
    public static Tensor indexSelect(Tensor input, int dim, Tensor index) {
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

    // ------------------------------------------------------------------ masks

    private static void checkMask(String op, Tensor mask) {
        if (mask == null) throw new IllegalArgumentException(op + ": mask must not be null");
        if (mask.dtype() != DType.BOOL)
            throw new IllegalArgumentException(op + ": mask must be a bool tensor, got " + mask.dtype()
                + " (shape " + Shapes.format(mask.shape()) + ")");
    }

    /**
     * {@code torch.masked_fill}: {@code value} (converted to this type) where {@code mask} is true,
     * the input elsewhere. Input and bool mask broadcast together.
     */
    public static Tensor maskedFill(Tensor input, Tensor mask, double value) {
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
     * row-major order of the broadcast of input and mask.
     */
    public static Tensor maskedSelect(Tensor input, Tensor mask) {
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
