package dev.fathom.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Winograd F(2×2, 3×3) for float32 3×3, stride-1, dilation-1 convolutions (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2015): each 2×2 block of outputs (a tile) is
 * {@code Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A} of the tile's 4×4 input window {@code d} and the 3×3 kernel
 * {@code g}, so summed over the input channels the convolution becomes 16 independent products
 * (one per position ξ of the 4×4 transformed tile) of {@code [tiles × in channels]} by
 * {@code [in channels × out channels]}: 16·4 = 64 multiply-adds per tile and channel pair instead
 * of 9·4 = 36... per output, 2.25 times fewer in all. The products run on {@link DirectConv#gemm}.
 *
 * <p>Layout: the transforms work channels-last, one 512-bit vector of 16 channels at a time, so
 * that the products need no transposes: an image's rows are first copied channels-last into a
 * zero-padded buffer (the padding and the ragged last tile row/column come free), each tile's 16
 * transformed values land in row {@code t} of the 16 matrices {@code V[ξ]} ({@code [tiles ×
 * channels]}), the products {@code M[ξ] = V[ξ]·U[ξ]} give {@code [tiles × out channels]}, and the
 * output transform writes channels-last rows that one transpose per block returns to NCHW.
 *
 * <p>Three uses, all with the same tiles: the forward convolution ({@link #forward}); the input
 * gradient, which for stride 1 is the same kind of convolution of the output gradient with the
 * kernel flipped and its channel axes swapped ({@code adjoint}); and the weight gradient
 * ({@link #weightGrad}), the adjoint in {@code g}: {@code Gᵀ[Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ d B)]G},
 * again 16 products, over the tiles of the batch. Work is split across the pool by blocks of tile
 * rows (a block may span images). Only when {@link DirectConv#wideGemm}. The inputs' rows come
 * through {@link Planes}: copied from NCHW arrays, or made by the caller (a fused pooling's
 * gradient); {@link #backwardAdd} runs both gradients of a padding-1 convolution on one copy of the
 * output gradient's rows.
 *
 * <p>Accuracy: the transforms only add, subtract and halve (exact up to one rounding per step);
 * against float64 the results stay within a few float32 ulps of the summed magnitudes, like the
 * im2col path's.
 */
public final class Winograd {
    private Winograd() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int L = 16;

    /** Tiles per block, about: the height of a block's 16 products (and so of its scratch). */
    private static final int BLOCK_TILES = 60;

    /** One convolution's tiling: input {@code [cin, h, w]} to output {@code [cout, oh, ow]}, output (i, j) reading input (i + offT + kh, j + offL + kw). */
    private static final class Plan {
        final int n, cin, h, w, cout, oh, ow, offT, offL, th, tw, cp, op, wp, rows, blocks;
        /**
         * Rows of the 16 product matrices (a block's tiles rounded up to {@link DirectConv#gemm}'s
         * block height), and the strides of the transformed inputs' and the products' 16 matrices,
         * of the padded input's rows and of the padded gradient's rows: each one vector more than
         * it needs, so that the streams of loads and stores are not a multiple of 4 KiB apart
         * (false store-to-load dependencies measured 2-3x slower transforms at 64 channels).
         */
        final int tp, vs, ms, rs, grs;

        Plan(int n, int cin, int h, int w, int cout, int oh, int ow, int offT, int offL) {
            this.n = n; this.cin = cin; this.h = h; this.w = w; this.cout = cout; this.oh = oh; this.ow = ow;
            this.offT = offT; this.offL = offL;
            th = (oh + 1) / 2;
            tw = (ow + 1) / 2;
            cp = roundUp(cin, L);
            op = roundUp(cout, L);
            wp = 2 * tw + 2;
            long q = (long) n * th;
            int r = Math.max(1, Math.min((BLOCK_TILES + tw - 1) / tw, (int) ((q + Parallel.threads() - 1) / Parallel.threads())));
            rows = r;
            blocks = (int) ((q + r - 1) / r);
            tp = roundUp(rows * tw, 6);
            vs = tp * cp + L;
            ms = tp * op + L;
            rs = wp * cp + L;
            grs = 2 * tw * op + L;
        }

        /** Tiles in block {@code b}. */
        int tiles(int b) { return (int) (Math.min((long) (b + 1) * rows, (long) n * th) - (long) b * rows) * tw; }
    }

    private static int roundUp(int v, int m) { return (v + m - 1) / m * m; }

    // ------------------------------------------------------------------ forward (and input gradient)

    /**
     * {@code y[yOff ..]} ({@code [n, cout, oh, ow]}) = bias + the 3×3 convolution of
     * {@code x[xOff ..]} ({@code [n, cin, h, w]}), output (i, j) reading input rows
     * {@code i + offT + 0..2} and columns {@code j + offL + 0..2} (zero outside the image). The
     * kernel at {@code wt[wOff ..]} is {@code [cout, cin, 3, 3]}, or with {@code adjoint}
     * {@code [cin, cout, 3, 3]} applied flipped (the transposed convolution's kernel). {@code bias}
     * may be null.
     */
    public static void forward(float[] x, int xOff, int n, int cin, int h, int w, float[] wt, int wOff, boolean adjoint,
                               float[] bias, int bOff, int cout, int oh, int ow, int offT, int offL, float[] y, int yOff) {
        forward(x, xOff, n, cin, h, w, weights(wt, wOff, cin, cout, adjoint), bias, bOff, cout, oh, ow, offT, offL, y, yOff);
    }

    /**
     * The kernel of {@link #forward} transformed once ({@code U}), for callers that run the same
     * convolution on several parts of a batch: {@code [cout, cin, 3, 3]}, or with {@code adjoint}
     * {@code [cin, cout, 3, 3]} applied flipped.
     */
    public static float[] weights(float[] wt, int wOff, int cin, int cout, boolean adjoint) {
        return transformWeights(wt, wOff, cin, cout, roundUp(cout, L), adjoint);
    }

    /** {@link #forward} with the kernel already transformed by {@link #weights}. */
    public static void forward(float[] x, int xOff, int n, int cin, int h, int w, float[] u, float[] bias, int bOff,
                               int cout, int oh, int ow, int offT, int offL, float[] y, int yOff) {
        forward(nchw(x, xOff, cin, h, w), n, cin, h, w, u, bias, bOff, cout, oh, ow, offT, offL, y, yOff);
    }

    /** {@link #forward} with the kernel transformed by {@link #weights}, reading the input's rows from {@code x}. */
    public static void forward(Planes x, int n, int cin, int h, int w, float[] u, float[] bias, int bOff,
                               int cout, int oh, int ow, int offT, int offL, float[] y, int yOff) {
        forward(x, n, cin, h, w, u, bias, bOff, cout, oh, ow, offT, offL, (out, op, img, row0, rows) ->
            transposeOut(out, rows * ow, cout, op, y, yOff + img * cout * oh * ow + row0 * ow, oh * ow));
    }

    /**
     * Where {@link #forward} and the weight gradient read an input (or output gradient): its rows,
     * channels-last, from an NCHW array ({@link #nchw}) or from a caller that makes them on the fly
     * (a fused pooling's gradient, scattered through its argmax).
     */
    @FunctionalInterface
    public interface Planes {
        /**
         * Columns {@code s0 .. s1 - 1} of row {@code r} of image {@code img} (counted from the call's
         * first image), channels-last: channel {@code c} of column {@code s} at
         * {@code dst[d + (s - s0)*cs + c]}, for every channel of the call ({@code cs} is at least that).
         */
        void row(int img, int r, int s0, int s1, float[] dst, int d, int cs);
    }

    /** The {@code [n, ch, h, w]} batch at {@code x[xOff ..]} as {@link Planes}. */
    public static Planes nchw(float[] x, int xOff, int ch, int h, int w) {
        int hw = h * w, cv = ch - ch % L;
        int[] gather = stride(hw);
        return (img, r, s0, s1, dst, d, cs) -> {
            for (int s = s0, e0 = xOff + img * ch * hw + r * w + s0; s < s1; s++, e0++, d += cs) {
                int c = 0, e = e0;
                // 16 channels of a position per gathering load (the scalar copy was a tenth of the cnn step)
                for (; c < cv; c += L, e += L * hw) FloatVector.fromArray(S, x, e, gather, 0).intoArray(dst, d + c);
                for (; c < ch; c++, e += hw) dst[d + c] = x[e];
            }
        };
    }

    /** Where {@link #forward} puts its output: rows in the channels-last layout of the output transform. */
    @FunctionalInterface
    public interface Rows {
        /**
         * Output rows {@code row0 .. row0 + rows - 1} of image {@code img} (counted from the call's
         * first image), output channel {@code co} of row {@code row0 + r}, column {@code j}, at
         * {@code out[(r*ow + j)*op + co]} ({@code op}: the output channels rounded up to 16);
         * {@code rows} is even unless the last row of the image is among them.
         */
        void take(float[] out, int op, int img, int row0, int rows);
    }

    /**
     * {@link #forward} with the kernel transformed by {@link #weights}, handing each block's output
     * rows to {@code sink} (on the thread that computed them) instead of storing them NCHW: for a
     * caller that consumes them at once (a fused pooling), without the output ever being stored.
     */
    public static void forward(Planes x, int n, int cin, int h, int w, float[] u, float[] bias, int bOff,
                               int cout, int oh, int ow, int offT, int offL, Rows sink) {
        forward(x, n, cin, h, w, u, bias, bOff, cout, oh, ow, offT, offL, sink, null, 0);
    }

    /**
     * Floats per image of the padded input rows a padding-1 convolution of {@code [cin, h, w]} images
     * keeps for its weight gradient (see the {@code keep} of {@link #forward(Planes, int, int, int,
     * int, float[], float[], int, int, int, int, int, int, Rows, float[], int)}).
     */
    public static int keptFloats(int cin, int h, int w) {
        Plan p = new Plan(1, cin, h, w, L, h, w, -1, -1);
        return (2 * p.th + 2) * p.rs;
    }

    /**
     * As {@link #forward(Planes, int, int, int, int, float[], float[], int, int, int, int, int, int, Rows)};
     * where {@code keep} is not null (a convolution with padding 1, {@code offT = offL = -1}, output
     * the input's size), the input's padded channels-last rows are built in {@code keep}, image
     * {@code i} of the call at {@code keepOff + i * keptFloats(cin, h, w)}, instead of in scratch, and
     * stay there for {@link #backwardAdd}'s weight gradient, which then reads them instead of copying
     * the input again.
     */
    public static void forward(Planes x, int n, int cin, int h, int w, float[] u, float[] bias, int bOff,
                               int cout, int oh, int ow, int offT, int offL, Rows sink, float[] keep, int keepOff) {
        Plan p = new Plan(n, cin, h, w, cout, oh, ow, offT, offL);
        if (keep != null && (offT != -1 || offL != -1 || oh != h || ow != w))
            throw new IllegalArgumentException("Winograd.forward: only a padding-1 convolution keeps its padded input");
        int kept = keep == null ? 0 : keptFloats(cin, h, w);
        float[] bv = new float[p.op];
        if (bias != null) System.arraycopy(bias, bOff, bv, 0, cout);
        int tp = p.tp;
        Parallel.forRange(p.blocks, 1, (s, e) -> {
            float[] v = scratch(0, 16L * p.vs), m = scratch(1, 16L * p.ms);
            float[] pad = scratch(2, (2L * p.rows + 2) * p.rs), out = scratch(3, 2L * p.rows * p.ow * p.op);
            for (int b = s; b < e; b++) {
                int q0 = b * p.rows, q1 = q0 + p.tiles(b) / p.tw;
                for (int q = q0, t = 0; q < q1; ) {
                    int img = q / p.th, ty0 = q % p.th, ty1 = Math.min(p.th, ty0 + q1 - q);
                    // one call site each: a second inlined copy of the transform can push this loop past
                    // C2's inlining budget (then its vector helpers box every vector)
                    float[] dst = keep == null ? pad : keep;
                    int at = keep == null ? 0 : keepOff + img * kept + 2 * ty0 * p.rs;
                    padInput(x, img, p, ty0, ty1, dst, at);
                    inputTransform(dst, at, p, ty1 - ty0, v, t);
                    t += (ty1 - ty0) * p.tw;
                    q += ty1 - ty0;
                }
                for (int xi = 0; xi < 16; xi++)
                    DirectConv.gemm(tp, p.op, cin, false, v, xi * p.vs, p.cp, u, xi * cin * p.op, p.op, false,
                        m, xi * p.ms, p.op);
                for (int q = q0, t = 0; q < q1; ) {
                    int img = q / p.th, ty0 = q % p.th, ty1 = Math.min(p.th, ty0 + q1 - q);
                    int rowsOut = Math.min(oh, 2 * ty1) - 2 * ty0;
                    outputTransform(m, t, p, ty0, ty1, bv, out);
                    sink.take(out, p.op, img, 2 * ty0, rowsOut);
                    t += (ty1 - ty0) * p.tw;
                    q += ty1 - ty0;
                }
            }
        });
    }

    /**
     * {@code U[ξ][ci][co]} ({@code [16, cin, op]}, zero for {@code co >= cout}) = {@code G g Gᵀ} of
     * the kernel from input channel ci to output channel co.
     */
    private static float[] transformWeights(float[] wt, int wOff, int cin, int cout, int op, boolean adjoint) {
        float[] u = new float[16 * cin * op];
        int xs = cin * op;
        float[] g = new float[9];
        for (int co = 0; co < cout; co++)
            for (int ci = 0; ci < cin; ci++) {
                if (adjoint) {
                    int src = wOff + (ci * cout + co) * 9;
                    for (int i = 0; i < 9; i++) g[i] = wt[src + 8 - i];
                } else {
                    System.arraycopy(wt, wOff + (co * cin + ci) * 9, g, 0, 9);
                }
                // rows: h = G g (4×3)
                float h00 = g[0], h01 = g[1], h02 = g[2];
                float h10 = 0.5f * (g[0] + g[3] + g[6]), h11 = 0.5f * (g[1] + g[4] + g[7]), h12 = 0.5f * (g[2] + g[5] + g[8]);
                float h20 = 0.5f * (g[0] - g[3] + g[6]), h21 = 0.5f * (g[1] - g[4] + g[7]), h22 = 0.5f * (g[2] - g[5] + g[8]);
                float h30 = g[6], h31 = g[7], h32 = g[8];
                int d = ci * op + co;
                gRow(h00, h01, h02, u, d, xs);
                gRow(h10, h11, h12, u, d + 4 * xs, xs);
                gRow(h20, h21, h22, u, d + 8 * xs, xs);
                gRow(h30, h31, h32, u, d + 12 * xs, xs);
            }
        return u;
    }

    /** One row of {@code h Gᵀ}: 3 values to 4, stored {@code xs} apart. */
    private static void gRow(float a, float b, float c, float[] u, int d, int xs) {
        u[d] = a;
        u[d + xs] = 0.5f * (a + b + c);
        u[d + 2 * xs] = 0.5f * (a - b + c);
        u[d + 3 * xs] = c;
    }

    /**
     * Copies input rows {@code 2*ty0 + offT ..} (those tile rows' 4-row windows) of image {@code img},
     * channels-last, into {@code pad[(r*wp + s)*cp + c]}, zero where a window leaves the image.
     * Channels {@code >= cin} are left as they are (nothing reads them into a product).
     */
    private static void padInput(Planes x, int img, Plan p, int ty0, int ty1, float[] pad, int padOff) {
        int rowsP = 2 * (ty1 - ty0) + 2, wp = p.wp, cp = p.cp;
        // columns s of the window that lie inside the image: [sLo, sHi)
        int sLo = Math.min(wp, Math.max(0, -p.offL)), sHi = Math.max(sLo, Math.min(wp, p.w - p.offL));
        for (int r = 0; r < rowsP; r++) {
            int ir = 2 * ty0 + p.offT + r, row = padOff + r * p.rs;
            if (ir < 0 || ir >= p.h) {
                Arrays.fill(pad, row, row + wp * cp, 0f);
                continue;
            }
            if (sLo > 0) Arrays.fill(pad, row, row + sLo * cp, 0f);
            if (sHi < wp) Arrays.fill(pad, row + sHi * cp, row + wp * cp, 0f);
            if (sLo < sHi) x.row(img, ir, sLo + p.offL, sHi + p.offL, pad, row + sLo * cp, cp);
        }
    }

    /** {@code V[ξ][t][c]} = {@code Bᵀ d B} of each tile of {@code rows} tile rows of {@code pad}, tiles from {@code t0}. */
    private static void inputTransform(float[] pad, int padOff, Plan p, int rows, float[] v, int t0) {
        int cp = p.cp, xs = p.vs, rs = p.rs;
        for (int i = 0; i < rows; i++)
            for (int tx = 0; tx < p.tw; tx++) {
                int src = padOff + 2 * i * rs + 2 * tx * cp, dst = (t0 + i * p.tw + tx) * cp;
                for (int cb = 0; cb < cp; cb += L) {
                    inRows01(pad, src + cb, cp, rs, v, dst + cb, xs);
                    inRows23(pad, src + cb, cp, rs, v, dst + cb, xs);
                }
            }
    }

    // The transforms' per-tile kernels take arrays and offsets only, and each does about half a
    // tile: C2 stops inlining inside one method after a node budget (NodeCountInliningCutoff), and
    // a whole 4×4 tile of vector code in the loop hit it, leaving the last row's vector helpers as
    // calls that box every vector (measured 3-4x slower transforms).

    /** Rows 0 and 1 of {@code Bᵀ d B} (ξ 0-7) for the 16 channels at {@code a}: {@code d0 - d2}, {@code d1 + d2}. */
    private static void inRows01(float[] pad, int a, int cp, int rs, float[] v, int o, int xs) {
        int b = a + rs, c = b + rs;
        FloatVector c0 = ld(pad, c), c1 = ld(pad, c + cp), c2 = ld(pad, c + 2 * cp), c3 = ld(pad, c + 3 * cp);
        bRow(ld(pad, a).sub(c0), ld(pad, a + cp).sub(c1), ld(pad, a + 2 * cp).sub(c2), ld(pad, a + 3 * cp).sub(c3), v, o, xs);
        bRow(ld(pad, b).add(c0), ld(pad, b + cp).add(c1), ld(pad, b + 2 * cp).add(c2), ld(pad, b + 3 * cp).add(c3), v, o + 4 * xs, xs);
    }

    /** Rows 2 and 3 of {@code Bᵀ d B} (ξ 8-15): {@code d2 - d1}, {@code d1 - d3}. */
    private static void inRows23(float[] pad, int a, int cp, int rs, float[] v, int o, int xs) {
        int b = a + rs, c = b + rs, d = c + rs;
        FloatVector b0 = ld(pad, b), b1 = ld(pad, b + cp), b2 = ld(pad, b + 2 * cp), b3 = ld(pad, b + 3 * cp);
        bRow(ld(pad, c).sub(b0), ld(pad, c + cp).sub(b1), ld(pad, c + 2 * cp).sub(b2), ld(pad, c + 3 * cp).sub(b3), v, o + 8 * xs, xs);
        bRow(b0.sub(ld(pad, d)), b1.sub(ld(pad, d + cp)), b2.sub(ld(pad, d + 2 * cp)), b3.sub(ld(pad, d + 3 * cp)), v, o + 12 * xs, xs);
    }

    /** One row of {@code t B}: stores {@code t0-t2, t1+t2, t2-t1, t1-t3} {@code xs} apart. */
    private static void bRow(FloatVector t0, FloatVector t1, FloatVector t2, FloatVector t3, float[] v, int o, int xs) {
        t0.sub(t2).intoArray(v, o);
        t1.add(t2).intoArray(v, o + xs);
        t2.sub(t1).intoArray(v, o + 2 * xs);
        t1.sub(t3).intoArray(v, o + 3 * xs);
    }

    /**
     * {@code Aᵀ m A} + bias of the tiles of tile rows {@code [ty0, ty1)} (products' rows from
     * {@code t0}) into {@code out[(r*ow + j)*op + co]}, output rows {@code 2*ty0 + r} below {@code oh}.
     */
    private static void outputTransform(float[] m, int t0, Plan p, int ty0, int ty1, float[] bias, float[] out) {
        int op = p.op, xs = p.ms, ow = p.ow;
        for (int i = 0; i < ty1 - ty0; i++) {
            boolean row2 = 2 * (ty0 + i) + 1 < p.oh;
            for (int tx = 0; tx < p.tw; tx++) {
                boolean col2 = 2 * tx + 1 < ow;
                int src = (t0 + i * p.tw + tx) * op, d0 = (2 * i * ow + 2 * tx) * op, d1 = d0 + ow * op;
                for (int ob = 0; ob < op; ob += L) outTile(m, src + ob, xs, bias, ob, out, d0 + ob, d1 + ob, op, row2, col2);
            }
        }
    }

    /**
     * {@code Aᵀ m A} + bias of one tile's 16 channels at {@code m[a + ξ*xs]}: outputs (0, 0) at
     * {@code d0}, (0, 1) at {@code d0 + op} (with {@code col2}), (1, *) likewise at {@code d1} (with {@code row2}).
     */
    private static void outTile(float[] m, int a, int xs, float[] bias, int ob, float[] out, int d0, int d1, int op,
                                boolean row2, boolean col2) {
        // rows of Aᵀ m: u0 = m0 + m1 + m2, u1 = m1 - m2 - m3
        FloatVector m1 = ld(m, a + 4 * xs), m2 = ld(m, a + 8 * xs);
        FloatVector u00 = ld(m, a).add(m1).add(m2), u10 = m1.sub(m2).sub(ld(m, a + 12 * xs));
        m1 = ld(m, a + 5 * xs);
        m2 = ld(m, a + 9 * xs);
        FloatVector u01 = ld(m, a + xs).add(m1).add(m2), u11 = m1.sub(m2).sub(ld(m, a + 13 * xs));
        m1 = ld(m, a + 6 * xs);
        m2 = ld(m, a + 10 * xs);
        FloatVector u02 = ld(m, a + 2 * xs).add(m1).add(m2), u12 = m1.sub(m2).sub(ld(m, a + 14 * xs));
        m1 = ld(m, a + 7 * xs);
        m2 = ld(m, a + 11 * xs);
        FloatVector u03 = ld(m, a + 3 * xs).add(m1).add(m2), u13 = m1.sub(m2).sub(ld(m, a + 15 * xs));
        FloatVector bb = ld(bias, ob);
        u00.add(u01).add(u02).add(bb).intoArray(out, d0);
        if (col2) u01.sub(u02).sub(u03).add(bb).intoArray(out, d0 + op);
        if (row2) {
            u10.add(u11).add(u12).add(bb).intoArray(out, d1);
            if (col2) u11.sub(u12).sub(u13).add(bb).intoArray(out, d1 + op);
        }
    }

    /**
     * {@code y[yOff + co*plane + q] = out[q*op + co]} for {@code q < count}, {@code co < cout}:
     * channels-last rows back to NCHW, 16 positions of a channel per gathering load.
     */
    private static void transposeOut(float[] out, int count, int cout, int op, float[] y, int yOff, int plane) {
        int[] idx = stride(op);
        int cv = count - count % L;
        for (int co = 0; co < cout; co++) {
            int d = yOff + co * plane, q = 0;
            for (; q < cv; q += L) FloatVector.fromArray(S, out, q * op + co, idx, 0).intoArray(y, d + q);
            for (int s = q * op + co; q < count; q++, s += op) y[d + q] = out[s];
        }
    }

    /** {@code {0, step, 2*step, .., 15*step}}: a gathering load's offsets. */
    private static int[] stride(int step) {
        int[] idx = new int[L];
        for (int i = 0; i < L; i++) idx[i] = i * step;
        return idx;
    }

    // ------------------------------------------------------------------ weight gradient

    /**
     * {@code dw} ({@code [cout, cin, 3, 3]}, overwritten) = the weight gradient of the convolution
     * of {@link #forward} (not adjoint) for the output gradient {@code dy[dyOff ..]}
     * ({@code [n, cout, oh, ow]}), summed over the batch.
     */
    public static void weightGrad(float[] x, int xOff, int n, int cin, int h, int w, float[] dy, int dyOff,
                                  int cout, int oh, int ow, int offT, int offL, float[] dw, int dwOff) {
        Plan p = new Plan(n, cin, h, w, cout, oh, ow, offT, offL);
        int un = gradSize(cin, cout);
        int chunks = Math.min(p.blocks, Parallel.threads());
        float[][] parts = new float[chunks][];
        Parallel.forRange(chunks, 1, (s, e) -> {
            for (int c = s; c < e; c++) {
                parts[c] = new float[un];
                accumulate(nchw(x, xOff, cin, h, w), nchw(dy, dyOff, cout, oh, ow), p, (int) ((long) c * p.blocks / chunks),
                    (int) ((long) (c + 1) * p.blocks / chunks), parts[c]);
            }
        });
        float[] du = parts[0];
        for (int c = 1; c < chunks; c++) {
            float[] part = parts[c];
            for (int i = 0; i < un; i++) du[i] += part[i];
        }
        weightGradFinish(du, cin, cout, dw, dwOff);
    }

    /** Elements of the transformed weight gradient that {@link #weightGradAdd} accumulates. */
    public static int gradSize(int cin, int cout) { return 16 * cin * roundUp(cout, L); }

    /**
     * Adds the transformed weight gradient of the {@code n} images at {@code x[xOff ..]} and
     * the output gradient's rows from {@code dy} (as {@link #weightGrad}) to {@code du} ({@link #gradSize} elements) on
     * this thread, for a caller that splits a batch itself and sums the parts in its own order;
     * {@link #weightGradFinish} turns the sum into the weight gradient.
     */
    public static void weightGradAdd(float[] x, int xOff, int n, int cin, int h, int w, Planes dy,
                                     int cout, int oh, int ow, int offT, int offL, float[] du) {
        Plan p = new Plan(n, cin, h, w, cout, oh, ow, offT, offL);
        accumulate(nchw(x, xOff, cin, h, w), dy, p, 0, p.blocks, du);
    }

    /** Blocks {@code [b0, b1)}' share of the transformed weight gradient, added to {@code du}. */
    private static void accumulate(Planes x, Planes dy, Plan p, int b0, int b1, float[] du) {
        int cin = p.cin;
        float[] v = scratch(0, 16L * p.vs), yh = scratch(1, 16L * p.ms);
        float[] pad = scratch(2, (2L * p.rows + 2) * p.rs), dyp = scratch(3, 2L * p.rows * p.grs);
        for (int b = b0; b < b1; b++) {
            int tiles = p.tiles(b), q0 = b * p.rows, q1 = q0 + tiles / p.tw;
            for (int q = q0, t = 0; q < q1; ) {
                int img = q / p.th, ty0 = q % p.th, ty1 = Math.min(p.th, ty0 + q1 - q);
                padInput(x, img, p, ty0, ty1, pad, 0);
                inputTransform(pad, 0, p, ty1 - ty0, v, t);
                padGrad(dy, img, p, ty0, ty1, dyp);
                gradTransform(dyp, 0, p.grs, p, ty1 - ty0, yh, t);
                t += (ty1 - ty0) * p.tw;
                q += ty1 - ty0;
            }
            // dU[ξ]ᵀ (cin × op) += V[ξ]ᵀ · Ŷ[ξ]
            for (int xi = 0; xi < 16; xi++)
                DirectConv.gemm(cin, p.op, tiles, true, v, xi * p.vs, p.cp, yh, xi * p.ms, p.op, true,
                    du, xi * cin * p.op, p.op);
        }
    }

    /**
     * The backward of a {@link #forward} convolution with padding 1 (output the input's size,
     * {@code offT = offL = -1}) of {@code n} images, on this thread, for a caller that splits a batch
     * itself: from the output gradient's rows {@code dy} ({@code cout} channels, {@code h×w}), the
     * input gradient into {@code gx[gxOff ..]} ({@code [n, cin, h, w]}, overwritten; where {@code uT}
     * is not null: the kernel as {@code weights(w, 0, cout, cin, true)}), and the transformed weight
     * gradient of the input rows {@code x} added to {@code du} (where not null; as
     * {@link #weightGradAdd}). Each block's gradient rows are copied channels-last once for both: the
     * input gradient's padded window (the adjoint convolution's input, one row and column of zeros
     * around) holds the weight gradient's 2×2 tiles one row and one column in.
     */
    public static void backwardAdd(Planes dy, Planes x, int n, int cin, int h, int w, int cout, float[] uT,
                                   float[] gx, int gxOff, float[] du) {
        backwardAdd(dy, x, n, cin, h, w, cout, uT, gx, gxOff, du, null, 0);
    }

    /**
     * As {@link #backwardAdd(Planes, Planes, int, int, int, int, int, float[], float[], int, float[])};
     * where {@code kept} is not null, the weight gradient reads the input's padded rows that the
     * forward kept there ({@code keep} and {@code keepOff} of the same images) instead of
     * copying them from {@code x} again (which may then be null).
     */
    public static void backwardAdd(Planes dy, Planes x, int n, int cin, int h, int w, int cout, float[] uT,
                                   float[] gx, int gxOff, float[] du, float[] kept, int keptOff) {
        Plan pg = new Plan(n, cout, h, w, cin, h, w, -1, -1), pw = new Plan(n, cin, h, w, cout, h, w, -1, -1);
        int keptImage = kept == null ? 0 : keptFloats(cin, h, w);
        boolean needX = uT != null, needW = du != null;
        float[] vg = needX ? scratch(0, 16L * pg.vs) : null, mg = needX ? scratch(1, 16L * pg.ms) : null;
        float[] padG = scratch(2, (2L * pg.rows + 2) * pg.rs), out = needX ? scratch(3, 2L * pg.rows * pg.ow * pg.op) : null;
        float[] vx = needW ? scratch(4, 16L * pw.vs) : null, yh = needW ? scratch(5, 16L * pw.ms) : null;
        float[] padX = needW && kept == null ? scratch(6, (2L * pw.rows + 2) * pw.rs) : null;
        float[] zero = new float[pg.op];
        for (int b = 0; b < pg.blocks; b++) {
            int tiles = pg.tiles(b), q0 = b * pg.rows, q1 = q0 + tiles / pg.tw;
            for (int q = q0, t = 0; q < q1; ) {
                int img = q / pg.th, ty0 = q % pg.th, ty1 = Math.min(pg.th, ty0 + q1 - q);
                padInput(dy, img, pg, ty0, ty1, padG, 0);
                if (needX) inputTransform(padG, 0, pg, ty1 - ty0, vg, t);
                if (needW) {
                    gradTransform(padG, pg.rs + pg.cp, pg.rs, pw, ty1 - ty0, yh, t);
                    float[] src = kept == null ? padX : kept;
                    int at = kept == null ? 0 : keptOff + img * keptImage + 2 * ty0 * pw.rs;
                    if (kept == null) padInput(x, img, pw, ty0, ty1, padX, 0);
                    inputTransform(src, at, pw, ty1 - ty0, vx, t);
                }
                t += (ty1 - ty0) * pg.tw;
                q += ty1 - ty0;
            }
            if (needW)
                for (int xi = 0; xi < 16; xi++)
                    DirectConv.gemm(cin, pw.op, tiles, true, vx, xi * pw.vs, pw.cp, yh, xi * pw.ms, pw.op, true,
                        du, xi * cin * pw.op, pw.op);
            if (!needX) continue;
            for (int xi = 0; xi < 16; xi++)
                DirectConv.gemm(pg.tp, pg.op, cout, false, vg, xi * pg.vs, pg.cp, uT, xi * cout * pg.op, pg.op, false,
                    mg, xi * pg.ms, pg.op);
            for (int q = q0, t = 0; q < q1; ) {
                int img = q / pg.th, ty0 = q % pg.th, ty1 = Math.min(pg.th, ty0 + q1 - q);
                int rowsOut = Math.min(h, 2 * ty1) - 2 * ty0;
                outputTransform(mg, t, pg, ty0, ty1, zero, out);
                transposeOut(out, rowsOut * w, cin, pg.op, gx, gxOff + img * cin * h * w + 2 * ty0 * w, h * w);
                t += (ty1 - ty0) * pg.tw;
                q += ty1 - ty0;
            }
        }
    }

    /** {@code dw[dwOff ..]} ({@code [cout, cin, 3, 3]}, overwritten) from the transformed weight gradient {@code du}. */
    public static void weightGradFinish(float[] du, int cin, int cout, float[] dw, int dwOff) {
        int op = roundUp(cout, L), xs = cin * op;
        for (int co = 0; co < cout; co++)
            for (int ci = 0; ci < cin; ci++) {
                int s = ci * op + co, d = dwOff + (co * cin + ci) * 9;
                // rows: e = Gᵀ q (3×4), q row r = du[s + (4r + k)·xs]
                float q00 = du[s], q01 = du[s + xs], q02 = du[s + 2 * xs], q03 = du[s + 3 * xs];
                float q10 = du[s + 4 * xs], q11 = du[s + 5 * xs], q12 = du[s + 6 * xs], q13 = du[s + 7 * xs];
                float q20 = du[s + 8 * xs], q21 = du[s + 9 * xs], q22 = du[s + 10 * xs], q23 = du[s + 11 * xs];
                float q30 = du[s + 12 * xs], q31 = du[s + 13 * xs], q32 = du[s + 14 * xs], q33 = du[s + 15 * xs];
                float p0 = 0.5f * (q10 + q20), p1 = 0.5f * (q11 + q21), p2 = 0.5f * (q12 + q22), p3 = 0.5f * (q13 + q23);
                gtRow(q00 + p0, q01 + p1, q02 + p2, q03 + p3, dw, d);
                gtRow(0.5f * (q10 - q20), 0.5f * (q11 - q21), 0.5f * (q12 - q22), 0.5f * (q13 - q23), dw, d + 3);
                gtRow(p0 + q30, p1 + q31, p2 + q32, p3 + q33, dw, d + 6);
            }
    }

    /** One row of {@code e G}: 4 values to 3. */
    private static void gtRow(float a, float b, float c, float d, float[] dw, int o) {
        float s = 0.5f * (b + c);
        dw[o] = a + s;
        dw[o + 1] = 0.5f * (b - c);
        dw[o + 2] = s + d;
    }

    /**
     * Copies the output gradient's rows {@code 2*ty0 ..} (those tile rows' 2×2 tiles) of image {@code img}
     * channels-last into {@code dyp[(r*2tw + s)*op + co]}, zero past the last row or column.
     * Channels {@code >= cout} are left as they are (they only reach the products' unread columns).
     */
    private static void padGrad(Planes dy, int img, Plan p, int ty0, int ty1, float[] dyp) {
        int rows = 2 * (ty1 - ty0), w2 = 2 * p.tw, op = p.op;
        for (int r = 0; r < rows; r++) {
            int ir = 2 * ty0 + r, row = r * p.grs;
            if (ir >= p.oh) {
                Arrays.fill(dyp, row, row + w2 * op, 0f);
                continue;
            }
            if (p.ow < w2) Arrays.fill(dyp, row + p.ow * op, row + w2 * op, 0f);
            dy.row(img, ir, 0, p.ow, dyp, row, op);
        }
    }

    /**
     * {@code Ŷ[ξ][t][co]} = {@code A dy Aᵀ} of each 2×2 tile of the channels-last gradient rows at
     * {@code dyp[at ..]} ({@code rs} apart), tiles from {@code t0}.
     */
    private static void gradTransform(float[] dyp, int at, int rs, Plan p, int rows, float[] yh, int t0) {
        int op = p.op, xs = p.ms;
        for (int i = 0; i < rows; i++)
            for (int tx = 0; tx < p.tw; tx++) {
                int src = at + 2 * i * rs + 2 * tx * op, dst = (t0 + i * p.tw + tx) * op;
                for (int ob = 0; ob < op; ob += L) gradTile(dyp, src + ob, op, rs, yh, dst + ob, xs);
            }
    }

    /** {@code A dy Aᵀ} of one 2×2 tile's 16 channels at {@code dyp[a ..]} to {@code yh[o + ξ*xs]}. */
    private static void gradTile(float[] dyp, int a, int op, int rs, float[] yh, int o, int xs) {
        FloatVector d00 = ld(dyp, a), d01 = ld(dyp, a + op), d10 = ld(dyp, a + rs), d11 = ld(dyp, a + rs + op);
        // rows of A dy: z0 = d0, z1 = d0 + d1, z2 = d0 - d1, z3 = -d1
        aRow(d00, d01, yh, o, xs);
        aRow(d00.add(d10), d01.add(d11), yh, o + 4 * xs, xs);
        aRow(d00.sub(d10), d01.sub(d11), yh, o + 8 * xs, xs);
        aRow(d10.neg(), d11.neg(), yh, o + 12 * xs, xs);
    }

    /** One row of {@code z Aᵀ}: 2 values to 4, {@code z0, z0+z1, z0-z1, -z1}, stored {@code xs} apart. */
    private static void aRow(FloatVector z0, FloatVector z1, float[] yh, int o, int xs) {
        z0.intoArray(yh, o);
        z0.add(z1).intoArray(yh, o + xs);
        z0.sub(z1).intoArray(yh, o + 2 * xs);
        z1.neg().intoArray(yh, o + 3 * xs);
    }

    // ------------------------------------------------------------------ scratch

    private static FloatVector ld(float[] a, int at) { return FloatVector.fromArray(S, a, at); }

    /** Buffers kept per thread up to this many floats each (larger ones are allocated per call). */
    private static final int KEEP = 1 << 21;

    /**
     * Per-thread buffers: transformed inputs, products (or transformed gradients), padded input,
     * output rows (or padded gradient); {@link #backwardAdd}'s weight gradient also the input's
     * transform, the gradient's transform and the padded input.
     */
    private static final Scratch SCRATCH = new Scratch(7);

    private static float[] scratch(int slot, long n) {
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("conv: a Winograd block needs " + n + " floats, more than an array holds");
        return SCRATCH.floats(slot, (int) n, KEEP);
    }
}
