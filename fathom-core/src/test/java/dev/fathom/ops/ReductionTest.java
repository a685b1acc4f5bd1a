package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import dev.fathom.tensor.ValuesIndices;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.m23;

/** Hand-computed values for every reduction on small tensors. */
class ReductionTest {
    /** [[1, 2, 3], [4, 5, 6]] */
    /** t[i][j][k] = 12 i + 4 j + k, shape [2, 3, 4]. */
    private static Tensor t234() {
        float[] d = new float[24];
        for (int i = 0; i < 24; i++) d[i] = i;
        return Tensor.of(d, 2, 3, 4);
    }

    private static void assertValues(float[] expected, Tensor t) {
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(expected, t.toFloatArray(), 1e-5f);
    }

    // ------------------------------------------------------------------ sum / mean / prod

    @Test
    void sumOverEachAxisOfAMatrix() {
        Tensor x = m23();
        assertValues(new float[] {21}, x.sum());
        assertArrayEquals(new int[0], x.sum().shape());
        assertValues(new float[] {5, 7, 9}, x.sum(0));
        assertValues(new float[] {6, 15}, x.sum(1));
        assertValues(new float[] {6, 15}, x.sum(-1));
        assertArrayEquals(new int[] {2, 1}, x.sum(1, true).shape());
        assertArrayEquals(new int[] {1, 3}, x.sum(0, true).shape());
        assertArrayEquals(new int[] {1, 1}, x.sum(new int[0], true).shape());
        assertValues(new float[] {21}, x.sum(new int[] {0, 1}, false));
    }

    @Test
    void sumOverAxisSetsOfA3dTensor() {
        Tensor t = t234();
        // sum over i,k of 12i + 4j + k = 48 + 32j + 12
        assertValues(new float[] {60, 92, 124}, t.sum(new int[] {0, 2}, false));
        assertArrayEquals(new int[] {1, 3, 1}, t.sum(new int[] {0, 2}, true).shape());
        assertValues(new float[] {60, 92, 124}, t.sum(new int[] {-1, 0}, true));
        // sum over j,k: 144i + 66
        assertValues(new float[] {66, 210}, t.sum(new int[] {1, 2}, false));
        // sum over i: 12 + 8j + 2k
        float[] e = new float[12];
        for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) e[j * 4 + k] = 12 + 8 * j + 2 * k;
        assertValues(e, t.sum(0));
        // sum over j: 36i + 12 + 3k
        float[] f = new float[8];
        for (int i = 0; i < 2; i++) for (int k = 0; k < 4; k++) f[i * 4 + k] = 36 * i + 12 + 3 * k;
        assertValues(f, t.sum(1));
        assertArrayEquals(new int[] {2, 1, 4}, t.sum(1, true).shape());
    }

    @Test
    void meanOverAxes() {
        assertValues(new float[] {2.5f, 3.5f, 4.5f}, m23().mean(0));
        assertValues(new float[] {2, 5}, m23().mean(1));
        assertValues(new float[] {3.5f}, m23().mean());
        assertValues(new float[] {7.5f, 11.5f, 15.5f}, t234().mean(new int[] {0, 2}, false));
        assertArrayEquals(new int[] {2, 1}, m23().mean(-1, true).shape());
    }

    @Test
    void prodOverAxes() {
        assertValues(new float[] {720}, m23().prod());
        assertValues(new float[] {4, 10, 18}, m23().prod(0));
        assertValues(new float[] {6, 120}, m23().prod(1, true));
        assertArrayEquals(new int[] {2, 1}, m23().prod(1, true).shape());
    }

    @Test
    void transposedAndSlicedInputs() {
        Tensor xt = m23().t(); // [[1,4],[2,5],[3,6]]
        assertValues(new float[] {6, 15}, xt.sum(0));
        assertValues(new float[] {5, 7, 9}, xt.sum(1));
        assertValues(new float[] {3, 6}, xt.amax(0));
        assertValues(new float[] {1, 2, 3}, xt.amin(1));
        assertArrayEquals(new long[] {2, 2}, xt.argmax(0).toLongArray()); // columns [1,2,3] and [4,5,6]
        assertArrayEquals(new long[] {1, 1, 1}, xt.argmax(1).toLongArray());
        // k in {1, 3}: sum over i,k of 12i + 4j + k = 24 + 16j + 8
        Tensor s = t234().slice(2, 1, 4, 2);
        assertValues(new float[] {32, 48, 64}, s.sum(new int[] {0, 2}, false));
        assertValues(new float[] {15, 19, 23}, s.amax(0, 2));
        // permuted 3-d view: p[k][i][j] = t[i][j][k]; sum over p's dim 1 (i) = 12 + 8j + 2k laid out [k][j]
        Tensor p = t234().permute(2, 0, 1);
        float[] e = new float[12];
        for (int k = 0; k < 4; k++) for (int j = 0; j < 3; j++) e[k * 3 + j] = 12 + 8 * j + 2 * k;
        assertValues(e, p.sum(1));
        // expanded (stride 0) input
        Tensor ex = Tensor.vector(1f, 2f, 3f).expand(4, 3);
        assertValues(new float[] {4, 8, 12}, ex.sum(0));
        assertValues(new float[] {6, 6, 6, 6}, ex.sum(1));
    }

    @Test
    void permutedViewsAreReducedInStorageOrderAndComeBackInViewOrder() {
        Tensor p = t234().permute(2, 0, 1); // p[k][i][j] = 12i + 4j + k, shape [4, 2, 3]
        // over k and j: 144i + 66
        assertValues(new float[] {66, 210}, p.sum(new int[] {0, 2}, false));
        assertArrayEquals(new int[] {1, 2, 1}, p.sum(new int[] {0, 2}, true).shape());
        // over i: result [k][j] = 12 + 8j + 2k (kept dims k, j come back in view order)
        float[] e = new float[12];
        for (int k = 0; k < 4; k++) for (int j = 0; j < 3; j++) e[k * 3 + j] = 12 + 8 * j + 2 * k;
        assertValues(e, p.sum(1, false));
        assertArrayEquals(new int[] {4, 1, 3}, p.sum(1, true).shape());
        assertValues(e, p.sum(1, true).reshape(4, 3));
        // max over k is at k = 3: values 12i + 4j + 3 laid out [i][j]
        ValuesIndices mx = p.maxWithIndices(0);
        assertValues(new float[] {3, 7, 11, 15, 19, 23}, mx.values());
        assertArrayEquals(new long[] {3, 3, 3, 3, 3, 3}, mx.indices().toLongArray());
        // variance over j of {c, c+4, c+8} is 16 (correction 1) everywhere; result [k][i]
        Tensor v = p.var(2);
        assertArrayEquals(new int[] {4, 2}, v.shape());
        assertValues(new float[] {16, 16, 16, 16, 16, 16, 16, 16}, v);
        // mean over i of 12i + 4j + k = 6 + 4j + k laid out [k][j]
        float[] m = new float[12];
        for (int k = 0; k < 4; k++) for (int j = 0; j < 3; j++) m[k * 3 + j] = 6 + 4 * j + k;
        assertValues(m, p.mean(-2));
        // int path through a permuted view
        Tensor pi = t234().to(DType.INT32).permute(1, 2, 0); // [j][k][i]
        long[] li = new long[12];
        for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) li[j * 4 + k] = 12 + 8 * j + 2 * k;
        assertArrayEquals(li, pi.sum(2).toLongArray());
    }

    /** Naive reference: sum, max and population variance of x (row-major, shape) over the masked dims. */
    private static double[][] naive(double[] x, int[] shape, boolean[] mask) {
        int nd = shape.length, n = x.length;
        int outN = 1;
        for (int d = 0; d < nd; d++) if (!mask[d]) outN *= shape[d];
        double[] sum = new double[outN], max = new double[outN], sq = new double[outN];
        int[] cnt = new int[outN];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        int[] idx = new int[nd];
        int[] outIdx = new int[n];
        for (int i = 0; i < n; i++) {
            int rem = i;
            for (int d = nd - 1; d >= 0; d--) { idx[d] = rem % shape[d]; rem /= shape[d]; }
            int o = 0;
            for (int d = 0; d < nd; d++) if (!mask[d]) o = o * shape[d] + idx[d];
            outIdx[i] = o;
            sum[o] += x[i];
            max[o] = Math.max(max[o], x[i]);
            cnt[o]++;
        }
        for (int i = 0; i < n; i++) {
            double d = x[i] - sum[outIdx[i]] / cnt[outIdx[i]];
            sq[outIdx[i]] += d * d;
        }
        for (int o = 0; o < outN; o++) sq[o] /= cnt[o];
        return new double[][] {sum, max, sq};
    }

    @Test
    void manyAxisPatternsMatchANaiveLoop() {
        int[] shape = {3, 4, 5, 2, 6};
        double[] x = new double[720];
        java.util.Random rnd = new java.util.Random(2);
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(201) - 100; // integers: exact sums
        Tensor t = Tensor.of(x, shape);
        Tensor ti = t.to(DType.INT64);
        int[][] patterns = {{0}, {4}, {2}, {0, 2}, {1, 3}, {0, 2, 3}, {0, 2, 4}, {1, 2, 3}, {0, 1, 2, 3, 4}, {-1, -3}, {0, 1, 4}};
        for (int[] dims : patterns) {
            boolean[] mask = new boolean[5];
            for (int d : dims) mask[d < 0 ? d + 5 : d] = true;
            double[][] ref = naive(x, shape, mask);
            String what = java.util.Arrays.toString(dims);
            assertArrayEquals(ref[0], t.sum(dims, false).toDoubleArray(), 1e-9, "sum " + what);
            assertArrayEquals(ref[1], t.amax(dims, true).toDoubleArray(), 0, "amax " + what);
            assertArrayEquals(ref[2], t.var(dims, 0, false).toDoubleArray(), 1e-9, "var " + what);
            long[] li = ti.sum(dims, false).toLongArray();
            for (int i = 0; i < li.length; i++) assertEquals((long) ref[0][i], li[i], "int sum " + what);
            // the same through a transposed view of the same values
            Tensor tt = t.transpose(1, 3).contiguous().transpose(1, 3);
            assertArrayEquals(ref[0], tt.sum(dims, false).toDoubleArray(), 1e-9, "strided sum " + what);
        }
    }

    // ------------------------------------------------------------------ amax / amin / max / min

    @Test
    void amaxAminOverAxes() {
        assertValues(new float[] {4, 5, 6}, m23().amax(0));
        assertValues(new float[] {1, 4}, m23().amin(1));
        assertValues(new float[] {6}, m23().amax());
        assertValues(new float[] {15, 19, 23}, t234().amax(0, 2));
        assertValues(new float[] {0, 4, 8}, t234().amin(new int[] {0, -1}, false));
        assertArrayEquals(new int[] {1, 3, 1}, t234().amax(new int[] {0, 2}, true).shape());
        assertValues(new float[] {3, 6}, m23().amax(-1, true));
        assertArrayEquals(new int[] {2, 1}, m23().amax(1, true).shape());
        assertValues(new float[] {1, 2, 3}, m23().amin(0, false));
        assertValues(new float[] {6}, m23().max());
        assertValues(new float[] {1}, m23().min());
        assertArrayEquals(new int[0], m23().max().shape());
    }

    @Test
    void nanPropagatesThroughMaxAndSum() {
        Tensor x = Tensor.vector(1f, Float.NaN, 5f, Float.NaN);
        assertTrue(Float.isNaN((float) x.max().item()));
        assertTrue(Float.isNaN((float) x.min().item()));
        assertTrue(Float.isNaN((float) x.amax().item()));
        assertTrue(Float.isNaN((float) x.sum().item()));
        assertEquals(1L, x.argmax().itemLong());
        assertEquals(1L, x.argmin().itemLong());
        Tensor m = Tensor.of(new double[] {1, Double.NaN, 3, 4, 2, 9}, 2, 3);
        double[] am = m.amax(1).toDoubleArray();
        assertTrue(Double.isNaN(am[0]));
        assertEquals(9.0, am[1]);
        double[] col = m.amax(0).toDoubleArray();
        assertEquals(4.0, col[0]);
        assertTrue(Double.isNaN(col[1]));
        assertEquals(9.0, col[2]);
        assertArrayEquals(new long[] {1, 0, 1}, m.argmax(0).toLongArray());
    }

    // ------------------------------------------------------------------ argmax / argmin / with indices

    @Test
    void argmaxTakesTheFirstOfTies() {
        Tensor x = Tensor.of(new float[] {1, 3, 3, 5, 5, 2}, 2, 3);
        assertArrayEquals(new long[] {1, 0}, x.argmax(1).toLongArray());
        assertArrayEquals(new long[] {0, 2}, x.argmin(1).toLongArray());
        assertArrayEquals(new long[] {1, 1, 0}, x.argmax(0).toLongArray());
        assertEquals(DType.INT64, x.argmax(1).dtype());
        assertEquals(3L, x.argmax().itemLong());
        assertEquals(0L, x.argmin().itemLong());
        assertArrayEquals(new int[0], x.argmax().shape());
        assertArrayEquals(new int[] {2, 1}, x.argmax(-1, true).shape());
        assertEquals(0L, Tensor.vector(3f, 1f, 3f).argmax().itemLong());
    }

    @Test
    void argmaxOverTheMiddleAxisOfA3dTensor() {
        float[] d = new float[24]; // d[i][j][k] = 10 - j + 0.5 k: largest at j = 0
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) d[i * 12 + j * 4 + k] = 10 - j + 0.5f * k;
        Tensor t = Tensor.of(d, 2, 3, 4);
        assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 0, 0}, t.argmax(1).toLongArray());
        assertArrayEquals(new long[] {2, 2, 2, 2, 2, 2, 2, 2}, t.argmin(1).toLongArray());
    }

    @Test
    void maxAndMinWithIndices() {
        Tensor x = Tensor.of(new float[] {1, 3, 3, 5, 5, 2}, 2, 3);
        ValuesIndices mx = x.maxWithIndices(1);
        assertValues(new float[] {3, 5}, mx.values());
        assertArrayEquals(new long[] {1, 0}, mx.indices().toLongArray());
        ValuesIndices mn = x.minWithIndices(0, true);
        assertValues(new float[] {1, 3, 2}, mn.values());
        assertArrayEquals(new int[] {1, 3}, mn.values().shape());
        assertArrayEquals(new long[] {0, 0, 1}, mn.indices().toLongArray());
        ValuesIndices vi = Tensor.of(new int[] {7, -2, 9, 9}, 2, 2).maxWithIndices(1);
        assertEquals(DType.INT32, vi.values().dtype());
        assertArrayEquals(new int[] {7, 9}, vi.values().toIntArray());
        assertArrayEquals(new long[] {0, 0}, vi.indices().toLongArray());
    }

    // ------------------------------------------------------------------ var / std

    @Test
    void varianceWithCorrectionZeroAndOne() {
        Tensor x = Tensor.vector(2f, 4f, 4f, 4f, 5f, 5f, 7f, 9f); // mean 5, squared deviations sum 32
        assertEquals(4.0, x.var(new int[0], 0, false).item(), 1e-6);
        assertEquals(32.0 / 7, x.var().item(), 1e-6);
        assertEquals(2.0, x.std(new int[0], 0, false).item(), 1e-6);
        assertEquals(Math.sqrt(32.0 / 7), x.std().item(), 1e-6);
        assertValues(new float[] {4.5f, 4.5f, 4.5f}, m23().var(0));
        assertValues(new float[] {1, 1}, m23().var(1));
        assertValues(new float[] {2f / 3, 2f / 3}, m23().var(new int[] {1}, 0, false));
        assertValues(new float[] {(float) Math.sqrt(4.5)}, m23().t().std(1).narrow(0, 0, 1));
        assertArrayEquals(new int[] {2, 1}, m23().var(1, true).shape());
        // over {0, 2} of t: values 12i + 4j + k for i in {0,1}, k in 0..3: variance = 36 + 1.25 (pop)
        assertValues(new float[] {37.25f, 37.25f, 37.25f}, t234().var(new int[] {0, 2}, 0, false));
        // a single element with correction 1 divides by zero: NaN, like torch
        assertTrue(Double.isNaN(Tensor.vector(3f).var().item()));
        // large offset: the two-pass algorithm keeps precision
        Tensor big = Tensor.vector(1e6 + 1, 1e6 + 2, 1e6 + 3);
        assertEquals(1.0, big.var().item(), 1e-9);
    }

    // ------------------------------------------------------------------ logsumexp

    @Test
    void logsumexpIsStable() {
        assertEquals(1000 + Math.log(2), Tensor.vector(1000f, 1000f).logsumexp().item(), 1e-3);
        assertEquals(1000 + Math.log(2), Tensor.vector(1000.0, 1000.0).logsumexp().item(), 1e-12);
        assertEquals(-1000 + Math.log(2), Tensor.vector(-1000.0, -1000.0).logsumexp().item(), 1e-12);
        assertEquals(Double.NEGATIVE_INFINITY,
            Tensor.vector(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY).logsumexp().item());
        assertEquals(Double.POSITIVE_INFINITY, Tensor.vector(1.0, Double.POSITIVE_INFINITY).logsumexp().item());
        Tensor x = m23();
        double r0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        double r1 = Math.log(Math.exp(4) + Math.exp(5) + Math.exp(6));
        assertValues(new float[] {(float) r0, (float) r1}, x.logsumexp(1));
        double c0 = Math.log(Math.exp(1) + Math.exp(4));
        assertEquals(c0, x.logsumexp(0).toDoubleArray()[0], 1e-5);
        assertArrayEquals(new int[] {1, 3}, x.logsumexp(0, true).shape());
        assertEquals(Double.NEGATIVE_INFINITY, Tensor.zeros(0).logsumexp().item());
    }

    // ------------------------------------------------------------------ cumsum / cumprod

    @Test
    void cumulativeSumsAndProducts() {
        assertValues(new float[] {1, 3, 6, 10}, Tensor.vector(1f, 2f, 3f, 4f).cumsum(0));
        assertValues(new float[] {1, 2, 3, 5, 7, 9}, m23().cumsum(0));
        assertValues(new float[] {1, 3, 6, 4, 9, 15}, m23().cumsum(-1));
        assertValues(new float[] {1, 2, 6, 4, 20, 120}, m23().cumprod(1));
        assertValues(new float[] {1, 2, 3, 4, 10, 18}, m23().cumprod(0));
        // transposed input: xt = [[1,4],[2,5],[3,6]]
        assertValues(new float[] {1, 4, 3, 9, 6, 15}, m23().t().cumsum(0));
        Tensor ci = Tensor.of(new int[] {1, 2, 3}, 3).cumsum(0);
        assertEquals(DType.INT64, ci.dtype());
        assertArrayEquals(new long[] {1, 3, 6}, ci.toLongArray());
        assertArrayEquals(new long[] {1, 1, 2}, Tensor.of(new boolean[] {true, false, true}, 3).cumsum(0).toLongArray());
        assertEquals(DType.FLOAT64, Tensor.vector(1.0, 2.0).cumprod(0).dtype());
    }

    // ------------------------------------------------------------------ dtypes

    @Test
    void dtypeRulesFollowTorch() {
        Tensor i32 = Tensor.of(new int[] {1, 2, 3, 4}, 2, 2);
        assertEquals(DType.INT64, i32.sum().dtype());
        assertEquals(10L, i32.sum().itemLong());
        assertArrayEquals(new long[] {4, 6}, i32.sum(0).toLongArray());
        assertArrayEquals(new long[] {2, 12}, i32.prod(1).toLongArray());
        assertEquals(DType.INT64, i32.prod().dtype());
        Tensor b = Tensor.of(new boolean[] {true, false, true}, 3);
        assertEquals(DType.INT64, b.sum().dtype());
        assertEquals(2L, b.sum().itemLong());
        assertEquals(DType.BOOL, b.amax().dtype());
        assertTrue(b.amax().toBoolArray()[0]);
        assertFalse(b.amin().toBoolArray()[0]);
        assertEquals(1L, b.argmin().itemLong());
        assertEquals(DType.INT32, i32.amax(1).dtype());
        assertArrayEquals(new int[] {2, 4}, i32.amax(1).toIntArray());
        assertArrayEquals(new int[] {1, 2}, i32.amin(0).toIntArray());
        assertEquals(4, i32.max().item());
        Tensor i64 = Tensor.of(new long[] {Long.MAX_VALUE, 3, Long.MAX_VALUE - 1}, 3);
        assertEquals(Long.MAX_VALUE, i64.max().itemLong());
        assertEquals(0L, i64.argmax().itemLong());
        assertEquals(1L, i64.argmin().itemLong());
        Tensor f64 = Tensor.of(new double[] {1, 2, 3}, 3);
        for (Tensor r : new Tensor[] {f64.sum(), f64.mean(), f64.prod(), f64.var(), f64.std(), f64.amax(),
            f64.logsumexp(), f64.softmax(0), f64.cumsum(0)})
            assertEquals(DType.FLOAT64, r.dtype());
        Tensor f32 = m23();
        for (Tensor r : new Tensor[] {f32.sum(), f32.mean(), f32.prod(), f32.var(), f32.std(), f32.amax(),
            f32.logsumexp(), f32.softmax(0), f32.cumsum(0)})
            assertEquals(DType.FLOAT32, r.dtype());
    }

    @Test
    void emptyTensors() {
        Tensor e = Tensor.zeros(0, 3);
        assertEquals(0.0, e.sum().item());
        assertValues(new float[] {0, 0, 0}, e.sum(0));
        assertValues(new float[] {1, 1, 1}, e.prod(0));
        assertEquals(1.0, e.prod().item());
        assertArrayEquals(new int[] {0}, e.sum(1).shape());
        assertArrayEquals(new int[] {0}, e.amax(1).shape());
        assertTrue(Double.isNaN(e.mean().item()));
        assertArrayEquals(new int[] {0, 3}, e.softmax(1).shape());
        assertArrayEquals(new int[] {0, 3}, e.cumsum(0).shape());
        assertEquals(0L, Tensor.of(new int[0], 0).sum().itemLong());
        // reducing a non-empty dim of a tensor with an empty kept dim gives an empty result
        assertArrayEquals(new int[] {0}, Tensor.zeros(3, 0).sum(0).shape());
        assertArrayEquals(new int[] {0}, Tensor.zeros(3, 0).prod(0).shape());
        assertArrayEquals(new int[] {2, 0}, Tensor.zeros(2, 3, 0).amax(1).shape());
        assertArrayEquals(new int[] {0}, Tensor.zeros(3, 0).argmax(0).shape());
        assertArrayEquals(new int[] {1, 0}, Tensor.of(new int[0], 3, 0).sum(0, true).shape());
        assertArrayEquals(new int[] {2, 0}, Tensor.zeros(2, 3, 0).var(1).shape());
    }

    @Test
    void zeroDimensionalInputs() {
        Tensor s = Tensor.scalar(5f);
        assertEquals(5.0, s.sum().item());
        assertEquals(5.0, s.sum(0).item());
        assertEquals(5.0, s.sum(-1, true).item());
        assertArrayEquals(new int[0], s.sum(0, true).shape());
        assertEquals(5.0, s.amax().item());
        assertEquals(0L, s.argmax(0).itemLong());
        assertEquals(1.0, s.softmax(0).item());
        assertEquals(0.0, s.logSoftmax(-1).item());
        assertEquals(5.0, s.cumsum(0).item());
        var ex = assertThrows(IllegalArgumentException.class, () -> s.sum(1));
        assertTrue(ex.getMessage().startsWith("sum: dimension 1 is out of range"), ex.getMessage());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void badAxesNameTheOpAndTheValidRange() {
        Tensor x = m23();
        var e = assertThrows(IllegalArgumentException.class, () -> x.sum(2));
        assertTrue(e.getMessage().startsWith("sum: dimension 2 is out of range"), e.getMessage());
        assertTrue(e.getMessage().contains("[-2, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.amax(-3));
        assertTrue(e.getMessage().startsWith("amax:") && e.getMessage().contains("[-2, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.argmax(5));
        assertTrue(e.getMessage().startsWith("argmax:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.softmax(2));
        assertTrue(e.getMessage().startsWith("softmax:") && e.getMessage().contains("[-2, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.cumsum(-3));
        assertTrue(e.getMessage().startsWith("cumsum:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.var(new int[] {0, 7}, 1, false));
        assertTrue(e.getMessage().startsWith("var:"), e.getMessage());
    }

    @Test
    void duplicateAxesAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> t234().sum(new int[] {1, -2}, false));
        assertTrue(e.getMessage().startsWith("sum:") && e.getMessage().contains("more than once"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t234().mean(new int[] {0, 0}, true));
        assertTrue(e.getMessage().startsWith("mean:"), e.getMessage());
    }

    @Test
    void integerInputsAreRejectedWhereTorchRejectsThem() {
        Tensor i = Tensor.of(new int[] {1, 2, 3}, 3);
        var e = assertThrows(IllegalArgumentException.class, i::mean);
        assertTrue(e.getMessage().startsWith("mean: could not infer output dtype"), e.getMessage());
        assertTrue(e.getMessage().contains("int32"), e.getMessage());
        for (String op : new String[] {"var", "std", "logsumexp", "softmax", "logSoftmax"}) {
            e = assertThrows(IllegalArgumentException.class, () -> {
                Tensor unused = switch (op) {
                    case "var" -> i.var();
                    case "std" -> i.std();
                    case "logsumexp" -> i.logsumexp();
                    case "softmax" -> i.softmax(0);
                    default -> i.logSoftmax(0);
                };
            });
            assertTrue(e.getMessage().startsWith(op + ":"), e.getMessage());
            assertTrue(e.getMessage().contains("floating point"), e.getMessage());
        }
    }

    @Test
    void emptyReductionsOfExtremaFail() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0).max());
        assertTrue(e.getMessage().startsWith("max: the input of shape [0] is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 0).min());
        assertTrue(e.getMessage().startsWith("min:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).amax(0));
        assertTrue(e.getMessage().startsWith("amax: cannot reduce over dimension(s) [0] of shape [0, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).argmax(0));
        assertTrue(e.getMessage().startsWith("argmax:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0).argmin());
        assertTrue(e.getMessage().startsWith("argmin:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 0).maxWithIndices(1));
        assertTrue(e.getMessage().startsWith("max:"), e.getMessage());
    }
}
