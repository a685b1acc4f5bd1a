package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.assertMessage;

class PoolTest {
    private static final int[] Z2 = {0, 0}, ONE2 = {1, 1};

    private static Tensor grid() {
        return Tensor.of(new float[] {
            1, 3, 2, 0,
            4, 2, 9, 9,
            0, 0, 1, 1,
            5, 5, 1, 0}, 1, 1, 4, 4);
    }

    @Test
    void maxPool2x2ValuesAndFirstMaxIndices() {
        PoolResult r = grid().maxPool2dWithIndices(2);
        assertArrayEquals(new float[] {4, 9, 5, 1}, r.values().toFloatArray());
        assertEquals(DType.INT64, r.indices().dtype());
        // ties: 9 at (1,2) and (1,3) -> 6; 5 at (3,0) and (3,1) -> 12; 1 at (2,2), (2,3), (3,2) -> 10
        assertArrayEquals(new long[] {4, 6, 12, 10}, r.indices().toLongArray());
        assertArrayEquals(new float[] {4, 9, 5, 1}, grid().maxPool2d(2).toFloatArray());
    }

    @Test
    void overlappingWindowsAndDilation() {
        // 3x3 windows, stride 1 over the grid: maxima of rows 0-2 / 1-3 and cols 0-2 / 1-3
        PoolResult r = grid().maxPool2dWithIndices(new int[] {3, 3}, new int[] {1, 1}, Z2, ONE2, false);
        assertArrayEquals(new float[] {9, 9, 9, 9}, r.values().toFloatArray());
        assertArrayEquals(new long[] {6, 6, 6, 6}, r.indices().toLongArray());
        // dilation 2 in 1-d: windows (i, i+2) of [0, 5, 1, 4, 2, 3]
        Tensor x = Tensor.of(new float[] {0, 5, 1, 4, 2, 3}, 1, 1, 6);
        PoolResult d = x.maxPool1dWithIndices(2, 1, 0, 2, false);
        assertArrayEquals(new float[] {1, 5, 2, 4}, d.values().toFloatArray());
        assertArrayEquals(new long[] {2, 1, 4, 3}, d.indices().toLongArray());
    }

    @Test
    void ceilModeKeepsPartialWindows() {
        Tensor x = Tensor.arange(25).to(DType.FLOAT32).reshape(1, 1, 5, 5);
        Tensor floor = x.maxPool2d(2);
        assertArrayEquals(new float[] {6, 8, 16, 18}, floor.toFloatArray());
        PoolResult ceil = x.maxPool2dWithIndices(new int[] {2, 2}, null, Z2, ONE2, true);
        assertArrayEquals(new int[] {1, 1, 3, 3}, ceil.values().shape());
        // the maximum of each window of arange is its bottom-right element
        assertArrayEquals(new float[] {6, 8, 9, 16, 18, 19, 21, 23, 24}, ceil.values().toFloatArray());
        assertArrayEquals(new long[] {6, 8, 9, 16, 18, 19, 21, 23, 24}, ceil.indices().toLongArray());
        // a last window that would start in the right padding is dropped: L=5, k=2, s=2, p=1 gives 3, not 4
        Tensor v = Tensor.of(new float[] {1, 2, 3, 4, 5}, 1, 5).maxPool1d(2, 2, 1, 1, true);
        assertArrayEquals(new float[] {1, 3, 5}, v.toFloatArray());
    }

    @Test
    void paddingIsNegativeInfinity() {
        Tensor x = Tensor.of(new double[] {-1, -2, -3}, 1, 1, 3);
        PoolResult r = x.maxPool1dWithIndices(3, 1, 1, 1, false);
        assertArrayEquals(new double[] {-1, -1, -2}, r.values().toDoubleArray());
        assertArrayEquals(new long[] {0, 0, 1}, r.indices().toLongArray());
    }

    @Test
    void nanPropagates() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 3, 4, 5, 6, 7, 8}, 1, 1, 2, 4);
        float[] v = x.maxPool2d(2).toFloatArray();
        assertTrue(Float.isNaN(v[0]));
        assertEquals(8f, v[1]);
        PoolResult r = x.maxPool2dWithIndices(2);
        assertTrue(Float.isNaN(r.values().toFloatArray()[0]));
        assertArrayEquals(new long[] {1, 7}, r.indices().toLongArray());
    }

    @Test
    void averagePoolingByHand() {
        Tensor x = Tensor.arange(16).to(DType.FLOAT32).reshape(1, 1, 4, 4);
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, x.avgPool2d(2).toFloatArray());
        assertArrayEquals(new float[] {10, 18, 42, 50},
            x.avgPool2d(new int[] {2, 2}, null, Z2, false, true, 1).toFloatArray());
        // padding 1, kernel 3, stride 1 on [1, 2, 3]: sums 3, 6, 5 over 3 slots or over the 2-3 real ones
        Tensor y = Tensor.of(new float[] {1, 2, 3}, 1, 1, 3);
        assertArrayEquals(new float[] {1, 2, 5f / 3}, y.avgPool1d(3, 1, 1, false, true).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {1.5f, 2, 2.5f}, y.avgPool1d(3, 1, 1, false, false).toFloatArray(), 1e-6f);
        // ceil mode: the overhanging last window averages only what exists (it is not padding)
        Tensor z = Tensor.of(new double[] {1, 2, 3, 4, 5}, 1, 1, 5);
        assertArrayEquals(new double[] {1.5, 3.5, 5}, z.avgPool1d(2, 2, 0, true, true).toDoubleArray());
        assertArrayEquals(new double[] {1.5, 3.5}, z.avgPool1d(2).toDoubleArray());
    }

    @Test
    void avgPool2dPaddingCornerDivisors() {
        Tensor x = Tensor.ones(1, 1, 2, 2);
        // kernel 2, stride 1, padding 1: 3x3 output; corner windows hold 1 real element of 4 slots
        Tensor inc = x.avgPool2d(new int[] {2, 2}, new int[] {1, 1}, ONE2, false);
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f, 0.5f, 1, 0.5f, 0.25f, 0.5f, 0.25f}, inc.toFloatArray());
        Tensor exc = x.avgPool2d(new int[] {2, 2}, new int[] {1, 1}, ONE2, false, false, 0);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, exc.toFloatArray());
    }

    // ------------------------------------------------------------------ naive references

    /** Max pooling straight from the definition: padded positions hold -inf; first maximum wins; NaN wins. */
    private static void refMax(double[] x, int planes, int H, int W, int[] k, int[] s, int[] p, int[] d, int OH, int OW,
                               double[] vals, long[] idx) {
        for (int q = 0; q < planes; q++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    double m = Double.NEGATIVE_INFINITY;
                    long best = -1;
                    for (int a = 0; a < k[0]; a++)
                        for (int b = 0; b < k[1]; b++) {
                            int ih = oh * s[0] - p[0] + a * d[0], iw = ow * s[1] - p[1] + b * d[1];
                            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                            double v = x[(q * H + ih) * W + iw];
                            if (best < 0 || v > m || Double.isNaN(v)) { m = v; best = (long) ih * W + iw; }
                        }
                    vals[(q * OH + oh) * OW + ow] = m;
                    idx[(q * OH + oh) * OW + ow] = best;
                }
    }

    /** Small integers, so that windows often hold several equal maxima. */
    private static Tensor coarse(Random r, DType t, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = r.nextInt(4) - 2;
        return Tensor.of(d, shape).to(t);
    }

    private static int outLen(int in, int k, int s, int p, int d, boolean ceil) {
        int num = in + 2 * p - d * (k - 1) - 1;
        int o = (ceil ? Math.ceilDiv(num, s) : Math.floorDiv(num, s)) + 1;
        if (ceil && (o - 1) * s >= in + p) o--;
        return o;
    }

    @Test
    void twoByTwoArgmaxWithNanInfinitiesAndSignedZerosInEveryPosition() {
        // the 2x2 kernel picks each row's winner, then the bottom one against the top one: the same
        // winner as the sequential rule (first maximum, a later NaN replaces an earlier one)
        double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
        double[] special = {nan, inf, -inf, 0.0, -0.0, 1, -1};
        int H = 5, W = 7, planes = 2; // odd sizes: the last row and column belong to no window
        Random r = new Random(23);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (int rep = 0; rep < 40; rep++) {
                double[] d = new double[planes * H * W];
                for (int i = 0; i < d.length; i++) d[i] = special[r.nextInt(special.length)];
                Tensor x = Tensor.of(d, planes, 1, H, W).to(t);
                int OH = H / 2, OW = W / 2;
                double[] vals = new double[planes * OH * OW];
                long[] idx = new long[vals.length];
                int[] two = {2, 2};
                refMax(x.toDoubleArray(), planes, H, W, two, two, new int[] {0, 0}, new int[] {1, 1}, OH, OW, vals, idx);
                PoolResult res = x.maxPool2dWithIndices(2);
                assertArrayEquals(idx, res.indices().toLongArray(), t + " rep " + rep);
                double[] got = res.values().toDoubleArray();
                for (int i = 0; i < got.length; i++) // by value: Math.max may give +0 where the window's first maximum is -0
                    assertTrue(Double.isNaN(vals[i]) ? Double.isNaN(got[i]) : got[i] == vals[i], t + " rep " + rep + " at " + i);
            }
    }

    @Test
    void maxPoolMatchesReferenceOverSweep() {
        Random r = new Random(21);
        int checked = 0;
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (int[] k : new int[][] {{2, 2}, {3, 3}, {3, 2}, {1, 4}})
                for (int s : new int[] {1, 2, 3})
                    for (int p : new int[] {0, 1})
                        for (int d : new int[] {1, 2})
                            for (boolean ceil : new boolean[] {false, true}) {
                                if (p > k[0] / 2 || p > k[1] / 2) continue;
                                int H = 7, W = 8;
                                // a coarse grid of values makes ties frequent
                                Tensor x = coarse(r, t, 2, 3, H, W);
                                int OH = outLen(H, k[0], s, p, d, ceil), OW = outLen(W, k[1], s, p, d, ceil);
                                double[] vals = new double[6 * OH * OW];
                                long[] idx = new long[vals.length];
                                refMax(x.toDoubleArray(), 6, H, W, k, new int[] {s, s}, new int[] {p, p}, new int[] {d, d}, OH, OW, vals, idx);
                                PoolResult res = x.maxPool2dWithIndices(k, new int[] {s, s}, new int[] {p, p}, new int[] {d, d}, ceil);
                                String what = java.util.Arrays.toString(k) + " s" + s + " p" + p + " d" + d + " ceil" + ceil;
                                assertArrayEquals(new int[] {2, 3, OH, OW}, res.values().shape(), what);
                                assertArrayEquals(vals, res.values().toDoubleArray(), what);
                                assertArrayEquals(idx, res.indices().toLongArray(), what);
                                assertArrayEquals(vals, x.maxPool2d(k, new int[] {s, s}, new int[] {p, p}, new int[] {d, d}, ceil)
                                    .toDoubleArray(), what);
                                checked++;
                            }
        assertTrue(checked > 100, "" + checked);
    }

    private static double[] refAvg(double[] x, int planes, int H, int W, int[] k, int[] s, int[] p, int OH, int OW,
                                   boolean includePad, int divisor) {
        double[] y = new double[planes * OH * OW];
        for (int q = 0; q < planes; q++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    double sum = 0;
                    int real = 0, slots = 0;
                    for (int a = 0; a < k[0]; a++)
                        for (int b = 0; b < k[1]; b++) {
                            int ih = oh * s[0] - p[0] + a, iw = ow * s[1] - p[1] + b;
                            // slots inside input + padding count with countIncludePad; ceil-mode overhang never does
                            if (ih < -p[0] || ih >= H + p[0] || iw < -p[1] || iw >= W + p[1]) continue;
                            slots++;
                            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                            real++;
                            sum += x[(q * H + ih) * W + iw];
                        }
                    y[(q * OH + oh) * OW + ow] = divisor != 0 ? sum / divisor : sum / (includePad ? slots : real);
                }
        return y;
    }

    @Test
    void avgPoolMatchesReferenceOverSweep() {
        Random r = new Random(22);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (int[] k : new int[][] {{2, 2}, {3, 3}, {2, 3}})
                for (int s : new int[] {1, 2, 3})
                    for (int p : new int[] {0, 1})
                        for (boolean ceil : new boolean[] {false, true})
                            for (boolean inc : new boolean[] {false, true})
                                for (int div : new int[] {0, 3}) {
                                    int H = 7, W = 6;
                                    Tensor x = ConvRef.rand(r, t, 2, 2, H, W);
                                    int OH = outLen(H, k[0], s, p, 1, ceil), OW = outLen(W, k[1], s, p, 1, ceil);
                                    double[] ref = refAvg(x.toDoubleArray(), 4, H, W, k, new int[] {s, s}, new int[] {p, p}, OH, OW, inc, div);
                                    Tensor y = x.avgPool2d(k, new int[] {s, s}, new int[] {p, p}, ceil, inc, div);
                                    assertArrayEquals(new int[] {2, 2, OH, OW}, y.shape());
                                    ConvRef.assertClose(ref, y, t == DType.FLOAT32 ? 1e-6 : 1e-14,
                                        java.util.Arrays.toString(k) + " s" + s + " p" + p + " ceil" + ceil + " inc" + inc + " div" + div);
                                }
    }

    @Test
    void oneDimensionalPoolingMatchesTwoDimensionalWithHeightOne() {
        Random r = new Random(23);
        Tensor x = ConvRef.rand(r, DType.FLOAT32, 3, 2, 11);
        PoolResult a = x.maxPool1dWithIndices(3, 2, 1, 2, true);
        PoolResult b = x.unsqueeze(2).maxPool2dWithIndices(new int[] {1, 3}, new int[] {1, 2}, new int[] {0, 1}, new int[] {1, 2}, true);
        assertArrayEquals(b.values().toFloatArray(), a.values().toFloatArray());
        assertArrayEquals(b.indices().toLongArray(), a.indices().toLongArray());
        assertArrayEquals(new int[] {3, 2, a.values().size(2)}, a.values().shape());
        Tensor u = x.select(0, 1).avgPool1d(3, 2, 1, false, false); // unbatched [C, L]
        assertArrayEquals(new int[] {2, 6}, u.shape());
        assertArrayEquals(x.select(0, 1).unsqueeze(1).avgPool2d(new int[] {1, 3}, new int[] {1, 2}, new int[] {0, 1}, false, false, 0)
            .squeeze(1).toFloatArray(), u.toFloatArray());
    }

    @Test
    void stridedInputsAndUnbatched() {
        Random r = new Random(24);
        Tensor nhwc = ConvRef.rand(r, DType.FLOAT32, 2, 6, 7, 3);
        Tensor x = nhwc.permute(0, 3, 1, 2);
        assertFalse(x.isContiguous());
        assertArrayEquals(x.contiguous().maxPool2d(2).toFloatArray(), x.maxPool2d(2).toFloatArray());
        assertArrayEquals(x.contiguous().avgPool2d(3).toFloatArray(), x.avgPool2d(3).toFloatArray());
        PoolResult a = x.maxPool2dWithIndices(2), b = x.contiguous().maxPool2dWithIndices(2);
        assertArrayEquals(b.indices().toLongArray(), a.indices().toLongArray());
        Tensor plane = x.select(0, 1); // [3, 6, 7], strided and offset
        Tensor pu = plane.maxPool2d(2);
        assertArrayEquals(new int[] {3, 3, 3}, pu.shape());
        assertArrayEquals(x.maxPool2d(2).select(0, 1).toFloatArray(), pu.toFloatArray());
        // reference check on the strided input directly
        double[] vals = new double[6 * 9];
        long[] idx = new long[vals.length];
        refMax(x.toDoubleArray(), 6, 6, 7, new int[] {2, 2}, new int[] {2, 2}, Z2, ONE2, 3, 3, vals, idx);
        ConvRef.assertClose(vals, x.maxPool2d(2), 0, "strided max");
    }

    @Test
    void validationMessages() {
        Tensor x = Tensor.zeros(1, 1, 4, 4);
        assertMessage(() -> x.maxPool2d(new int[] {3, 3}, null, new int[] {2, 2}, ONE2, false),
            "maxPool2d: padding [2, 2] must be at most half the kernel size [3, 3]");
        assertMessage(() -> x.maxPool2d(5), "maxPool2d: input [1, 1, 4, 4] is too small for kernel [5, 5]", "output size would be [0, 0]");
        assertMessage(() -> x.maxPool2d(0), "maxPool2d: kernel must be positive");
        assertMessage(() -> x.maxPool2d(2, 0), "maxPool2d: stride must be positive");
        assertMessage(() -> x.maxPool2d(new int[] {2, 2}, null, Z2, new int[] {0, 1}, false), "maxPool2d: dilation must be positive");
        assertMessage(() -> Tensor.zeros(4, 4).maxPool2d(2), "maxPool2d: expected a 3-d (unbatched) or 4-d (batched) input", "[4, 4]");
        assertMessage(() -> x.to(DType.INT32).avgPool2d(2), "avgPool2d: expected a float32 or float64 input, got int32");
        assertMessage(() -> x.avgPool2d(new int[] {2, 2}, null, Z2, false, true, -1), "avgPool2d: divisorOverride must be positive");
        assertMessage(() -> Tensor.zeros(1, 0, 4).maxPool1d(2), "maxPool1d: input [1, 0, 4] has a zero-size dimension 1");
        assertMessage(() -> x.maxPool2dWithIndices(new int[] {2}, null, Z2, ONE2, false), "maxPool2dWithIndices: kernel must have 2 value(s)");
        // an empty batch is allowed
        assertArrayEquals(new int[] {0, 2, 2, 2}, Tensor.zeros(0, 2, 4, 4).maxPool2d(2).shape());
    }
}
