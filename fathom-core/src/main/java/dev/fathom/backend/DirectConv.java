package dev.fathom.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The convolution backend's float32 Vector API kernels. Direct convolution of one input plane into
 * one output plane, for depthwise convolutions (one input channel per group): there each group's
 * im2col matrix has only kH*kW rows and its GEMM a single output row or a few, too small to pay for
 * the call and packing; here each run of adjacent outputs keeps its sum in a register across all
 * taps. Requires a unit column stride. The weight gradient of convolutions with few patch rows
 * ({@link #dotRows}). And the long element-wise add of {@link Im2col}'s col2im, which C2 leaves
 * scalar (the two arrays might overlap). Use only when {@link Im2col#VECTOR}.
 */
public final class DirectConv {
    private DirectConv() {}

    // 256-bit vectors even where 512-bit exist: output rows of small images (28, 14, 7 wide) would
    // otherwise leave most columns to the scalar tail; a 128-bit step then narrows the tail further.
    private static final VectorSpecies<Float> S, S4;
    private static final boolean OK;

    static {
        VectorSpecies<Float> s = null, s4 = null;
        boolean ok;
        try {
            s = FloatVector.SPECIES_PREFERRED.length() >= 8 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
            s4 = FloatVector.SPECIES_128;
            ok = s.length() >= 4;
        } catch (Throwable t) { // module not resolved at run time: callers fall back to GEMM
            ok = false;
        }
        S = s;
        S4 = s4;
        OK = ok;
    }

    /** True when the Vector API is usable and wide enough to beat the GEMM path. */
    public static boolean available() { return OK; }

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
     * both operands for each such call and reached a third of its peak there; here each row of
     * {@code a} is read once per four rows of {@code b}, with one vector accumulator per pair.
     */
    public static void dotRows(int m, int k, int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        int L = S.length(), nv = S.loopBound(n);
        for (int i = 0; i < m; i++) {
            int ar = aOff + i * n, cr = cOff + i * k;
            int j = 0;
            for (; j + 4 <= k; j += 4) {
                int b0 = bOff + j * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int p = 0; p < nv; p += L) {
                    FloatVector av = FloatVector.fromArray(S, a, ar + p);
                    s0 = av.fma(FloatVector.fromArray(S, b, b0 + p), s0);
                    s1 = av.fma(FloatVector.fromArray(S, b, b1 + p), s1);
                    s2 = av.fma(FloatVector.fromArray(S, b, b2 + p), s2);
                    s3 = av.fma(FloatVector.fromArray(S, b, b3 + p), s3);
                }
                float t0 = s0.reduceLanes(VectorOperators.ADD), t1 = s1.reduceLanes(VectorOperators.ADD);
                float t2 = s2.reduceLanes(VectorOperators.ADD), t3 = s3.reduceLanes(VectorOperators.ADD);
                for (int p = nv; p < n; p++) {
                    float av = a[ar + p];
                    t0 = Math.fma(av, b[b0 + p], t0);
                    t1 = Math.fma(av, b[b1 + p], t1);
                    t2 = Math.fma(av, b[b2 + p], t2);
                    t3 = Math.fma(av, b[b3 + p], t3);
                }
                c[cr + j] += t0;
                c[cr + j + 1] += t1;
                c[cr + j + 2] += t2;
                c[cr + j + 3] += t3;
            }
            for (; j < k; j++) {
                int b0 = bOff + j * n;
                FloatVector s0 = FloatVector.zero(S);
                for (int p = 0; p < nv; p += L)
                    s0 = FloatVector.fromArray(S, a, ar + p).fma(FloatVector.fromArray(S, b, b0 + p), s0);
                float t0 = s0.reduceLanes(VectorOperators.ADD);
                for (int p = nv; p < n; p++) t0 = Math.fma(a[ar + p], b[b0 + p], t0);
                c[cr + j] += t0;
            }
        }
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
