package dev.fathom.ops;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Pool#reluMaxPool2d} against its definition, {@code maxPool2d(relu(x))}: the same values and
 * the same first and second derivatives, bit for bit, over window geometries (the 2×2 stride-2 fast
 * path and the general one), both float types, odd sizes, batch 1, non-contiguous inputs, ties,
 * zeros, negative windows and NaN.
 */
class ReluMaxPoolTest {
    private static final int[] Z2 = {0, 0}, ONE2 = {1, 1};

    /** Coarse values (many ties and zeros, whole windows of negatives) with some NaN and infinities. */
    private static Tensor data(Random r, DType t, boolean specials, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] d = new double[n];
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0};
        for (int i = 0; i < n; i++)
            d[i] = specials && r.nextInt(20) == 0 ? special[r.nextInt(special.length)] : r.nextInt(7) - 4;
        return Tensor.of(d, shape).to(t);
    }

    /** An output gradient with signed zeros among small whole values (a -0 must arrive as +0, as an add to zero gives). */
    private static Tensor gradient(Random r, DType t, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] d = new double[n], pick = {-0.0, 0.0, -2, -1, 0.5, 1, 3};
        for (int i = 0; i < n; i++) d[i] = pick[r.nextInt(pick.length)];
        return Tensor.of(d, shape).to(t);
    }

    private static void assertSame(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        double[] a = want.toDoubleArray(), b = got.toDoubleArray();
        for (int i = 0; i < a.length; i++)
            assertEquals(Double.doubleToLongBits(a[i]), Double.doubleToLongBits(b[i]), what + " at " + i + ": " + a[i] + " vs " + b[i]);
    }

    /** Values, and the input gradient for a random output gradient, of the fused and the unfused op. */
    private static void compare(Tensor x, int[] k, int[] s, int[] p, int[] d, boolean ceil, Random r, String what) {
        Tensor want = Pool.maxPool2d(x.relu(), k, s, p, d, ceil);
        try (var ignored = Autograd.noGrad()) {
            assertSame(want, Pool.reluMaxPool2d(x, k, s, p, d, ceil), what + " (no grad)");
        }
        Tensor a = x.detach().requiresGrad(true), b = x.detach().requiresGrad(true);
        Tensor ya = Pool.maxPool2d(a.relu(), k, s, p, d, ceil), yb = Pool.reluMaxPool2d(b, k, s, p, d, ceil);
        assertSame(ya, yb, what);
        Tensor g = gradient(r, x.dtype(), ya.shape());
        ya.backward(g);
        yb.backward(g);
        assertSame(a.grad(), b.grad(), what + " grad");
    }

    @Test
    void matchesReluThenMaxPoolOverGeometries() {
        Random r = new Random(5);
        int checked = 0;
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (int[] k : new int[][] {{2, 2}, {3, 3}, {3, 2}})
                for (int s : new int[] {1, 2})
                    for (int p : new int[] {0, 1})
                        for (int d : new int[] {1, 2})
                            for (boolean ceil : new boolean[] {false, true})
                                for (int[] hw : new int[][] {{7, 8}, {6, 5}, {28, 28}}) {
                                    if (p > k[0] / 2 || p > k[1] / 2) continue;
                                    Tensor x = data(r, t, true, 2, 3, hw[0], hw[1]);
                                    compare(x, k, new int[] {s, s}, new int[] {p, p}, new int[] {d, d}, ceil, r,
                                        t + " k" + java.util.Arrays.toString(k) + " s" + s + " p" + p + " d" + d + " ceil" + ceil
                                            + " " + java.util.Arrays.toString(hw));
                                    checked++;
                                }
        assertTrue(checked > 200, "" + checked);
    }

    /**
     * Float32 2×2 pooling (relu fused into its loop; on the Vector API where it is available)
     * against float64 (the scalar loop, relu applied after it) on the same values: the same maxima,
     * indices and gradients, over even and odd sizes, rows of one partial chunk of windows, of whole
     * chunks (16 and 32 windows fill 512-bit vectors) and of whole chunks and a partial one.
     */
    @Test
    void float32TwoByTwoMatchesFloat64ScalarKernel() {
        Random r = new Random(8);
        int[] two = {2, 2};
        for (int[] hw : new int[][] {{28, 28}, {14, 14}, {32, 34}, {5, 7}, {2, 17}, {9, 2}, {4, 32}, {3, 64}, {5, 71}, {2, 2}}) {
            Tensor x32 = data(r, DType.FLOAT32, true, 3, 5, hw[0], hw[1]), x64 = x32.to(DType.FLOAT64);
            String what = java.util.Arrays.toString(hw);
            PoolResult a = Pool.maxPool2dWithIndices(x32, two, two, Z2, ONE2, false);
            PoolResult b = Pool.maxPool2dWithIndices(x64, two, two, Z2, ONE2, false);
            assertSame(b.values(), a.values(), what);
            assertArrayEquals(b.indices().toLongArray(), a.indices().toLongArray(), what);
            try (var ignored = Autograd.noGrad()) {
                assertSame(Pool.maxPool2d(x64, two, two, Z2, ONE2, false), Pool.maxPool2d(x32, two, two, Z2, ONE2, false), what);
                assertSame(Pool.reluMaxPool2d(x64, two, two, Z2, ONE2, false), Pool.reluMaxPool2d(x32, two, two, Z2, ONE2, false),
                    what + " relu");
            }
            Tensor g32 = x32.detach().requiresGrad(true), g64 = x64.detach().requiresGrad(true);
            Tensor y32 = Pool.reluMaxPool2d(g32, two, two, Z2, ONE2, false), y64 = Pool.reluMaxPool2d(g64, two, two, Z2, ONE2, false);
            assertSame(y64, y32, what + " relu, recorded");
            Tensor g = gradient(r, DType.FLOAT64, y64.shape());
            y64.backward(g);
            y32.backward(g.to(DType.FLOAT32));
            assertSame(g64.grad(), g32.grad(), what + " relu grad");
        }
    }

    @Test
    void batchOneUnbatchedAndNonContiguous() {
        Random r = new Random(6);
        int[] two = {2, 2};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            compare(data(r, t, true, 1, 4, 14, 14), two, two, Z2, ONE2, false, r, t + " batch 1");
            compare(data(r, t, true, 4, 9, 9), two, two, Z2, ONE2, false, r, t + " unbatched");
            // channels-last storage viewed as NCHW, and a narrowed (offset) view
            Tensor cl = data(r, t, true, 2, 6, 10, 3).permute(0, 3, 1, 2);
            assertFalse(cl.isContiguous());
            compare(cl, two, two, Z2, ONE2, false, r, t + " permuted");
            compare(data(r, t, true, 3, 3, 8, 8).narrow(1, 1, 2), two, two, Z2, ONE2, false, r, t + " narrowed");
        }
    }

    @Test
    void negativeWindowsGiveZeroAndNoGradient() {
        Tensor x = Tensor.of(new float[] {
            -1, -2, 3, 1,
            -3, -0f, 1, 3,
            0, 0, Float.NaN, 1,
            0, -5, 2, 2}, 1, 1, 4, 4).requiresGrad(true);
        Tensor y = Pool.reluMaxPool2d(x, new int[] {2, 2}, null, Z2, ONE2, false);
        double[] v = y.toDoubleArray();
        assertEquals(0.0, v[0]);
        assertEquals(0, Double.doubleToLongBits(v[0]), "+0, as relu gives");
        assertEquals(3.0, v[1]);
        assertEquals(0.0, v[2]);
        assertTrue(Double.isNaN(v[3]));
        y.backward(Tensor.of(new float[] {10, 20, 30, 40}, 1, 1, 2, 2));
        // only the first maximum of the positive window gets a gradient; NaN's relu derivative is 0
        assertArrayEquals(new float[] {0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, x.grad().toFloatArray());
    }

    @Test
    void gradcheckFirstAndSecondOrder() {
        Generator g = new Generator(3);
        // distinct values away from 0 and from each other, so finite differences do not cross a kink
        Tensor x = Tensor.randperm(g, 2 * 2 * 5 * 6).to(DType.FLOAT64).sub(60.3).div(7).reshape(2, 2, 5, 6).requiresGrad(true);
        for (int[] k : new int[][] {{2, 2}, {3, 3}}) {
            int[] s = {k[0] == 2 ? 2 : 1, k[0] == 2 ? 2 : 1};
            GradCheck.Report first = GradCheck.check(in -> Pool.reluMaxPool2d(in[0], k, s, Z2, ONE2, false).pow(2L), x);
            assertTrue(first.passed(), first.toString());
            GradCheck.Report second = GradCheck.checkSecondOrder(in -> Pool.reluMaxPool2d(in[0], k, s, Z2, ONE2, false).pow(2L), x);
            assertTrue(second.passed(), second.toString());
        }
    }
}
