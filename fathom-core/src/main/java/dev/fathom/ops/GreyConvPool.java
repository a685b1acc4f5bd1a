package dev.fathom.ops;

import dev.fathom.backend.Scratch;
import dev.fathom.backend.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@link ConvPool}'s block for a convolution of one input channel (a first layer on grey images)
 * with a 3×3 kernel, stride 1 and dilation 1, computed directly in registers instead of as im2col
 * and a 9-deep product into scratch that the pooling then reads back: the output channels' 2×2
 * windows of {@code L} pooled columns at a time.
 *
 * <p>Each image is first copied, zero-padded, into two planes per padded row, its even and its odd
 * columns ({@link #planes}). A convolution output at an even column {@code 2q} then reads padded
 * columns {@code 2q, 2q+1, 2q+2} = even[q], odd[q], even[q+1], and one at an odd column
 * {@code 2q+1} reads odd[q], even[q+1], odd[q+1]: the four corners of {@code L} pooling windows
 * (top-left, top-right, bottom-left, bottom-right) are four plain vectors of products of the same
 * 16 input vectors, loaded once per row of windows and used for every output channel.
 *
 * <p>Forward: each corner is the bias (or zero) and then the 9 taps in im2col's order, each one
 * fused multiply-add, exactly as {@code DirectConv.gemm} sums a patch row by row, so the
 * convolution values, and so the pooled values and int32 argmax (the comparisons of
 * {@link PoolVec#max2x2}), are the composition's bit for bit. Backward: the weight gradient,
 * {@code Σ dconv(i, j)·xpad(i+kh, j+kw)} over the convolution's outputs, where dconv is the pooled
 * gradient at the corner the argmax points to and zero at the other three: per channel, the four
 * corners' gradients times the same 16 inputs, 9 vector sums per lane, added across the lanes at
 * the end (the composition's sums in another order). Lanes past the last window and a last row
 * without windows carry zero gradient, which adds nothing to finite inputs; an image holding a
 * NaN or an infinity goes one product at a time over every convolution output instead, so that
 * they reach the same taps as in the composition.
 *
 * <p>The kernels call no helper methods of their own (only the Vector API's, which C2 always
 * inlines): with small helpers for loads, C2 ran out of its inlining node budget inside these
 * large loop bodies and boxed every vector that crossed an uninlined call (5-20x slower).
 */
final class GreyConvPool {
    private GreyConvPool() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final int L = F.length();
    /** {@code 0, 1, 2, ...}: lanes below {@code n} are {@code LANES.lt(n)}. */
    private static final IntVector LANES = IntVector.zero(I).addIndex(1);
    /** {@code 0, 2, 4, ...}: the column of each window's first element relative to the chunk. */
    private static final IntVector EVEN_COLS = IntVector.zero(I).addIndex(2);

    /** Slot 0: one image's planes; 1: corners (forward); 2: a lane's vector sums of the weight gradient. */
    private static final Scratch SCRATCH = new Scratch(3);
    private static final int KEEP = 1 << 18;

    /** Whether a convolution of this shape runs here. */
    static boolean supports(int c, int kh, int kw, int sh, int sw, int dh, int dw) {
        return c == 1 && kh == 3 && kw == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1;
    }

    /**
     * An image's planes: padded row {@code r} has its even columns at {@code [r·2W, r·2W + W)} and
     * its odd ones after them, {@code W} ({@link #width}) each; one zero row more below the padding,
     * which the backward's bottom corners read on a last top row without windows (times zero).
     */
    private static float[] planes(float[] x, int xo, int h, int w, int ph, int pw, int width) {
        int rows = h + 2 * ph + 1, rs = 2 * width;
        float[] p = SCRATCH.floats(0, rows * rs, KEEP);
        Arrays.fill(p, 0, rows * rs, 0f);
        for (int r = 0; r < h; r++)
            for (int c = 0, base = (r + ph) * rs, src = xo + r * w; c < w; c++) {
                int col = c + pw;
                p[base + ((col & 1) == 0 ? col >> 1 : width + (col >> 1))] = x[src + c];
            }
        return p;
    }

    /**
     * Plane width: whole vectors over every window column (one more column for the odd corners),
     * and the input's columns.
     */
    private static int width(int w, int pw, int ow) {
        return Math.max(((ow + 1) / 2 + L - 1) / L * L + L, (w + pw) / 2 + 1);
    }

    /**
     * The pooled {@code relu(conv)} of {@code m} images {@code x[xo ..]} ({@code [m, 1, h, w]})
     * into {@code y} and {@code idx} from {@code yo} ({@code [m, cout, oh/2, ow/2]}). Per row of
     * windows and chunk of {@code L} of them, the corners of every output channel go to per-thread
     * scratch ({@link #corners}) and are pooled from there ({@link #pool}): two methods small
     * enough for C2 to compile whole (one would exceed its node budget and leave the vectors boxed).
     */
    static void forward(float[] x, int xo, int m, int h, int w, int ph, int pw, float[] wt, int wo, float[] bias, int bo,
                        int cout, int oh, int ow, float[] y, int[] idx, int yo) {
        int width = width(w, pw, ow), poh = oh / 2, pow = ow / 2, plane = poh * pow;
        for (int i = 0; i < m; i++) {
            float[] p = planes(x, xo + i * h * w, h, w, ph, pw, width);
            float[] cs = SCRATCH.floats(1, cout * 4 * L, KEEP);
            int yi = yo + i * cout * plane;
            for (int pr = 0; pr < poh; pr++)
                for (int q0 = 0; q0 < pow; q0 += L) {
                    corners(p, 2 * pr * 2 * width + q0, width, wt, wo, bias, bo, cout, cs);
                    pool(cs, cout, Math.min(L, pow - q0), 2 * pr * ow + 2 * q0, ow, y, idx, yi + pr * pow + q0, plane);
                }
        }
    }

    /**
     * The four corners ({@code cs[(4·co + k)·L ..]}, k = top-left, top-right, bottom-left,
     * bottom-right) of {@code L} windows for every output channel, from the planes' rows from
     * {@code at} on: each the bias (or zero) and then the 9 taps in im2col's order, (kh, kw) =
     * (0,0), (0,1) .. (2,2), one fused multiply-add each.
     */
    private static void corners(float[] p, int at, int width, float[] wt, int wo, float[] bias, int bo, int cout,
                                float[] cs) {
        int rs = 2 * width, b0 = at, b1 = b0 + rs, b2 = b1 + rs, b3 = b2 + rs;
        FloatVector e00 = FloatVector.fromArray(F, p, b0), o00 = FloatVector.fromArray(F, p, b0 + width),
            e01 = FloatVector.fromArray(F, p, b0 + 1), o01 = FloatVector.fromArray(F, p, b0 + width + 1);
        FloatVector e10 = FloatVector.fromArray(F, p, b1), o10 = FloatVector.fromArray(F, p, b1 + width),
            e11 = FloatVector.fromArray(F, p, b1 + 1), o11 = FloatVector.fromArray(F, p, b1 + width + 1);
        FloatVector e20 = FloatVector.fromArray(F, p, b2), o20 = FloatVector.fromArray(F, p, b2 + width),
            e21 = FloatVector.fromArray(F, p, b2 + 1), o21 = FloatVector.fromArray(F, p, b2 + width + 1);
        FloatVector e30 = FloatVector.fromArray(F, p, b3), o30 = FloatVector.fromArray(F, p, b3 + width),
            e31 = FloatVector.fromArray(F, p, b3 + 1), o31 = FloatVector.fromArray(F, p, b3 + width + 1);
        for (int co = 0, k = wo, c = 0; co < cout; co++, k += 9, c += 4 * L) {
            FloatVector w0 = FloatVector.broadcast(F, wt[k]), w1 = FloatVector.broadcast(F, wt[k + 1]),
                w2 = FloatVector.broadcast(F, wt[k + 2]), w3 = FloatVector.broadcast(F, wt[k + 3]),
                w4 = FloatVector.broadcast(F, wt[k + 4]), w5 = FloatVector.broadcast(F, wt[k + 5]),
                w6 = FloatVector.broadcast(F, wt[k + 6]), w7 = FloatVector.broadcast(F, wt[k + 7]),
                w8 = FloatVector.broadcast(F, wt[k + 8]);
            FloatVector init = FloatVector.broadcast(F, bias == null ? 0f : bias[bo + co]);
            FloatVector a = e00.fma(w0, init), b = o00.fma(w0, init), cc = e10.fma(w0, init), d = o10.fma(w0, init);
            a = o00.fma(w1, a); b = e01.fma(w1, b); cc = o10.fma(w1, cc); d = e11.fma(w1, d);
            a = e01.fma(w2, a); b = o01.fma(w2, b); cc = e11.fma(w2, cc); d = o11.fma(w2, d);
            a = e10.fma(w3, a); b = o10.fma(w3, b); cc = e20.fma(w3, cc); d = o20.fma(w3, d);
            a = o10.fma(w4, a); b = e11.fma(w4, b); cc = o20.fma(w4, cc); d = e21.fma(w4, d);
            a = e11.fma(w5, a); b = o11.fma(w5, b); cc = e21.fma(w5, cc); d = o21.fma(w5, d);
            a = e20.fma(w6, a); b = o20.fma(w6, b); cc = e30.fma(w6, cc); d = o30.fma(w6, d);
            a = o20.fma(w7, a); b = e21.fma(w7, b); cc = o30.fma(w7, cc); d = e31.fma(w7, d);
            a = e21.fma(w8, a); b = o21.fma(w8, b); cc = e31.fma(w8, cc); d = o31.fma(w8, d);
            a.intoArray(cs, c); b.intoArray(cs, c + L); cc.intoArray(cs, c + 2 * L); d.intoArray(cs, c + 3 * L);
        }
    }

    /**
     * {@link PoolVec#argmax}'s comparisons on the corners {@link #corners} left: {@code n} windows
     * per channel, the first at position {@code pos} of a plane {@code ow} wide, into
     * {@code y}/{@code idx} from {@code o}, {@code plane} apart.
     */
    private static void pool(float[] cs, int cout, int n, int pos, int ow, float[] y, int[] idx, int o, int plane) {
        VectorMask<Integer> outI = LANES.lt(n);
        VectorMask<Float> out = outI.cast(F);
        FloatVector zero = FloatVector.zero(F);
        IntVector cols = EVEN_COLS.add(pos);
        for (int co = 0, c = 0; co < cout; co++, c += 4 * L, o += plane) {
            FloatVector a = FloatVector.fromArray(F, cs, c), b = FloatVector.fromArray(F, cs, c + L),
                cc = FloatVector.fromArray(F, cs, c + 2 * L), d = FloatVector.fromArray(F, cs, c + 3 * L);
            FloatVector top = a.max(b), bot = cc.max(d), mx = top.max(bot);
            mx.max(zero).intoArray(y, o, out);
            PoolVec.argmax(a, b, cc, d, top, bot, mx, cols, ow, true).intoArray(idx, o, outI);
        }
    }

    /**
     * Adds the weight gradient of {@code m} images {@code x[xo ..]} ({@code [m, 1, h, w]}) to
     * {@code acc} ({@code [cout, 9]} vectors of {@code L} lane sums, a lane's, see {@link #accFloats}),
     * from the pooled gradient {@code g[go ..]} and the forward's argmax {@code idx[io ..]}
     * ({@code [m, cout, oh/2, ow/2]}), per image and channel ({@link #channel}); an image holding a
     * NaN or an infinity goes one product at a time ({@link #weightGradExact}).
     */
    static void weightGradAdd(float[] x, int xo, int m, int h, int w, int ph, int pw, float[] g, int go, int[] idx, int io,
                              int cout, int oh, int ow, float[] acc) {
        int width = width(w, pw, ow), poh = oh / 2, pow = ow / 2, plane = poh * pow;
        int chunks = ((ow + 1) / 2 + L - 1) / L, rows = (oh + 1) / 2;
        for (int i = 0; i < m; i++) {
            int xi = xo + i * h * w, gi = go + i * cout * plane, ii = io + i * cout * plane;
            if (!finite(x, xi, h * w)) {
                weightGradExact(x, xi, h, w, ph, pw, g, gi, idx, ii, cout, oh, ow, acc);
                continue;
            }
            float[] p = planes(x, xi, h, w, ph, pw, width);
            for (int co = 0; co < cout; co++)
                for (int q0 = 0; q0 < chunks * L; q0 += L)
                    channel(p, width, g, gi + co * plane, idx, ii + co * plane, poh, pow, ow, rows, q0, acc, co * 9 * L);
        }
    }

    /**
     * One channel's 9 taps over the windows of columns {@code [q0, q0 + L)}: {@code acc[at ..]}
     * += the gradient at each window's four corners (the pooled gradient where the argmax points,
     * zero elsewhere, and zero on a last top row without windows) times the 16 inputs of its rows.
     */
    private static void channel(float[] p, int width, float[] g, int go, int[] idx, int io, int poh, int pow, int ow,
                                int rows, int q0, float[] acc, int at) {
        int rs = 2 * width;
        FloatVector zero = FloatVector.zero(F);
        FloatVector s0 = FloatVector.fromArray(F, acc, at), s1 = FloatVector.fromArray(F, acc, at + L),
            s2 = FloatVector.fromArray(F, acc, at + 2 * L), s3 = FloatVector.fromArray(F, acc, at + 3 * L),
            s4 = FloatVector.fromArray(F, acc, at + 4 * L), s5 = FloatVector.fromArray(F, acc, at + 5 * L),
            s6 = FloatVector.fromArray(F, acc, at + 6 * L), s7 = FloatVector.fromArray(F, acc, at + 7 * L),
            s8 = FloatVector.fromArray(F, acc, at + 8 * L);
        for (int pr = 0; pr < rows; pr++) {
            // no windows on a last top row (pr = poh): no lanes (no branch: C2 boxes vectors merged after one)
            VectorMask<Integer> in = LANES.lt(pr < poh ? pow - q0 : 0);
            int o = pr * pow + q0;
            FloatVector gv = FloatVector.fromArray(F, g, go + o, in.cast(F));
            IntVector d = IntVector.fromArray(I, idx, io + o, in).sub(EVEN_COLS.add(2 * pr * ow + 2 * q0));
            FloatVector ga = zero.blend(gv, d.eq(0).cast(F)), gb = zero.blend(gv, d.eq(1).cast(F));
            FloatVector gc = zero.blend(gv, d.eq(ow).cast(F)), gd = zero.blend(gv, d.eq(ow + 1).cast(F));
            int r0 = 2 * pr * rs + q0, r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
            // padded rows 2pr .. 2pr+3: even[q], odd[q], even[q+1], odd[q+1]
            FloatVector e0 = FloatVector.fromArray(F, p, r0), o0 = FloatVector.fromArray(F, p, r0 + width),
                f0 = FloatVector.fromArray(F, p, r0 + 1), u0 = FloatVector.fromArray(F, p, r0 + width + 1);
            FloatVector e1 = FloatVector.fromArray(F, p, r1), o1 = FloatVector.fromArray(F, p, r1 + width),
                f1 = FloatVector.fromArray(F, p, r1 + 1), u1 = FloatVector.fromArray(F, p, r1 + width + 1);
            // tap (kh, kw): top-left reads row kh at (e, o, f)[kw], top-right (o, f, u)[kw], bottom ones row kh + 1
            s0 = e0.fma(ga, o0.fma(gb, e1.fma(gc, o1.fma(gd, s0))));
            s1 = o0.fma(ga, f0.fma(gb, o1.fma(gc, f1.fma(gd, s1))));
            s2 = f0.fma(ga, u0.fma(gb, f1.fma(gc, u1.fma(gd, s2))));
            FloatVector e2 = FloatVector.fromArray(F, p, r2), o2 = FloatVector.fromArray(F, p, r2 + width),
                f2 = FloatVector.fromArray(F, p, r2 + 1), u2 = FloatVector.fromArray(F, p, r2 + width + 1);
            s3 = e1.fma(ga, o1.fma(gb, e2.fma(gc, o2.fma(gd, s3))));
            s4 = o1.fma(ga, f1.fma(gb, o2.fma(gc, f2.fma(gd, s4))));
            s5 = f1.fma(ga, u1.fma(gb, f2.fma(gc, u2.fma(gd, s5))));
            FloatVector e3 = FloatVector.fromArray(F, p, r3), o3 = FloatVector.fromArray(F, p, r3 + width),
                f3 = FloatVector.fromArray(F, p, r3 + 1), u3 = FloatVector.fromArray(F, p, r3 + width + 1);
            s6 = e2.fma(ga, o2.fma(gb, e3.fma(gc, o3.fma(gd, s6))));
            s7 = o2.fma(ga, f2.fma(gb, o3.fma(gc, f3.fma(gd, s7))));
            s8 = f2.fma(ga, u2.fma(gb, f3.fma(gc, u3.fma(gd, s8))));
        }
        s0.intoArray(acc, at); s1.intoArray(acc, at + L); s2.intoArray(acc, at + 2 * L); s3.intoArray(acc, at + 3 * L);
        s4.intoArray(acc, at + 4 * L); s5.intoArray(acc, at + 5 * L); s6.intoArray(acc, at + 6 * L);
        s7.intoArray(acc, at + 7 * L); s8.intoArray(acc, at + 8 * L);
    }

    /**
     * Whether {@code x[off .. off + n)} holds no NaN or infinity (no exponent of all ones: adding
     * one to it would carry into the sign).
     */
    private static boolean finite(float[] x, int off, int n) {
        int any = 0;
        for (int i = off; i < off + n; i++) any |= (Float.floatToRawIntBits(x[i]) & 0x7f800000) + 0x00800000;
        return any >= 0;
    }

    /**
     * {@link #weightGradAdd} for one image holding a NaN or an infinity, one product at a time into
     * lane 0 of {@code acc}: every convolution output's gradient (zero where the argmax does not
     * point) times every input it read, so that the non-finite values reach the same taps as in
     * the composition.
     */
    private static void weightGradExact(float[] x, int xo, int h, int w, int ph, int pw, float[] g, int go, int[] idx,
                                        int io, int cout, int oh, int ow, float[] acc) {
        int poh = oh / 2, pow = ow / 2, plane = poh * pow;
        for (int co = 0; co < cout; co++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    int q = (i / 2) * pow + j / 2;
                    boolean reached = i / 2 < poh && j / 2 < pow && idx[io + co * plane + q] == i * ow + j;
                    float gij = reached ? g[go + co * plane + q] : 0f;
                    for (int kh = 0; kh < 3; kh++)
                        for (int kw = 0; kw < 3; kw++) {
                            int r = i + kh - ph, c = j + kw - pw;
                            float v = r >= 0 && r < h && c >= 0 && c < w ? x[xo + r * w + c] : 0f;
                            acc[(co * 9 + kh * 3 + kw) * L] += gij * v;
                        }
                }
    }

    /** A lane's vector sums for {@code cout} output channels, zeroed (per-thread scratch). */
    static float[] accFloats(int cout) {
        float[] acc = SCRATCH.floats(2, cout * 9 * L, KEEP);
        Arrays.fill(acc, 0, cout * 9 * L, 0f);
        return acc;
    }

    /** Adds {@code acc}'s sums across their lanes to {@code dw[0 .. cout·9)}. */
    static void weightGradFinish(float[] acc, int cout, float[] dw) {
        for (int t = 0; t < cout * 9; t++) dw[t] += VectorMath.sumLanes(FloatVector.fromArray(F, acc, t * L));
    }
}
