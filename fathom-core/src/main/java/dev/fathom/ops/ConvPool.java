package dev.fathom.ops;

import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saved;
import dev.fathom.autograd.Saves;
import dev.fathom.autograd.Scope;
import dev.fathom.backend.DirectConv;
import dev.fathom.backend.Im2col;
import dev.fathom.backend.Parallel;
import dev.fathom.backend.Scratch;
import dev.fathom.backend.Winograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * {@code maxPool2d(relu(conv2d(x, w, b)), 2)} as one op: the convolution block of a CNN (a
 * {@code Conv2d}, {@code ReLU}, {@code MaxPool2d(2)} run of layers), with the values, argmax and
 * gradients of that composition, without the convolution's output (or its gradient) ever existing
 * as a whole tensor.
 *
 * <p>The batch is split evenly over one lane per thread of the pool, and each lane's images go in
 * parts of a few ({@link #IMAGE_BYTES} of convolution output each, so that a part's buffers stay in
 * the core's L2). The forward runs the kernels {@link Conv} uses for the whole batch on each part:
 * {@link Winograd} for 3×3 stride-1 convolutions with 16 or more channels both ways, whose output
 * transform hands its channels-last rows straight to the pooling ({@link PoolVec#reluMax2x2Rows});
 * {@link GreyConvPool} for 3×3 stride-1 convolutions of one input channel (a first layer on grey
 * images), computed and pooled in registers; otherwise im2col + {@link DirectConv#gemm} per image
 * (patches of at most 9 rows) into per-thread scratch, pooled from there ({@link Pool#reluMax2x2});
 * all give the composition's values and int32 argmax bit for bit. The backward does the same per part: the
 * input gradient (only where the input needs one) into the part's slice of it, and the weight and
 * bias gradients into partial sums, one per lane, added in lane order (the results do not depend
 * on which thread ran what; they differ from the composition's by float32 rounding, summed in
 * another order). On Winograd the convolution's gradient never exists either: its rows are made
 * channels-last as Winograd copies them into its padded buffers ({@link Winograd.Planes}),
 * scattered through the argmax from the pooled gradient ({@link PoolVec#reluScatter2x2Row}), and
 * with padding 1 once per block for both gradients ({@link Winograd#backwardAdd}); with one input
 * channel the weight gradient is read from the pooled gradient and argmax directly
 * ({@link GreyConvPool#weightGradAdd}); on im2col (and for that kernel's input gradient) the pooled
 * gradient is scattered into scratch ({@link Pool#reluScatter2x2}) and read from there.
 *
 * <p>Only float32 batches of more than one image, one group, and a pooling of 2×2 windows with
 * stride 2, no padding, dilation 1 and no ceil mode take this path, on 512-bit vectors; anything
 * else (batch-1 inference included, where {@link Conv} splits one image's product by output
 * channels) runs the composition of {@link Conv#conv2d} and {@link Pool#reluMaxPool2d}. When the
 * backward itself is being recorded (a gradient of a gradient), it runs as the composition's
 * recorded ops ({@link Pool#reluMaxScatter2x2}, {@link Conv#conv2dGrads}).
 */
public final class ConvPool {
    private ConvPool() {}

    /**
     * {@code Pool.reluMaxPool2d(Conv.conv2d(input, weight, bias, stride, padding, dilation, groups),
     * poolKernel, poolStride, poolPadding, poolDilation, ceilMode)}; {@code poolStride} null means
     * the pool kernel size.
     */
    public static Tensor conv2dReluMaxPool2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                             int[] dilation, int groups, int[] poolKernel, int[] poolStride,
                                             int[] poolPadding, int[] poolDilation, boolean ceilMode) {
        Geo g = fused(input, weight, bias, stride, padding, dilation, groups, poolKernel, poolStride, poolPadding,
            poolDilation, ceilMode);
        if (g == null)
            return Pool.reluMaxPool2d(Conv.conv2d(input, weight, bias, stride, padding, dilation, groups), poolKernel,
                poolStride, poolPadding, poolDilation, ceilMode);
        if (!Graph.recording(input, weight, bias)) return forward(g, input, weight, bias, Kept.NONE)[0];
        // On Winograd with padding 1 the forward keeps the input's padded channels-last rows for the
        // weight gradient (2.2 MB for the cnn's second block at batch 64), which the backward would
        // otherwise gather from the NCHW input again.
        Kept kept = keepsPaddedInput(g) && weight.requiresGrad() ? Kept.of(g) : Kept.NONE;
        Tensor[] r;
        try (Scope ignored = Graph.pause()) { // the copies of non-contiguous arguments leave no nodes
            r = forward(g, input, weight, bias, kept);
        }
        Tensor y = r[0], idx = r[1];
        return Graph.record("conv2dReluMaxPool2d", y, (s, gy) -> backward(g, s, gy, kept), Saves.INPUTS,
            input, weight, bias, idx);
    }

    // ------------------------------------------------------------------ geometry

    /**
     * A fused convolution block: {@code [n, c, h, w]} convolved to {@code [n, o, oh, ow]} and
     * pooled to {@code [n, o, oh/2, ow/2]}; the batch split evenly over {@code lanes}, each lane's
     * images taken {@code per} at a time.
     */
    private record Geo(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw,
                       int dh, int dw, int oh, int ow, boolean wino, boolean grey, int lanes, int per) {
        int patch() { return c * kh * kw; }
        int ohw() { return oh * ow; }
        int chw() { return c * h * w; }
        /** Pooled positions per plane. */
        int pooled() { return (oh / 2) * (ow / 2); }
        /** The first image of lane {@code l} (and one past the last of lane {@code l - 1}). */
        int lane(int l) { return (int) ((long) l * n / lanes); }
        int[] convShape() { return new int[] {n, o, oh, ow}; }
    }

    /** Convolution output per part of the batch, about (kept in L2 between the convolution and the pooling). */
    private static final int IMAGE_BYTES = 1 << 18;

    /** Patch rows (input channels × kernel taps) up to which a convolution off Winograd is fused. */
    private static final int MAX_PATCH = 9;

    private static final boolean WIDE = Im2col.VECTOR && DirectConv.wideGemm();

    /** The fused geometry, or null where the composition must run (unsupported, or invalid: its errors). */
    private static Geo fused(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups,
                             int[] pk, int[] ps, int[] pp, int[] pd, boolean ceil) {
        if (!WIDE || x == null || w == null || groups != 1 || ceil) return null;
        if (x.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32 || (b != null && b.dtype() != DType.FLOAT32))
            return null;
        if (x.ndim() != 4 || w.ndim() != 4 || (b != null && (b.ndim() != 1 || b.size(0) != w.size(0)))) return null;
        if (!pair(stride, 1) || !pair(padding, 0) || !pair(dilation, 1)) return null;
        if (!Arrays.equals(pk, new int[] {2, 2}) || !(ps == null || Arrays.equals(ps, pk))
            || !Arrays.equals(pp, new int[] {0, 0}) || !Arrays.equals(pd, new int[] {1, 1})) return null;
        int[] xs = x.shape(), ws = w.shape();
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        if (n < 2 || c < 1 || o < 1 || kh < 1 || kw < 1 || ws[1] != c) return null;
        long oh = ((long) h + 2L * padding[0] - (long) dilation[0] * (kh - 1) - 1) / stride[0] + 1;
        long ow = ((long) wd + 2L * padding[1] - (long) dilation[1] * (kw - 1) - 1) / stride[1] + 1;
        if (h < 1 || wd < 1 || oh < 2 || ow < 2 || (long) n * o * oh * ow > Integer.MAX_VALUE) return null;
        boolean wino = Conv.winograd(c, o, kh, kw, stride[0], stride[1], dilation[0], dilation[1], groups);
        if (!wino && c * kh * kw > MAX_PATCH) return null;
        int per = (int) Math.max(1, Math.min(n, IMAGE_BYTES / (4L * o * oh * ow)));
        return new Geo(n, c, h, wd, o, kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
            (int) oh, (int) ow, wino, !wino && GreyConvPool.supports(c, kh, kw, stride[0], stride[1], dilation[0], dilation[1]),
            Math.min(n, Parallel.threads()), per);
    }

    /** Whether the block runs {@link Winograd#backwardAdd}, which can read the input rows its forward kept. */
    private static boolean keepsPaddedInput(Geo g) { return g.wino && g.ph == 1 && g.pw == 1; }

    /**
     * The input's padded rows a forward keeps for its backward: {@code image} floats per image of
     * the batch ({@link #NONE}: nothing kept, rows null).
     */
    private record Kept(float[] rows, int image) {
        static final Kept NONE = new Kept(null, 0);

        static Kept of(Geo g) {
            int image = Winograd.keptFloats(g.c, g.h, g.w);
            return new Kept(new float[g.n * image], image);
        }

        /** Where image {@code n0}'s rows start. */
        int at(int n0) { return n0 * image; }
    }

    private static boolean pair(int[] v, int min) {
        return v != null && v.length == 2 && v[0] >= min && v[1] >= min;
    }

    // ------------------------------------------------------------------ per-thread scratch

    /** Slot 0: a part's convolution output (or its gradient); slot 1: one image's patch matrix. */
    private static final Scratch SCRATCH = new Scratch(2);

    /** Scratch up to this many floats is kept per thread. */
    private static final int KEEP = 1 << 21;

    // ------------------------------------------------------------------ forward

    /** The pooled output and its int32 argmax. */
    private static Tensor[] forward(Geo g, Tensor input, Tensor weight, Tensor bias, Kept kept) {
        Tensor x = input.contiguous(), w = weight.contiguous(), b = bias == null ? null : bias.contiguous();
        int[] shape = {g.n, g.o, g.oh / 2, g.ow / 2};
        Tensor y = Tensor.empty(DType.FLOAT32, shape), ix = Tensor.empty(DType.INT32, shape);
        float[] xf = x.storage().floats(), wf = w.storage().floats(), bf = b == null ? null : b.storage().floats();
        float[] yf = y.storage().floats();
        int[] idx = ix.storage().ints();
        int xo = x.offset(), wo = w.offset(), bo = b == null ? 0 : b.offset();
        float[] u = g.wino ? Winograd.weights(wf, wo, g.c, g.o, false) : null;
        Parallel.forRange(g.lanes, 1, (s, e) -> {
            for (int n0 = g.lane(s), end = g.lane(e), m; n0 < end; n0 += m) {
                m = Math.min(g.per, end - n0);
                int xp = xo + n0 * g.chw(), yp = n0 * g.o * g.pooled();
                if (g.wino) {
                    // pooled straight from the output transform's channels-last rows
                    Winograd.forward(Winograd.nchw(xf, xp, g.c, g.h, g.w), m, g.c, g.h, g.w, u, bf, bo, g.o, g.oh, g.ow, -g.ph, -g.pw,
                        (out, op, img, row0, rows) -> PoolVec.reluMax2x2Rows(out, op, g.o, g.ow, row0, rows, yf, idx,
                            yp + img * g.o * g.pooled(), g.ow / 2, g.pooled()),
                        kept.rows(), kept.at(n0));
                } else if (g.grey) {
                    GreyConvPool.forward(xf, xp, m, g.h, g.w, g.ph, g.pw, wf, wo, bf, bo, g.o, g.oh, g.ow, yf, idx, yp);
                } else {
                    float[] conv = SCRATCH.floats(0, m * g.o * g.ohw(), KEEP), col = SCRATCH.floats(1, g.patch() * g.ohw(), KEEP);
                    for (int i = 0; i < m; i++) {
                        int yo = i * g.o * g.ohw();
                        if (bf != null) Conv.fillRows(conv, yo, g.o, g.ohw(), bf, bo);
                        im2col(g, xf, xp + i * g.chw(), col);
                        DirectConv.gemm(g.o, g.ohw(), g.patch(), false, wf, wo, g.patch(), col, 0, g.ohw(), bf != null,
                            conv, yo, g.ohw());
                    }
                    Pool.reluMax2x2(conv, 0, m * g.o, g.oh, g.ow, yf, idx, yp);
                }
            }
        });
        return new Tensor[] {y, ix};
    }

    private static void im2col(Geo g, float[] x, int xOff, float[] col) {
        Im2col.im2col(x, xOff, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow, col, 0);
    }

    // ------------------------------------------------------------------ backward

    /** Inputs of the recorded node: x, w, b, int32 argmax. */
    private static Tensor[] backward(Geo g, Saved s, Tensor gy, Kept kept) {
        boolean needX = s.needsGrad(0), needW = s.needsGrad(1), needB = s.needsGrad(2);
        // the input is only read for the weight gradient, the weight for the input gradient (as Conv's rule)
        Tensor x = needW ? s.input(0) : null, w = needX ? s.input(1) : null, idx = s.input(3);
        if (Graph.recording(gy, x, w)) {
            // a gradient of this gradient will be asked for: the composition's recorded backward
            Tensor gc = Pool.reluMaxScatter2x2(gy, idx, g.convShape());
            int[] st = {g.sh, g.sw}, pd = {g.ph, g.pw}, dl = {g.dh, g.dw};
            Tensor[] r = Conv.conv2dGrads(s.inputShape(0), x, s.inputShape(1), w, st, pd, dl, gc, needX, needW, needB);
            return new Tensor[] {r[0], r[1], r[2], null};
        }
        Tensor gc = gy.contiguous(), xc = needW ? x.contiguous() : null, wc = needX ? w.contiguous() : null;
        Tensor ic = idx.contiguous();
        float[] gf = gc.storage().floats(), xf = needW ? xc.storage().floats() : null, wf = needX ? wc.storage().floats() : null;
        int[] id = ic.storage().ints();
        int go = gc.offset(), xo = needW ? xc.offset() : 0, wo = needX ? wc.offset() : 0, io = ic.offset();
        Tensor gx = needX ? Tensor.zeros(DType.FLOAT32, g.n, g.c, g.h, g.w) : null;
        float[] gxf = needX ? gx.storage().floats() : null;
        float[] uT = needX && g.wino ? Winograd.weights(wf, wo, g.o, g.c, true) : null;
        int lanes = g.lanes;
        int wn = g.wino ? Winograd.gradSize(g.c, g.o) : g.o * g.patch();
        float[][] dw = needW ? new float[lanes][wn] : null, db = needB ? new float[lanes][g.o] : null;
        int plane = g.ohw(), pooled = g.pooled();
        int[] map = PoolVec.lanes(pooled);
        Parallel.forRange(lanes, 1, (s0, e0) -> {
            for (int lane = s0; lane < e0; lane++) {
                float[] greyW = needW && g.grey ? GreyConvPool.accFloats(g.o) : null;
                for (int n0 = g.lane(lane), end = g.lane(lane + 1), m; n0 < end; n0 += m) {
                    m = Math.min(g.per, end - n0);
                    int gp = go + n0 * g.o * pooled, ip = io + n0 * g.o * pooled, xp = xo + n0 * g.chw();
                    if (needB) biasGrad(gf, gp, id, ip, m, g.o, pooled, db[lane]);
                    if (g.wino) {
                        // the convolution's gradient made row by row, channels-last, as each consumer
                        // copies its rows: scattered through the argmax straight from the pooled gradient
                        Winograd.Planes dy = (img, r, s1, s2, dst, d, cs) -> PoolVec.reluScatter2x2Row(gf,
                            gp + img * g.o * pooled, id, ip + img * g.o * pooled, g.o, g.oh, g.ow, pooled, map, r, s1, s2,
                            dst, d, cs);
                        if (keepsPaddedInput(g)) { // output the input's size: both from one copy of dy's rows
                            Winograd.backwardAdd(dy, needW && kept.rows() == null ? Winograd.nchw(xf, xp, g.c, g.h, g.w) : null, m,
                                g.c, g.h, g.w, g.o, uT, gxf, n0 * g.chw(), needW ? dw[lane] : null, kept.rows(),
                                kept.at(n0));
                            continue;
                        }
                        if (needX)
                            Winograd.forward(dy, m, g.o, g.oh, g.ow, uT, null, 0, g.c, g.h, g.w, g.ph - 2, g.pw - 2,
                                gxf, n0 * g.chw());
                        if (needW)
                            Winograd.weightGradAdd(xf, xp, m, g.c, g.h, g.w, dy, g.o, g.oh, g.ow, -g.ph, -g.pw, dw[lane]);
                        continue;
                    }
                    if (greyW != null) {
                        GreyConvPool.weightGradAdd(xf, xp, m, g.h, g.w, g.ph, g.pw, gf, gp, id, ip, g.o, g.oh, g.ow, greyW);
                        if (!needX) continue;
                    }
                    float[] dc = SCRATCH.floats(0, m * g.o * plane, KEEP);
                    Pool.reluScatter2x2(gf, gp, id, ip, m * g.o, g.oh, g.ow, dc, 0);
                    float[] col = SCRATCH.floats(1, g.patch() * plane, KEEP);
                    for (int i = 0; i < m; i++) {
                        if (needX) {
                            DirectConv.gemm(g.patch(), plane, g.o, true, wf, wo, g.patch(), dc, i * g.o * plane, plane,
                                false, col, 0, plane);
                            Im2col.col2im(col, 0, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow,
                                gxf, (n0 + i) * g.chw());
                        }
                        if (needW && greyW == null) {
                            im2col(g, xf, xp + i * g.chw(), col);
                            DirectConv.dotRows(g.o, g.patch(), plane, dc, i * g.o * plane, col, 0, dw[lane], 0);
                        }
                    }
                }
                if (greyW != null) GreyConvPool.weightGradFinish(greyW, g.o, dw[lane]);
            }
        });
        Tensor gw = null, gb = null;
        if (needW) {
            float[] sum = dw[0];
            for (int l = 1; l < lanes; l++) add(dw[l], sum);
            gw = Tensor.empty(DType.FLOAT32, s.inputShape(1));
            if (g.wino) Winograd.weightGradFinish(sum, g.c, g.o, gw.storage().floats(), 0);
            else System.arraycopy(sum, 0, gw.storage().floats(), 0, wn);
        }
        if (needB) {
            float[] sum = db[0];
            for (int l = 1; l < lanes; l++) add(db[l], sum);
            gb = Tensor.of(sum, g.o);
        }
        return new Tensor[] {gx, gw, gb, null};
    }

    /** Adds, per output channel, the pooled gradients that reached a position (argmax not -1) of {@code m} images. */
    private static void biasGrad(float[] g, int go, int[] idx, int io, int m, int o, int pooled, float[] db) {
        for (int i = 0; i < m; i++)
            for (int ch = 0, q = i * o * pooled; ch < o; ch++, q += pooled) db[ch] += PoolVec.keptSum(g, go + q, idx, io + q, pooled);
    }

    private static void add(float[] src, float[] dst) {
        for (int i = 0; i < dst.length; i++) dst[i] += src[i];
    }
}
