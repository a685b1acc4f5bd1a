package dev.fathom.backend;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link DirectConv#gemm} (512-bit vectors only) and {@link DirectConv#dotRows} against float64
 * references. gemm: every mix of its blocks (6-row × 64-column and × 16-column blocks, the last
 * 4 or 5 rows as a zero-padded block of 6, single rows below them, the last 1-3 columns one at a time), A read straight and transposed, B and C
 * with row strides wider than the product and offsets, C overwritten and accumulated (the values in C beforehand
 * must then count, and must not leak otherwise). Every element, whichever block computed it, is
 * also exactly one chain of fused multiply-adds over k from C's value (or zero), which a fused
 * kernel computing the same convolution directly relies on ({@code GreyConvPool}).
 */
class DirectConvTest {
    @Test
    void matchesFloat64Reference() {
        assumeTrue(Im2col.VECTOR && DirectConv.wideGemm(), "no 512-bit vectors: DirectConv.gemm is not used");
        int[] ms = {1, 4, 5, 6, 7, 10, 11, 12, 13, 18, 30, 64}, ns = {1, 4, 8, 15, 16, 17, 32, 48, 63, 64, 65, 130, 196}, ks = {1, 3, 64};
        SplittableRandom r = new SplittableRandom(7);
        int checked = 0;
        for (int m : ms)
            for (int n : ns)
                for (int k : ks)
                    for (int mode = 0; mode < 4; mode++) {
                        boolean transA = (mode & 1) != 0, acc = (mode & 2) != 0;
                        int aOff = 3, bOff = 5, cOff = 2, ldb = n + 3, ldc = n + 1;
                        // A is m×k; stored k×m (row stride m+2) when transposed
                        int lda = transA ? m + 2 : k + 2, ars = transA ? 1 : lda, acs = transA ? lda : 1;
                        float[] a = random(r, aOff + (transA ? k * (m + 2) : m * (k + 2)));
                        float[] b = random(r, bOff + k * ldb), c = random(r, cOff + m * ldc);
                        if (!acc) for (int i = 0; i < m; i++) c[cOff + i * ldc] = Float.NaN;
                        float[] before = c.clone();
                        DirectConv.gemm(m, n, k, transA, a, aOff, lda, b, bOff, ldb, acc, c, cOff, ldc);
                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < ldc && cOff + i * ldc + j < c.length; j++) {
                                int at = cOff + i * ldc + j;
                                if (j >= n) {
                                    assertEquals(before[at], c[at], 0, "outside C touched");
                                    continue;
                                }
                                double e = acc ? before[at] : 0, mag = Math.abs(e) + 1;
                                for (int p = 0; p < k; p++) {
                                    double v = (double) a[aOff + i * ars + p * acs] * b[bOff + p * ldb + j];
                                    e += v;
                                    mag += Math.abs(v);
                                }
                                String what = "m" + m + " n" + n + " k" + k + " transA " + transA + " acc " + acc + " at " + i + "," + j;
                                assertEquals(e, c[at], 1e-6 * mag, what);
                                float chain = acc ? before[at] : 0f;
                                for (int p = 0; p < k; p++) chain = Math.fma(a[aOff + i * ars + p * acs], b[bOff + p * ldb + j], chain);
                                assertEquals(Float.floatToIntBits(chain), Float.floatToIntBits(c[at]), what + ": not the chain of fused multiply-adds");
                            }
                        checked++;
                    }
        assertEquals(ms.length * ns.length * ks.length * 4, checked);
    }

    /** {@link DirectConv#dotRows}: its 4×3 blocks and the single pairs around them, vector loop tails, accumulation. */
    @Test
    void dotRowsMatchesFloat64Reference() {
        assumeTrue(Im2col.VECTOR, "no Vector API: DirectConv is not used");
        SplittableRandom r = new SplittableRandom(8);
        for (int m : new int[] {1, 3, 4, 5, 8, 32})
            for (int k : new int[] {1, 2, 3, 4, 9})
                for (int n : new int[] {1, 7, 8, 17, 784}) {
                    int aOff = 3, bOff = 1, cOff = 2;
                    float[] a = random(r, aOff + m * n), b = random(r, bOff + k * n), c = random(r, cOff + m * k + 1);
                    float[] before = c.clone();
                    DirectConv.dotRows(m, k, n, a, aOff, b, bOff, c, cOff);
                    assertEquals(before[0], c[0], 0, "before C touched");
                    assertEquals(before[c.length - 1], c[c.length - 1], 0, "after C touched");
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < k; j++) {
                            double e = before[cOff + i * k + j], mag = Math.abs(e) + 1;
                            for (int p = 0; p < n; p++) {
                                double v = (double) a[aOff + i * n + p] * b[bOff + j * n + p];
                                e += v;
                                mag += Math.abs(v);
                            }
                            assertEquals(e, c[cOff + i * k + j], 1e-6 * mag, "m" + m + " k" + k + " n" + n + " at " + i + "," + j);
                        }
                }
    }

    /**
     * A pair summed in a 4×3 block (its 12 sums taken across their lanes together) has the same bits
     * as the same pair alone (summed lane by lane): each of the 8×6 pairs, with vector tails.
     */
    @Test
    void dotRowsBlocksGiveTheSameBitsAsSinglePairs() {
        assumeTrue(Im2col.VECTOR, "no Vector API: DirectConv is not used");
        SplittableRandom r = new SplittableRandom(9);
        for (int n : new int[] {784, 37}) {
            int m = 8, k = 6;
            float[] a = random(r, m * n), b = random(r, k * n), blocked = random(r, m * k), single = blocked.clone();
            DirectConv.dotRows(m, k, n, a, 0, b, 0, blocked, 0);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < k; j++) DirectConv.dotRows(1, 1, n, a, i * n, b, j * n, single, i * k + j);
            for (int i = 0; i < m * k; i++)
                assertEquals(Float.floatToRawIntBits(single[i]), Float.floatToRawIntBits(blocked[i]), "n" + n + " pair " + i);
        }
    }

    private static float[] random(SplittableRandom r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }
}
