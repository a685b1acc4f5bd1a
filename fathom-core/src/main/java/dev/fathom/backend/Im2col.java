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
        for (int c = 0; c < C; c++) {
            int plane = xOff + c * H * W;
            for (int kh = 0; kh < kH; kh++) {
                int hOff = kh * dH - padT;
                for (int kw = 0; kw < kW; kw++, dst += ohw) {
                    int wOff = kw * dW - padL;
                    int owLo = lo(wOff, sW, OW), owHi = hi(wOff, sW, W, OW, owLo);
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
        for (int c = 0; c < C; c++) {
            int plane = xOff + c * H * W;
            for (int kh = 0; kh < kH; kh++) {
                int hOff = kh * dH - padT;
                for (int kw = 0; kw < kW; kw++, dst += ohw) {
                    int wOff = kw * dW - padL;
                    int owLo = lo(wOff, sW, OW), owHi = hi(wOff, sW, W, OW, owLo);
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
     * are dropped.
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
        for (int c = 0; c < C; c++) {
            int plane = xOff + c * H * W;
            for (int kh = 0; kh < kH; kh++) {
                int hOff = kh * dH - padT;
                for (int kw = 0; kw < kW; kw++, srcRow += ohw) {
                    int wOff = kw * dW - padL;
                    int owLo = lo(wOff, sW, OW), owHi = hi(wOff, sW, W, OW, owLo);
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh * sH + hOff;
                        if (ih < 0 || ih >= H) continue;
                        addRow(col, srcRow + oh * OW, x, plane + ih * W + wOff, sW, owLo, owHi);
                    }
                }
            }
        }
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
