package dev.fathom.backend;

import java.util.Arrays;

/**
 * Patch unfolding for convolution as GEMM. {@code im2col} lays the receptive fields of one image
 * {@code [C, H, W]} out as a {@code [C*kH*kW, OH*OW]} matrix (zeros where the window hangs over
 * the padding); {@code col2im} is its adjoint, scattering (adding) such a matrix back onto an image.
 * Padding may differ at the two ends of a dimension: only the leading pads ({@code padT},
 * {@code padL}) enter the index arithmetic, the trailing ones are implied by {@code OH}/{@code OW}.
 */
public final class Im2col {
    private Im2col() {}

    /**
     * True when {@link DirectConv}'s Vector API kernels can be called: the incubator module may be
     * absent at run time, and DirectConv must not even load then (so {@link Simd} is asked first).
     */
    public static final boolean VECTOR = vectorAvailable();

    private static boolean vectorAvailable() {
        try {
            return Simd.AVAILABLE && DirectConv.available();
        } catch (LinkageError e) {
            return false;
        }
    }

    /** First output column whose input column {@code ow*sW + off} is {@code >= 0}, clamped to [0, OW]. */
    private static int lo(int off, int s, int outLen) {
        return off >= 0 ? 0 : Math.min(outLen, (-off + s - 1) / s);
    }

    /** One past the last output column whose input column {@code ow*sW + off} is {@code < len}. */
    private static int hi(int off, int s, int len, int outLen, int lo) {
        int last = len - 1 - off;
        int h = last < 0 ? 0 : Math.min(outLen, last / s + 1);
        return Math.max(h, lo);
    }

    /** Unfolds image {@code x[xOff ..]} ({@code [C, H, W]}) into {@code col[colOff ..]} ({@code [C*kH*kW, OH*OW]}). */
    public static void im2col(float[] x, int xOff, int C, int H, int W, int kH, int kW, int sH, int sW,
                              int padT, int padL, int dH, int dW, int OH, int OW, float[] col, int colOff) {
        int ohw = OH * OW;
        int dst = colOff;
        boolean flat = flat(sH, sW, W, OW);
        for (int c = 0; c < C; c++) {
            int plane = xOff + c * H * W;
            for (int kh = 0; kh < kH; kh++) {
                int hOff = kh * dH - padT;
                for (int kw = 0; kw < kW; kw++, dst += ohw) {
                    int wOff = kw * dW - padL;
                    int owLo = lo(wOff, sW, OW), owHi = hi(wOff, sW, W, OW, owLo);
                    if (flat) {
                        unfoldFlat(x, plane, H, W, hOff, wOff, owLo, owHi, OH, col, dst);
                        continue;
                    }
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh * sH + hOff;
                        int d = dst + oh * OW;
                        if (ih < 0 || ih >= H) {
                            Arrays.fill(col, d, d + OW, 0f);
                            continue;
                        }
                        if (owLo > 0) Arrays.fill(col, d, d + owLo, 0f);
                        int src = plane + ih * W + owLo * sW + wOff;
                        if (sW == 1) {
                            if (owHi > owLo) System.arraycopy(x, src, col, d + owLo, owHi - owLo);
                        } else {
                            for (int ow = owLo; ow < owHi; ow++, src += sW) col[d + ow] = x[src];
                        }
                        if (owHi < OW) Arrays.fill(col, d + owHi, d + OW, 0f);
                    }
                }
            }
        }
    }

    /** float64 {@link #im2col(float[], int, int, int, int, int, int, int, int, int, int, int, int, int, int, float[], int)}. */
    public static void im2col(double[] x, int xOff, int C, int H, int W, int kH, int kW, int sH, int sW,
                              int padT, int padL, int dH, int dW, int OH, int OW, double[] col, int colOff) {
        int ohw = OH * OW;
        int dst = colOff;
        boolean flat = flat(sH, sW, W, OW);
        for (int c = 0; c < C; c++) {
            int plane = xOff + c * H * W;
            for (int kh = 0; kh < kH; kh++) {
                int hOff = kh * dH - padT;
                for (int kw = 0; kw < kW; kw++, dst += ohw) {
                    int wOff = kw * dW - padL;
                    int owLo = lo(wOff, sW, OW), owHi = hi(wOff, sW, W, OW, owLo);
                    if (flat) {
                        unfoldFlat(x, plane, H, W, hOff, wOff, owLo, owHi, OH, col, dst);
                        continue;
                    }
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh * sH + hOff;
                        int d = dst + oh * OW;
                        if (ih < 0 || ih >= H) {
                            Arrays.fill(col, d, d + OW, 0);
                            continue;
                        }
                        if (owLo > 0) Arrays.fill(col, d, d + owLo, 0);
                        int src = plane + ih * W + owLo * sW + wOff;
                        if (sW == 1) {
                            if (owHi > owLo) System.arraycopy(x, src, col, d + owLo, owHi - owLo);
                        } else {
                            for (int ow = owLo; ow < owHi; ow++, src += sW) col[d + ow] = x[src];
                        }
                        if (owHi < OW) Arrays.fill(col, d + owHi, d + OW, 0);
                    }
                }
            }
        }
    }

    /**
     * Adds the columns {@code col[colOff ..]} ({@code [C*kH*kW, OH*OW]}) back onto image
     * {@code x[xOff ..]} ({@code [C, H, W]}): the adjoint of {@code im2col}. Padding positions
     * are dropped; {@code col} is used as scratch: its entries at padding positions may be set to
     * zero (see {@link #flat}).
     */
    public static void col2im(float[] col, int colOff, int C, int H, int W, int kH, int kW, int sH, int sW,
                              int padT, int padL, int dH, int dW, int OH, int OW, float[] x, int xOff) {
        fold(col, colOff, C, H, W, kH, kW, sH, sW, padT, padL, dH, dW, OH, OW, x, xOff);
    }

    /** float64 {@link #col2im(float[], int, int, int, int, int, int, int, int, int, int, int, int, int, int, float[], int)}. */
    public static void col2im(double[] col, int colOff, int C, int H, int W, int kH, int kW, int sH, int sW,
                              int padT, int padL, int dH, int dW, int OH, int OW, double[] x, int xOff) {
        fold(col, colOff, C, H, W, kH, kW, sH, sW, padT, padL, dH, dW, OH, OW, x, xOff);
    }

    // col2im's window walk is written once for both element types; only the per-row add is typed
    // (one tight loop per type), a type test per row of OW elements. im2col keeps one method per
    // type: its rows are mostly arraycopy and fills, and a shared walk measured 25-45% slower.

    private static void fold(Object col, int colOff, int C, int H, int W, int kH, int kW, int sH, int sW,
                             int padT, int padL, int dH, int dW, int OH, int OW, Object x, int xOff) {
        int ohw = OH * OW;
        int srcRow = colOff;
        boolean flat = flat(sH, sW, W, OW);
        for (int c = 0; c < C; c++) {
            int plane = xOff + c * H * W;
            for (int kh = 0; kh < kH; kh++) {
                int hOff = kh * dH - padT;
                for (int kw = 0; kw < kW; kw++, srcRow += ohw) {
                    int wOff = kw * dW - padL;
                    int owLo = lo(wOff, sW, OW), owHi = hi(wOff, sW, W, OW, owLo);
                    if (flat) {
                        foldFlat(col, srcRow, H, W, hOff, wOff, owLo, owHi, OH, x, plane);
                        continue;
                    }
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh * sH + hOff;
                        if (ih < 0 || ih >= H) continue;
                        addRow(col, srcRow + oh * OW, x, plane + ih * W + wOff, sW, owLo, owHi);
                    }
                }
            }
        }
    }

    // Stride 1 with the output as wide as the input (3×3 "same" convolutions, the common case):
    // output position q = oh*W + ow reads input q + hOff*W + wOff, so the whole in-range part of a
    // patch row is one flat run of the plane (one arraycopy or one add loop instead of one per
    // output row, which cost more than the copy itself on 14- or 28-wide images). Inside that run
    // the positions whose column falls off an edge form one gap of W - (owHi - owLo) elements
    // between consecutive output rows; they are padding and get zeros.

    /** True when {@link #unfoldFlat} / {@link #foldFlat} apply. */
    private static boolean flat(int sH, int sW, int W, int OW) {
        return sH == 1 && sW == 1 && OW == W;
    }

    /** Output rows {@code [lo, hi)} whose input row {@code oh + hOff} lies inside the image, as {lo, hi}. */
    private static long rowRange(int hOff, int H, int OH) {
        int lo = lo(hOff, 1, OH);
        return ((long) lo << 32) | hi(hOff, 1, H, OH, lo);
    }

    /** One patch row of im2col in the {@link #flat} case: {@code col[dst + q] = x[plane + q + hOff*W + wOff]} or 0. */
    private static void unfoldFlat(Object x, int plane, int H, int W, int hOff, int wOff, int owLo, int owHi, int OH,
                                   Object col, int dst) {
        long r = rowRange(hOff, H, OH);
        int ohLo = (int) (r >>> 32), ohHi = (int) r, n = OH * W;
        if (ohLo >= ohHi || owLo >= owHi) {
            zero(col, dst, dst + n);
            return;
        }
        int q0 = ohLo * W + owLo, q1 = (ohHi - 1) * W + owHi;
        zero(col, dst, dst + q0);
        System.arraycopy(x, plane + q0 + hOff * W + wOff, col, dst + q0, q1 - q0);
        zero(col, dst + q1, dst + n);
        zeroGaps(col, dst + ohLo * W + owHi, ohHi - 1 - ohLo, W, W - (owHi - owLo));
    }

    /** One patch row of col2im in the {@link #flat} case: zeroes the gaps in {@code col}, then one flat add. */
    private static void foldFlat(Object col, int src, int H, int W, int hOff, int wOff, int owLo, int owHi, int OH,
                                 Object x, int plane) {
        long r = rowRange(hOff, H, OH);
        int ohLo = (int) (r >>> 32), ohHi = (int) r;
        if (ohLo >= ohHi || owLo >= owHi) return;
        zeroGaps(col, src + ohLo * W + owHi, ohHi - 1 - ohLo, W, W - (owHi - owLo));
        int q0 = ohLo * W + owLo, q1 = (ohHi - 1) * W + owHi, base = plane + hOff * W + wOff;
        if (VECTOR && col instanceof float[] cf) DirectConv.addTo(cf, src + q0, (float[]) x, base + q0, q1 - q0);
        else addRow(col, src, x, base, 1, q0, q1);
    }

    /**
     * Zeroes {@code count} runs of {@code len} elements, the first at {@code start}, {@code W}
     * apart. Runs are short; one element (3×3 kernels with padding 1) gets its own strided loop,
     * since an inner loop entered per element cost several times the store.
     */
    private static void zeroGaps(Object a, int start, int count, int W, int len) {
        if (len == 0) return;
        int end = start + count * W;
        if (a instanceof float[] f) {
            if (len == 1) {
                for (int p = start; p < end; p += W) f[p] = 0f;
            } else {
                for (int p = start; p < end; p += W) Arrays.fill(f, p, p + len, 0f);
            }
        } else {
            double[] d = (double[]) a;
            if (len == 1) {
                for (int p = start; p < end; p += W) d[p] = 0;
            } else {
                for (int p = start; p < end; p += W) Arrays.fill(d, p, p + len, 0);
            }
        }
    }

    private static void zero(Object a, int from, int to) {
        if (from >= to) return;
        if (a instanceof float[] f) Arrays.fill(f, from, to, 0f);
        else Arrays.fill((double[]) a, from, to, 0);
    }

    /** {@code x[base + ow*sW] += col[s + ow]} for {@code ow} in {@code [lo, hi)}. */
    private static void addRow(Object col, int s, Object x, int base, int sW, int lo, int hi) {
        // one induction variable indexing both arrays keeps the unit-stride loop vectorisable
        if (x instanceof float[] o) {
            float[] in = (float[]) col;
            if (sW == 1) {
                for (int ow = lo; ow < hi; ow++) o[base + ow] += in[s + ow];
            } else {
                for (int ow = lo; ow < hi; ow++) o[base + ow * sW] += in[s + ow];
            }
        } else {
            double[] o = (double[]) x, in = (double[]) col;
            if (sW == 1) {
                for (int ow = lo; ow < hi; ow++) o[base + ow] += in[s + ow];
            } else {
                for (int ow = lo; ow < hi; ow++) o[base + ow * sW] += in[s + ow];
            }
        }
    }
}
