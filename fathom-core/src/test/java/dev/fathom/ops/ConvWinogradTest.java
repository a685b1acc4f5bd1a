package dev.fathom.ops;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Float32 3×3 stride-1 convolutions with enough channels for the Winograd F(2×2, 3×3) kernels
 * (where 512-bit vectors exist; elsewhere the same checks cover the im2col path) against the same
 * convolution in float64 (the general path): forward with and without bias, input gradient (the
 * transposed convolution), weight and bias gradients, on odd and even sizes (ragged last tile row
 * and column), batch 1 (which stays on im2col) and batches that split into blocks spanning images, padding 0, 1, 2 and
 * "same", channel counts that are not multiples of 16, non-contiguous inputs, gradients of only
 * some arguments, the public transposed convolution itself, and a double backward.
 */
class ConvWinogradTest {
    /**
     * Every element within {@code 1e-5} of the largest expected magnitude: the sums here run over up
     * to 12,544 terms with cancellation (a weight gradient over a batch of 64), where float32 errors
     * scale with the terms, not with the result; the im2col path's errors on these cases measured
     * the same (at most 2e-6 of the largest), a wrong transform gives errors of order one.
     */
    private static void assertClose(double[] expected, Tensor actual, String what) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, what + ": length");
        double max = 1;
        for (double e : expected) max = Math.max(max, Math.abs(e));
        for (int i = 0; i < a.length; i++)
            if (!(Math.abs(a[i] - expected[i]) <= 1e-5 * max))
                fail(what + ": element " + i + " is " + a[i] + ", expected " + expected[i] + " (largest " + max + ")");
    }

    private record Cfg(int n, int c, int o, int h, int w, int pad) {}

    private static final Cfg[] CFGS = {
        new Cfg(64, 32, 64, 14, 14, 1),  // the cnn workload's conv2 (blocks spanning images)
        new Cfg(1, 32, 64, 14, 14, 1),   // batch 1 (im2col: one image's tiles do not fill the products)
        new Cfg(2, 32, 64, 14, 14, 1),   // the smallest batch on Winograd
        new Cfg(3, 16, 16, 7, 9, 1),     // odd sizes: ragged last tile row and column
        new Cfg(2, 17, 19, 8, 5, 0),     // no padding, channels not multiples of 16
        new Cfg(2, 20, 33, 5, 6, 2),     // padding 2: output larger than the input
        new Cfg(2, 16, 18, 1, 1, 1),     // a single pixel
        new Cfg(5, 24, 40, 3, 30, 1),    // wide rows: several tiles per row, a block of many rows
    };

    @Test
    void float32MatchesFloat64() {
        Random r = new Random(7);
        for (Cfg c : CFGS) {
            Tensor x64 = ConvRef.rand(r, DType.FLOAT64, c.n, c.c, c.h, c.w);
            Tensor w64 = ConvRef.rand(r, DType.FLOAT64, c.o, c.c, 3, 3);
            Tensor b64 = ConvRef.rand(r, DType.FLOAT64, c.o);
            int oh = c.h + 2 * c.pad - 2, ow = c.w + 2 * c.pad - 2;
            Tensor gy = ConvRef.rand(r, DType.FLOAT64, c.n, c.o, oh, ow);
            for (boolean bias : new boolean[] {true, false}) {
                Tensor[] e = run(c, x64, w64, bias ? b64 : null, gy);
                Tensor[] a = run(c, x64.to(DType.FLOAT32), w64.to(DType.FLOAT32), bias ? b64.to(DType.FLOAT32) : null, gy);
                String[] what = {"forward", "input gradient", "weight gradient", "bias gradient"};
                for (int i = 0; i < (bias ? 4 : 3); i++)
                    assertClose(e[i].toDoubleArray(), a[i], c + " bias " + bias + " " + what[i]);
            }
        }
    }

    private static Tensor[] run(Cfg c, Tensor x, Tensor w, Tensor b, Tensor gy) {
        x = x.detach().requiresGrad(true);
        w = w.detach().requiresGrad(true);
        if (b != null) b = b.detach().requiresGrad(true);
        int[] one = {1, 1}, p = {c.pad, c.pad};
        Tensor y = Conv.conv2d(x, w, b, one, p, one, 1);
        y.backward(gy.to(y.dtype()));
        return new Tensor[] {y, x.grad(), w.grad(), b == null ? null : b.grad()};
    }

    @Test
    void sameNonContiguousAndPartialGradients() {
        Random r = new Random(8);
        // [n, h, w, c] permuted to [n, c, h, w]: a non-contiguous input
        Tensor xt = ConvRef.rand(r, DType.FLOAT64, 3, 11, 10, 18).permute(0, 3, 1, 2);
        Tensor w = ConvRef.rand(r, DType.FLOAT64, 21, 18, 3, 3);
        Tensor gy = ConvRef.rand(r, DType.FLOAT64, 3, 21, 11, 10);
        int[] one = {1, 1};
        // input gradient only, then weight gradient only
        for (int which = 0; which < 2; which++) {
            Tensor[] res = new Tensor[2];
            for (DType t : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
                Tensor x = xt.to(t), k = w.to(t);
                if (which == 0) x = x.detach().requiresGrad(true);
                else k = k.detach().requiresGrad(true);
                Tensor y = Conv.conv2d(x, k, null, one, "same", one, 1);
                y.backward(gy.to(t));
                res[t == DType.FLOAT64 ? 0 : 1] = which == 0 ? x.grad() : k.grad();
                if (t == DType.FLOAT32) {
                    double[] ref = ConvRef.conv2d(xt.toDoubleArray(), new int[] {3, 18, 11, 10}, w.toDoubleArray(),
                        w.shape(), null, one, new int[] {1, 1, 1, 1}, one, 1, new int[4]);
                    assertClose(ref, y, "same forward");
                }
            }
            assertClose(res[0].toDoubleArray(), res[1], which == 0 ? "input gradient" : "weight gradient");
        }
    }

    @Test
    void transposedConvolutionMatchesFloat64() {
        Random r = new Random(9);
        // convTranspose2d(stride 1) with padding 0, 1, 2: the adjoint kernel's offsets -2, -1, 0
        for (int pad = 0; pad <= 2; pad++) {
            Tensor x = ConvRef.rand(r, DType.FLOAT64, 2, 20, 9, 8);
            Tensor w = ConvRef.rand(r, DType.FLOAT64, 20, 17, 3, 3);
            Tensor b = ConvRef.rand(r, DType.FLOAT64, 17);
            int[] one = {1, 1}, p = {pad, pad}, z = {0, 0};
            Tensor e = Conv.convTranspose2d(x, w, b, one, p, z, 1, one);
            Tensor a = Conv.convTranspose2d(x.to(DType.FLOAT32), w.to(DType.FLOAT32), b.to(DType.FLOAT32), one, p, z, 1, one);
            assertClose(e.toDoubleArray(), a, "convTranspose2d padding " + pad);
        }
    }

    @Test
    void doubleBackwardMatchesFloat64() {
        Random r = new Random(10);
        Tensor x = ConvRef.rand(r, DType.FLOAT64, 2, 16, 6, 7), w = ConvRef.rand(r, DType.FLOAT64, 18, 16, 3, 3);
        Tensor[][] res = new Tensor[2][];
        for (DType t : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Tensor xi = x.to(t).detach().requiresGrad(true), wi = w.to(t).detach().requiresGrad(true);
            int[] one = {1, 1};
            Tensor y = Conv.conv2d(xi, wi, null, one, one, one, 1);
            Tensor[] g = Autograd.grad(y.mul(y).sum(), new Tensor[] {xi, wi}, true);
            // second order: d/d(x, w) of |dx|² + |dw|²
            Tensor s = g[0].mul(g[0]).sum().add(g[1].mul(g[1]).sum());
            res[t == DType.FLOAT64 ? 0 : 1] = Autograd.grad(s, new Tensor[] {xi, wi}, false);
        }
        assertClose(res[0][0].toDoubleArray(), res[1][0], "second-order input gradient");
        assertClose(res[0][1].toDoubleArray(), res[1][1], "second-order weight gradient");
    }
}
