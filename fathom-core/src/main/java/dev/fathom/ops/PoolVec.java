package dev.fathom.ops;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Pool}'s float32 2×2 stride-2 max pooling (windows fully inside the plane) on the Vector
 * API, only called when {@code Simd.AVAILABLE}. A row of windows is read as its two input rows,
 * {@code 2L} floats each, split into the windows' four corners by even/odd shuffles, so {@code L}
 * windows are decided at once with the scalar loop's comparisons: each row's winner is the right
 * element where {@code (b > a) | isNaN(b)}, the bottom winner replaces the top one on the same test,
 * the value is {@code Math.max} of the four (NaN wins). The indices are the same int32 positions in
 * the plane (-1 where the relu-fused maximum is not positive), so the results are the scalar loops'
 * bit for bit. On random data the scalar index loop is about 5× slower (its selects mispredict,
 * one window at a time); in the cnn training step, bound by reading the convolution's output, the
 * two take about the same time.
 */
final class PoolVec {
    private PoolVec() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final int L = F.length();
    /** Over two vectors {@code (u, v)} read as one row of {@code 2L}: the even and the odd elements. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, i -> 2 * i), ODD = VectorShuffle.fromOp(F, i -> 2 * i + 1);
    /** {@code 0, 2, 4, ...}: the column of each window's first element relative to the chunk. */
    private static final IntVector EVEN_COLS = IntVector.zero(I).addIndex(2);
    /** {@code 0, 1, 2, ...}: lanes below {@code n} are {@code LANES.lt(n)}. */
    private static final IntVector LANES = IntVector.zero(I).addIndex(1);

    /**
     * One plane: {@code x[xo ..]} of width {@code w} pooled into {@code y[yo ..]} ({@code oh×ow}),
     * with the indices into {@code idx[yo ..]} unless it is null; {@code relu} pools {@code relu(x)}.
     * Each row goes in chunks of {@code L} windows, the last one masked (masks from a compare with
     * the lane numbers, not {@code indexInRange}, whose branches cost a third of the time here).
     */
    static void max2x2(float[] x, int xo, int w, float[] y, int[] idx, int yo, int oh, int ow, boolean relu) {
        FloatVector floor = FloatVector.broadcast(F, relu ? 0f : Float.NEGATIVE_INFINITY);
        int last = (ow - 1) / L * L;   // the first window of a row's last chunk
        for (int r = 0; r < oh; r++) {
            int r0 = xo + 2 * r * w, r1 = r0 + w, o = yo + r * ow, pos = 2 * r * w;
            if (r1 + 2 * last + 2 * L > x.length || o + last + L > y.length) {
                // the arrays' last rows, where a vector would reach past the end (its bounds check
                // there is not compiled: 40% of the time went into it)
                Pool.max2x2(x, xo, w, y, idx, yo, ow, r, oh, relu);
                return;
            }
            for (int c = 0; c < ow; c += L) {
                int n = Math.min(L, ow - c), at = 2 * c;
                VectorMask<Integer> outI = LANES.lt(n);
                VectorMask<Float> out = outI.cast(F), in0 = LANES.lt(2 * n).cast(F), in1 = LANES.lt(2 * n - L).cast(F);
                FloatVector t0 = FloatVector.fromArray(F, x, r0 + at, in0), t1 = FloatVector.fromArray(F, x, r0 + at + L, in1);
                FloatVector b0 = FloatVector.fromArray(F, x, r1 + at, in0), b1 = FloatVector.fromArray(F, x, r1 + at + L, in1);
                FloatVector a = t0.rearrange(EVEN, t1), b = t0.rearrange(ODD, t1);
                FloatVector cc = b0.rearrange(EVEN, b1), d = b0.rearrange(ODD, b1);
                FloatVector top = a.max(b), bot = cc.max(d), m = top.max(bot);
                m.max(floor).intoArray(y, o + c, out);
                if (idx == null) continue;
                argmax(a, b, cc, d, top, bot, m, EVEN_COLS.add(pos + at), w, relu).intoArray(idx, o + c, outI);
            }
        }
    }

    /**
     * The int32 argmax of {@code L} 2×2 windows with corners {@code a b} (top) and {@code c d}
     * (bottom), by the scalar loop's comparisons: each row's winner is the right element where
     * {@code (b > a) | isNaN(b)}, the bottom winner replaces the top one where
     * {@code (bot > top) | isNaN(bot)} ({@code top}, {@code bot}: the rows' maxima, {@code m} the
     * window's); positions {@code topLeft}, {@code +1} to the right, {@code +w} below; with
     * {@code relu}, -1 where {@code m} is not positive. Shared by every 2×2 kernel here and
     * {@link GreyConvPool}; small enough that C2 inlines it (a call it did not inline would box the
     * vectors).
     */
    static IntVector argmax(FloatVector a, FloatVector b, FloatVector c, FloatVector d, FloatVector top, FloatVector bot,
                            FloatVector m, IntVector topLeft, int w, boolean relu) {
        VectorMask<Float> right = b.compare(VectorOperators.GT, a).or(b.test(VectorOperators.IS_NAN));
        VectorMask<Float> rightBot = d.compare(VectorOperators.GT, c).or(d.test(VectorOperators.IS_NAN));
        VectorMask<Float> lower = bot.compare(VectorOperators.GT, top).or(bot.test(VectorOperators.IS_NAN));
        IntVector topAt = topLeft.add(1, right.cast(I)), botAt = topLeft.add(w).add(1, rightBot.cast(I));
        IntVector win = topAt.blend(botAt, lower.cast(I));
        return relu ? win.blend(-1, m.compare(VectorOperators.GT, 0f).not().cast(I)) : win;
    }

    /**
     * The sum of {@code g[go + i]} over {@code i < n} where {@code idx[io + i] >= 0}: the gradients
     * of a relu-fused pooling that reached an element (a convolution's bias gradient, per plane).
     * Lane-wise partial sums, then across the lanes and the scalar tail.
     */
    static float keptSum(float[] g, int go, int[] idx, int io, int n) {
        FloatVector s = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= n; i += L)
            s = s.add(FloatVector.fromArray(F, g, go + i), IntVector.fromArray(I, idx, io + i).compare(VectorOperators.GE, 0).cast(F));
        float t = dev.fathom.backend.VectorMath.sumLanes(s);
        for (; i < n; i++) if (idx[io + i] >= 0) t += g[go + i];
        return t;
    }

    /**
     * {@link #max2x2} with {@code relu} of convolution rows held channels-last, as
     * {@code Winograd.Rows} gives them: rows {@code row0 ..} ({@code row0} even) of one image,
     * channel {@code co} of row {@code row0 + r}, column {@code j} at {@code out[(r*ow + j)*op + co]},
     * pooled into that image's planes of {@code y} and {@code idx} from {@code yImg}
     * ({@code [cout, ·, pw]}, {@code plane} pooled elements per channel). The windows of
     * {@code L} channels are decided at once, with the same comparisons (and so the same values and
     * indices) as {@link #max2x2}; the results go to their planes by scattering stores. A last odd
     * row has no window (floor mode).
     */
    static void reluMax2x2Rows(float[] out, int op, int cout, int ow, int row0, int rows, float[] y, int[] idx, int yImg,
                               int pw, int plane) {
        // the planes of L channels; in the last block, lanes past cout repeat lane 0 (a masked
        // scatter still checks the bounds of every lane)
        int tail = cout - (cout - 1) / L * L;
        int[] full = lanes(plane), last = full.clone();
        Arrays.fill(last, tail, L, 0);
        FloatVector zero = FloatVector.zero(F);
        for (int r = 0; r + 1 < rows; r += 2) {
            int top = r * ow * op, bot = top + ow * op, yr = yImg + (row0 + r) / 2 * pw;
            for (int j = 0; j < pw; j++) {
                int pos = (row0 + r) * ow + 2 * j, ta = top + 2 * j * op, ba = bot + 2 * j * op;
                IntVector topCol = IntVector.broadcast(I, pos);
                for (int cb = 0; cb < cout; cb += L) {
                    VectorMask<Integer> outI = LANES.lt(cout - cb);
                    FloatVector a = FloatVector.fromArray(F, out, ta + cb), b = FloatVector.fromArray(F, out, ta + op + cb);
                    FloatVector c = FloatVector.fromArray(F, out, ba + cb), d = FloatVector.fromArray(F, out, ba + op + cb);
                    FloatVector tp = a.max(b), bt = c.max(d), m = tp.max(bt);
                    IntVector win = argmax(a, b, c, d, tp, bt, m, topCol, ow, true);
                    int at = yr + j + cb * plane;
                    int[] map = cb + L < cout ? full : last;
                    m.max(zero).intoArray(y, at, map, 0, outI.cast(F));
                    win.intoArray(idx, at, map, 0, outI);
                }
            }
        }
    }

    /** {@code 0, step, 2*step, ..}, one per lane: a gathering load's offsets ({@link #reluScatter2x2Row}'s {@code map}). */
    static int[] lanes(int step) {
        int[] map = new int[L];
        for (int i = 0; i < L; i++) map[i] = i * step;
        return map;
    }

    /**
     * The relu-fused 2×2 stride-2 pooling's backward for one row of its input, channels-last: the
     * gradient that reaches columns {@code s0 .. s1 - 1} of row {@code r} of one image of
     * {@code oh×ow} planes, channel {@code co} of column {@code s} at {@code dst[d + (s - s0)*cs + co]}
     * ({@code co < cout}), from the pooled gradient {@code g[go ..]} and its int32 argmax
     * {@code idx[io ..]} ({@code [cout, oh/2, ow/2]}, {@code plane} elements per channel;
     * {@code map}: {@code 0, plane, 2*plane, ..}): {@code 0 + g} where the window's argmax is that
     * position, +0 elsewhere (the values {@link Pool}'s scatter leaves there). {@code L} channels of a
     * window per pair of gathering loads, for both of its columns in the row.
     */
    static void reluScatter2x2Row(float[] g, int go, int[] idx, int io, int cout, int oh, int ow, int plane, int[] map,
                                  int r, int s0, int s1, float[] dst, int d, int cs) {
        int pw = ow / 2, full = cout - cout % L;
        // columns [s0, sIn) lie in a window (none on a last odd row, nor in a last odd column)
        int sIn = r < oh / 2 * 2 ? Math.max(s0, Math.min(s1, 2 * pw)) : s0;
        int wr = r / 2 * pw, pos = r * ow;
        FloatVector zero = FloatVector.zero(F);
        for (int s = s0; s < sIn; ) {
            boolean both = (s & 1) == 0 && s + 1 < sIn;
            int q = wr + s / 2, at = pos + s, dd = d + (s - s0) * cs, co = 0;
            for (; co < full; co += L) {
                IntVector iv = IntVector.fromArray(I, idx, io + q + co * plane, map, 0);
                FloatVector gv = FloatVector.fromArray(F, g, go + q + co * plane, map, 0).add(zero);
                zero.blend(gv, iv.eq(at).cast(F)).intoArray(dst, dd + co);
                if (both) zero.blend(gv, iv.eq(at + 1).cast(F)).intoArray(dst, dd + cs + co);
            }
            for (; co < cout; co++) {
                int k = q + co * plane, win = idx[io + k];
                float v = 0f + g[go + k];
                dst[dd + co] = win == at ? v : 0f;
                if (both) dst[dd + cs + co] = win == at + 1 ? v : 0f;
            }
            s += both ? 2 : 1;
        }
        for (int s = sIn; s < s1; s++) Arrays.fill(dst, d + (s - s0) * cs, d + (s - s0) * cs + cout, 0f);
    }
}
