package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Inputs above the parallel threshold, checked against naive double-precision loops written here;
 * determinism across thread counts; agreement of the Vector API and plain paths.
 */
class ReductionBigTest {
    private static final int ROWS = 1500, COLS = 2500; // 3.75M elements, well above the parallel grain
    private static final float[] DATA = random(ROWS * COLS, 11);

    private static float[] random(int n, long seed) {
        Random rnd = new Random(seed);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) (rnd.nextGaussian() * 2 + 0.5);
        return d;
    }

    @AfterEach
    void restoreSwitches() {
        Reductions.useVector = Reductions.VECTOR_AVAILABLE;
        Reductions.serial = false;
    }

    private static void close(double[] ref, double[] tol, float[] got, String what) {
        assertEquals(ref.length, got.length, what);
        for (int i = 0; i < ref.length; i++)
            assertEquals(ref[i], got[i], tol[i], what + " at " + i);
    }

    @Test
    void tenMillionTenthsSumAccurately() {
        float[] d = new float[10_000_000];
        Arrays.fill(d, 0.1f);
        Tensor x = Tensor.of(d, d.length);
        for (boolean vec : new boolean[] {true, false}) {
            Reductions.useVector = vec && Reductions.VECTOR_AVAILABLE;
            assertEquals(1e6, x.sum().item(), 1e-4 * 1e6, "vector=" + vec);
            assertEquals(0.1, x.mean().item(), 1e-4 * 0.1, "vector=" + vec);
            // the same values as one long column: the column kernel must be accurate too
            assertEquals(5e5, x.reshape(5_000_000, 2).sum(0).toDoubleArray()[1], 1e-4 * 5e5, "column, vector=" + vec);
        }
        assertEquals(0.0, Tensor.of(d, 2_000, 5_000).var().item(), 1e-9);
    }

    @Test
    void rowAndColumnReductionsMatchNaiveLoops() {
        Tensor x = Tensor.of(DATA, ROWS, COLS);
        double[] rs = new double[ROWS], rabs = new double[ROWS], cs = new double[COLS], cabs = new double[COLS];
        double[] rmax = new double[ROWS], cmin = new double[COLS];
        Arrays.fill(rmax, Double.NEGATIVE_INFINITY);
        Arrays.fill(cmin, Double.POSITIVE_INFINITY);
        long[] rarg = new long[ROWS], carg = new long[COLS];
        double total = 0, totalAbs = 0;
        for (int i = 0; i < ROWS; i++)
            for (int j = 0; j < COLS; j++) {
                double v = DATA[i * COLS + j];
                rs[i] += v; rabs[i] += Math.abs(v);
                cs[j] += v; cabs[j] += Math.abs(v);
                if (v > rmax[i]) { rmax[i] = v; rarg[i] = j; }
                if (v < cmin[j]) { cmin[j] = v; carg[j] = i; }
                total += v; totalAbs += Math.abs(v);
            }
        double[] rtol = new double[ROWS], ctol = new double[COLS];
        for (int i = 0; i < ROWS; i++) rtol[i] = 1e-5 * rabs[i];
        for (int j = 0; j < COLS; j++) ctol[j] = 1e-5 * cabs[j];
        for (boolean vec : new boolean[] {true, false}) {
            Reductions.useVector = vec && Reductions.VECTOR_AVAILABLE;
            close(rs, rtol, x.sum(1).toFloatArray(), "row sums");
            close(cs, ctol, x.sum(0).toFloatArray(), "column sums");
            assertEquals(total, x.sum().item(), 1e-6 * totalAbs);
            assertArrayEquals(Arrays.stream(rmax).mapToObj(v -> (float) v).toArray(),
                boxed(x.amax(1).toFloatArray()));
            assertArrayEquals(Arrays.stream(cmin).mapToObj(v -> (float) v).toArray(),
                boxed(x.amin(0).toFloatArray()));
            assertArrayEquals(rarg, x.argmax(1).toLongArray());
            assertArrayEquals(carg, x.argmin(0).toLongArray());
            // transposed view: the same numbers reached through strides
            close(cs, ctol, x.t().sum(1).toFloatArray(), "transposed row sums");
        }
    }

    private static Float[] boxed(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i];
        return b;
    }

    @Test
    void varianceAndLogsumexpMatchNaiveLoops() {
        Tensor x = Tensor.of(DATA, ROWS, COLS);
        double[] colMean = new double[COLS], colVar = new double[COLS], rowLse = new double[ROWS];
        for (int i = 0; i < ROWS; i++) for (int j = 0; j < COLS; j++) colMean[j] += DATA[i * COLS + j];
        for (int j = 0; j < COLS; j++) colMean[j] /= ROWS;
        for (int i = 0; i < ROWS; i++)
            for (int j = 0; j < COLS; j++) {
                double d = DATA[i * COLS + j] - colMean[j];
                colVar[j] += d * d;
            }
        for (int j = 0; j < COLS; j++) colVar[j] /= ROWS - 1;
        for (int i = 0; i < ROWS; i++) {
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < COLS; j++) m = Math.max(m, DATA[i * COLS + j]);
            for (int j = 0; j < COLS; j++) s += Math.exp(DATA[i * COLS + j] - m);
            rowLse[i] = m + Math.log(s);
        }
        double[] vt = new double[COLS], lt = new double[ROWS];
        for (int j = 0; j < COLS; j++) vt[j] = 1e-4 * colVar[j];
        for (int i = 0; i < ROWS; i++) lt[i] = 1e-5 * Math.abs(rowLse[i]) + 1e-5;
        for (boolean vec : new boolean[] {true, false}) {
            Reductions.useVector = vec && Reductions.VECTOR_AVAILABLE;
            close(colVar, vt, x.var(0).toFloatArray(), "column variance");
            close(rowLse, lt, x.logsumexp(1).toFloatArray(), "row logsumexp");
            double[] sd = Arrays.stream(colVar).map(Math::sqrt).toArray();
            close(sd, vt, x.std(0).toFloatArray(), "column std");
        }
        // float64 path on the same data
        Tensor xd = x.to(DType.FLOAT64);
        double[] v64 = xd.var(0).toDoubleArray();
        for (int j = 0; j < COLS; j++) assertEquals(colVar[j], v64[j], 1e-10 * colVar[j]);
        double[] l64 = xd.logsumexp(1).toDoubleArray();
        for (int i = 0; i < ROWS; i++) assertEquals(rowLse[i], l64[i], 1e-10 * Math.abs(rowLse[i]));
    }

    @Test
    void middleAndSplitAxesMatchNaiveLoops() {
        int P = 30, Q = 500, S = 250; // 3.75M elements viewed as [30, 500, 250]
        Tensor x = Tensor.of(DATA, P, Q, S);
        double[] mid = new double[P * S], mabs = new double[P * S], split = new double[Q], sabs = new double[Q];
        double[] splitMax = new double[Q];
        Arrays.fill(splitMax, Double.NEGATIVE_INFINITY);
        long[] midArg = new long[P * S];
        float[] midBest = new float[P * S];
        Arrays.fill(midBest, Float.NEGATIVE_INFINITY);
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++)
                for (int s = 0; s < S; s++) {
                    float v = DATA[(p * Q + q) * S + s];
                    mid[p * S + s] += v; mabs[p * S + s] += Math.abs(v);
                    split[q] += v; sabs[q] += Math.abs(v);
                    splitMax[q] = Math.max(splitMax[q], v);
                    if (v > midBest[p * S + s]) { midBest[p * S + s] = v; midArg[p * S + s] = q; }
                }
        for (int i = 0; i < mabs.length; i++) mabs[i] *= 1e-5;
        for (int i = 0; i < sabs.length; i++) sabs[i] *= 1e-5;
        close(mid, mabs, x.sum(1).toFloatArray(), "middle axis sum");
        close(split, sabs, x.sum(new int[] {0, 2}, false).toFloatArray(), "sum over {0,2}");
        close(splitMax, new double[Q], x.amax(0, 2).toFloatArray(), "amax over {0,2}");
        assertArrayEquals(midArg, x.argmax(1).toLongArray());
        double[] meanMid = mid.clone();
        for (int i = 0; i < meanMid.length; i++) meanMid[i] /= Q;
        double[] mt = mabs.clone();
        for (int i = 0; i < mt.length; i++) mt[i] /= Q;
        close(meanMid, mt, x.mean(1, true).toFloatArray(), "middle axis mean");
    }

    @Test
    void longRowsAndThinColumnsMatchNaiveLoops() {
        // a few very long rows (segmented partials per row) and a long thin column block
        Tensor rows = Tensor.of(DATA, 3, ROWS * COLS / 3);
        int n = ROWS * COLS / 3;
        double[] rs = new double[3], ra = new double[3];
        for (int r = 0; r < 3; r++) for (int i = 0; i < n; i++) { rs[r] += DATA[r * n + i]; ra[r] += 1e-6 * Math.abs(DATA[r * n + i]); }
        close(rs, ra, rows.sum(1).toFloatArray(), "long rows");
        Tensor cols = Tensor.of(DATA, ROWS * COLS / 5, 5);
        double[] cs = new double[5], ca = new double[5];
        for (int i = 0; i < ROWS * COLS; i++) { cs[i % 5] += DATA[i]; ca[i % 5] += 1e-6 * Math.abs(DATA[i]); }
        close(cs, ca, cols.sum(0).toFloatArray(), "thin columns");
        // int64 path, exact
        long[] li = new long[ROWS * COLS];
        long expect = 0;
        for (int i = 0; i < li.length; i++) { li[i] = (long) (DATA[i] * 1000); expect += li[i]; }
        assertEquals(expect, Tensor.of(li, ROWS, COLS).sum().itemLong());
        long lmax = Long.MIN_VALUE, lmin = Long.MAX_VALUE;
        for (long v : li) { lmax = Math.max(lmax, v); lmin = Math.min(lmin, v); }
        assertEquals(lmax, Tensor.of(li, ROWS, COLS).max().itemLong());
        assertEquals(lmin, Tensor.of(li, li.length).amin().itemLong());
        long[] colExpect = new long[COLS];
        for (int i = 0; i < li.length; i++) colExpect[i % COLS] += li[i];
        assertArrayEquals(colExpect, Tensor.of(li, ROWS, COLS).sum(0).toLongArray());
    }

    @Test
    void resultsDoNotDependOnTheNumberOfThreads() {
        Tensor x = Tensor.of(DATA, ROWS, COLS);
        Supplier<float[][]> all = () -> new float[][] {
            x.sum().toFloatArray(), x.sum(0).toFloatArray(), x.sum(1).toFloatArray(),
            x.mean().toFloatArray(), x.var(0).toFloatArray(), x.var().toFloatArray(),
            x.logsumexp(1).toFloatArray(), x.logsumexp(0).toFloatArray(), x.amax().toFloatArray(),
            x.softmax(1).toFloatArray(), x.cumsum(0).toFloatArray(),
            x.reshape(3, -1).sum(1).toFloatArray(), x.reshape(-1, 3).sum(0).toFloatArray()};
        float[][] parallel = all.get();
        Reductions.serial = true;
        float[][] serial = all.get();
        for (int k = 0; k < parallel.length; k++) {
            int[] a = new int[parallel[k].length], b = new int[serial[k].length];
            for (int i = 0; i < a.length; i++) a[i] = Float.floatToRawIntBits(parallel[k][i]);
            for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(serial[k][i]);
            assertArrayEquals(b, a, "result " + k + " differs between serial and parallel runs");
        }
    }

    @Test
    void argmaxWithManyTiesAndNaNsAgreesOnBothPathsWithANaiveLoop() {
        int rows = 300, cols = 517;
        Random rnd = new Random(5);
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = rnd.nextInt(7) - 3; // many ties
        for (int r = 0; r < rows; r += 7) d[r * cols + rnd.nextInt(cols)] = Float.NaN;
        long[] amax = new long[rows], amin = new long[rows];
        for (int r = 0; r < rows; r++) {
            int bx = 0, bn = 0;
            for (int c = 1; c < cols; c++) {
                float v = d[r * cols + c], x = d[r * cols + bx], n = d[r * cols + bn];
                if (!Float.isNaN(x) && (Float.isNaN(v) || v > x)) bx = c;
                if (!Float.isNaN(n) && (Float.isNaN(v) || v < n)) bn = c;
            }
            amax[r] = bx;
            amin[r] = bn;
        }
        Tensor x = Tensor.of(d, rows, cols);
        for (boolean vec : new boolean[] {true, false}) {
            Reductions.useVector = vec && Reductions.VECTOR_AVAILABLE;
            assertArrayEquals(amax, x.argmax(1).toLongArray(), "vector=" + vec);
            assertArrayEquals(amin, x.argmin(1).toLongArray(), "vector=" + vec);
            assertArrayEquals(amax, x.t().contiguous().argmax(0).toLongArray(), "columns, vector=" + vec);
            assertArrayEquals(amin, x.t().argmin(0).toLongArray(), "transposed, vector=" + vec);
        }
    }

    @Test
    void bigArgmaxOfTheFlattenedTensor() {
        float[] d = DATA.clone();
        d[2_345_678] = 100f;
        d[3_000_000] = 100f; // a later tie must not win
        assertEquals(2_345_678L, Tensor.of(d, ROWS, COLS).argmax().itemLong());
        d[3_100_000] = Float.NaN;
        assertEquals(3_100_000L, Tensor.of(d, ROWS, COLS).argmax().itemLong());
        assertTrue(Double.isNaN(Tensor.of(d, ROWS, COLS).max().item()));
        assertTrue(Double.isNaN(Tensor.of(d, ROWS, COLS).amax(1).toDoubleArray()[3_100_000 / COLS]));
        // float64 and int64 rows take the same segmented path
        double[] dd = new double[d.length];
        long[] ll = new long[d.length];
        for (int i = 0; i < d.length; i++) { dd[i] = DATA[i]; ll[i] = Math.round(DATA[i] * 100); }
        dd[1_000_001] = 50; dd[2_999_999] = 50; dd[10] = -50; dd[3_500_000] = -50;
        ll[1_000_001] = 5000; ll[2_999_999] = 5000; ll[10] = -5000; ll[3_500_000] = -5000;
        assertEquals(1_000_001L, Tensor.of(dd, dd.length).argmax().itemLong());
        assertEquals(10L, Tensor.of(dd, dd.length).argmin().itemLong());
        assertEquals(1_000_001L, Tensor.of(ll, ll.length).argmax().itemLong());
        assertEquals(10L, Tensor.of(ll, ll.length).argmin().itemLong());
        var vi = Tensor.of(ll, 2, ll.length / 2).maxWithIndices(1);
        assertArrayEquals(new long[] {5000, 5000}, vi.values().toLongArray());
        assertArrayEquals(new long[] {1_000_001, 2_999_999 - ll.length / 2}, vi.indices().toLongArray());
    }
}
