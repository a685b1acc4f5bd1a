package dev.fathom.ops;

import dev.fathom.backend.Parallel;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * Max and average pooling with {@code torch.nn.functional} semantics (NCHW, float32 and float64):
 * {@code maxPool1d/2d} (optionally with the argmax indices), {@code avgPool1d/2d}.
 *
 * <p>Output size per dimension is {@code floor((in + 2*pad - dilation*(k-1) - 1) / stride) + 1}
 * (ceil instead of floor with {@code ceilMode}, dropping a last window that would start inside
 * the right padding). Max pooling pads with -inf and propagates NaN; ties go to the first
 * maximum in row-major window order. Planes ({@code N*C}) are split across the worker pool; 1-d
 * pooling runs the 2-d kernels with a height of 1.
 */
public final class Pool {
    private Pool() {}

    /** Resolved geometry: {@code planes} images of {@code h×w} pooled to {@code oh×ow}. */
    private record Win(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                       int dh, int dw, int oh, int ow, int[] outShape) {
        /** 2×2 windows with stride 2, no padding or dilation, every window fully inside the input. */
        boolean twoByTwo() {
            return kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1
                && 2 * oh <= h && 2 * ow <= w;
        }
    }

    // ------------------------------------------------------------------ public API

    /**
     * {@code torch.nn.functional.max_pool1d} on {@code [N, C, L]} or {@code [C, L]}: the maximum
     * of each window of {@code kernel} elements ({@code dilation} apart), windows {@code stride}
     * apart, with {@code padding} implicit -inf on both sides.
     */
    public static Tensor maxPool1d(Tensor input, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return max("maxPool1d", 1, input, new int[] {kernel}, new int[] {stride}, new int[] {padding},
            new int[] {dilation}, ceilMode, false).values();
    }

    /** {@link #maxPool1d} also returning, per output, the int64 index of the maximum within L. */
    public static PoolResult maxPool1dWithIndices(Tensor input, int kernel, int stride, int padding, int dilation,
                                                  boolean ceilMode) {
        return max("maxPool1dWithIndices", 1, input, new int[] {kernel}, new int[] {stride}, new int[] {padding},
            new int[] {dilation}, ceilMode, true);
    }

    /**
     * {@code torch.nn.functional.max_pool2d} on {@code [N, C, H, W]} or {@code [C, H, W]};
     * {@code kernel}, {@code stride} (null means the kernel size), {@code padding} and
     * {@code dilation} are (height, width) pairs.
     */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return max("maxPool2d", 2, input, kernel, stride, padding, dilation, ceilMode, false).values();
    }

    /** {@link #maxPool2d} also returning, per output, the int64 index of the maximum within H*W of its plane. */
    public static PoolResult maxPool2dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding,
                                                  int[] dilation, boolean ceilMode) {
        return max("maxPool2dWithIndices", 2, input, kernel, stride, padding, dilation, ceilMode, true);
    }

    /**
     * {@code torch.nn.functional.avg_pool1d} on {@code [N, C, L]} or {@code [C, L]}: the mean of
     * each window; with {@code countIncludePad} zero padding counts towards the divisor.
     */
    public static Tensor avgPool1d(Tensor input, int kernel, int stride, int padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return avg("avgPool1d", 1, input, new int[] {kernel}, new int[] {stride}, new int[] {padding}, ceilMode,
            countIncludePad, 0);
    }

    /**
     * {@code torch.nn.functional.avg_pool2d} on {@code [N, C, H, W]} or {@code [C, H, W]};
     * {@code stride} null means the kernel size; {@code divisorOverride} 0 means none, otherwise
     * every window sum is divided by it.
     */
    public static Tensor avgPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad, int divisorOverride) {
        if (divisorOverride < 0)
            throw new IllegalArgumentException("avgPool2d: divisorOverride must be positive (or 0 for none), got "
                + divisorOverride);
        return avg("avgPool2d", 2, input, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    // ------------------------------------------------------------------ geometry and validation

    private static int[] values(String op, String name, int[] v, int sp, int min) {
        if (v == null) throw new IllegalArgumentException(op + ": " + name + " is null; expected " + sp + " value(s)");
        if (v.length != sp)
            throw new IllegalArgumentException(op + ": " + name + " must have " + sp + " value(s), got " + Arrays.toString(v));
        for (int x : v)
            if (x < min)
                throw new IllegalArgumentException(op + ": " + name + " must be " + (min == 0 ? "non-negative" : "positive")
                    + ", got " + Arrays.toString(v));
        return v;
    }

    /** PyTorch's pooling_output_shape. */
    private static long outSize(int in, int k, int pad, int stride, int dil, boolean ceil) {
        long num = (long) in + 2L * pad - (long) dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
        long out = Math.floorDiv(num, stride) + 1;
        // the last window must start inside the input or the left padding
        if (ceil && (out - 1) * stride >= (long) in + pad) out--;
        return out;
    }

    private static Win geometry(String op, int sp, Tensor input, int[] kernel, int[] stride, int[] padding,
                                int[] dilation, boolean ceilMode) {
        if (input == null) throw new IllegalArgumentException(op + ": input is null");
        DType t = input.dtype();
        if (!t.isFloatingPoint())
            throw new IllegalArgumentException(op + ": expected a float32 or float64 input, got " + t + " (shape "
                + Shapes.format(input.shape()) + ")");
        int[] xs = input.shape();
        if (xs.length != sp + 1 && xs.length != sp + 2)
            throw new IllegalArgumentException(op + ": expected a " + (sp + 1) + "-d (unbatched) or " + (sp + 2)
                + "-d (batched) input, got shape " + Shapes.format(xs));
        for (int i = xs.length == sp + 2 ? 1 : 0; i < xs.length; i++)
            if (xs[i] == 0)
                throw new IllegalArgumentException(op + ": input " + Shapes.format(xs) + " has a zero-size dimension "
                    + i + "; only the batch dimension may be empty");
        values(op, "kernel", kernel, sp, 1);
        int[] st = stride == null ? kernel : values(op, "stride", stride, sp, 1);
        values(op, "padding", padding, sp, 0);
        values(op, "dilation", dilation, sp, 1);
        for (int i = 0; i < sp; i++)
            if (padding[i] > kernel[i] / 2)
                throw new IllegalArgumentException(op + ": padding " + Arrays.toString(padding)
                    + " must be at most half the kernel size " + Arrays.toString(kernel));
        int[] out = new int[sp];
        for (int i = 0; i < sp; i++) {
            long o = outSize(xs[xs.length - sp + i], kernel[i], padding[i], st[i], dilation[i], ceilMode);
            if (o < 1) {
                long[] all = new long[sp];
                for (int j = 0; j < sp; j++)
                    all[j] = outSize(xs[xs.length - sp + j], kernel[j], padding[j], st[j], dilation[j], ceilMode);
                throw new IllegalArgumentException(op + ": input " + Shapes.format(xs) + " is too small for kernel "
                    + Arrays.toString(kernel) + " with stride " + Arrays.toString(st) + ", padding "
                    + Arrays.toString(padding) + " and dilation " + Arrays.toString(dilation)
                    + ": the output size would be " + Arrays.toString(all));
            }
            out[i] = (int) o;
        }
        int planes = 1;
        for (int i = 0; i < xs.length - sp; i++) planes *= xs[i];
        int[] outShape = xs.clone();
        for (int i = 0; i < sp; i++) outShape[xs.length - sp + i] = out[i];
        return sp == 2
            ? new Win(planes, xs[xs.length - 2], xs[xs.length - 1], kernel[0], kernel[1], st[0], st[1],
                padding[0], padding[1], dilation[0], dilation[1], out[0], out[1], outShape)
            : new Win(planes, 1, xs[xs.length - 1], 1, kernel[0], 1, st[0], 0, padding[0], 1, dilation[0],
                1, out[0], outShape);
    }

    /** Planes per task so that a task does roughly {@code 1 << 15} window reads. */
    private static int grain(Win p) {
        long work = (long) p.oh * p.ow * p.kh * p.kw;
        return (int) Math.max(1, (1 << 15) / Math.max(1, work));
    }

    // ------------------------------------------------------------------ max pooling

    private static PoolResult max(String op, int sp, Tensor input, int[] kernel, int[] stride, int[] padding,
                                  int[] dilation, boolean ceilMode, boolean withIndices) {
        Win p = geometry(op, sp, input, kernel, stride, padding, dilation, ceilMode);
        Tensor x = input.contiguous();
        Tensor y = Tensor.empty(input.dtype(), p.outShape);
        Tensor ix = withIndices ? Tensor.empty(DType.INT64, p.outShape) : null;
        long[] idx = withIndices ? ix.storage().longs() : null;
        int xo = x.offset(), hw = p.h * p.w, ohw = p.oh * p.ow;
        boolean fast = p.twoByTwo();
        if (x.storage().array() instanceof float[] xf) {
            float[] yf = y.storage().floats();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                for (int q = s; q < e; q++) {
                    if (fast && idx == null) max2x2(xf, xo + q * hw, yf, q * ohw, p);
                    else maxPlane(xf, xo + q * hw, yf, idx, q * ohw, p);
                }
            });
        } else {
            double[] xd = x.storage().doubles(), yd = y.storage().doubles();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                for (int q = s; q < e; q++) {
                    if (fast && idx == null) max2x2(xd, xo + q * hw, yd, q * ohw, p);
                    else maxPlane(xd, xo + q * hw, yd, idx, q * ohw, p);
                }
            });
        }
        return new PoolResult(y, ix);
    }

    // The comparison (v > m || v is NaN) is PyTorch's: first maximum wins ties, NaN propagates.

    private static void maxPlane(float[] x, int xo, float[] y, long[] idx, int yo, Win p) {
        int W = p.w;
        for (int oh = 0; oh < p.oh; oh++) {
            int hs = oh * p.sh - p.ph, he = Math.min(hs + (p.kh - 1) * p.dh + 1, p.h);
            while (hs < 0) hs += p.dh;
            for (int ow = 0; ow < p.ow; ow++) {
                int ws = ow * p.sw - p.pw, we = Math.min(ws + (p.kw - 1) * p.dw + 1, W);
                while (ws < 0) ws += p.dw;
                int best = hs * W + ws;
                float m = Float.NEGATIVE_INFINITY;
                for (int ih = hs; ih < he; ih += p.dh) {
                    int row = ih * W;
                    for (int iw = ws; iw < we; iw += p.dw) {
                        float v = x[xo + row + iw];
                        if (v > m || v != v) { m = v; best = row + iw; }
                    }
                }
                int o = yo + oh * p.ow + ow;
                y[o] = m;
                if (idx != null) idx[o] = best;
            }
        }
    }

    private static void maxPlane(double[] x, int xo, double[] y, long[] idx, int yo, Win p) {
        int W = p.w;
        for (int oh = 0; oh < p.oh; oh++) {
            int hs = oh * p.sh - p.ph, he = Math.min(hs + (p.kh - 1) * p.dh + 1, p.h);
            while (hs < 0) hs += p.dh;
            for (int ow = 0; ow < p.ow; ow++) {
                int ws = ow * p.sw - p.pw, we = Math.min(ws + (p.kw - 1) * p.dw + 1, W);
                while (ws < 0) ws += p.dw;
                int best = hs * W + ws;
                double m = Double.NEGATIVE_INFINITY;
                for (int ih = hs; ih < he; ih += p.dh) {
                    int row = ih * W;
                    for (int iw = ws; iw < we; iw += p.dw) {
                        double v = x[xo + row + iw];
                        if (v > m || v != v) { m = v; best = row + iw; }
                    }
                }
                int o = yo + oh * p.ow + ow;
                y[o] = m;
                if (idx != null) idx[o] = best;
            }
        }
    }

    private static void max2x2(float[] x, int xo, float[] y, int yo, Win p) {
        int W = p.w, OW = p.ow;
        for (int oh = 0; oh < p.oh; oh++) {
            int r0 = xo + 2 * oh * W, r1 = r0 + W, o = yo + oh * OW;
            for (int ow = 0; ow < OW; ow++) {
                int i = 2 * ow;
                y[o + ow] = Math.max(Math.max(x[r0 + i], x[r0 + i + 1]), Math.max(x[r1 + i], x[r1 + i + 1]));
            }
        }
    }

    private static void max2x2(double[] x, int xo, double[] y, int yo, Win p) {
        int W = p.w, OW = p.ow;
        for (int oh = 0; oh < p.oh; oh++) {
            int r0 = xo + 2 * oh * W, r1 = r0 + W, o = yo + oh * OW;
            for (int ow = 0; ow < OW; ow++) {
                int i = 2 * ow;
                y[o + ow] = Math.max(Math.max(x[r0 + i], x[r0 + i + 1]), Math.max(x[r1 + i], x[r1 + i + 1]));
            }
        }
    }

    // ------------------------------------------------------------------ average pooling

    private static Tensor avg(String op, int sp, Tensor input, int[] kernel, int[] stride, int[] padding,
                              boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        Win p = geometry(op, sp, input, kernel, stride, padding, sp == 2 ? new int[] {1, 1} : new int[] {1}, ceilMode);
        Tensor x = input.contiguous();
        Tensor y = Tensor.empty(input.dtype(), p.outShape);
        int xo = x.offset(), hw = p.h * p.w, ohw = p.oh * p.ow;
        boolean fast = p.twoByTwo() && divisorOverride == 0;
        if (x.storage().array() instanceof float[] xf) {
            float[] yf = y.storage().floats();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                for (int q = s; q < e; q++) {
                    if (fast) avg2x2(xf, xo + q * hw, yf, q * ohw, p);
                    else avgPlane(xf, xo + q * hw, yf, q * ohw, p, countIncludePad, divisorOverride);
                }
            });
        } else {
            double[] xd = x.storage().doubles(), yd = y.storage().doubles();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                for (int q = s; q < e; q++) {
                    if (fast) avg2x2(xd, xo + q * hw, yd, q * ohw, p);
                    else avgPlane(xd, xo + q * hw, yd, q * ohw, p, countIncludePad, divisorOverride);
                }
            });
        }
        return y;
    }

    private static void avgPlane(float[] x, int xo, float[] y, int yo, Win p, boolean includePad, int divisor) {
        int W = p.w;
        for (int oh = 0; oh < p.oh; oh++) {
            int hs = oh * p.sh - p.ph, he = Math.min(hs + p.kh, p.h + p.ph);
            for (int ow = 0; ow < p.ow; ow++) {
                int ws = ow * p.sw - p.pw, we = Math.min(ws + p.kw, W + p.pw);
                // the window clipped to input + padding counts when padding is included
                int poolSize = (he - hs) * (we - ws);
                int h0 = Math.max(hs, 0), h1 = Math.min(he, p.h), w0 = Math.max(ws, 0), w1 = Math.min(we, W);
                int o = yo + oh * p.ow + ow;
                if (h0 >= h1 || w0 >= w1) { y[o] = 0f; continue; }
                float sum = 0f;
                for (int ih = h0; ih < h1; ih++)
                    for (int iw = w0, r = xo + ih * W; iw < w1; iw++) sum += x[r + iw];
                int div = divisor != 0 ? divisor : includePad ? poolSize : (h1 - h0) * (w1 - w0);
                y[o] = sum / div;
            }
        }
    }

    private static void avgPlane(double[] x, int xo, double[] y, int yo, Win p, boolean includePad, int divisor) {
        int W = p.w;
        for (int oh = 0; oh < p.oh; oh++) {
            int hs = oh * p.sh - p.ph, he = Math.min(hs + p.kh, p.h + p.ph);
            for (int ow = 0; ow < p.ow; ow++) {
                int ws = ow * p.sw - p.pw, we = Math.min(ws + p.kw, W + p.pw);
                int poolSize = (he - hs) * (we - ws);
                int h0 = Math.max(hs, 0), h1 = Math.min(he, p.h), w0 = Math.max(ws, 0), w1 = Math.min(we, W);
                int o = yo + oh * p.ow + ow;
                if (h0 >= h1 || w0 >= w1) { y[o] = 0; continue; }
                double sum = 0;
                for (int ih = h0; ih < h1; ih++)
                    for (int iw = w0, r = xo + ih * W; iw < w1; iw++) sum += x[r + iw];
                int div = divisor != 0 ? divisor : includePad ? poolSize : (h1 - h0) * (w1 - w0);
                y[o] = sum / div;
            }
        }
    }

    private static void avg2x2(float[] x, int xo, float[] y, int yo, Win p) {
        int W = p.w, OW = p.ow;
        for (int oh = 0; oh < p.oh; oh++) {
            int r0 = xo + 2 * oh * W, r1 = r0 + W, o = yo + oh * OW;
            for (int ow = 0; ow < OW; ow++) {
                int i = 2 * ow;
                y[o + ow] = (x[r0 + i] + x[r0 + i + 1] + x[r1 + i] + x[r1 + i + 1]) / 4f;
            }
        }
    }

    private static void avg2x2(double[] x, int xo, double[] y, int yo, Win p) {
        int W = p.w, OW = p.ow;
        for (int oh = 0; oh < p.oh; oh++) {
            int r0 = xo + 2 * oh * W, r1 = r0 + W, o = yo + oh * OW;
            for (int ow = 0; ow < OW; ow++) {
                int i = 2 * ow;
                y[o + ow] = (x[r0 + i] + x[r0 + i + 1] + x[r1 + i] + x[r1 + i + 1]) / 4;
            }
        }
    }
}
