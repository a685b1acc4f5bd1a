package dev.fathom.ops;

import static org.junit.jupiter.api.Assertions.*;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinalgTest {

    private static Tensor rand(SplittableRandom r, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.of(v, shape);
    }

    /** Naive reference for 2-D x 2-D via element access (works on any layout). */
    private static double[][] naive(Tensor a, Tensor b) {
        int m = a.size(0), k = a.size(1), n = b.size(1);
        double[][] r = new double[m][n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a.get(i, p) * b.get(p, j);
                r[i][j] = s;
            }
        return r;
    }

    private static void assertMatrix(double[][] want, Tensor got, double tol) {
        assertArrayEquals(new int[] {want.length, want[0].length}, got.shape());
        for (int i = 0; i < want.length; i++)
            for (int j = 0; j < want[0].length; j++)
                assertEquals(want[i][j], got.get(i, j), tol, "[" + i + "," + j + "]");
    }

    @Test
    void twoByTwoByHand() {
        Tensor a = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        Tensor b = Tensor.of(new float[][] {{7, 8}, {9, 10}, {11, 12}});
        Tensor c = a.matmul(b);
        assertEquals(DType.FLOAT32, c.dtype());
        assertArrayEquals(new int[] {2, 2}, c.shape());
        assertArrayEquals(new float[] {58, 64, 139, 154}, c.toFloatArray());
        assertArrayEquals(new float[] {58, 64, 139, 154}, a.mm(b).toFloatArray());
    }

    @Test
    void vectorCases() {
        Tensor v = Tensor.vector(1f, 2f, 3f), w = Tensor.vector(4f, 5f, 6f);
        Tensor d = v.matmul(w);
        assertEquals(0, d.ndim());
        assertEquals(32.0, d.item());
        assertEquals(32.0, v.dot(w).item());
        Tensor m = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        // [2,3] @ [3] -> [2]; [2] @ [2,3] -> [3]
        Tensor mv = m.matmul(v);
        assertArrayEquals(new int[] {2}, mv.shape());
        assertArrayEquals(new float[] {14, 32}, mv.toFloatArray());
        Tensor vm = Tensor.vector(1f, 2f).matmul(m);
        assertArrayEquals(new int[] {3}, vm.shape());
        assertArrayEquals(new float[] {9, 12, 15}, vm.toFloatArray());
        // [3] @ [2,3,4] -> [2,4] and [2,3,4] @ [4] -> [2,3]
        Tensor t = Tensor.arange(24).to(DType.FLOAT32).reshape(2, 3, 4);
        Tensor left = v.matmul(t);
        assertArrayEquals(new int[] {2, 4}, left.shape());
        // batch 0, column 0: 1*0 + 2*4 + 3*8 = 32
        assertEquals(32.0, left.get(0, 0));
        // batch 1, column 3: 1*15 + 2*19 + 3*23 = 122
        assertEquals(122.0, left.get(1, 3));
        Tensor right = t.matmul(Tensor.vector(1f, 1f, 1f, 1f));
        assertArrayEquals(new int[] {2, 3}, right.shape());
        assertArrayEquals(new float[] {6, 22, 38, 54, 70, 86}, right.toFloatArray());
    }

    @Test
    void batchedBroadcasting() {
        var r = new SplittableRandom(3);
        Tensor a = rand(r, 2, 1, 3, 4), b = rand(r, 5, 4, 6);
        Tensor c = a.matmul(b);
        assertArrayEquals(new int[] {2, 5, 3, 6}, c.shape());
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 5; j++)
                assertMatrix(naive(a.select(0, i).select(0, 0), b.select(0, j)), c.select(0, i).select(0, j), 1e-5);
        // [4,3,5] @ [5,2]: the left batch is folded into one GEMM.
        Tensor x = rand(r, 4, 3, 5), y = rand(r, 5, 2);
        Tensor z = x.matmul(y);
        assertArrayEquals(new int[] {4, 3, 2}, z.shape());
        for (int i = 0; i < 4; i++) assertMatrix(naive(x.select(0, i), y), z.select(0, i), 1e-5);
        // [5,2] @ [4,2,3]: right batch only
        Tensor p = rand(r, 5, 2), q = rand(r, 4, 2, 3);
        Tensor pq = p.matmul(q);
        assertArrayEquals(new int[] {4, 5, 3}, pq.shape());
        for (int i = 0; i < 4; i++) assertMatrix(naive(p, q.select(0, i)), pq.select(0, i), 1e-5);
    }

    @Test
    void transposedAndStridedViews() {
        var r = new SplittableRandom(5);
        Tensor a = rand(r, 40, 30), b = rand(r, 40, 50);
        // a^T @ b: left operand transposed (unit row stride) goes to GEMM without a copy.
        assertMatrix(naive(a.t(), b), a.t().matmul(b), 1e-4);
        Tensor c = rand(r, 50, 30);
        assertMatrix(naive(a, c.t()), a.matmul(c.t()), 1e-4);
        assertMatrix(naive(b.t(), a), b.t().matmul(a), 1e-4);
        // Stepped slice (no unit stride in either direction) takes the copy path.
        Tensor s = a.slice(1, 0, 30, 2); // [40, 15] with column stride 2
        Tensor w = rand(r, 15, 7);
        assertMatrix(naive(s, w), s.matmul(w), 1e-4);
        // Narrowed rows: row stride larger than the column count.
        Tensor nrw = b.narrow(1, 3, 20); // [40, 20], row stride 50
        Tensor u = rand(r, 20, 9);
        assertMatrix(naive(nrw, u), nrw.matmul(u), 1e-4);
        // Batched mT views and an expanded (stride-0) batch.
        Tensor bat = rand(r, 3, 6, 4);
        Tensor prod = bat.mT().matmul(bat);
        assertArrayEquals(new int[] {3, 4, 4}, prod.shape());
        for (int i = 0; i < 3; i++)
            assertMatrix(naive(bat.select(0, i).t(), bat.select(0, i)), prod.select(0, i), 1e-5);
        Tensor single = rand(r, 1, 4, 5).expand(3, 4, 5);
        Tensor ex = bat.matmul(single);
        for (int i = 0; i < 3; i++)
            assertMatrix(naive(bat.select(0, i), single.select(0, 0)), ex.select(0, i), 1e-5);
    }

    @Test
    void manySmallProductsSpreadOverThePool() {
        var r = new SplittableRandom(11);
        // 16 products of 40x50 @ 50x30: small enough to be spread over the batch rather than split.
        Tensor a = rand(r, 16, 40, 50), b = rand(r, 16, 50, 30);
        Tensor c = a.matmul(b);
        assertArrayEquals(new int[] {16, 40, 30}, c.shape());
        for (int i = 0; i < 16; i++) assertMatrix(naive(a.select(0, i), b.select(0, i)), c.select(0, i), 1e-5);
        // float64 with a transposed right operand in every batch
        Tensor d = rand(r, 6, 20, 10).to(DType.FLOAT64), e = rand(r, 6, 12, 10).to(DType.FLOAT64);
        Tensor de = d.matmul(e.mT());
        assertEquals(DType.FLOAT64, de.dtype());
        for (int i = 0; i < 6; i++) assertMatrix(naive(d.select(0, i), e.select(0, i).t()), de.select(0, i), 1e-12);
    }

    @Test
    void largeProductMatchesNaiveLoop() {
        var r = new SplittableRandom(9);
        Tensor a = rand(r, 150, 290), b = rand(r, 290, 70);
        assertMatrix(naive(a, b), a.matmul(b), 1e-4);
    }

    @Test
    void dtypes() {
        Tensor f = Tensor.of(new float[][] {{1, 2}, {3, 4}});
        Tensor d = Tensor.of(new double[][] {{0.5, 0}, {0, 0.25}});
        Tensor fd = f.matmul(d);
        assertEquals(DType.FLOAT64, fd.dtype());
        assertArrayEquals(new double[] {0.5, 0.5, 1.5, 1.0}, fd.toDoubleArray());
        Tensor dd = d.matmul(d);
        assertEquals(DType.FLOAT64, dd.dtype());
        assertArrayEquals(new double[] {0.25, 0, 0, 0.0625}, dd.toDoubleArray());
        Tensor i = Tensor.of(new int[][] {{1, 2}, {3, 4}});
        Tensor ii = i.matmul(i);
        assertEquals(DType.INT32, ii.dtype());
        assertArrayEquals(new int[] {7, 10, 15, 22}, ii.toIntArray());
        Tensor l = Tensor.of(new long[][] {{3_000_000_000L}, {1}});
        Tensor ll = l.t().matmul(l); // 9e18 + 1, fits in a long
        assertEquals(DType.INT64, ll.dtype());
        assertEquals(9_000_000_000_000_000_001L, ll.getLong(0, 0));
        // int x float promotes to float32
        Tensor fi = i.matmul(f);
        assertEquals(DType.FLOAT32, fi.dtype());
        assertArrayEquals(new float[] {7, 10, 15, 22}, fi.toFloatArray());
        assertEquals(20L, Tensor.vector(2L, 3L).dot(Tensor.vector(4L, 4L)).itemLong());
        // batched int with broadcasting and a transposed view (copy path for integers)
        Tensor ib = Tensor.arange(12).reshape(2, 3, 2);
        Tensor ibt = ib.mT().matmul(ib);
        assertArrayEquals(new int[] {2, 2, 2}, ibt.shape());
        // batch 0: [[0,2,4],[1,3,5]] @ [[0,1],[2,3],[4,5]] = [[20,26],[26,35]]
        assertArrayEquals(new long[] {20, 26, 26, 35}, ibt.select(0, 0).toLongArray());
    }

    @Test
    void emptyInnerDimensionGivesZeros() {
        Tensor c = Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 3));
        assertArrayEquals(new int[] {2, 3}, c.shape());
        assertArrayEquals(new float[6], c.toFloatArray());
        assertArrayEquals(new int[] {0, 3}, Tensor.zeros(0, 4).matmul(Tensor.zeros(4, 3)).shape());
    }

    @Test
    void outerProduct() {
        Tensor o = Tensor.vector(1f, 2f, 3f).outer(Tensor.vector(4f, 5f));
        assertArrayEquals(new int[] {3, 2}, o.shape());
        assertArrayEquals(new float[] {4, 5, 8, 10, 12, 15}, o.toFloatArray());
        Tensor oi = Tensor.vector(2L, 3L).outer(Tensor.vector(1.5));
        assertEquals(DType.FLOAT64, oi.dtype());
        assertArrayEquals(new double[] {3, 4.5}, oi.toDoubleArray());
        // strided input: every other element of [0..5]
        Tensor s = Tensor.arange(6).slice(0, 0, 6, 2); // [0, 2, 4]
        assertArrayEquals(new long[] {0, 0, 2, 4, 4, 8}, s.outer(Tensor.vector(1L, 2L)).toLongArray());
    }

    @Test
    void errors() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4, 5);
        var e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
        assertEquals("matmul: shapes [2, 3] and [4, 5] cannot be multiplied: inner dimensions 3 and 4 differ",
            e.getMessage());
        var e0 = assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1f).matmul(a));
        assertTrue(e0.getMessage().startsWith("matmul: both arguments need at least 1 dimension"), e0.getMessage());
        var eb = assertThrows(IllegalArgumentException.class,
            () -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(3, 4, 5)));
        assertTrue(eb.getMessage().startsWith("matmul: shapes [2, 3, 4] and [3, 4, 5] cannot be multiplied: "
            + "batch dimensions [2] and [3] do not broadcast"), eb.getMessage());
        var bool = assertThrows(IllegalArgumentException.class,
            () -> Tensor.of(new boolean[][] {{true}}).matmul(Tensor.of(new boolean[][] {{true}})));
        assertTrue(bool.getMessage().startsWith("matmul: not supported for bool tensors"), bool.getMessage());
        var mm = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 2, 2).mm(a));
        assertEquals("mm: expected 2-D tensors, got shapes [2, 2, 2] and [2, 3]", mm.getMessage());
        var mmInner = assertThrows(IllegalArgumentException.class, () -> a.mm(b));
        assertTrue(mmInner.getMessage().startsWith("mm: shapes [2, 3] and [4, 5] cannot be multiplied"));
        var dot = assertThrows(IllegalArgumentException.class, () -> a.dot(Tensor.vector(1f, 2f)));
        assertEquals("dot: expected 1-D tensors, got shapes [2, 3] and [2]", dot.getMessage());
        var dotLen = assertThrows(IllegalArgumentException.class,
            () -> Tensor.vector(1f, 2f).dot(Tensor.vector(1f, 2f, 3f)));
        assertTrue(dotLen.getMessage().startsWith("dot: vectors have different lengths 2 and 3"));
        var outer = assertThrows(IllegalArgumentException.class, () -> a.outer(Tensor.vector(1f)));
        assertEquals("outer: expected 1-D tensors, got shapes [2, 3] and [1]", outer.getMessage());
        var vv = assertThrows(IllegalArgumentException.class,
            () -> Tensor.vector(1f, 2f).matmul(Tensor.vector(1f, 2f, 3f)));
        assertEquals("matmul: shapes [2] and [3] cannot be multiplied: inner dimensions 2 and 3 differ",
            vv.getMessage());
    }
}
