package dev.fathom.ops;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Backward;
import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.backend.Gemm;
import dev.fathom.backend.Parallel;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Linear algebra: {@code matmul} (NumPy/PyTorch rules), {@code mm}, {@code dot}, {@code outer}.
 *
 * <p>Floating products go to {@link Gemm}. An operand whose last two dimensions have unit stride in
 * either direction is handed over as is, via the transpose flag and leading dimension (a
 * {@code .t()} or {@code .mT()} view costs no copy); only other layouts are copied first.
 * Integer products use a plain loop with a 64-bit accumulator (wrapping like PyTorch).
 */
public final class Linalg {
    private Linalg() {}

    /**
     * Matrix product with PyTorch's {@code matmul} rules: 1-D·1-D is a dot product (0-d result);
     * a 1-D left operand is treated as a row ([1, k]) and a 1-D right operand as a column ([k, 1]),
     * the added dimension being removed from the result; batch dimensions (all but the last two)
     * broadcast, e.g. [2, 1, 3, 4] @ [5, 4, 6] -> [2, 5, 3, 6].
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul("matmul", a, b);
    }

    /** Matrix product of two 2-D tensors ({@code torch.mm}). */
    public static Tensor mm(Tensor a, Tensor b) {
        if (a.ndim() != 2 || b.ndim() != 2)
            throw new IllegalArgumentException("mm: expected 2-D tensors, got shapes " + Shapes.format(a.shape())
                + " and " + Shapes.format(b.shape()));
        return matmul("mm", a, b);
    }

    /** Dot product of two 1-D tensors of the same length; a 0-d result. */
    public static Tensor dot(Tensor a, Tensor b) {
        if (a.ndim() != 1 || b.ndim() != 1)
            throw new IllegalArgumentException("dot: expected 1-D tensors, got shapes " + Shapes.format(a.shape())
                + " and " + Shapes.format(b.shape()));
        if (a.size(0) != b.size(0))
            throw new IllegalArgumentException("dot: vectors have different lengths " + a.size(0) + " and "
                + b.size(0) + " (shapes " + Shapes.format(a.shape()) + " and " + Shapes.format(b.shape()) + ")");
        return matmul("dot", a, b);
    }

    /** Outer product of two 1-D tensors: {@code out[i, j] = a[i] * b[j]}, shape [a.size(0), b.size(0)]. */
    public static Tensor outer(Tensor a, Tensor b) {
        return Graph.run("outer", () -> outerForward(a, b), (s, g) -> new Tensor[] {
            s.needsGrad(0) ? g.matmul(s.input(1)) : null,
            s.needsGrad(1) ? g.t().matmul(s.input(0)) : null}, a, b);
    }

    private static Tensor outerForward(Tensor a, Tensor b) {
        if (a.ndim() != 1 || b.ndim() != 1)
            throw new IllegalArgumentException("outer: expected 1-D tensors, got shapes "
                + Shapes.format(a.shape()) + " and " + Shapes.format(b.shape()));
        DType dt = DType.promote(a.dtype(), b.dtype());
        Tensor x = a.to(dt).contiguous(), y = b.to(dt).contiguous();
        int n = x.size(0), m = y.size(0);
        Tensor out = Tensor.empty(dt, n, m);
        int xo = x.offset(), yo = y.offset();
        switch (dt) {
            case FLOAT32 -> {
                float[] xa = x.storage().floats(), ya = y.storage().floats(), o = out.storage().floats();
                for (int i = 0; i < n; i++) {
                    float v = xa[xo + i];
                    for (int j = 0; j < m; j++) o[i * m + j] = v * ya[yo + j];
                }
            }
            case FLOAT64 -> {
                double[] xa = x.storage().doubles(), ya = y.storage().doubles(), o = out.storage().doubles();
                for (int i = 0; i < n; i++) {
                    double v = xa[xo + i];
                    for (int j = 0; j < m; j++) o[i * m + j] = v * ya[yo + j];
                }
            }
            case INT32 -> {
                int[] xa = x.storage().ints(), ya = y.storage().ints(), o = out.storage().ints();
                for (int i = 0; i < n; i++) {
                    int v = xa[xo + i];
                    for (int j = 0; j < m; j++) o[i * m + j] = v * ya[yo + j];
                }
            }
            case INT64 -> {
                long[] xa = x.storage().longs(), ya = y.storage().longs(), o = out.storage().longs();
                for (int i = 0; i < n; i++) {
                    long v = xa[xo + i];
                    for (int j = 0; j < m; j++) o[i * m + j] = v * ya[yo + j];
                }
            }
            case BOOL -> {
                boolean[] xa = x.storage().bools(), ya = y.storage().bools(), o = out.storage().bools();
                for (int i = 0; i < n; i++) {
                    boolean v = xa[xo + i];
                    for (int j = 0; j < m; j++) o[i * m + j] = v && ya[yo + j];
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ linear

    /**
     * {@code y = x·wᵀ + b} over the last dimension ({@code torch.nn.functional.linear}): {@code x [..., in]},
     * {@code w [out, in]}, {@code b [out]} or null; the result is {@code [..., out]}. For floating
     * operands of one type it is one GEMM with the bias as its addend (float32: {@link Gemm#sgemmBias},
     * which on the Java kernel adds it as C is first stored; float64: {@code beta = 1} onto rows
     * holding the bias, as PyTorch's {@code addmm}), reading {@code w} in place through the
     * transpose flag, and one graph node whose backward is {@code dx = g·w}, {@code dw = gᵀ·x}
     * (written in w's layout, no transpose copy) and {@code db = gᵀ·1} over the rows. Other
     * operands take the general {@code x.matmul(w.t()).add(b)}.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        if (!fusedLinear(x, w, b)) {
            Tensor y = x.matmul(w.t());
            return b == null ? y : y.add(b);
        }
        return Graph.run("linear", () -> linearForward(x, w, b), LINEAR_BACK, Saves.INPUTS, x, w, b);
    }

    private static boolean fusedLinear(Tensor x, Tensor w, Tensor b) {
        DType dt = w.dtype();
        return dt.isFloatingPoint() && w.ndim() == 2 && x.ndim() >= 1 && x.dtype() == dt
            && x.size(-1) == w.size(1)
            && (b == null || (b.dtype() == dt && b.ndim() == 1 && b.size(0) == w.size(0)));
    }

    /** The number of rows {@code x [..., in]} holds: the product of its leading dimensions. */
    private static int rows(Tensor x) {
        int r = 1;
        for (int d = 0; d < x.ndim() - 1; d++) r *= x.size(d);
        return r;
    }

    private static Tensor linearForward(Tensor x, Tensor w, Tensor b) {
        DType dt = w.dtype();
        int out = w.size(0), in = w.size(1), rows = rows(x);
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        Tensor y = Tensor.empty(dt, shape);
        if (rows == 0 || out == 0) return y;
        Operand ox = operand(x.reshape(rows, in), rows, in), ow = operand(w.t(), in, out);
        Object ya = y.storage().array();
        Tensor bc = b == null ? null : b.contiguous();
        Object xa = ox.t.storage().array(), wa = ow.t.storage().array();
        int xo = ox.t.offset(), wo = ow.t.offset();
        if (dt == DType.FLOAT32) {
            Gemm.sgemmBias(ox.trans, ow.trans, rows, out, in, (float[]) xa, xo, ox.ld, (float[]) wa, wo, ow.ld,
                bc == null ? null : bc.storage().floats(), bc == null ? 0 : bc.offset(), (float[]) ya, 0, out);
            return y;
        }
        if (bc != null)
            for (int r = 0; r < rows; r++) System.arraycopy(bc.storage().array(), bc.offset(), ya, r * out, out);
        Gemm.dgemm(ox.trans, ow.trans, rows, out, in, 1.0, (double[]) xa, xo, ox.ld, (double[]) wa, wo, ow.ld,
            bc == null ? 0.0 : 1.0, (double[]) ya, 0, out);
        return y;
    }

    /**
     * linear's backward: {@code dx = g·w}, {@code dw = gᵀ·x}, {@code db = Σ_rows g}, with g seen as
     * [rows, out]; the column sums are the product {@code gᵀ·1}, a BLAS gemv (at [128, 512], one
     * thread, busy shared machine: 6-54 µs against 18-128 µs for the column-sum reduction). Unless
     * the backward is itself recorded (create_graph), dx and dw are GEMMs straight into new tensors,
     * run side by side on the pool's threads when both are wanted ({@link Gemm#concurrently}).
     */
    private static final Backward LINEAR_BACK = (s, g) -> {
        Tensor x = s.needsGrad(1) ? s.input(0) : null, w = s.needsGrad(0) ? s.input(1) : null;
        int[] xs = s.inputShape(0);
        int in = xs[xs.length - 1], out = g.size(-1), rows = g.numel() / Math.max(1, out);
        if (out == 0) rows = rows(g);
        Tensor g2 = g.reshape(rows, out);
        Tensor db = s.needsGrad(2) ? g2.mT().matmul(Tensor.ones(g.dtype(), rows)) : null;
        DType dt = g.dtype();
        if (Autograd.isGradEnabled() || rows == 0 || in == 0 || out == 0
            || (w != null && w.dtype() != dt) || (x != null && x.dtype() != dt))
            return new Tensor[] {
                w == null ? null : g2.matmul(w).reshape(xs),
                x == null ? null : g2.mT().matmul(x.reshape(rows, in)), db};
        // each task allocates its result, so the two arrays are zeroed on the two threads
        Tensor[] grads = new Tensor[3];
        Runnable gx = w == null ? null : gemm(dt, operand(g2, rows, out), operand(w, out, in), rows, in, out, grads, 0);
        Runnable gw = x == null ? null
            : gemm(dt, operand(g2.mT(), out, rows), operand(x.reshape(rows, in), rows, in), out, in, rows, grads, 1);
        long work = (long) rows * in * out;
        if (gx != null && gw != null) Gemm.concurrently(work, gx, work, gw);
        else if (gx != null) gx.run();
        else if (gw != null) gw.run();
        if (grads[0] != null) grads[0] = grads[0].reshape(xs);
        grads[2] = db;
        return grads;
    };

    /**
     * A task computing the floating product {@code op(a)·op(b)} ({@code m x n}, inner size k) into a
     * new contiguous tensor, stored at {@code into[slot]}.
     */
    private static Runnable gemm(DType dt, Operand a, Operand b, int m, int n, int k, Tensor[] into, int slot) {
        Object aa = a.t.storage().array(), ba = b.t.storage().array();
        int ao = a.t.offset(), bo = b.t.offset();
        return () -> {
            Tensor c = Tensor.empty(dt, m, n);
            product(dt, a.trans, b.trans, m, n, k, aa, ao, a.ld, ba, bo, b.ld, c.storage().array(), 0);
            into[slot] = c;
        };
    }

    // ------------------------------------------------------------------ matmul core

    private static Tensor matmul(String op, Tensor a, Tensor b) {
        return Graph.run(op, () -> matmulForward(op, a, b), MATMUL_BACK, Saves.INPUTS, a, b);
    }

    /**
     * matmul's backward, for every case of its shape rule: 1-D operands are lifted to matrices as
     * the forward does, then {@code dA = g·Bᵀ} and {@code dB = Aᵀ·g}, summed over broadcast batch
     * dimensions and reshaped back to the operands' shapes.
     */
    private static final Backward MATMUL_BACK = (s, g) -> {
        Tensor a = s.input(0), b = s.input(1);
        boolean va = a.ndim() == 1, vb = b.ndim() == 1;
        Tensor a2 = va ? a.unsqueeze(0) : a, b2 = vb ? b.unsqueeze(1) : b;
        Tensor g2 = g;
        if (va) g2 = g2.unsqueeze(vb ? 0 : -2);
        if (vb) g2 = g2.unsqueeze(-1);
        boolean plain = a2.ndim() == 2 && b2.ndim() == 2;
        // For a 2-D operand stored transposed (x.matmul(w.t()), as a linear layer does) the gradient
        // is computed as the transpose of the product in the stored layout: the same GEMM, but the
        // gradient that reaches the leaf is contiguous and needs no copy.
        Tensor ga = !s.needsGrad(0) ? null : plain && transposedLayout(a2)
            ? b2.matmul(g2.mT()).mT().reshape(a.shape())
            : Graph.sumTo(g2.matmul(b2.mT()), a2.shape()).reshape(a.shape());
        Tensor gb = !s.needsGrad(1) ? null : plain && transposedLayout(b2)
            ? g2.mT().matmul(a2).mT().reshape(b.shape())
            : Graph.sumTo(a2.mT().matmul(g2), b2.shape()).reshape(b.shape());
        return new Tensor[] {ga, gb};
    };

    /** A matrix whose columns are contiguous (the transpose of a row-major matrix). */
    private static boolean transposedLayout(Tensor m) {
        int[] st = m.strides();
        return st[0] == 1 && st[1] == m.size(0) && m.size(0) > 1 && m.size(1) > 1;
    }

    private static Tensor matmulForward(String op, Tensor a, Tensor b) {
        int[] sa = a.shape(), sb = b.shape();
        if (sa.length == 0 || sb.length == 0)
            throw new IllegalArgumentException(op + ": both arguments need at least 1 dimension, got shapes "
                + Shapes.format(sa) + " and " + Shapes.format(sb));
        DType dt = DType.promote(a.dtype(), b.dtype());
        if (dt == DType.BOOL)
            throw new IllegalArgumentException(op + ": not supported for bool tensors (shapes " + Shapes.format(sa)
                + " and " + Shapes.format(sb) + "); convert to an integer or floating dtype first");
        // Promote 1-D operands to matrices; the added dimensions are dropped from the result.
        Tensor x = a.to(dt), y = b.to(dt);
        if (sa.length == 1) x = x.unsqueeze(0);
        if (sb.length == 1) y = y.unsqueeze(1);
        int[] xs = x.shape(), ys = y.shape();
        int m = xs[xs.length - 2], k = xs[xs.length - 1], k2 = ys[ys.length - 2], n = ys[ys.length - 1];
        if (k != k2)
            throw new IllegalArgumentException(op + ": shapes " + Shapes.format(sa) + " and " + Shapes.format(sb)
                + " cannot be multiplied: inner dimensions " + k + " and " + k2 + " differ");
        int[] batchA = java.util.Arrays.copyOf(xs, xs.length - 2), batchB = java.util.Arrays.copyOf(ys, ys.length - 2);
        int[] batch;
        try {
            batch = Shapes.broadcast(op, batchA, batchB);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": shapes " + Shapes.format(sa) + " and " + Shapes.format(sb)
                + " cannot be multiplied: batch dimensions " + Shapes.format(batchA) + " and "
                + Shapes.format(batchB) + " do not broadcast (sizes must match or one of them be 1)", e);
        }

        // [..., m, k] @ [k, n] with a contiguous left operand: one GEMM over all rows of the batch.
        if (batchB.length == 0 && batchA.length > 0 && x.isContiguous()) {
            int rows = Shapes.numel(batchA) * m;
            Tensor flat = matmulBatched(x.reshape(rows, k), y, new int[0], rows, n, k, dt);
            return flat.reshape(resultShape(batch, m, n, sa.length == 1, sb.length == 1));
        }
        Tensor out = matmulBatched(x, y, batch, m, n, k, dt);
        return out.reshape(resultShape(batch, m, n, sa.length == 1, sb.length == 1));
    }

    private static int[] resultShape(int[] batch, int m, int n, boolean dropM, boolean dropN) {
        int len = batch.length + (dropM ? 0 : 1) + (dropN ? 0 : 1);
        int[] r = java.util.Arrays.copyOf(batch, len);
        int i = batch.length;
        if (!dropM) r[i++] = m;
        if (!dropN) r[i] = n;
        return r;
    }

    /** How a matrix operand is handed to GEMM: its (possibly copied) tensor, transpose flag and row stride. */
    private record Operand(Tensor t, boolean trans, int ld) {}

    /**
     * Finds a GEMM view of the last two dims of {@code t} (rows x cols): row-major (unit column
     * stride) or transposed (unit row stride). Otherwise copies to contiguous.
     */
    private static Operand operand(Tensor t, int rows, int cols) {
        int[] st = t.strides();
        int nd = st.length;
        int sr = st[nd - 2], sc = st[nd - 1];
        if ((cols == 1 || sc == 1) && (rows == 1 || sr >= Math.max(1, cols)))
            return new Operand(t, false, rows == 1 ? Math.max(1, cols) : sr);
        if ((rows == 1 || sr == 1) && (cols == 1 || sc >= Math.max(1, rows)))
            return new Operand(t, true, cols == 1 ? Math.max(1, rows) : sc);
        return new Operand(t.contiguous(), false, Math.max(1, cols));
    }

    /** Computes the batched product into a new contiguous [batch..., m, n] tensor. */
    private static Tensor matmulBatched(Tensor x, Tensor y, int[] batch, int m, int n, int k, DType dt) {
        int[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = Tensor.empty(dt, outShape);
        int count = Shapes.numel(batch);
        if (count == 0 || m == 0 || n == 0) return out;
        if (!dt.isFloatingPoint()) {
            x = x.contiguous();
            y = y.contiguous();
        }
        Operand oa = dt.isFloatingPoint() ? operand(x, m, k) : new Operand(x, false, Math.max(1, k));
        Operand ob = dt.isFloatingPoint() ? operand(y, k, n) : new Operand(y, false, Math.max(1, n));
        // Per-batch element offsets of each operand, broadcast dims contributing 0.
        int[] offA = batchOffsets(oa.t, batch), offB = batchOffsets(ob.t, batch);
        Object aArr = oa.t.storage().array(), bArr = ob.t.storage().array(), cArr = out.storage().array();
        int mn = m * n;
        Parallel.RangeBody body = (s, e) -> {
            for (int i = s; i < e; i++)
                product(dt, oa.trans, ob.trans, m, n, k, aArr, offA[i], oa.ld, bArr, offB[i], ob.ld, cArr, i * mn);
        };
        long work = (long) m * n * Math.max(k, 1);
        // Many small products: spread the batch over the pool (each GEMM then stays single-threaded).
        if (count > 1 && work < 128L * 128 * 128)
            Parallel.forRange(count, (int) Math.max(1, (64L * 64 * 64) / work), body);
        else
            body.run(0, count);
        return out;
    }

    private static int[] batchOffsets(Tensor t, int[] batch) {
        int count = Shapes.numel(batch);
        int[] shape = t.shape(), strides = t.strides();
        int nb = shape.length - 2;
        int[] bs = java.util.Arrays.copyOf(shape, nb), bst = java.util.Arrays.copyOf(strides, nb);
        int[] st = Shapes.broadcastStrides(bs, bst, batch);
        int[] offs = new int[count];
        int[] idx = new int[batch.length];
        int off = t.offset();
        for (int i = 0; i < count; i++) {
            offs[i] = off;
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) {
                    off += st[d];
                    break;
                }
                off -= st[d] * (batch[d] - 1);
                idx[d] = 0;
            }
        }
        return offs;
    }

    private static void product(DType dt, boolean ta, boolean tb, int m, int n, int k, Object a, int aOff, int lda,
                                Object b, int bOff, int ldb, Object c, int cOff) {
        switch (dt) {
            case FLOAT32 -> Gemm.sgemm(ta, tb, m, n, k, 1f, (float[]) a, aOff, lda, (float[]) b, bOff, ldb,
                0f, (float[]) c, cOff, n);
            case FLOAT64 -> Gemm.dgemm(ta, tb, m, n, k, 1.0, (double[]) a, aOff, lda, (double[]) b, bOff, ldb,
                0.0, (double[]) c, cOff, n);
            case INT32 -> {
                int[] A = (int[]) a, B = (int[]) b, C = (int[]) c;
                for (int i = 0; i < m; i++)
                    for (int p = 0; p < k; p++) {
                        int av = A[aOff + i * lda + p];
                        if (av == 0) continue;
                        int brow = bOff + p * ldb, crow = cOff + i * n;
                        for (int j = 0; j < n; j++) C[crow + j] += av * B[brow + j];
                    }
            }
            case INT64 -> {
                long[] A = (long[]) a, B = (long[]) b, C = (long[]) c;
                for (int i = 0; i < m; i++)
                    for (int p = 0; p < k; p++) {
                        long av = A[aOff + i * lda + p];
                        if (av == 0) continue;
                        int brow = bOff + p * ldb, crow = cOff + i * n;
                        for (int j = 0; j < n; j++) C[crow + j] += av * B[brow + j];
                    }
            }
            case BOOL -> throw new IllegalStateException("unreachable: bool matmul is rejected earlier");
        }
    }
}
