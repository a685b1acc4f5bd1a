package dev.fathom.backend;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link DirectConv#gemm} (512-bit vectors only) against a float64 reference: every mix of its
 * blocks (6-row × 64-column and × 16-column blocks, single rows below them, the last columns
 * handed to Gemm), A read straight and transposed, B and C with row strides
 * wider than the product and offsets, C overwritten and accumulated (the values in C beforehand
 * must then count, and must not leak otherwise).
 */
class DirectConvGemmTest {
    @Test
    void matchesFloat64Reference() {
        assumeTrue(Im2col.VECTOR && DirectConv.wideGemm(), "no 512-bit vectors: DirectConv.gemm is not used");
        int[] ms = {1, 5, 6, 7, 13, 64}, ns = {1, 4, 15, 16, 17, 63, 64, 65, 130, 196}, ks = {1, 3, 64};
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
                            }
                        checked++;
                    }
        assertEquals(ms.length * ns.length * ks.length * 4, checked);
    }

    private static float[] random(SplittableRandom r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }
}
