package dev.fathom.ops;

import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.autograd.Scope;
import dev.fathom.backend.Parallel;
import dev.fathom.backend.Simd;
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
 *
 * <p>Gradients: max pooling adds each output gradient at the index its forward chose (so a tie
 * sends it to the first maximum, the returned index); average pooling spreads it over the window
 * with the forward's divisor. Both backwards are linear ops recorded with their own adjoints, so
 * second derivatives work. The kernels keep the indices as int32 (what the backward reads); the
 * {@code WithIndices} methods return an int64 copy, as PyTorch does.
 *
 * <p>Float32 2×2 stride-2 max pooling (every CNN's) runs forward on {@link PoolVec} where the Vector
 * API is available, with the same values and indices as the scalar loop.
 */
public final class Pool {
    private Pool() {}

    /** Resolved geometry: {@code planes} images of {@code h×w} pooled to {@code oh×ow}. */
    private record Win(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                       int dh, int dw, int oh, int ow, int[] inShape, int[] outShape) {
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
            new int[] {dilation}, ceilMode, false, false).values();
    }

    /** {@link #maxPool1d} also returning, per output, the int64 index of the maximum within L. */
    public static PoolResult maxPool1dWithIndices(Tensor input, int kernel, int stride, int padding, int dilation,
                                                  boolean ceilMode) {
        return max("maxPool1dWithIndices", 1, input, new int[] {kernel}, new int[] {stride}, new int[] {padding},
            new int[] {dilation}, ceilMode, true, false);
    }

    /**
     * {@code torch.nn.functional.max_pool2d} on {@code [N, C, H, W]} or {@code [C, H, W]};
     * {@code kernel}, {@code stride} (null means the kernel size), {@code padding} and
     * {@code dilation} are (height, width) pairs.
     */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return max("maxPool2d", 2, input, kernel, stride, padding, dilation, ceilMode, false, false).values();
    }

    /**
     * {@code maxPool2d(relu(input))} in one pass, with the same values and gradients: the maximum
     * of the rectified window is the rectified maximum of the window, taken at the same element,
     * and the gradient reaches that element only where it is positive (relu's derivative there).
     * As a layer sequence ReLU then MaxPool2d, without the rectified input ever being stored.
     */
    public static Tensor reluMaxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                       boolean ceilMode) {
        return max("reluMaxPool2d", 2, input, kernel, stride, padding, dilation, ceilMode, false, true).values();
    }

    /** {@link #maxPool2d} also returning, per output, the int64 index of the maximum within H*W of its plane. */
    public static PoolResult maxPool2dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding,
                                                  int[] dilation, boolean ceilMode) {
        return max("maxPool2dWithIndices", 2, input, kernel, stride, padding, dilation, ceilMode, true, false);
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
                padding[0], padding[1], dilation[0], dilation[1], out[0], out[1], xs, outShape)
            : new Win(planes, 1, xs[xs.length - 1], 1, kernel[0], 1, st[0], 0, padding[0], 1, dilation[0],
                1, out[0], xs, outShape);
    }

    /** Planes per task so that a task does roughly {@code 1 << 15} window reads. */
    private static int grain(Win p) {
        long work = (long) p.oh * p.ow * p.kh * p.kw;
        return (int) Math.max(1, (1 << 15) / Math.max(1, work));
    }

    // ------------------------------------------------------------------ max pooling

    /**
     * Max pooling, of {@code relu(input)} with {@code relu}: the window maxima rectified, and an
     * index of -1 (no element: a zero gradient) where the maximum is not positive.
     */
    private static PoolResult max(String op, int sp, Tensor input, int[] kernel, int[] stride, int[] padding,
                                  int[] dilation, boolean ceilMode, boolean withIndices, boolean relu) {
        Win p = geometry(op, sp, input, kernel, stride, padding, dilation, ceilMode);
        if (!Graph.recording(input)) return withIndices ? userIndices(maxKernel(p, input, true, relu))
            : maxKernel(p, input, false, relu);
        PoolResult r;
        try (Scope ignored = Graph.pause()) {
            r = maxKernel(p, input, true, relu);
        }
        // the int32 indices are a (non-differentiable) input of the node; nothing else holds them
        String name = (relu ? "reluMaxPool" : "maxPool") + sp + "d";
        Graph.record(name, r.values(), (s, g) -> new Tensor[] {maxScatter(name, p, g, s.input(1)), null},
            input, r.indices());
        return withIndices ? userIndices(r) : new PoolResult(r.values(), null);
    }

    /** The kernels' int32 indices as the int64 tensor PyTorch returns (a copy: changing it cannot touch a gradient). */
    private static PoolResult userIndices(PoolResult r) {
        return new PoolResult(r.values(), r.indices().to(DType.INT64));
    }

    /**
     * Max pooling's backward: each output gradient added at its window's argmax (overlapping
     * windows may add several to one element). Linear in the gradient; its own backward is the
     * gather of the incoming gradient at the same indices.
     */
    private static Tensor maxScatter(String name, Win p, Tensor g, Tensor indices) {
        return Graph.run(name + "Backward", () -> scatterKernel(p, g, indices),
            (s, v) -> new Tensor[] {maxGather(name, p, v, s.input(1)), null}, g, indices);
    }

    /** The adjoint of {@link #maxScatter}: per output, the input-shaped {@code v} at its argmax. */
    private static Tensor maxGather(String name, Win p, Tensor v, Tensor indices) {
        return Graph.run(name + "Gather", () -> gatherKernel(p, v, indices),
            (s, g) -> new Tensor[] {maxScatter(name, p, g, s.input(1)), null}, v, indices);
    }

    // An index of -1 (relu-fused pooling whose window maximum is not positive) selects no element.

    private static Tensor scatterKernel(Win p, Tensor g, Tensor indices) {
        Tensor gc = g.contiguous(), ic = indices.contiguous(), out = Tensor.empty(g.dtype(), p.inShape);
        int[] idx = ic.storage().ints();
        int io = ic.offset(), go = gc.offset(), hw = p.h * p.w, ohw = p.oh * p.ow;
        int grain = Math.max(1, (1 << 15) / Math.max(1, ohw));
        boolean fast = p.twoByTwo();
        if (gc.storage().array() instanceof float[] gf) {
            float[] xf = out.storage().floats();
            Parallel.forRange(p.planes, grain, (s, e) -> {
                for (int q = s; q < e; q++) {
                    if (fast) {
                        scatter2x2(gf, go + q * ohw, idx, io + q * ohw, xf, q * hw, p.w, p.oh, p.ow);
                        continue;
                    }
                    for (int o = q * ohw, end = o + ohw; o < end; o++) {
                        int i = idx[io + o];
                        if (i >= 0) xf[q * hw + i] += gf[go + o];
                    }
                }
            });
        } else {
            double[] gd = gc.storage().doubles(), xd = out.storage().doubles();
            Parallel.forRange(p.planes, grain, (s, e) -> {
                for (int q = s; q < e; q++)
                    for (int o = q * ohw, end = o + ohw; o < end; o++) {
                        int i = idx[io + o];
                        if (i >= 0) xd[q * hw + i] += gd[go + o];
                    }
            });
        }
        return out;
    }

    /**
     * {@link #scatterKernel} of one plane for 2×2 windows with stride 2: each input element lies in
     * at most one window, so each gradient is stored, not added, into the fresh zero array; a window
     * without an element (index -1) stores a zero at its first element instead. Branch-free: the
     * target is an int select and the zero a bit mask (a float select compiled to a branch, which
     * random indices mispredict). One store per window: a vector version writing every element of
     * the rows (zeros included) was slower in the cnn step, which is bound by memory traffic here.
     */
    private static void scatter2x2(float[] g, int go, int[] idx, int io, float[] x, int xo, int W, int OH, int OW) {
        for (int oh = 0; oh < OH; oh++) {
            for (int ow = 0, o = oh * OW, pos = 2 * oh * W; ow < OW; ow++, o++, pos += 2) {
                int at = idx[io + o], keep = ~(at >> 31); // all ones for an element, zero for -1
                // 0 + g, as the general scatter's add to zero gives (a -0 gradient lands as +0)
                x[xo + (at >= 0 ? at : pos)] = 0f + Float.intBitsToFloat(Float.floatToRawIntBits(g[go + o]) & keep);
            }
        }
    }

    // ------------------------------------------------------------------ for ConvPool (relu-fused 2×2, stride 2, float32)

    /**
     * {@code planes} planes of {@code h×w} at {@code x[xo ..]} pooled as {@link #reluMaxPool2d} with
     * 2×2 windows of stride 2 into {@code y} and the int32 {@code idx} at {@code yo}, on this thread.
     */
    static void reluMax2x2(float[] x, int xo, int planes, int h, int w, float[] y, int[] idx, int yo) {
        int oh = h / 2, ow = w / 2, hw = h * w, ohw = oh * ow;
        for (int q = 0; q < planes; q++) max2x2Plane(x, xo + q * hw, w, y, idx, yo + q * ohw, oh, ow, true);
    }

    /** One plane's float32 2×2 stride-2 max pooling ({@code oh×ow} windows), on the vector kernel where there is one. */
    private static void max2x2Plane(float[] x, int xo, int w, float[] y, int[] idx, int yo, int oh, int ow, boolean relu) {
        if (Simd.AVAILABLE) PoolVec.max2x2(x, xo, w, y, idx, yo, oh, ow, relu);
        else max2x2(x, xo, w, y, idx, yo, ow, 0, oh, relu);
    }

    /**
     * The backward of {@link #reluMax2x2} into {@code x[xo ..]} ({@code planes} planes of
     * {@code h×w}, overwritten: zero except where a window's gradient lands), on this thread.
     */
    static void reluScatter2x2(float[] g, int go, int[] idx, int io, int planes, int h, int w, float[] x, int xo) {
        int oh = h / 2, ow = w / 2, hw = h * w, ohw = oh * ow;
        Arrays.fill(x, xo, xo + planes * hw, 0f);
        for (int q = 0; q < planes; q++) scatter2x2(g, go + q * ohw, idx, io + q * ohw, x, xo + q * hw, w, oh, ow);
    }

    /**
     * The recorded (differentiable again) backward of a relu-fused 2×2 stride-2 max pooling of an
     * input of {@code inShape} ({@code [N, C, H, W]}) whose int32 argmax {@code indices} the
     * forward gave: the gradient {@code g} scattered back, as {@link #reluMaxPool2d}'s own node does.
     */
    static Tensor reluMaxScatter2x2(Tensor g, Tensor indices, int[] inShape) {
        int[] os = g.shape();
        Win p = new Win(os[0] * os[1], inShape[2], inShape[3], 2, 2, 2, 2, 0, 0, 1, 1, os[2], os[3], inShape, os);
        return maxScatter("reluMaxPool2d", p, g, indices);
    }

    private static Tensor gatherKernel(Win p, Tensor v, Tensor indices) {
        Tensor vc = v.contiguous(), ic = indices.contiguous(), out = Tensor.empty(v.dtype(), p.outShape);
        int[] idx = ic.storage().ints();
        int io = ic.offset(), vo = vc.offset(), hw = p.h * p.w, ohw = p.oh * p.ow;
        int grain = Math.max(1, (1 << 15) / Math.max(1, ohw));
        if (vc.storage().array() instanceof float[] vf) {
            float[] yf = out.storage().floats();
            Parallel.forRange(p.planes, grain, (s, e) -> {
                for (int q = s; q < e; q++)
                    for (int o = q * ohw, end = o + ohw; o < end; o++) {
                        int i = idx[io + o];
                        yf[o] = i >= 0 ? vf[vo + q * hw + i] : 0f;
                    }
            });
        } else {
            double[] vd = vc.storage().doubles(), yd = out.storage().doubles();
            Parallel.forRange(p.planes, grain, (s, e) -> {
                for (int q = s; q < e; q++)
                    for (int o = q * ohw, end = o + ohw; o < end; o++) {
                        int i = idx[io + o];
                        yd[o] = i >= 0 ? vd[vo + q * hw + i] : 0;
                    }
            });
        }
        return out;
    }

    private static PoolResult maxKernel(Win p, Tensor input, boolean withIndices, boolean relu) {
        Tensor x = input.contiguous();
        Tensor y = Tensor.empty(input.dtype(), p.outShape);
        Tensor ix = withIndices ? Tensor.empty(DType.INT32, p.outShape) : null;
        int[] idx = withIndices ? ix.storage().ints() : null;
        int xo = x.offset(), hw = p.h * p.w, ohw = p.oh * p.ow;
        boolean fast = p.twoByTwo();
        // clipped window bounds are the same for every plane: compute them once
        int[] hLo = new int[p.oh], hHi = new int[p.oh], wLo = new int[p.ow], wHi = new int[p.ow];
        bounds(p.oh, p.h, p.kh, p.sh, p.ph, p.dh, hLo, hHi);
        bounds(p.ow, p.w, p.kw, p.sw, p.pw, p.dw, wLo, wHi);
        int[] kLo = new int[p.kw], kHi = new int[p.kw];
        tapRanges(p, kLo, kHi);
        if (x.storage().array() instanceof float[] xf) {
            float[] yf = y.storage().floats();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                for (int q = s; q < e; q++) {
                    if (fast) {
                        max2x2Plane(xf, xo + q * hw, p.w, yf, idx, q * ohw, p.oh, p.ow, relu);
                        continue;
                    }
                    if (idx == null) maxRows(xf, xo + q * hw, yf, q * ohw, p, hLo, hHi, kLo, kHi);
                    else maxPlane(xf, xo + q * hw, yf, idx, q * ohw, p, hLo, hHi, wLo, wHi);
                    if (relu) rectify(yf, idx, q * ohw, ohw);
                }
            });
        } else {
            double[] xd = x.storage().doubles(), yd = y.storage().doubles();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                for (int q = s; q < e; q++) {
                    if (fast) max2x2(xd, xo + q * hw, yd, idx, q * ohw, p);
                    else if (idx == null) maxRows(xd, xo + q * hw, yd, q * ohw, p, hLo, hHi, kLo, kHi);
                    else maxPlane(xd, xo + q * hw, yd, idx, q * ohw, p, hLo, hHi, wLo, wHi);
                    if (relu) rectify(yd, idx, q * ohw, ohw);
                }
            });
        }
        return new PoolResult(y, ix);
    }

    /**
     * relu applied to pooled maxima {@code y[o .. o+n)}: {@code max(m, 0)} (NaN stays NaN, as relu
     * keeps it), and index -1 where {@code m} is not positive, where relu's derivative is 0.
     */
    private static void rectify(float[] y, int[] idx, int o, int n) {
        for (int i = o; i < o + n; i++) {
            float m = y[i];
            if (idx != null && !(m > 0)) idx[i] = -1;
            y[i] = Math.max(m, 0f);
        }
    }

    private static void rectify(double[] y, int[] idx, int o, int n) {
        for (int i = o; i < o + n; i++) {
            double m = y[i];
            if (idx != null && !(m > 0)) idx[i] = -1;
            y[i] = Math.max(m, 0);
        }
    }

    /** For each kernel column, the output columns {@code [lo, hi)} whose input column lies inside the image. */
    private static void tapRanges(Win p, int[] kLo, int[] kHi) {
        for (int kw = 0; kw < p.kw; kw++) {
            int off = kw * p.dw - p.pw;
            kLo[kw] = off >= 0 ? 0 : Math.min(p.ow, (-off + p.sw - 1) / p.sw);
            int last = p.w - 1 - off;
            kHi[kw] = Math.max(kLo[kw], last < 0 ? 0 : Math.min(p.ow, last / p.sw + 1));
        }
    }

    /** PyTorch's window clipping: first in-range position (stepping by the dilation) and one past the last. */
    private static void bounds(int out, int in, int k, int s, int pad, int d, int[] lo, int[] hi) {
        for (int o = 0; o < out; o++) {
            int start = o * s - pad;
            hi[o] = Math.min(start + (k - 1) * d + 1, in);
            while (start < 0) start += d;
            lo[o] = start;
        }
    }

    /**
     * Values-only max pooling that runs the output column innermost: each step updates a different
     * output, so the loop is bound by throughput rather than by one long chain of dependent maxima.
     * Padding is -inf, so out-of-range taps are simply skipped.
     */
    private static void maxRows(float[] x, int xo, float[] y, int yo, Win p, int[] hLo, int[] hHi, int[] kLo, int[] kHi) {
        int W = p.w, OW = p.ow, sw = p.sw;
        for (int oh = 0; oh < p.oh; oh++) {
            int o = yo + oh * OW;
            java.util.Arrays.fill(y, o, o + OW, Float.NEGATIVE_INFINITY);
            for (int ih = hLo[oh]; ih < hHi[oh]; ih += p.dh) {
                int row = xo + ih * W;
                for (int kw = 0; kw < p.kw; kw++) {
                    int lo = kLo[kw], hi = kHi[kw];
                    int src = row + lo * sw + kw * p.dw - p.pw;
                    if (sw == 1) {
                        for (int ow = lo; ow < hi; ow++, src++) y[o + ow] = Math.max(y[o + ow], x[src]);
                    } else {
                        for (int ow = lo; ow < hi; ow++, src += sw) y[o + ow] = Math.max(y[o + ow], x[src]);
                    }
                }
            }
        }
    }

    private static void maxRows(double[] x, int xo, double[] y, int yo, Win p, int[] hLo, int[] hHi, int[] kLo, int[] kHi) {
        int W = p.w, OW = p.ow, sw = p.sw;
        for (int oh = 0; oh < p.oh; oh++) {
            int o = yo + oh * OW;
            java.util.Arrays.fill(y, o, o + OW, Double.NEGATIVE_INFINITY);
            for (int ih = hLo[oh]; ih < hHi[oh]; ih += p.dh) {
                int row = xo + ih * W;
                for (int kw = 0; kw < p.kw; kw++) {
                    int lo = kLo[kw], hi = kHi[kw];
                    int src = row + lo * sw + kw * p.dw - p.pw;
                    if (sw == 1) {
                        for (int ow = lo; ow < hi; ow++, src++) y[o + ow] = Math.max(y[o + ow], x[src]);
                    } else {
                        for (int ow = lo; ow < hi; ow++, src += sw) y[o + ow] = Math.max(y[o + ow], x[src]);
                    }
                }
            }
        }
    }

    // PyTorch takes a new maximum when (v > m || isnan(v)): ties keep the first, NaN propagates. The
    // loops below write that without data-dependent branches (random data would mispredict half of
    // them): the index moves by a conditional select, and Math.max gives the same value (NaN wins).

    private static void maxPlane(float[] x, int xo, float[] y, int[] idx, int yo, Win p,
                                 int[] hLo, int[] hHi, int[] wLo, int[] wHi) {
        int W = p.w, dh = p.dh, dw = p.dw;
        for (int oh = 0; oh < p.oh; oh++) {
            int hs = hLo[oh], he = hHi[oh], o = yo + oh * p.ow;
            for (int ow = 0; ow < p.ow; ow++, o++) {
                int ws = wLo[ow], we = wHi[ow];
                float m = Float.NEGATIVE_INFINITY;
                if (idx == null) {
                    for (int ih = hs; ih < he; ih += dh)
                        for (int i = xo + ih * W + ws, e = xo + ih * W + we; i < e; i += dw) m = Math.max(m, x[i]);
                } else {
                    int best = hs * W + ws;
                    for (int ih = hs; ih < he; ih += dh) {
                        for (int iw = ws, pos = ih * W + ws; iw < we; iw += dw, pos += dw) {
                            float v = x[xo + pos];
                            boolean take = (v > m) | (v != v);
                            best = take ? pos : best;
                            m = Math.max(m, v);
                        }
                    }
                    idx[o] = best;
                }
                y[o] = m;
            }
        }
    }

    private static void maxPlane(double[] x, int xo, double[] y, int[] idx, int yo, Win p,
                                 int[] hLo, int[] hHi, int[] wLo, int[] wHi) {
        int W = p.w, dh = p.dh, dw = p.dw;
        for (int oh = 0; oh < p.oh; oh++) {
            int hs = hLo[oh], he = hHi[oh], o = yo + oh * p.ow;
            for (int ow = 0; ow < p.ow; ow++, o++) {
                int ws = wLo[ow], we = wHi[ow];
                double m = Double.NEGATIVE_INFINITY;
                if (idx == null) {
                    for (int ih = hs; ih < he; ih += dh)
                        for (int i = xo + ih * W + ws, e = xo + ih * W + we; i < e; i += dw) m = Math.max(m, x[i]);
                } else {
                    int best = hs * W + ws;
                    for (int ih = hs; ih < he; ih += dh) {
                        for (int iw = ws, pos = ih * W + ws; iw < we; iw += dw, pos += dw) {
                            double v = x[xo + pos];
                            boolean take = (v > m) | (v != v);
                            best = take ? pos : best;
                            m = Math.max(m, v);
                        }
                    }
                    idx[o] = best;
                }
                y[o] = m;
            }
        }
    }

    /**
     * Rows {@code [from, to)} of the 2×2 stride-2 windows of one plane ({@code x[xo ..]} of width
     * {@code W} into {@code OW} columns at {@code y[yo ..]}); with {@code relu} as {@link #rectify}
     * in the same pass.
     */
    static void max2x2(float[] x, int xo, int W, float[] y, int[] idx, int yo, int OW, int from, int to, boolean relu) {
        float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
        for (int oh = from; oh < to; oh++) {
            int r0 = xo + 2 * oh * W, r1 = r0 + W, o = yo + oh * OW;
            if (idx == null) {
                for (int ow = 0; ow < OW; ow++) {
                    int i = 2 * ow;
                    y[o + ow] = Math.max(Math.max(Math.max(x[r0 + i], x[r0 + i + 1]), Math.max(x[r1 + i], x[r1 + i + 1])), floor);
                }
            } else if (relu) {
                for (int ow = 0, pos = 2 * oh * W; ow < OW; ow++, pos += 2) {
                    float a = x[r0 + 2 * ow], b = x[r0 + 2 * ow + 1], c = x[r1 + 2 * ow], d = x[r1 + 2 * ow + 1];
                    int topAt = (b > a) | (b != b) ? pos + 1 : pos, botAt = (d > c) | (d != d) ? pos + W + 1 : pos + W;
                    float top = Math.max(a, b), bot = Math.max(c, d), m = Math.max(top, bot);
                    int at = (bot > top) | (bot != bot) ? botAt : topAt;
                    idx[o + ow] = m > 0 ? at : -1;
                    y[o + ow] = Math.max(m, 0f);
                }
            } else {
                for (int ow = 0, pos = 2 * oh * W; ow < OW; ow++, pos += 2) {
                    float a = x[r0 + 2 * ow], b = x[r0 + 2 * ow + 1], c = x[r1 + 2 * ow], d = x[r1 + 2 * ow + 1];
                    // the sequential rule as a two-level tree (same winner, shorter dependency chain):
                    // each row's winner, then the bottom one replaces the top one on the same test
                    // (int selects and Math.max compile without branches; float selects did not)
                    int topAt = (b > a) | (b != b) ? pos + 1 : pos, botAt = (d > c) | (d != d) ? pos + W + 1 : pos + W;
                    float top = Math.max(a, b), bot = Math.max(c, d);
                    idx[o + ow] = (bot > top) | (bot != bot) ? botAt : topAt;
                    y[o + ow] = Math.max(top, bot);
                }
            }
        }
    }

    private static void max2x2(double[] x, int xo, double[] y, int[] idx, int yo, Win p) {
        int W = p.w, OW = p.ow;
        for (int oh = 0; oh < p.oh; oh++) {
            int r0 = xo + 2 * oh * W, r1 = r0 + W, o = yo + oh * OW;
            if (idx == null) {
                for (int ow = 0; ow < OW; ow++) {
                    int i = 2 * ow;
                    y[o + ow] = Math.max(Math.max(x[r0 + i], x[r0 + i + 1]), Math.max(x[r1 + i], x[r1 + i + 1]));
                }
            } else {
                for (int ow = 0, pos = 2 * oh * W; ow < OW; ow++, pos += 2) {
                    double a = x[r0 + 2 * ow], b = x[r0 + 2 * ow + 1], c = x[r1 + 2 * ow], d = x[r1 + 2 * ow + 1];
                    // the sequential rule as a two-level tree (same winner, shorter dependency chain):
                    // each row's winner, then the bottom one replaces the top one on the same test
                    // (int selects and Math.max compile without branches; float selects did not)
                    int topAt = (b > a) | (b != b) ? pos + 1 : pos, botAt = (d > c) | (d != d) ? pos + W + 1 : pos + W;
                    double top = Math.max(a, b), bot = Math.max(c, d);
                    idx[o + ow] = (bot > top) | (bot != bot) ? botAt : topAt;
                    y[o + ow] = Math.max(top, bot);
                }
            }
        }
    }

    // ------------------------------------------------------------------ average pooling

    private static Tensor avg(String op, int sp, Tensor input, int[] kernel, int[] stride, int[] padding,
                              boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        Win p = geometry(op, sp, input, kernel, stride, padding, sp == 2 ? new int[] {1, 1} : new int[] {1}, ceilMode);
        // PyTorch's divisor is (window rows) * (window columns), each clipped to input + padding
        // (countIncludePad) or to the input: separable, so computed once per output row and column
        int[] hLo = new int[p.oh], hHi = new int[p.oh], hDiv = new int[p.oh], wDiv = new int[p.ow];
        for (int oh = 0; oh < p.oh; oh++) {
            int hs = oh * p.sh - p.ph;
            hLo[oh] = Math.max(hs, 0);
            hHi[oh] = Math.min(hs + p.kh, p.h);
            hDiv[oh] = countIncludePad ? Math.min(hs + p.kh, p.h + p.ph) - hs : hHi[oh] - hLo[oh];
        }
        for (int ow = 0; ow < p.ow; ow++) {
            int ws = ow * p.sw - p.pw;
            wDiv[ow] = countIncludePad ? Math.min(ws + p.kw, p.w + p.pw) - ws : Math.min(ws + p.kw, p.w) - Math.max(ws, 0);
        }
        int[] kLo = new int[p.kw], kHi = new int[p.kw];
        tapRanges(p, kLo, kHi);
        return avgPool("avgPool" + sp + "d", p, new Div(hLo, hHi, hDiv, wDiv, kLo, kHi, divisorOverride), input);
    }

    /** Average pooling; its backward spreads each output gradient over its window ({@link #avgSpread}). */
    private static Tensor avgPool(String name, Win p, Div d, Tensor x) {
        return Graph.run(name, () -> avgKernel(p, d, x), (s, g) -> new Tensor[] {avgSpread(name, p, d, g)}, Saves.NONE, x);
    }

    /**
     * Average pooling's backward, its adjoint: each output gradient divided by its window's
     * divisor and added to every input element of the window (padding taps dropped). Linear; its
     * own backward is the average pooling again.
     */
    private static Tensor avgSpread(String name, Win p, Div d, Tensor g) {
        return Graph.run(name + "Backward", () -> spreadKernel(p, d, g), (s, v) -> new Tensor[] {avgPool(name, p, d, v)}, Saves.NONE, g);
    }

    private static Tensor avgKernel(Win p, Div d, Tensor input) {
        Tensor x = input.contiguous();
        Tensor y = Tensor.empty(input.dtype(), p.outShape);
        int xo = x.offset(), hw = p.h * p.w, ohw = p.oh * p.ow;
        boolean fast = p.twoByTwo() && d.override == 0;
        if (x.storage().array() instanceof float[] xf) {
            float[] yf = y.storage().floats();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                for (int q = s; q < e; q++) {
                    if (fast) avg2x2(xf, xo + q * hw, yf, q * ohw, p);
                    else avgRows(xf, xo + q * hw, yf, q * ohw, p, d);
                }
            });
        } else {
            double[] xd = x.storage().doubles(), yd = y.storage().doubles();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                for (int q = s; q < e; q++) {
                    if (fast) avg2x2(xd, xo + q * hw, yd, q * ohw, p);
                    else avgRows(xd, xo + q * hw, yd, q * ohw, p, d);
                }
            });
        }
        return y;
    }

    private static Tensor spreadKernel(Win p, Div d, Tensor g) {
        Tensor gc = g.contiguous(), x = Tensor.empty(g.dtype(), p.inShape);
        int go = gc.offset(), hw = p.h * p.w, ohw = p.oh * p.ow;
        if (gc.storage().array() instanceof float[] gf) {
            float[] xf = x.storage().floats();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                float[] row = new float[p.ow];
                for (int q = s; q < e; q++) spreadRows(gf, go + q * ohw, xf, q * hw, p, d, row);
            });
        } else {
            double[] gd = gc.storage().doubles(), xd = x.storage().doubles();
            Parallel.forRange(p.planes, grain(p), (s, e) -> {
                double[] row = new double[p.ow];
                for (int q = s; q < e; q++) spreadRows(gd, go + q * ohw, xd, q * hw, p, d, row);
            });
        }
        return x;
    }

    /** Per-row and per-column window bounds and divisors of an average pooling (shared by every plane). */
    private record Div(int[] hLo, int[] hHi, int[] hDiv, int[] wDiv, int[] kLo, int[] kHi, int override) {}

    /**
     * Average pooling with the output column innermost (independent accumulators, not one long
     * dependent sum per output). Each output still adds its window row by row, left to right,
     * exactly PyTorch's order; a window with no input element gives 0.
     */
    private static void avgRows(float[] x, int xo, float[] y, int yo, Win p, Div d) {
        int W = p.w, OW = p.ow, sw = p.sw;
        for (int oh = 0; oh < p.oh; oh++) {
            int o = yo + oh * OW;
            java.util.Arrays.fill(y, o, o + OW, 0f);
            for (int ih = d.hLo[oh]; ih < d.hHi[oh]; ih++) {
                int row = xo + ih * W;
                for (int kw = 0; kw < p.kw; kw++) {
                    int base = row + kw - p.pw;
                    for (int ow = d.kLo[kw], hi = d.kHi[kw]; ow < hi; ow++) y[o + ow] += x[base + ow * sw];
                }
            }
            int hd = d.hDiv[oh];
            for (int ow = 0; ow < OW; ow++) {
                int div = d.override != 0 ? d.override : hd * d.wDiv[ow];
                y[o + ow] = div > 0 && d.hHi[oh] > d.hLo[oh] ? y[o + ow] / div : 0f;
            }
        }
    }

    private static void avgRows(double[] x, int xo, double[] y, int yo, Win p, Div d) {
        int W = p.w, OW = p.ow, sw = p.sw;
        for (int oh = 0; oh < p.oh; oh++) {
            int o = yo + oh * OW;
            java.util.Arrays.fill(y, o, o + OW, 0);
            for (int ih = d.hLo[oh]; ih < d.hHi[oh]; ih++) {
                int row = xo + ih * W;
                for (int kw = 0; kw < p.kw; kw++) {
                    int base = row + kw - p.pw;
                    for (int ow = d.kLo[kw], hi = d.kHi[kw]; ow < hi; ow++) y[o + ow] += x[base + ow * sw];
                }
            }
            int hd = d.hDiv[oh];
            for (int ow = 0; ow < OW; ow++) {
                int div = d.override != 0 ? d.override : hd * d.wDiv[ow];
                y[o + ow] = div > 0 && d.hHi[oh] > d.hLo[oh] ? y[o + ow] / div : 0;
            }
        }
    }

    /** The adjoint of {@link #avgRows}: {@code row} is scratch of {@code p.ow} elements for one row of g / divisor. */
    private static void spreadRows(float[] g, int go, float[] x, int xo, Win p, Div d, float[] row) {
        int W = p.w, OW = p.ow, sw = p.sw;
        for (int oh = 0; oh < p.oh; oh++) {
            if (d.hHi[oh] <= d.hLo[oh]) continue;
            int o = go + oh * OW, hd = d.hDiv[oh];
            for (int ow = 0; ow < OW; ow++) {
                int div = d.override != 0 ? d.override : hd * d.wDiv[ow];
                row[ow] = div > 0 ? g[o + ow] / div : 0f;
            }
            for (int ih = d.hLo[oh]; ih < d.hHi[oh]; ih++) {
                int r = xo + ih * W;
                for (int kw = 0; kw < p.kw; kw++) {
                    int base = r + kw - p.pw;
                    for (int ow = d.kLo[kw], hi = d.kHi[kw]; ow < hi; ow++) x[base + ow * sw] += row[ow];
                }
            }
        }
    }

    private static void spreadRows(double[] g, int go, double[] x, int xo, Win p, Div d, double[] row) {
        int W = p.w, OW = p.ow, sw = p.sw;
        for (int oh = 0; oh < p.oh; oh++) {
            if (d.hHi[oh] <= d.hLo[oh]) continue;
            int o = go + oh * OW, hd = d.hDiv[oh];
            for (int ow = 0; ow < OW; ow++) {
                int div = d.override != 0 ? d.override : hd * d.wDiv[ow];
                row[ow] = div > 0 ? g[o + ow] / div : 0;
            }
            for (int ih = d.hLo[oh]; ih < d.hHi[oh]; ih++) {
                int r = xo + ih * W;
                for (int kw = 0; kw < p.kw; kw++) {
                    int base = r + kw - p.pw;
                    for (int ow = d.kLo[kw], hi = d.kHi[kw]; ow < hi; ow++) x[base + ow * sw] += row[ow];
                }
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
