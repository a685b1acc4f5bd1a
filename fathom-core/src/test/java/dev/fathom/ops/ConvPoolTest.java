package dev.fathom.ops;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link ConvPool#conv2dReluMaxPool2d} against its definition, {@code reluMaxPool2d(conv2d(..))}:
 * the same forward values bit for bit (the fused op runs the same convolution kernels, on parts of
 * the batch), the same gradients of input, weight and bias up to float32 rounding (the weight and
 * bias sums run in another order), over both fused kernels (Winograd; im2col for patches of at
 * most 9 rows) and shapes that fall back to the composition, odd sizes and channel counts, batches
 * 1, 2 and odd, an input without grad, a weight without grad, no bias, non-contiguous inputs, ties and NaN, a double
 * backward, and a float64 gradcheck (float64 runs the composition).
 */
class ConvPoolTest {
    private static final int[] ONE2 = {1, 1}, Z2 = {0, 0}, K2 = {2, 2};

    private static Tensor fused(Tensor x, Tensor w, Tensor b, int s, int p) {
        return ConvPool.conv2dReluMaxPool2d(x, w, b, new int[] {s, s}, new int[] {p, p}, ONE2, 1, K2, null, Z2, ONE2, false);
    }

    private static Tensor unfused(Tensor x, Tensor w, Tensor b, int s, int p) {
        return Pool.reluMaxPool2d(Conv.conv2d(x, w, b, new int[] {s, s}, new int[] {p, p}, ONE2, 1), K2, K2, Z2, ONE2, false);
    }

    private static void assertSame(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        double[] a = want.toDoubleArray(), b = got.toDoubleArray();
        for (int i = 0; i < a.length; i++)
            assertEquals(Double.doubleToLongBits(a[i]), Double.doubleToLongBits(b[i]), what + " at " + i + ": " + a[i] + " vs " + b[i]);
    }

    /** Within {@code 1e-5} of the largest finite magnitude (float32 sums over a batch in another order); NaN where NaN is expected. */
    private static void assertClose(Tensor want, Tensor got, String what) {
        assertNotNull(got, what + ": no gradient");
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        double[] a = want.toDoubleArray(), b = got.toDoubleArray();
        double max = 1;
        for (double v : a) if (Double.isFinite(v)) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < a.length; i++)
            if (Double.isNaN(a[i]) ? !Double.isNaN(b[i]) : !(Math.abs(a[i] - b[i]) <= 1e-5 * max))
                fail(what + ": element " + i + " is " + b[i] + ", expected " + a[i] + " (largest " + max + ")");
    }

    private static Tensor rand(Random r, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, shape);
    }

    /** Forward (no grad and recorded) and the gradients of every argument that requires one. */
    private static void compare(Tensor x, Tensor w, Tensor b, int s, int p, boolean xGrad, Random r, String what) {
        try (var ignored = Autograd.noGrad()) {
            assertSame(unfused(x, w, b, s, p), fused(x, w, b, s, p), what + " (no grad)");
        }
        Tensor xa = xGrad ? x.detach().requiresGrad(true) : x, xb = xGrad ? x.detach().requiresGrad(true) : x;
        Tensor wa = w.detach().requiresGrad(true), wb = w.detach().requiresGrad(true);
        Tensor ba = b == null ? null : b.detach().requiresGrad(true), bb = b == null ? null : b.detach().requiresGrad(true);
        Tensor ya = unfused(xa, wa, ba, s, p), yb = fused(xb, wb, bb, s, p);
        assertSame(ya, yb, what);
        Tensor g = rand(r, ya.shape());
        ya.backward(g);
        yb.backward(g);
        if (xGrad) assertClose(xa.grad(), xb.grad(), what + " x grad");
        assertClose(wa.grad(), wb.grad(), what + " w grad");
        if (b != null) assertClose(ba.grad(), bb.grad(), what + " b grad");
    }

    private record Cfg(int n, int c, int o, int h, int w, int k, int s, int p) {}

    private static final Cfg[] CFGS = {
        new Cfg(64, 1, 32, 28, 28, 3, 1, 1),  // the cnn's conv1 (one input channel: GreyConvPool's direct kernel)
        new Cfg(64, 32, 64, 14, 14, 3, 1, 1), // the cnn's conv2 (Winograd)
        new Cfg(2, 32, 64, 14, 14, 3, 1, 1),  // the smallest fused batch
        new Cfg(5, 17, 19, 9, 7, 3, 1, 1),    // odd batch, channels and sizes (odd conv output: a dropped row and column)
        new Cfg(3, 16, 16, 8, 9, 3, 1, 0),    // no padding
        new Cfg(3, 16, 37, 11, 10, 3, 1, 0),  // Winograd backward: 37 output channels (a 5-channel tail), odd conv rows
        new Cfg(2, 16, 16, 6, 11, 3, 1, 2),   // padding 2: the input gradient's rows reach past the pooled ones
        new Cfg(3, 3, 5, 11, 10, 1, 1, 0),    // 1×1 kernel on 3 channels (im2col)
        new Cfg(3, 1, 4, 13, 12, 3, 2, 1),    // stride 2 (im2col)
        new Cfg(4, 8, 16, 8, 8, 3, 1, 1),     // 72 patch rows, not Winograd: the composition
        new Cfg(1, 32, 64, 14, 14, 3, 1, 1),  // batch 1: the composition
        new Cfg(1, 1, 32, 28, 28, 3, 1, 1),   // batch 1, first layer
        new Cfg(3, 1, 8, 40, 38, 3, 1, 1),    // one input channel (direct kernel): 19 windows a row, two chunks of columns
        new Cfg(2, 1, 5, 11, 13, 3, 1, 0),    // one input channel, no padding, odd sizes
        new Cfg(2, 1, 6, 9, 8, 3, 1, 2),      // one input channel, padding 2
    };

    @Test
    void matchesConvThenReluMaxPool() {
        Random r = new Random(11);
        for (Cfg c : CFGS) {
            Tensor x = rand(r, c.n, c.c, c.h, c.w), w = rand(r, c.o, c.c, c.k, c.k), b = rand(r, c.o);
            String what = c.toString();
            compare(x, w, b, c.s, c.p, true, r, what);
            compare(x, w, null, c.s, c.p, true, r, what + " no bias");
            compare(x, w, b, c.s, c.p, false, r, what + " x without grad");
        }
    }

    @Test
    void nonContiguousInput() {
        Random r = new Random(12);
        for (int c : new int[] {1, 20}) {
            Tensor base = rand(r, 3, c, 10, 12);
            Tensor x = base.transpose(2, 3); // [3, c, 12, 10], not contiguous
            assertFalse(x.isContiguous());
            compare(x, rand(r, 18, c, 3, 3), rand(r, 18), 1, 1, true, r, "transposed input, " + c + " channels");
        }
    }

    /** A weight without grad (a frozen layer): only the input and bias gradients, on the Winograd path (padding 1 and 0) and the one-channel kernel's. */
    @Test
    void weightWithoutGrad() {
        Random r = new Random(16);
        for (Cfg c : new Cfg[] {new Cfg(3, 16, 20, 10, 9, 3, 1, 1), new Cfg(3, 16, 20, 10, 9, 3, 1, 0), new Cfg(3, 1, 8, 10, 9, 3, 1, 1)}) {
            Tensor x = rand(r, c.n, c.c, c.h, c.w), w = rand(r, c.o, c.c, c.k, c.k), b = rand(r, c.o);
            Tensor xa = x.detach().requiresGrad(true), xb = x.detach().requiresGrad(true);
            Tensor ba = b.detach().requiresGrad(true), bb = b.detach().requiresGrad(true);
            Tensor ya = unfused(xa, w, ba, c.s, c.p), yb = fused(xb, w, bb, c.s, c.p);
            assertSame(ya, yb, c + " frozen weight");
            Tensor g = rand(r, ya.shape());
            ya.backward(g);
            yb.backward(g);
            assertClose(xa.grad(), xb.grad(), c + " frozen weight, x grad");
            assertClose(ba.grad(), bb.grad(), c + " frozen weight, b grad");
            assertNull(w.grad(), c + " frozen weight has no grad");
        }
    }

    /** Integer data: many equal convolution outputs (ties go to the first), whole negative windows, NaN. */
    @Test
    void tiesZerosAndNaN() {
        Random r = new Random(13);
        for (int c : new int[] {1, 16}) {
            int n = 4, h = 9, wd = 10;
            float[] xd = new float[n * c * h * wd];
            for (int i = 0; i < xd.length; i++) xd[i] = r.nextInt(200) == 0 ? Float.NaN : r.nextInt(3) - 1;
            float[] wdat = new float[16 * c * 9];
            for (int i = 0; i < wdat.length; i++) wdat[i] = r.nextInt(3) == 0 ? r.nextInt(3) - 1 : 0;
            Tensor x = Tensor.of(xd, n, c, h, wd), w = Tensor.of(wdat, 16, c, 3, 3);
            compare(x, w, Tensor.of(new float[16], 16), 1, 1, true, r, "ties, " + c + " channels");
        }
    }

    /** A gradient of the gradient (create_graph): the fused op's backward is recorded as the composition's. */
    @Test
    void doubleBackwardMatches() {
        Random r = new Random(14);
        for (int c : new int[] {1, 16}) {
            Tensor x = rand(r, 3, c, 8, 8), w = rand(r, 16, c, 3, 3), b = rand(r, 16);
            Tensor[] want = secondOrder(x, w, b, false), got = secondOrder(x, w, b, true);
            for (int i = 0; i < 3; i++) assertClose(want[i], got[i], c + " channels, second-order grad " + i);
        }
    }

    /** d/d(x, w, b) of sum(grad_(x, w)(sum(y²))²). */
    private static Tensor[] secondOrder(Tensor x0, Tensor w0, Tensor b0, boolean fused) {
        Tensor x = x0.detach().requiresGrad(true), w = w0.detach().requiresGrad(true), b = b0.detach().requiresGrad(true);
        Tensor y = fused ? fused(x, w, b, 1, 1) : unfused(x, w, b, 1, 1);
        Tensor[] g = Autograd.grad(y.mul(y).sum(), new Tensor[] {x, w}, true);
        Tensor z = g[0].mul(g[0]).sum().add(g[1].mul(g[1]).sum());
        return Autograd.grad(z, new Tensor[] {x, w, b}, false);
    }

    /** Float64 runs the composition (the fused kernels are float32): gradients of every order against finite differences. */
    @Test
    void float64Gradcheck() {
        Random r = new Random(15);
        Tensor x = rand(r, 2, 3, 6, 6).to(DType.FLOAT64).requiresGrad(true);
        Tensor w = rand(r, 4, 3, 3, 3).to(DType.FLOAT64).requiresGrad(true), b = rand(r, 4).to(DType.FLOAT64).requiresGrad(true);
        java.util.function.Function<Tensor[], Tensor> f = in -> fused(in[0], in[1], in[2], 1, 1).pow(2L);
        GradCheck.Report first = GradCheck.check(f, x, w, b);
        assertTrue(first.passed(), first.toString());
        GradCheck.Report second = GradCheck.checkSecondOrder(f, x, w, b);
        assertTrue(second.passed(), second.toString());
    }
}
