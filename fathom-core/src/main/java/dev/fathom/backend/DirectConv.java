package dev.fathom.backend;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The convolution backend's float32 Vector API kernels. Direct convolution of one input plane into
 * one output plane, for depthwise convolutions (one input channel per group): there each group's
 * im2col matrix has only kH*kW rows and its GEMM a single output row or a few, too small to pay for
 * the call and packing; here each run of adjacent outputs keeps its sum in a register across all
 * taps. Requires a unit column stride. The weight gradient of convolutions with few patch rows
 * ({@link #dotRows}). And the long element-wise add of {@link Im2col}'s col2im, which C2 leaves
 * scalar (the two arrays might overlap). And, where 512-bit vectors exist, the per-image products
 * of im2col convolutions ({@link #gemm}). Use only when {@link Im2col#VECTOR}.
 */
public final class DirectConv {
    private DirectConv() {}

    // 256-bit vectors even where 512-bit exist: output rows of small images (28, 14, 7 wide) would
    // otherwise leave most columns to the scalar tail; a 128-bit step then narrows the tail further.
    private static final VectorSpecies<Float> S, S4, S16;
    private static final boolean OK;

    static {
        VectorSpecies<Float> s = null, s4 = null, s16 = null;
        boolean ok;
        try {
            s = FloatVector.SPECIES_PREFERRED.length() >= 8 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
            s4 = FloatVector.SPECIES_128;
            s16 = FloatVector.SPECIES_PREFERRED.length() >= 16 ? FloatVector.SPECIES_512 : null;
            ok = s.length() >= 4;
        } catch (Throwable t) { // module not resolved at run time: callers fall back to GEMM
            ok = false;
        }
        S = s;
        S4 = s4;
        S16 = s16;
        OK = ok;
    }

    /**
     * The weight-gradient dot products' vectors ({@link #dotRows}): 512 bits where they exist. Their
     * rows are long (a 28×28 image: 784 = 49 × 16), so the short-row reason for {@link #S} does not
     * apply, and at 256 bits the loads bound them (6% of a cnn training step for 3% of its
     * multiply-adds).
     */
    private static final VectorSpecies<Float> SD = S16 != null ? S16 : S;

    /** True when the Vector API is usable and wide enough to beat the GEMM path. */
    public static boolean available() { return OK; }

    /** True when {@link #gemm} can be used: 512-bit vectors (and with them 32 vector registers). */
    public static boolean wideGemm() { return OK && S16 != null; }

    /**
     * {@code y[yp ..]} ({@code OH×OW}) = bias + the cross-correlation of plane {@code x[xp ..]}
     * ({@code H×W}) with the {@code kH×kW} kernel at {@code w[wo ..]}, column stride 1.
     */
    public static void plane(float[] x, int xp, int H, int W, float[] w, int wo, int kH, int kW, float bias,
                             float[] y, int yp, int OH, int OW, int sH, int padT, int padL, int dH, int dW) {
        int L = S.length();
        // output columns whose every tap lies inside the row: [iLo, iHi)
        int iLo = Math.min(OW, Math.max(0, padL));
        int iHi = Math.max(iLo, Math.min(OW, W + padL - (kW - 1) * dW));
        for (int oh = 0; oh < OH; oh++) {
            int yo = yp + oh * OW;
            int kh0 = 0, kh1 = kH; // taps whose row is inside the image
            int top = oh * sH - padT;
            while (kh0 < kH && top + kh0 * dH < 0) kh0++;
            while (kh1 > kh0 && top + (kh1 - 1) * dH >= H) kh1--;
            int ow = iLo;
            for (; ow + L <= iHi; ow += L) {
                FloatVector acc = FloatVector.broadcast(S, bias);
                for (int kh = kh0; kh < kh1; kh++) {
                    int row = xp + (top + kh * dH) * W + ow - padL;
                    int wr = wo + kh * kW;
                    for (int kw = 0; kw < kW; kw++)
                        acc = FloatVector.fromArray(S, x, row + kw * dW).fma(FloatVector.broadcast(S, w[wr + kw]), acc);
                }
                acc.intoArray(y, yo + ow);
            }
            if (L > 4 && ow + 4 <= iHi) {
                FloatVector acc = FloatVector.broadcast(S4, bias);
                for (int kh = kh0; kh < kh1; kh++) {
                    int row = xp + (top + kh * dH) * W + ow - padL;
                    int wr = wo + kh * kW;
                    for (int kw = 0; kw < kW; kw++)
                        acc = FloatVector.fromArray(S4, x, row + kw * dW).fma(FloatVector.broadcast(S4, w[wr + kw]), acc);
                }
                acc.intoArray(y, yo + ow);
                ow += 4;
            }
            for (int o = 0; o < iLo; o++) y[yo + o] = edge(x, xp, W, w, wo, kW, bias, top, kh0, kh1, dH, dW, o - padL);
            for (int o = ow; o < OW; o++) y[yo + o] = edge(x, xp, W, w, wo, kW, bias, top, kh0, kh1, dH, dW, o - padL);
        }
    }

    /**
     * {@code c[cOff + i*k + j] += sum over p < n of a[aOff + i*n + p] * b[bOff + j*n + p]} for
     * {@code i < m}, {@code j < k}: a product with a long inner dimension and a tiny output
     * ({@code A·Bᵀ}, both row-major with row length {@code n}), as in the weight gradient of a
     * convolution whose patch matrix has few rows (a first layer on grey images: 9). BLAS packs
     * both operands for each such call and reached a third of its peak there; here blocks of four
     * rows of {@code a} by three of {@code b} keep twelve vector accumulators, each loaded vector
     * serving three or four of them (with one row of {@code a} against four of {@code b}, the
     * previous form, the loads bound it and the cnn workload's first layer spent as long here as
     * its second layer in its whole weight-gradient product).
     */
    public static void dotRows(int m, int k, int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        int m4 = m - m % 4, k3 = k - k % 3, L = SD.length();
        float[] lanes = m4 > 0 && k3 > 0 ? PAD.floats(2, DOT_ROWS * (L + 1), KEEP_PAD) : null;
        for (int i = 0; i < m4; i += 4)
            for (int j = 0; j < k3; j += 3) dot4x3(i, j, k, n, a, aOff, b, bOff, c, cOff, lanes);
        // the rest (none for the cnn's first layer, 32 x 9): one pair at a time
        for (int i = 0; i < m; i++)
            for (int j = i < m4 ? k3 : 0; j < k; j++) dot1x1(i, j, k, n, a, aOff, b, bOff, c, cOff);
    }

    /**
     * Rows {@code [i, i+4)} of a × rows {@code [j, j+3)} of b: 12 accumulators, each loaded vector
     * used 3 or 4 times, stored to {@code lanes} and summed across their lanes together ({@link
     * VectorMath#sumLanesOfRows}: the same bits as one by one, at a fraction of the cost).
     */
    private static void dot4x3(int i, int j, int k, int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                               float[] lanes) {
        int L = SD.length(), nv = SD.loopBound(n);
        int a0 = aOff + i * n, a1 = a0 + n, a2 = a1 + n, a3 = a2 + n, b0 = bOff + j * n, b1 = b0 + n, b2 = b1 + n;
        FloatVector z = FloatVector.zero(SD);
        FloatVector s00 = z, s01 = z, s02 = z, s10 = z, s11 = z, s12 = z, s20 = z, s21 = z, s22 = z, s30 = z, s31 = z, s32 = z;
        for (int p = 0; p < nv; p += L) {
            FloatVector v0 = FloatVector.fromArray(SD, b, b0 + p), v1 = FloatVector.fromArray(SD, b, b1 + p);
            FloatVector v2 = FloatVector.fromArray(SD, b, b2 + p), u = FloatVector.fromArray(SD, a, a0 + p);
            s00 = u.fma(v0, s00); s01 = u.fma(v1, s01); s02 = u.fma(v2, s02);
            u = FloatVector.fromArray(SD, a, a1 + p);
            s10 = u.fma(v0, s10); s11 = u.fma(v1, s11); s12 = u.fma(v2, s12);
            u = FloatVector.fromArray(SD, a, a2 + p);
            s20 = u.fma(v0, s20); s21 = u.fma(v1, s21); s22 = u.fma(v2, s22);
            u = FloatVector.fromArray(SD, a, a3 + p);
            s30 = u.fma(v0, s30); s31 = u.fma(v1, s31); s32 = u.fma(v2, s32);
        }
        // row 3r+q of the square: a's row i+r against b's row j+q
        s00.intoArray(lanes, 0); s01.intoArray(lanes, L); s02.intoArray(lanes, 2 * L);
        s10.intoArray(lanes, 3 * L); s11.intoArray(lanes, 4 * L); s12.intoArray(lanes, 5 * L);
        s20.intoArray(lanes, 6 * L); s21.intoArray(lanes, 7 * L); s22.intoArray(lanes, 8 * L);
        s30.intoArray(lanes, 9 * L); s31.intoArray(lanes, 10 * L); s32.intoArray(lanes, 11 * L);
        int sums = DOT_ROWS * L;
        for (int g = 0; g < 12; g += L) VectorMath.sumLanesOfRows(SD, lanes, g * L, lanes, sums + g);
        for (int r = 0; r < 4; r++)
            for (int q = 0; q < 3; q++)
                c[cOff + (i + r) * k + j + q] += tail(lanes[sums + 3 * r + q], a, a0 + r * n, b, b0 + q * n, nv, n);
    }

    /** The 12 sums of {@link #dot4x3} rounded up to whole groups of as many rows as a vector has lanes. */
    private static final int DOT_ROWS = (12 + SD.length() - 1) / SD.length() * SD.length();

    /** {@code t} plus the scalar tail {@code [nv, n)} of the dot product of rows {@code ar} and {@code br}. */
    private static float tail(float t, float[] a, int ar, float[] b, int br, int nv, int n) {
        for (int p = nv; p < n; p++) t = Math.fma(a[ar + p], b[br + p], t);
        return t;
    }

    /** Row i of a × row j of b. */
    private static void dot1x1(int i, int j, int k, int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        int L = SD.length(), nv = SD.loopBound(n), ar = aOff + i * n, br = bOff + j * n;
        FloatVector s = FloatVector.zero(SD);
        for (int p = 0; p < nv; p += L) s = FloatVector.fromArray(SD, a, ar + p).fma(FloatVector.fromArray(SD, b, br + p), s);
        c[cOff + i * k + j] += tail(VectorMath.sumLanes(s), a, ar, b, br, nv, n);
    }

    // ------------------------------------------------------------------ per-image products

    /**
     * {@code C = A·B} or, with {@code accumulate}, {@code C += A·B}, single-threaded: C {@code m×n}
     * row-major ({@code c[cOff + i*ldc + j]}), B {@code k×n} row-major ({@code b[bOff + p*ldb + j]}),
     * A {@code m×k} row-major with row stride {@code lda}, or stored transposed ({@code k×m}) with
     * {@code transA}. Only when {@link #wideGemm}.
     *
     * <p>The products of an im2col convolution are small and oddly shaped (the cnn workload's second
     * layer: 64×196×288 per image, and 288×196×64 and 288×64×196 for its gradients); OpenBLAS packs
     * both operands for each and, running its AVX2 kernels (Haswell, as {@code OPENBLAS_CORETYPE}
     * sets on the 2-core Zen 5 box), reached 63-87 GFLOP/s on one core there. This kernel keeps a
     * 6-row × 64-column block of C in 24 of the 32 512-bit registers and streams A and B in place,
     * without packing: 76-111, 97-160 and 100-175 GFLOP/s on the three shapes (single thread, CPU
     * time, load average 6-8; beside OpenBLAS's AVX-512 Cooperlake kernels 100-116, 130-145, 97-111).
     * Columns right of the last multiple of 16 take 128-bit blocks of 4, and any last 1-3 a scalar
     * loop (a masked vector tail here ran for seconds in the interpreter: C1 gave up on it, out of
     * registers, before C2 compiled it). Every element of C is one chain of fused multiply-adds over
     * k, in order, from C's value or zero.
     */
    public static void gemm(int m, int n, int k, boolean transA, float[] a, int aOff, int lda, float[] b, int bOff,
                            int ldb, boolean accumulate, float[] c, int cOff, int ldc) {
        // The blocks start from C's values or from zeros (ZERO, read at offset 0 with row stride 0),
        // with no branch on accumulate inside them (one never taken while C2 compiled them
        // deoptimised them back to slow C1 code when it first was) and no pass zeroing C first (a
        // fifth of the Winograd products' time at their 32-deep sums)
        int tail = m % 6, full = m - tail;
        if (tail >= PAD_MIN_ROWS) {
            // the last rows as one 6-row block over copies padded with zero rows: one pass over B
            // with 24 accumulators instead of a pass with 4 dependent chains per row (the cnn's 64
            // output channels leave 4, which took 27% of its 64×196×288 product as single rows)
            float[] a6 = PAD.floats(0, 6 * k, KEEP_PAD), c6 = PAD.floats(1, 6 * n, KEEP_PAD);
            // (the padding rows of c6 are computed from whatever they hold and never copied back)
            Arrays.fill(a6, tail * k, 6 * k, 0f);
            for (int i = 0; i < tail; i++) {
                int row = aOff + (full + i) * (transA ? 1 : lda), step = transA ? lda : 1;
                for (int p = 0; p < k; p++) a6[i * k + p] = a[row + p * step];
                if (accumulate) System.arraycopy(c, cOff + (full + i) * ldc, c6, i * n, n);
            }
            blocks(6, n, k, false, a6, 0, k, b, bOff, ldb, accumulate, c6, 0, n);
            for (int i = 0; i < tail; i++) System.arraycopy(c6, i * n, c, cOff + (full + i) * ldc, n);
            m = full;
        }
        blocks(m, n, k, transA, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
    }

    /** Rows below the last block of 6 from which {@link #gemm} runs them as a padded block of 6. */
    private static final int PAD_MIN_ROWS = 4;
    /** Per-thread copies of the padded rows of A and C (slots 0 and 1) and {@link #dot4x3}'s lane sums (2), kept up to this many floats. */
    private static final Scratch PAD = new Scratch(3);
    private static final int KEEP_PAD = 1 << 16;
    /** The zeros an overwriting product's blocks start from: as wide as a block's row, never written. */
    private static final float[] ZERO = new float[64];

    /** {@code C += A·B} ({@code acc}) or {@code C = A·B} by blocks: {@link #gemm} after its padded last rows. */
    private static void blocks(int m, int n, int k, boolean transA, float[] a, int aOff, int lda, float[] b, int bOff,
                               int ldb, boolean acc, float[] c, int cOff, int ldc) {
        // the blocks start from C's values (acc) or from zeros read from ZERO (offset and row stride 0)
        float[] ci = acc ? c : ZERO;
        int cil = acc ? ldc : 0;
        int ars = transA ? 1 : lda, acs = transA ? lda : 1;
        int j = 0;
        for (; j + 64 <= n; j += 64) {
            int i = 0;
            for (; i + 6 <= m; i += 6) {
                int at = cOff + i * ldc + j;
                block6x4(k, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, ci, acc ? at : 0, cil, c, at, ldc);
            }
            for (; i < m; i++) {
                int at = cOff + i * ldc + j;
                row4(k, a, aOff + i * ars, acs, b, bOff + j, ldb, ci, acc ? at : 0, c, at);
            }
        }
        // 32 columns (the Winograd input gradient's products, 32 input channels): 12 accumulators
        // per block, each broadcast of A serving two loads of B, instead of two blocks of 16
        if (j + 32 <= n) {
            int i = 0;
            for (; i + 12 <= m; i += 12) {
                int at = cOff + i * ldc + j;
                block12x2(k, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, ci, acc ? at : 0, cil, c, at, ldc);
            }
            for (; i + 6 <= m; i += 6) {
                int at = cOff + i * ldc + j;
                block6x2(k, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, ci, acc ? at : 0, cil, c, at, ldc);
            }
            for (; i < m; i++) {
                int at = cOff + i * ldc + j;
                row1(k, a, aOff + i * ars, acs, b, bOff + j, ldb, ci, acc ? at : 0, c, at);
                row1(k, a, aOff + i * ars, acs, b, bOff + j + 16, ldb, ci, acc ? at + 16 : 0, c, at + 16);
            }
            j += 32;
        }
        for (; j + 16 <= n; j += 16) {
            int i = 0;
            for (; i + 6 <= m; i += 6) {
                int at = cOff + i * ldc + j;
                block6x1(k, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, ci, acc ? at : 0, cil, c, at, ldc);
            }
            for (; i < m; i++) {
                int at = cOff + i * ldc + j;
                row1(k, a, aOff + i * ars, acs, b, bOff + j, ldb, ci, acc ? at : 0, c, at);
            }
        }
        for (; j + 4 <= n; j += 4) {
            int i = 0;
            for (; i + 6 <= m; i += 6) {
                int at = cOff + i * ldc + j;
                block6q(k, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, ci, acc ? at : 0, cil, c, at, ldc);
            }
            for (; i < m; i++) {
                int at = cOff + i * ldc + j;
                rowq(k, a, aOff + i * ars, acs, b, bOff + j, ldb, ci, acc ? at : 0, c, at);
            }
        }
        // the last 1-3 columns one element at a time, each the same chain of fused multiply-adds
        // from C's value over k as the vector blocks (a fused kernel computing a convolution
        // directly gives the same bits: GreyConvPool)
        for (; j < n; j++)
            for (int i = 0; i < m; i++) {
                int ap = aOff + i * ars, bp = bOff + j, cp = cOff + i * ldc + j;
                float sum = acc ? c[cp] : 0f;
                for (int p = 0; p < k; p++) sum = Math.fma(a[ap + p * acs], b[bp + p * ldb], sum);
                c[cp] = sum;
            }
    }

    private static FloatVector ld(float[] c, int at) {
        return FloatVector.fromArray(S16, c, at);
    }

    /** Rows {@code [0, 6)} × columns {@code [0, 64)} of C: 24 accumulators, one broadcast of A per row and step. */
    private static void block6x4(int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb,
                                 float[] ci, int cio, int cil, float[] c, int co, int ldc) {
        int c1 = co + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        int i1 = cio + cil, i2 = i1 + cil, i3 = i2 + cil, i4 = i3 + cil, i5 = i4 + cil;
        FloatVector y00 = ld(ci, cio), y01 = ld(ci, cio + 16), y02 = ld(ci, cio + 32), y03 = ld(ci, cio + 48);
        FloatVector y10 = ld(ci, i1), y11 = ld(ci, i1 + 16), y12 = ld(ci, i1 + 32), y13 = ld(ci, i1 + 48);
        FloatVector y20 = ld(ci, i2), y21 = ld(ci, i2 + 16), y22 = ld(ci, i2 + 32), y23 = ld(ci, i2 + 48);
        FloatVector y30 = ld(ci, i3), y31 = ld(ci, i3 + 16), y32 = ld(ci, i3 + 32), y33 = ld(ci, i3 + 48);
        FloatVector y40 = ld(ci, i4), y41 = ld(ci, i4 + 16), y42 = ld(ci, i4 + 32), y43 = ld(ci, i4 + 48);
        FloatVector y50 = ld(ci, i5), y51 = ld(ci, i5 + 16), y52 = ld(ci, i5 + 32), y53 = ld(ci, i5 + 48);
        for (int p = 0; p < k; p++) {
            int bp = bo + p * ldb, ap = ao + p * acs;
            FloatVector b0 = FloatVector.fromArray(S16, b, bp), b1 = FloatVector.fromArray(S16, b, bp + 16);
            FloatVector b2 = FloatVector.fromArray(S16, b, bp + 32), b3 = FloatVector.fromArray(S16, b, bp + 48);
            FloatVector x = FloatVector.broadcast(S16, a[ap]);
            y00 = b0.fma(x, y00); y01 = b1.fma(x, y01); y02 = b2.fma(x, y02); y03 = b3.fma(x, y03);
            x = FloatVector.broadcast(S16, a[ap + ars]);
            y10 = b0.fma(x, y10); y11 = b1.fma(x, y11); y12 = b2.fma(x, y12); y13 = b3.fma(x, y13);
            x = FloatVector.broadcast(S16, a[ap + 2 * ars]);
            y20 = b0.fma(x, y20); y21 = b1.fma(x, y21); y22 = b2.fma(x, y22); y23 = b3.fma(x, y23);
            x = FloatVector.broadcast(S16, a[ap + 3 * ars]);
            y30 = b0.fma(x, y30); y31 = b1.fma(x, y31); y32 = b2.fma(x, y32); y33 = b3.fma(x, y33);
            x = FloatVector.broadcast(S16, a[ap + 4 * ars]);
            y40 = b0.fma(x, y40); y41 = b1.fma(x, y41); y42 = b2.fma(x, y42); y43 = b3.fma(x, y43);
            x = FloatVector.broadcast(S16, a[ap + 5 * ars]);
            y50 = b0.fma(x, y50); y51 = b1.fma(x, y51); y52 = b2.fma(x, y52); y53 = b3.fma(x, y53);
        }
        y00.intoArray(c, co); y01.intoArray(c, co + 16); y02.intoArray(c, co + 32); y03.intoArray(c, co + 48);
        y10.intoArray(c, c1); y11.intoArray(c, c1 + 16); y12.intoArray(c, c1 + 32); y13.intoArray(c, c1 + 48);
        y20.intoArray(c, c2); y21.intoArray(c, c2 + 16); y22.intoArray(c, c2 + 32); y23.intoArray(c, c2 + 48);
        y30.intoArray(c, c3); y31.intoArray(c, c3 + 16); y32.intoArray(c, c3 + 32); y33.intoArray(c, c3 + 48);
        y40.intoArray(c, c4); y41.intoArray(c, c4 + 16); y42.intoArray(c, c4 + 32); y43.intoArray(c, c4 + 48);
        y50.intoArray(c, c5); y51.intoArray(c, c5 + 16); y52.intoArray(c, c5 + 32); y53.intoArray(c, c5 + 48);
    }

    /** One row × columns {@code [0, 64)} of C (the rows below the last full block of 6). */
    private static void row4(int k, float[] a, int ao, int acs, float[] b, int bo, int ldb, float[] ci, int cio, float[] c, int co) {
        FloatVector y0 = ld(ci, cio), y1 = ld(ci, cio + 16), y2 = ld(ci, cio + 32), y3 = ld(ci, cio + 48);
        for (int p = 0; p < k; p++) {
            int bp = bo + p * ldb;
            FloatVector x = FloatVector.broadcast(S16, a[ao + p * acs]);
            y0 = FloatVector.fromArray(S16, b, bp).fma(x, y0);
            y1 = FloatVector.fromArray(S16, b, bp + 16).fma(x, y1);
            y2 = FloatVector.fromArray(S16, b, bp + 32).fma(x, y2);
            y3 = FloatVector.fromArray(S16, b, bp + 48).fma(x, y3);
        }
        y0.intoArray(c, co); y1.intoArray(c, co + 16); y2.intoArray(c, co + 32); y3.intoArray(c, co + 48);
    }

    /**
     * Rows {@code [0, 12)} × columns {@code [0, 32)} of C: 24 accumulators, each pair of loads of B
     * serving 12 broadcasts of A (the 6-row block does 6: per multiply-add it loads a third more and
     * ran the Winograd input gradient's products about a quarter slower than {@link #block6x4} ran
     * the forward's with as many multiply-adds). Each element sums its products in the same order.
     */
    private static void block12x2(int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb,
                                  float[] ci, int cio, int cil, float[] c, int co, int ldc) {
        int c1 = co + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        int i1 = cio + cil, i2 = i1 + cil, i3 = i2 + cil, i4 = i3 + cil, i5 = i4 + cil;
        int c6 = c5 + ldc, c7 = c6 + ldc, c8 = c7 + ldc, c9 = c8 + ldc, c10 = c9 + ldc, c11 = c10 + ldc;
        int i6 = i5 + cil, i7 = i6 + cil, i8 = i7 + cil, i9 = i8 + cil, i10 = i9 + cil, i11 = i10 + cil;
        FloatVector y00 = ld(ci, cio), y01 = ld(ci, cio + 16), y10 = ld(ci, i1), y11 = ld(ci, i1 + 16);
        FloatVector y20 = ld(ci, i2), y21 = ld(ci, i2 + 16), y30 = ld(ci, i3), y31 = ld(ci, i3 + 16);
        FloatVector y40 = ld(ci, i4), y41 = ld(ci, i4 + 16), y50 = ld(ci, i5), y51 = ld(ci, i5 + 16);
        FloatVector y60 = ld(ci, i6), y61 = ld(ci, i6 + 16), y70 = ld(ci, i7), y71 = ld(ci, i7 + 16);
        FloatVector y80 = ld(ci, i8), y81 = ld(ci, i8 + 16), y90 = ld(ci, i9), y91 = ld(ci, i9 + 16);
        FloatVector ya0 = ld(ci, i10), ya1 = ld(ci, i10 + 16), yb0 = ld(ci, i11), yb1 = ld(ci, i11 + 16);
        for (int p = 0; p < k; p++) {
            int ap = ao + p * acs, bp = bo + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S16, b, bp), b1 = FloatVector.fromArray(S16, b, bp + 16);
            FloatVector x = FloatVector.broadcast(S16, a[ap]);
            y00 = b0.fma(x, y00); y01 = b1.fma(x, y01);
            x = FloatVector.broadcast(S16, a[ap + ars]);
            y10 = b0.fma(x, y10); y11 = b1.fma(x, y11);
            x = FloatVector.broadcast(S16, a[ap + 2 * ars]);
            y20 = b0.fma(x, y20); y21 = b1.fma(x, y21);
            x = FloatVector.broadcast(S16, a[ap + 3 * ars]);
            y30 = b0.fma(x, y30); y31 = b1.fma(x, y31);
            x = FloatVector.broadcast(S16, a[ap + 4 * ars]);
            y40 = b0.fma(x, y40); y41 = b1.fma(x, y41);
            x = FloatVector.broadcast(S16, a[ap + 5 * ars]);
            y50 = b0.fma(x, y50); y51 = b1.fma(x, y51);
            x = FloatVector.broadcast(S16, a[ap + 6 * ars]);
            y60 = b0.fma(x, y60); y61 = b1.fma(x, y61);
            x = FloatVector.broadcast(S16, a[ap + 7 * ars]);
            y70 = b0.fma(x, y70); y71 = b1.fma(x, y71);
            x = FloatVector.broadcast(S16, a[ap + 8 * ars]);
            y80 = b0.fma(x, y80); y81 = b1.fma(x, y81);
            x = FloatVector.broadcast(S16, a[ap + 9 * ars]);
            y90 = b0.fma(x, y90); y91 = b1.fma(x, y91);
            x = FloatVector.broadcast(S16, a[ap + 10 * ars]);
            ya0 = b0.fma(x, ya0); ya1 = b1.fma(x, ya1);
            x = FloatVector.broadcast(S16, a[ap + 11 * ars]);
            yb0 = b0.fma(x, yb0); yb1 = b1.fma(x, yb1);
        }
        y00.intoArray(c, co); y01.intoArray(c, co + 16); y10.intoArray(c, c1); y11.intoArray(c, c1 + 16);
        y20.intoArray(c, c2); y21.intoArray(c, c2 + 16); y30.intoArray(c, c3); y31.intoArray(c, c3 + 16);
        y40.intoArray(c, c4); y41.intoArray(c, c4 + 16); y50.intoArray(c, c5); y51.intoArray(c, c5 + 16);
        y60.intoArray(c, c6); y61.intoArray(c, c6 + 16); y70.intoArray(c, c7); y71.intoArray(c, c7 + 16);
        y80.intoArray(c, c8); y81.intoArray(c, c8 + 16); y90.intoArray(c, c9); y91.intoArray(c, c9 + 16);
        ya0.intoArray(c, c10); ya1.intoArray(c, c10 + 16); yb0.intoArray(c, c11); yb1.intoArray(c, c11 + 16);
    }

    /** Rows {@code [0, 6)} × columns {@code [0, 32)} of C (right of the last block of 64). */
    private static void block6x2(int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb,
                                 float[] ci, int cio, int cil, float[] c, int co, int ldc) {
        int c1 = co + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        int i1 = cio + cil, i2 = i1 + cil, i3 = i2 + cil, i4 = i3 + cil, i5 = i4 + cil;
        FloatVector y00 = ld(ci, cio), y01 = ld(ci, cio + 16), y10 = ld(ci, i1), y11 = ld(ci, i1 + 16);
        FloatVector y20 = ld(ci, i2), y21 = ld(ci, i2 + 16), y30 = ld(ci, i3), y31 = ld(ci, i3 + 16);
        FloatVector y40 = ld(ci, i4), y41 = ld(ci, i4 + 16), y50 = ld(ci, i5), y51 = ld(ci, i5 + 16);
        for (int p = 0; p < k; p++) {
            int ap = ao + p * acs, bp = bo + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S16, b, bp), b1 = FloatVector.fromArray(S16, b, bp + 16);
            FloatVector x = FloatVector.broadcast(S16, a[ap]);
            y00 = b0.fma(x, y00); y01 = b1.fma(x, y01);
            x = FloatVector.broadcast(S16, a[ap + ars]);
            y10 = b0.fma(x, y10); y11 = b1.fma(x, y11);
            x = FloatVector.broadcast(S16, a[ap + 2 * ars]);
            y20 = b0.fma(x, y20); y21 = b1.fma(x, y21);
            x = FloatVector.broadcast(S16, a[ap + 3 * ars]);
            y30 = b0.fma(x, y30); y31 = b1.fma(x, y31);
            x = FloatVector.broadcast(S16, a[ap + 4 * ars]);
            y40 = b0.fma(x, y40); y41 = b1.fma(x, y41);
            x = FloatVector.broadcast(S16, a[ap + 5 * ars]);
            y50 = b0.fma(x, y50); y51 = b1.fma(x, y51);
        }
        y00.intoArray(c, co); y01.intoArray(c, co + 16); y10.intoArray(c, c1); y11.intoArray(c, c1 + 16);
        y20.intoArray(c, c2); y21.intoArray(c, c2 + 16); y30.intoArray(c, c3); y31.intoArray(c, c3 + 16);
        y40.intoArray(c, c4); y41.intoArray(c, c4 + 16); y50.intoArray(c, c5); y51.intoArray(c, c5 + 16);
    }

    /** Rows {@code [0, 6)} × columns {@code [0, 16)} of C (right of the last block of 64 or 32). */
    private static void block6x1(int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb,
                                 float[] ci, int cio, int cil, float[] c, int co, int ldc) {
        FloatVector y0 = ld(ci, cio), y1 = ld(ci, cio + cil), y2 = ld(ci, cio + 2 * cil);
        FloatVector y3 = ld(ci, cio + 3 * cil), y4 = ld(ci, cio + 4 * cil), y5 = ld(ci, cio + 5 * cil);
        for (int p = 0; p < k; p++) {
            int ap = ao + p * acs;
            FloatVector bv = FloatVector.fromArray(S16, b, bo + p * ldb);
            y0 = bv.fma(FloatVector.broadcast(S16, a[ap]), y0);
            y1 = bv.fma(FloatVector.broadcast(S16, a[ap + ars]), y1);
            y2 = bv.fma(FloatVector.broadcast(S16, a[ap + 2 * ars]), y2);
            y3 = bv.fma(FloatVector.broadcast(S16, a[ap + 3 * ars]), y3);
            y4 = bv.fma(FloatVector.broadcast(S16, a[ap + 4 * ars]), y4);
            y5 = bv.fma(FloatVector.broadcast(S16, a[ap + 5 * ars]), y5);
        }
        y0.intoArray(c, co); y1.intoArray(c, co + ldc); y2.intoArray(c, co + 2 * ldc);
        y3.intoArray(c, co + 3 * ldc); y4.intoArray(c, co + 4 * ldc); y5.intoArray(c, co + 5 * ldc);
    }

    /**
     * Rows {@code [0, 6)} × columns {@code [0, 4)} of C with 128-bit vectors: the columns right of
     * the last multiple of 16 (the cnn's 14×14 = 196 outputs leave 4), which went to {@link Gemm}
     * as one more small product per image, several per cent of a training step in OpenBLAS's call
     * and packing. A copy of {@link #block6x1} for another species: one method taking the species
     * as a parameter was not compiled to vector code (5x slower on the cnn's products).
     */
    private static void block6q(int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb,
                                float[] ci, int cio, int cil, float[] c, int co, int ldc) {
        FloatVector y0 = ldq(ci, cio), y1 = ldq(ci, cio + cil), y2 = ldq(ci, cio + 2 * cil);
        FloatVector y3 = ldq(ci, cio + 3 * cil), y4 = ldq(ci, cio + 4 * cil), y5 = ldq(ci, cio + 5 * cil);
        for (int p = 0; p < k; p++) {
            int ap = ao + p * acs;
            FloatVector bv = FloatVector.fromArray(S4, b, bo + p * ldb);
            y0 = bv.fma(FloatVector.broadcast(S4, a[ap]), y0);
            y1 = bv.fma(FloatVector.broadcast(S4, a[ap + ars]), y1);
            y2 = bv.fma(FloatVector.broadcast(S4, a[ap + 2 * ars]), y2);
            y3 = bv.fma(FloatVector.broadcast(S4, a[ap + 3 * ars]), y3);
            y4 = bv.fma(FloatVector.broadcast(S4, a[ap + 4 * ars]), y4);
            y5 = bv.fma(FloatVector.broadcast(S4, a[ap + 5 * ars]), y5);
        }
        y0.intoArray(c, co); y1.intoArray(c, co + ldc); y2.intoArray(c, co + 2 * ldc);
        y3.intoArray(c, co + 3 * ldc); y4.intoArray(c, co + 4 * ldc); y5.intoArray(c, co + 5 * ldc);
    }

    /** One row × columns {@code [0, 4)} of C. */
    private static void rowq(int k, float[] a, int ao, int acs, float[] b, int bo, int ldb, float[] ci, int cio, float[] c, int co) {
        FloatVector y = ldq(ci, cio);
        for (int p = 0; p < k; p++)
            y = FloatVector.fromArray(S4, b, bo + p * ldb).fma(FloatVector.broadcast(S4, a[ao + p * acs]), y);
        y.intoArray(c, co);
    }

    private static FloatVector ldq(float[] c, int at) {
        return FloatVector.fromArray(S4, c, at);
    }

    /** One row × columns {@code [0, 16)} of C. */
    private static void row1(int k, float[] a, int ao, int acs, float[] b, int bo, int ldb, float[] ci, int cio, float[] c, int co) {
        FloatVector y = ld(ci, cio);
        for (int p = 0; p < k; p++)
            y = FloatVector.fromArray(S16, b, bo + p * ldb).fma(FloatVector.broadcast(S16, a[ao + p * acs]), y);
        y.intoArray(c, co);
    }

    /** {@code dst[d + i] += src[s + i]} for {@code i} in {@code [0, n)}. */
    public static void addTo(float[] src, int s, float[] dst, int d, int n) {
        int L = S.length(), i = 0;
        for (; i + L <= n; i += L)
            FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        for (; i < n; i++) dst[d + i] += src[s + i];
    }

    /** One output whose window may hang over the left or right padding. */
    private static float edge(float[] x, int xp, int W, float[] w, int wo, int kW, float bias, int top, int kh0, int kh1,
                              int dH, int dW, int left) {
        float acc = bias;
        for (int kh = kh0; kh < kh1; kh++) {
            int row = xp + (top + kh * dH) * W;
            for (int kw = 0; kw < kW; kw++) {
                int iw = left + kw * dW;
                if (iw >= 0 && iw < W) acc = Math.fma(x[row + iw], w[wo + kh * kW + kw], acc);
            }
        }
        return acc;
    }
}
