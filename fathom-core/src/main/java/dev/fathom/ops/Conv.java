package dev.fathom.ops;

import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.backend.DirectConv;
import dev.fathom.backend.Gemm;
import dev.fathom.backend.GemmSplit;
import dev.fathom.backend.Im2col;
import dev.fathom.backend.Parallel;
import dev.fathom.backend.Winograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * Convolutions with {@code torch.nn.functional} semantics (cross-correlation, NCHW layout,
 * float32 and float64): {@code conv1d}, {@code conv2d}, {@code convTranspose1d},
 * {@code convTranspose2d}.
 *
 * <p>Forward convolution is im2col + GEMM per image and group (1×1 stride-1 convolutions feed the
 * input straight to the GEMM; float32 depthwise convolutions use a direct vector kernel);
 * transposed convolution is GEMM + col2im, the exact adjoint. 1-d convolutions run the 2-d code
 * with a height of 1. Images are split across the worker pool when the batch is large enough,
 * otherwise each GEMM splits itself.
 *
 * <p>Gradients: the input gradient of a convolution is the transposed convolution of the output
 * gradient with the same weight, and the other way round; the weight gradient is a correlation of
 * input and output gradient (im2col + GEMM, summed over the batch); the bias gradient sums the
 * output gradient over batch and space. These three ops are each other's derivatives, so
 * gradients of any order work.
 */
public final class Conv {
    private Conv() {}

    /**
     * Geometry of one 2-d convolution from an image {@code [n, c, h, w]} to {@code [n, o, oh, ow]}.
     * For a transposed convolution this is the geometry of the forward convolution it is the
     * adjoint of (so {@code c, h, w} describe the transposed convolution's output).
     */
    private record Geom(int sp, int n, int c, int h, int w, int o, int groups, int kh, int kw,
                        int sh, int sw, int padT, int padL, int dh, int dw, int oh, int ow) {
        int cg() { return c / groups; }
        int og() { return o / groups; }
        /** Rows of the unfolded patch matrix of one group. */
        int patch() { return cg() * kh * kw; }
        /** A 1×1, stride-1, unpadded convolution needs no unfolding: the image is already the patch matrix. */
        boolean pointwise() { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && padT == 0 && padL == 0 && oh == h && ow == w; }
        /** The convolution's input (the transposed convolution's output) {@code [n, c, (h,) w]}. */
        int[] imageShape() { return sp == 2 ? new int[] {n, c, h, w} : new int[] {n, c, w}; }
        /** The convolution's output (the transposed convolution's input) {@code [n, o, (oh,) ow]}. */
        int[] outShape() { return sp == 2 ? new int[] {n, o, oh, ow} : new int[] {n, o, ow}; }
        /** {@code [o, c/groups, (kh,) kw]}. */
        int[] weightShape() { return sp == 2 ? new int[] {o, cg(), kh, kw} : new int[] {o, cg(), kw}; }
        /** The batch and spatial dimensions, summed for a bias gradient. */
        int[] biasSumDims() { return sp == 2 ? new int[] {0, 2, 3} : new int[] {0, 2}; }
        String name(String op) { return op + sp + "d"; }
    }

    // ------------------------------------------------------------------ public API

    /**
     * {@code torch.nn.functional.conv1d}: input {@code [N, C, L]} or unbatched {@code [C, L]},
     * weight {@code [O, C/groups, K]}, optional bias {@code [O]}.
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        int[] p = {padding};
        return forward("conv1d", 1, input, weight, bias, new int[] {stride}, p, p, new int[] {dilation}, groups,
            Shapes.format(p));
    }

    /** {@code conv1d} with string padding {@code "same"} (stride must be 1) or {@code "valid"} (no padding). */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, String padding, int dilation, int groups) {
        return forwardStringPad("conv1d", 1, input, weight, bias, new int[] {stride}, padding, new int[] {dilation}, groups);
    }

    /**
     * {@code torch.nn.functional.conv2d}: input {@code [N, C, H, W]} or unbatched {@code [C, H, W]},
     * weight {@code [O, C/groups, kH, kW]}, optional bias {@code [O]}; {@code stride},
     * {@code padding} and {@code dilation} are (height, width) pairs.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        int[] p = pair("conv2d", "padding", padding, 2);
        return forward("conv2d", 2, input, weight, bias, stride, p, p, dilation, groups, Shapes.format(p));
    }

    /**
     * {@code conv2d} with string padding: {@code "valid"} (none) or {@code "same"} (output size
     * equals input size; stride must be 1; an odd total padding puts the extra row/column at the
     * bottom/right, as PyTorch).
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation, int groups) {
        return forwardStringPad("conv2d", 2, input, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * {@code torch.nn.functional.conv_transpose1d}: input {@code [N, C, L]} or {@code [C, L]},
     * weight {@code [C, O/groups, K]}, optional bias {@code [O]}.
     */
    public static Tensor convTranspose1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding,
                                         int outputPadding, int groups, int dilation) {
        return transposed("convTranspose1d", 1, input, weight, bias, new int[] {stride}, new int[] {padding},
            new int[] {outputPadding}, groups, new int[] {dilation});
    }

    /**
     * {@code torch.nn.functional.conv_transpose2d}, the adjoint of {@link #conv2d}: input
     * {@code [N, C, H, W]} or {@code [C, H, W]}, weight {@code [C, O/groups, kH, kW]}, optional
     * bias {@code [O]}. Output size per dimension is
     * {@code (in-1)*stride - 2*padding + dilation*(k-1) + outputPadding + 1}.
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int groups, int[] dilation) {
        return transposed("convTranspose2d", 2, input, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    // ------------------------------------------------------------------ validation

    private static int[] pair(String op, String name, int[] v, int sp) {
        if (v == null) throw new IllegalArgumentException(op + ": " + name + " is null; expected " + sp + " value(s)");
        if (v.length != sp)
            throw new IllegalArgumentException(op + ": " + name + " must have " + sp + " value(s), got "
                + Arrays.toString(v));
        return v;
    }

    private static void checkAtLeast(String op, String name, int[] v, int min) {
        for (int x : v)
            if (x < min)
                throw new IllegalArgumentException(op + ": " + name + " must be " + (min == 0 ? "non-negative" : "positive")
                    + ", got " + Arrays.toString(v));
    }

    /** A per-spatial-dimension argument and its least allowed value. */
    private record Arg(String name, int[] v, int min) {}

    /** Every argument has {@code sp} values (checked first, in order), each at least its minimum; groups positive. */
    private static void checkArgs(String op, int sp, int groups, Arg... args) {
        for (Arg a : args) pair(op, a.name, a.v, sp);
        for (Arg a : args) checkAtLeast(op, a.name, a.v, a.min);
        if (groups < 1) throw new IllegalArgumentException(op + ": groups must be positive, got " + groups);
    }

    private static void checkTypes(String op, int sp, Tensor input, Tensor weight, Tensor bias, String weightLayout) {
        if (input == null) throw new IllegalArgumentException(op + ": input is null");
        if (weight == null) throw new IllegalArgumentException(op + ": weight is null");
        DType t = input.dtype();
        if (!t.isFloatingPoint())
            throw new IllegalArgumentException(op + ": expected a float32 or float64 input, got " + t + " (shape "
                + Shapes.format(input.shape()) + ")");
        if (weight.dtype() != t)
            throw new IllegalArgumentException(op + ": input is " + t + " but weight is " + weight.dtype()
                + "; both must have the same dtype");
        if (bias != null && bias.dtype() != t)
            throw new IllegalArgumentException(op + ": input is " + t + " but bias is " + bias.dtype()
                + "; both must have the same dtype");
        if (input.ndim() != sp + 1 && input.ndim() != sp + 2)
            throw new IllegalArgumentException(op + ": expected a " + (sp + 1) + "-d (unbatched) or " + (sp + 2)
                + "-d (batched) input, got shape " + Shapes.format(input.shape()));
        if (weight.ndim() != sp + 2)
            throw new IllegalArgumentException(op + ": weight must be " + (sp + 2) + "-d " + weightLayout + ", got shape "
                + Shapes.format(weight.shape()));
    }

    private static void checkBias(String op, Tensor bias, int outChannels, Tensor weight) {
        if (bias == null) return;
        if (bias.ndim() != 1 || bias.size(0) != outChannels)
            throw new IllegalArgumentException(op + ": bias must be 1-d with " + outChannels
                + " elements (the output channels of weight " + Shapes.format(weight.shape()) + "), got shape "
                + Shapes.format(bias.shape()));
    }

    private static String layout(int sp, boolean transposed) {
        String k = sp == 1 ? "kW" : "kH, kW";
        return transposed ? "[in_channels, out_channels / groups, " + k + "]" : "[out_channels, in_channels / groups, " + k + "]";
    }

    // ------------------------------------------------------------------ forward convolution

    private static Tensor forwardStringPad(String op, int sp, Tensor input, Tensor weight, Tensor bias,
                                           int[] stride, String padding, int[] dilation, int groups) {
        if (padding == null) throw new IllegalArgumentException(op + ": padding is null; expected \"same\" or \"valid\"");
        switch (padding) {
            case "valid" -> {
                int[] z = new int[sp];
                return forward(op, sp, input, weight, bias, stride, z, z, dilation, groups, "'valid'");
            }
            case "same" -> {
                pair(op, "stride", stride, sp);
                pair(op, "dilation", dilation, sp);
                for (int s : stride)
                    if (s != 1)
                        throw new IllegalArgumentException(op + ": padding='same' is not supported for strided convolutions (stride "
                            + Arrays.toString(stride) + "); use stride 1 or explicit padding");
                checkAtLeast(op, "dilation", dilation, 1);
                checkTypes(op, sp, input, weight, bias, layout(sp, false));
                int[] ws = weight.shape();
                int[] begin = new int[sp], end = new int[sp];
                for (int i = 0; i < sp; i++) {
                    int total = dilation[i] * (ws[2 + i] - 1);
                    begin[i] = total / 2;
                    end[i] = total - begin[i];
                }
                return forward(op, sp, input, weight, bias, stride, begin, end, dilation, groups, "'same'");
            }
            default -> throw new IllegalArgumentException(op + ": padding must be \"same\" or \"valid\" (or integers), got \""
                + padding + "\"");
        }
    }

    private static Tensor forward(String op, int sp, Tensor input, Tensor weight, Tensor bias, int[] stride,
                                  int[] padBegin, int[] padEnd, int[] dilation, int groups, String padDesc) {
        checkTypes(op, sp, input, weight, bias, layout(sp, false));
        checkArgs(op, sp, groups, new Arg("stride", stride, 1), new Arg("padding", padBegin, 0),
            new Arg("dilation", dilation, 1));

        boolean unbatched = input.ndim() == sp + 1;
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        int[] xs = x.shape(), ws = weight.shape();
        int outC = ws[0], cg = ws[1];
        if (outC % groups != 0)
            throw new IllegalArgumentException(op + ": out_channels " + outC + " of weight " + Shapes.format(ws)
                + " is not divisible by groups " + groups);
        if (xs[1] != cg * groups)
            throw new IllegalArgumentException(op + ": input " + Shapes.format(input.shape()) + " has " + xs[1]
                + " channels but weight " + Shapes.format(ws) + " expects " + (cg * groups) + " (in_channels / groups = "
                + cg + " with groups " + groups + ")");
        checkBias(op, bias, outC, weight);

        int[] out = new int[sp];
        for (int i = 0; i < sp; i++) {
            int in = xs[2 + i], k = ws[2 + i];
            long padded = (long) in + padBegin[i] + padEnd[i];
            long eff = (long) dilation[i] * (k - 1) + 1;
            if (k == 0 || eff > padded) {
                int[] spatial = Arrays.copyOfRange(xs, 2, 2 + sp), kernel = Arrays.copyOfRange(ws, 2, 2 + sp);
                throw new IllegalArgumentException(op + ": kernel " + Shapes.format(kernel) + " (dilation "
                    + Arrays.toString(dilation) + ") is larger than the padded input: input " + Shapes.format(input.shape())
                    + " has spatial size " + Shapes.format(spatial) + " and padding " + padDesc
                    + ", so the output size would be " + (k == 0 ? 0 : (padded - eff) / stride[i] + 1) + " in dimension " + (2 + i));
            }
            out[i] = (int) ((padded - eff) / stride[i] + 1);
        }

        Geom g = sp == 2
            ? new Geom(2, xs[0], xs[1], xs[2], xs[3], outC, groups, ws[2], ws[3], stride[0], stride[1],
                padBegin[0], padBegin[1], dilation[0], dilation[1], out[0], out[1])
            : new Geom(1, xs[0], xs[1], 1, xs[2], outC, groups, 1, ws[2], 1, stride[0],
                0, padBegin[0], 1, dilation[0], 1, out[0]);
        Tensor y = conv(g, x, weight, bias);
        return unbatched ? y.squeeze(0) : y;
    }

    // ------------------------------------------------------------------ the three recorded kernels
    //
    // With T(x, w, y) = <conv(x, w), y>, trilinear, each of conv, its adjoint in x (transposed
    // convolution) and its adjoint in w (the weight gradient) is the partial derivative of T with
    // one argument left out; so the derivatives of each are the other two, all with the same
    // geometry, and any order of differentiation stays within these three ops. The geometry fixes
    // every size, so an input gradient has its input's shape exactly (asymmetric "same" padding and
    // rows a strided window never reaches included) without any outputPadding arithmetic.

    /** {@code conv(x, w) + b}: x {@code [n, c, ..]} to {@code [n, o, ..]}. */
    private static Tensor conv(Geom g, Tensor x, Tensor w, Tensor b) {
        return Graph.run(g.name("conv"), () -> convKernel(g, x, w, b), (s, gy) -> new Tensor[] {
            s.needsGrad(0) ? convTranspose(g, gy, s.input(1), null) : null,
            s.needsGrad(1) ? weightGrad(g, s.input(0), gy) : null,
            s.needsGrad(2) ? gy.sum(g.biasSumDims(), false) : null}, Saves.INPUTS, x, w, b);
    }

    /** {@code conv}'s adjoint in its input, plus b: y {@code [n, o, ..]} to {@code [n, c, ..]}. */
    private static Tensor convTranspose(Geom g, Tensor y, Tensor w, Tensor b) {
        return Graph.run(g.name("convTranspose"), () -> transposedKernel(g, y, w, b), (s, gx) -> new Tensor[] {
            s.needsGrad(0) ? conv(g, gx, s.input(1), null) : null,
            s.needsGrad(1) ? weightGrad(g, gx, s.input(0)) : null,
            s.needsGrad(2) ? gx.sum(g.biasSumDims(), false) : null}, Saves.INPUTS, y, w, b);
    }

    /**
     * {@code conv}'s adjoint in its weight: the correlation of x {@code [n, c, ..]} with y
     * {@code [n, o, ..]}, summed over the batch, shaped like the weight.
     */
    private static Tensor weightGrad(Geom g, Tensor x, Tensor y) {
        return Graph.run(g.name("conv") + "WeightGrad", () -> weightGradKernel(g, x, y), (s, gw) -> new Tensor[] {
            s.needsGrad(0) ? convTranspose(g, s.input(1), gw, null) : null,
            s.needsGrad(1) ? conv(g, s.input(0), gw, null) : null}, Saves.INPUTS, x, y);
    }

    private static Tensor convKernel(Geom g, Tensor x, Tensor w, Tensor b) {
        Tensor y = Tensor.empty(x.dtype(), g.outShape());
        if (y.numel() > 0) {
            Tensor xc = x.contiguous(), wc = w.contiguous(), bc = b == null ? null : b.contiguous();
            runForward(g, xc.storage().array(), xc.offset(), wc.storage().array(), wc.offset(),
                bc == null ? null : bc.storage().array(), bc == null ? 0 : bc.offset(), y.storage().array());
        }
        return y;
    }

    private static Tensor transposedKernel(Geom g, Tensor y, Tensor w, Tensor b) {
        Tensor x = Tensor.empty(y.dtype(), g.imageShape());
        if (x.numel() > 0) {
            Tensor yc = y.contiguous(), wc = w.contiguous(), bc = b == null ? null : b.contiguous();
            runTransposed(g, yc.storage().array(), yc.offset(), wc.storage().array(), wc.offset(),
                bc == null ? null : bc.storage().array(), bc == null ? 0 : bc.offset(), x.storage().array());
        }
        return x;
    }

    private static Tensor weightGradKernel(Geom g, Tensor x, Tensor y) {
        Tensor w = Tensor.empty(x.dtype(), g.weightShape());
        if (w.numel() > 0 && y.numel() > 0) {
            Tensor xc = x.contiguous(), yc = y.contiguous();
            runWeightGrad(g, xc.storage().array(), xc.offset(), yc.storage().array(), yc.offset(), w.storage().array());
        }
        return w;
    }

    /** GEMM work (multiply-adds) below which one image is too small for a parallel GEMM to pay. */
    private static final long SMALL_IMAGE_MACS = 1L << 20;

    /**
     * True to split the batch across the pool (each image then runs a single-threaded GEMM, since
     * nested loops run inline); false to walk the batch on this thread and let each GEMM split.
     */
    private static boolean batchParallel(int n, long macsPerImage) {
        return n >= Parallel.threads() || macsPerImage < SMALL_IMAGE_MACS;
    }

    /** Runs {@code body} over the batch, split across the pool or not as {@link #batchParallel} decides. */
    private static void runBatch(int n, long macsPerImage, Parallel.RangeBody body) {
        if (batchParallel(n, macsPerImage)) {
            // tiny images are grouped so that each task does at least ~64k multiply-adds
            int grain = (int) Math.max(1, Math.min(n, (1L << 16) / Math.max(1, macsPerImage)));
            Parallel.forRange(n, grain, body);
        } else {
            body.run(0, n);
        }
    }

    /** Weight gradients with at most this many patch rows per group use {@link DirectConv#dotRows} (float32). */
    private static final int DOT_MAX_PATCH = 9;

    /** Whether the Vector API direct kernel can be used (the incubator module may be absent at run time). */
    private static final boolean DIRECT = Im2col.VECTOR;

    /**
     * Whether float32 per-image products run on {@link DirectConv#gemm} (512-bit vectors) instead
     * of {@link Gemm}: inside the tasks of a split batch, where each product is single-threaded
     * anyway, and for the forward of an unsplit batch split by output channels ({@link #gemmRows});
     * the backward products of an unsplit batch keep Gemm, which splits a product across the pool.
     */
    private static final boolean WIDE = DIRECT && DirectConv.wideGemm();

    /** True when the products of a convolution over {@code n} images run on {@link DirectConv#gemm}. */
    private static boolean wide(Object data, int n, long macsPerImage) {
        return WIDE && data instanceof float[] && batchParallel(n, macsPerImage);
    }

    /** Input and output channels from which a float32 3×3 stride-1 convolution runs on {@link Winograd}. */
    private static final int WINOGRAD_MIN_CHANNELS = 16;

    /**
     * True when the three kernels of convolution {@code g} on {@code data}'s type run on
     * {@link Winograd} F(2×2, 3×3): float32 with 512-bit vectors, a 3×3 kernel, stride 1, dilation
     * 1, one group, enough channels both ways for the 16 products to outweigh the transforms, and
     * more than one image: a single image (batch-1 inference) has too few tiles to fill the products,
     * and the cnn's second layer at batch 1 ran its forward in 196-220 µs on Winograd against 158-170
     * on im2col + the per-channel-block split ({@link #gemmRows}) (whole cnn forward, 2026-11-26).
     */
    private static boolean winograd(Geom g, Object data) {
        return g.n > 1 && data instanceof float[]
            && winograd(g.c, g.o, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.groups);
    }

    /** {@link #winograd(Geom, Object)} for a float32 batch of more than one image, from the sizes alone. */
    static boolean winograd(int c, int o, int kh, int kw, int sh, int sw, int dh, int dw, int groups) {
        return WIDE && kh == 3 && kw == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && groups == 1
            && Math.min(c, o) >= WINOGRAD_MIN_CHANNELS;
    }

    /**
     * The input, weight and bias gradients of {@code conv2d(x, w, b)} (one group, symmetric
     * padding; x of shape {@code xs}, w of shape {@code ws}) for the output gradient {@code gy},
     * as the recorded ops of {@link #conv}'s own backward (so differentiable again); an entry is
     * null where its {@code need} is false, and x (w) is only read for the weight (input)
     * gradient. For fused ops that end in a 2-d convolution ({@link ConvPool}).
     */
    static Tensor[] conv2dGrads(int[] xs, Tensor x, int[] ws, Tensor w, int[] stride, int[] padding, int[] dilation,
                                Tensor gy, boolean needX, boolean needW, boolean needB) {
        int[] ys = gy.shape();
        Geom g = new Geom(2, xs[0], xs[1], xs[2], xs[3], ws[0], 1, ws[2], ws[3], stride[0], stride[1],
            padding[0], padding[1], dilation[0], dilation[1], ys[2], ys[3]);
        return new Tensor[] {needX ? convTranspose(g, gy, w, null) : null, needW ? weightGrad(g, x, gy) : null,
            needB ? gy.sum(g.biasSumDims(), false) : null};
    }

    /**
     * Depthwise convolution (one input channel per group, groups > 1): a direct vector kernel per
     * output plane, split across the pool, instead of one tiny GEMM per group. (A single-channel
     * input with groups 1, such as a first layer on grey images, stays on im2col + GEMM: there the
     * GEMM covers all output channels at once and measured faster.)
     */
    private static void runDirect(Geom g, float[] x, int xOff, float[] w, int wOff, float[] b, int bOff, float[] y) {
        int hw = g.h * g.w, ohw = g.oh * g.ow, kk = g.kh * g.kw, og = g.og();
        int planes = g.n * g.o;
        int grain = (int) Math.max(1, (1 << 16) / Math.max(1L, (long) ohw * kk));
        Parallel.forRange(planes, grain, (s, e) -> {
            for (int q = s; q < e; q++) {
                int n = q / g.o, o = q % g.o;
                DirectConv.plane(x, xOff + (n * g.c + o / og) * hw, g.h, g.w, w, wOff + o * kk, g.kh, g.kw,
                    b == null ? 0f : b[bOff + o], y, q * ohw, g.oh, g.ow, g.sh, g.padT, g.padL, g.dh, g.dw);
            }
        });
    }

    private static void runForward(Geom g, Object x, int xOff, Object w, int wOff, Object b, int bOff, Object y) {
        if (DIRECT && g.cg() == 1 && g.groups > 1 && g.sw == 1 && y instanceof float[] yf) {
            runDirect(g, (float[]) x, xOff, (float[]) w, wOff, (float[]) b, bOff, yf);
            return;
        }
        if (winograd(g, y)) {
            Winograd.forward((float[]) x, xOff, g.n, g.c, g.h, g.w, (float[]) w, wOff, false, (float[]) b, bOff,
                g.o, g.oh, g.ow, -g.padT, -g.padL, (float[]) y, 0);
            return;
        }
        int hw = g.h * g.w, ohw = g.oh * g.ow, k = g.patch(), og = g.og(), cg = g.cg();
        long macs = (long) g.o * k * ohw;
        // float32 products on DirectConv.gemm where it is wide: per image when the batch is split,
        // else each image's product split by output channels (gemmRows)
        boolean pointwise = g.pointwise(), wide = WIDE && y instanceof float[], rows = wide && !batchParallel(g.n, macs);
        Parallel.RangeBody body = (s, e) -> {
            Object col = pointwise ? null : scratch(y, (long) k * ohw, 0);
            for (int n = s; n < e; n++) {
                int xn = xOff + n * g.c * hw, yn = n * g.o * ohw;
                if (rows) { // the unfolding and the bias go into gemmRows' parallel region
                    for (int gr = 0; gr < g.groups; gr++)
                        gemmRows(g, (float[]) x, xn + gr * cg * hw, (float[]) col, og, ohw, k, (float[]) w,
                            wOff + gr * og * k, (float[]) b, bOff + gr * og, (float[]) y, yn + gr * og * ohw);
                    continue;
                }
                if (b != null) fillRows(y, yn, g.o, ohw, b, bOff);
                for (int gr = 0; gr < g.groups; gr++) {
                    int xg = xn + gr * cg * hw;
                    Object bm = x;
                    int bmOff = xg;
                    if (!pointwise) {
                        im2col(x, xg, g, col);
                        bm = col;
                        bmOff = 0;
                    }
                    if (wide)
                        DirectConv.gemm(og, ohw, k, false, (float[]) w, wOff + gr * og * k, k, (float[]) bm, bmOff, ohw,
                            b != null, (float[]) y, yn + gr * og * ohw, ohw);
                    else
                        ArrayGemm.gemm(false, false, og, ohw, k, w, wOff + gr * og * k, k, bm, bmOff, ohw,
                            b != null, y, yn + gr * og * ohw, ohw);
                }
            }
        };
        runBatch(g.n, (long) g.o * k * ohw, body);
    }

    /** Output channels per task of {@link #gemmRows}: {@link DirectConv#gemm}'s block height. */
    private static final int ROW_BLOCK = 6;

    /**
     * One image's (one group's) forward {@code y = w·im2col(x) + b} ({@code og x ohw x k}) on
     * {@link DirectConv#gemm}, split across the pool by blocks of output channels: for a batch too
     * small to split (a batch-1 inference through a big layer). One hand-off for all of it
     * ({@link GemmSplit}): the threads first unfold the image's channels between them into
     * {@code col} (unless the convolution is pointwise, which multiplies x in place), then take
     * blocks of output channels from a shared counter, each filling its rows with the bias (or
     * zeros, {@code b} null) and adding the product; a worker that starts late takes fewer blocks.
     * The same kernel as a split batch, so an image gets the same numbers in either. OpenBLAS's own
     * split of these small products spent more in packing and hand-offs than in arithmetic (the
     * cnn's second layer at batch 1: 150 µs); the unfolding on the caller alone and a fixed half of
     * the channel blocks per thread took 58-99 µs of the cnn's 157-189 µs batch-1 forward.
     */
    private static void gemmRows(Geom g, float[] x, int xg, float[] col, int og, int ohw, int k, float[] w, int wOff,
                                 float[] b, int bOff, float[] y, int yOff) {
        boolean pointwise = g.pointwise();
        int hw = g.h * g.w, cg = g.cg(), kk = g.kh * g.kw;
        float[] bm = pointwise ? x : col;
        int bmOff = pointwise ? xg : 0;
        GemmSplit.run(pointwise ? 0 : cg, (c0, c1) -> Im2col.im2col(x, xg + c0 * hw, c1 - c0, g.h, g.w, g.kh, g.kw, g.sh,
                g.sw, g.padT, g.padL, g.dh, g.dw, g.oh, g.ow, col, c0 * kk * ohw),
            og, ROW_BLOCK, 1, (r0, r1) -> {
                if (b != null) fillRows(y, yOff + r0 * ohw, r1 - r0, ohw, b, bOff + r0);
                DirectConv.gemm(r1 - r0, ohw, k, false, w, wOff + r0 * k, k, bm, bmOff, ohw, b != null, y,
                    yOff + r0 * ohw, ohw);
            });
    }

    // ------------------------------------------------------------------ transposed convolution

    private static Tensor transposed(String op, int sp, Tensor input, Tensor weight, Tensor bias, int[] stride,
                                     int[] padding, int[] outputPadding, int groups, int[] dilation) {
        checkTypes(op, sp, input, weight, bias, layout(sp, true));
        checkArgs(op, sp, groups, new Arg("stride", stride, 1), new Arg("padding", padding, 0),
            new Arg("outputPadding", outputPadding, 0), new Arg("dilation", dilation, 1));
        for (int i = 0; i < sp; i++)
            if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i])
                throw new IllegalArgumentException(op + ": outputPadding " + Arrays.toString(outputPadding)
                    + " must be smaller than either stride " + Arrays.toString(stride) + " or dilation "
                    + Arrays.toString(dilation) + " in every dimension");

        boolean unbatched = input.ndim() == sp + 1;
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        int[] xs = x.shape(), ws = weight.shape();
        int inC = ws[0], ogr = ws[1];
        if (inC % groups != 0)
            throw new IllegalArgumentException(op + ": in_channels " + inC + " of weight " + Shapes.format(ws)
                + " is not divisible by groups " + groups);
        if (xs[1] != inC)
            throw new IllegalArgumentException(op + ": input " + Shapes.format(input.shape()) + " has " + xs[1]
                + " channels but weight " + Shapes.format(ws) + " expects " + inC + " (weight dimension 0 is in_channels)");
        int outC = ogr * groups;
        checkBias(op, bias, outC, weight);

        int[] out = new int[sp];
        for (int i = 0; i < sp; i++) {
            long o = (long) (xs[2 + i] - 1) * stride[i] - 2L * padding[i] + (long) dilation[i] * (ws[2 + i] - 1)
                + outputPadding[i] + 1;
            if (o <= 0 || ws[2 + i] == 0)
                throw new IllegalArgumentException(op + ": output size would be " + o + " in dimension " + (2 + i)
                    + " for input " + Shapes.format(input.shape()) + ", weight " + Shapes.format(ws) + ", stride "
                    + Arrays.toString(stride) + ", padding " + Arrays.toString(padding) + ", dilation "
                    + Arrays.toString(dilation) + " and outputPadding " + Arrays.toString(outputPadding)
                    + "; it must be positive");
            if (o > Integer.MAX_VALUE)
                throw new IllegalArgumentException(op + ": output size " + o + " in dimension " + (2 + i) + " is too large");
            out[i] = (int) o;
        }

        // the forward convolution this is the adjoint of maps [n, outC, out...] to [n, inC, in...]
        Geom g = sp == 2
            ? new Geom(2, xs[0], outC, out[0], out[1], inC, groups, ws[2], ws[3], stride[0], stride[1],
                padding[0], padding[1], dilation[0], dilation[1], xs[2], xs[3])
            : new Geom(1, xs[0], outC, 1, out[0], inC, groups, 1, ws[2], 1, stride[0],
                0, padding[0], 1, dilation[0], 1, xs[2]);
        Tensor y = convTranspose(g, x, weight, bias);
        return unbatched ? y.squeeze(0) : y;
    }

    private static void runTransposed(Geom g, Object x, int xOff, Object w, int wOff, Object b, int bOff, Object y) {
        // x: [n, g.o, g.oh, g.ow] (the adjoint's input); y: [n, g.c, g.h, g.w]; weight: [g.o, cg, kh, kw]
        if (winograd(g, y)) {
            // output (i, j) gathers x[i + padT - kh][j + padL - kw]: a 3×3 correlation with the flipped kernel
            Winograd.forward((float[]) x, xOff, g.n, g.o, g.oh, g.ow, (float[]) w, wOff, true, (float[]) b, bOff,
                g.c, g.h, g.w, g.padT - 2, g.padL - 2, (float[]) y, 0);
            return;
        }
        int hw = g.h * g.w, ohw = g.oh * g.ow, k = g.patch(), og = g.og(), cg = g.cg();
        boolean pointwise = g.pointwise(), wide = wide(y, g.n, (long) g.o * k * ohw);
        Parallel.RangeBody body = (s, e) -> {
            Object col = pointwise ? null : scratch(y, (long) k * ohw, 0);
            for (int n = s; n < e; n++) {
                int xn = xOff + n * g.o * ohw, yn = n * g.c * hw;
                for (int gr = 0; gr < g.groups; gr++) {
                    int xg = xn + gr * og * ohw, wg = wOff + gr * og * k, yg = yn + gr * cg * hw;
                    // the product's rows: the image's channels (pointwise) or the patch matrix's rows
                    Object c = pointwise ? y : col;
                    int rows = pointwise ? cg : k, cOff = pointwise ? yg : 0, ldc = pointwise ? hw : ohw;
                    if (wide) DirectConv.gemm(rows, ohw, og, true, (float[]) w, wg, k, (float[]) x, xg, ohw, false, (float[]) c, cOff, ldc);
                    else ArrayGemm.gemm(true, false, rows, ohw, og, w, wg, k, x, xg, ohw, false, c, cOff, ldc);
                    if (!pointwise) col2im(col, g, y, yg);
                }
                if (b != null) addRows(y, yn, g.c, hw, b, bOff);
            }
        };
        runBatch(g.n, (long) g.o * k * ohw, body);
    }

    /**
     * dW[gr] += dY[n, gr] × im2col(X[n, gr])ᵀ over the batch, one GEMM per image and group. A
     * split batch accumulates into one partial weight gradient per chunk (the weight is small
     * beside the images), summed at the end. On {@link DirectConv#gemm} (which wants B untransposed)
     * each chunk accumulates the transpose, dWᵀ[gr] += im2col(X[n, gr]) × dY[n, gr]ᵀ, from a
     * transposed copy of each image's output gradient (small: output channels × positions), and
     * adds it back transposed once per chunk.
     */
    private static void runWeightGrad(Geom g, Object x, int xOff, Object y, int yOff, Object w) {
        if (winograd(g, w)) {
            Winograd.weightGrad((float[]) x, xOff, g.n, g.c, g.h, g.w, (float[]) y, yOff, g.o, g.oh, g.ow, -g.padT, -g.padL,
                (float[]) w, 0);
            return;
        }
        int hw = g.h * g.w, ohw = g.oh * g.ow, k = g.patch(), og = g.og(), cg = g.cg(), wn = g.o * k;
        boolean pointwise = g.pointwise();
        long macs = (long) g.o * k * ohw;
        int chunks = batchParallel(g.n, macs)
            ? (int) Math.max(1, Math.min(Math.min(g.n, Parallel.threads()), (long) g.n * macs / (1 << 16))) : 1;
        // few patch rows (a first layer on grey images: 9): BLAS packs both operands per call for a
        // tiny output, measured at a third of its peak; the direct dot kernel streams them once
        boolean dot = DIRECT && w instanceof float[] && k <= DOT_MAX_PATCH;
        boolean wide = !dot && wide(w, g.n, macs);
        Object[] parts = new Object[chunks];
        parts[0] = w;
        for (int t = 1; t < chunks; t++) parts[t] = w instanceof float[] ? new float[wn] : new double[wn];
        Parallel.RangeBody body = (s, e) -> {
            for (int t = s; t < e; t++) {
                Object col = pointwise ? null : scratch(w, (long) k * ohw, 0), dw = parts[t];
                float[] dyT = wide ? (float[]) scratch(w, (long) ohw * og, 1) : null;
                float[] dwT = wide ? new float[g.groups * k * og] : null;
                for (int n = (int) ((long) t * g.n / chunks), end = (int) ((long) (t + 1) * g.n / chunks); n < end; n++) {
                    for (int gr = 0; gr < g.groups; gr++) {
                        int xg = xOff + (n * g.c + gr * cg) * hw, yg = yOff + (n * g.o + gr * og) * ohw;
                        Object bm = x;
                        int bmOff = xg;
                        if (!pointwise) {
                            im2col(x, xg, g, col);
                            bm = col;
                            bmOff = 0;
                        }
                        if (dot) {
                            DirectConv.dotRows(og, k, ohw, (float[]) y, yg, (float[]) bm, bmOff, (float[]) dw, gr * og * k);
                        } else if (wide) {
                            transpose((float[]) y, yg, og, ohw, dyT);
                            DirectConv.gemm(k, og, ohw, false, (float[]) bm, bmOff, ohw, dyT, 0, og, true, dwT, gr * k * og, og);
                        } else {
                            ArrayGemm.gemm(false, true, og, k, ohw, y, yg, ohw, bm, bmOff, ohw, true, dw, gr * og * k, k);
                        }
                    }
                }
                if (wide) {
                    float[] d = (float[]) dw;
                    for (int gr = 0; gr < g.groups; gr++)
                        for (int o = 0, base = gr * og * k; o < og; o++)
                            for (int j = 0, src = gr * k * og + o; j < k; j++, src += og) d[base + o * k + j] += dwT[src];
                }
            }
        };
        if (chunks == 1) body.run(0, 1);
        else Parallel.forRange(chunks, 1, body);
        for (int t = 1; t < chunks; t++) {
            if (w instanceof float[] wf) {
                float[] p = (float[]) parts[t];
                for (int i = 0; i < wn; i++) wf[i] += p[i];
            } else {
                double[] wd = (double[]) w, p = (double[]) parts[t];
                for (int i = 0; i < wn; i++) wd[i] += p[i];
            }
        }
    }

    // ------------------------------------------------------------------ dtype dispatch (per image, not per element)

    /** {@code t[j*rows + i] = a[off + i*cols + j]}: the {@code rows×cols} matrix at {@code off}, transposed. */
    private static void transpose(float[] a, int off, int rows, int cols, float[] t) {
        for (int i = 0; i < rows; i++)
            for (int j = 0, src = off + i * cols, dst = i; j < cols; j++, dst += rows) t[dst] = a[src + j];
    }

    /** Patch matrices up to this many elements are kept per thread between calls (larger ones are not retained). */
    private static final int SCRATCH_KEEP = 1 << 21;

    /**
     * Per-thread reusable buffers: patch matrices (slot 0) and transposed output gradients (slot
     * 1), each as float[] and double[] ({@code 2*slot}, {@code 2*slot + 1}); avoids allocating and
     * zeroing one per call.
     */
    private static final ThreadLocal<Object[]> SCRATCH = ThreadLocal.withInitial(() -> new Object[4]);

    /**
     * A buffer of at least {@code n} elements of {@code like}'s type for this thread's exclusive use
     * during one task, one per {@code slot}; contents are garbage (im2col and GEMM with beta 0
     * overwrite every element).
     */
    private static Object scratch(Object like, long n, int slot) {
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("conv: the unfolded patch matrix of one image needs " + n
                + " elements, more than an array holds");
        boolean f = like instanceof float[];
        if (n > SCRATCH_KEEP) return f ? new float[(int) n] : new double[(int) n];
        Object[] slots = SCRATCH.get();
        int i = 2 * slot + (f ? 0 : 1);
        Object cur = slots[i];
        int have = cur == null ? -1 : f ? ((float[]) cur).length : ((double[]) cur).length;
        if (have < n) {
            cur = f ? new float[(int) n] : new double[(int) n];
            slots[i] = cur;
        }
        return cur;
    }

    private static void im2col(Object x, int xOff, Geom g, Object col) {
        if (x instanceof float[] xf)
            Im2col.im2col(xf, xOff, g.cg(), g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.padT, g.padL, g.dh, g.dw, g.oh, g.ow, (float[]) col, 0);
        else
            Im2col.im2col((double[]) x, xOff, g.cg(), g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.padT, g.padL, g.dh, g.dw, g.oh, g.ow, (double[]) col, 0);
    }

    private static void col2im(Object col, Geom g, Object y, int yOff) {
        if (col instanceof float[] cf)
            Im2col.col2im(cf, 0, g.cg(), g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.padT, g.padL, g.dh, g.dw, g.oh, g.ow, (float[]) y, yOff);
        else
            Im2col.col2im((double[]) col, 0, g.cg(), g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.padT, g.padL, g.dh, g.dw, g.oh, g.ow, (double[]) y, yOff);
    }


    /** Sets row r ({@code len} elements from {@code off + r*len}) of {@code y} to {@code b[bOff + r]}. */
    static void fillRows(Object y, int off, int rows, int len, Object b, int bOff) {
        if (y instanceof float[] yf) {
            float[] bf = (float[]) b;
            for (int r = 0; r < rows; r++) Arrays.fill(yf, off + r * len, off + (r + 1) * len, bf[bOff + r]);
        } else {
            double[] yd = (double[]) y, bd = (double[]) b;
            for (int r = 0; r < rows; r++) Arrays.fill(yd, off + r * len, off + (r + 1) * len, bd[bOff + r]);
        }
    }

    /** Adds {@code b[bOff + r]} to every element of row r of {@code y}. */
    private static void addRows(Object y, int off, int rows, int len, Object b, int bOff) {
        if (y instanceof float[] yf) {
            float[] bf = (float[]) b;
            for (int r = 0; r < rows; r++) {
                float v = bf[bOff + r];
                for (int i = off + r * len, e = i + len; i < e; i++) yf[i] += v;
            }
        } else {
            double[] yd = (double[]) y, bd = (double[]) b;
            for (int r = 0; r < rows; r++) {
                double v = bd[bOff + r];
                for (int i = off + r * len, e = i + len; i < e; i++) yd[i] += v;
            }
        }
    }
}
