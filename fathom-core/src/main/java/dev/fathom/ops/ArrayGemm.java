package dev.fathom.ops;

import dev.fathom.backend.Gemm;

/** The ops' GEMM on float32 or float64 arrays of one type, held as {@code Object} (conv, attention). */
final class ArrayGemm {
    private ArrayGemm() {}

    /**
     * {@code C (ldc) = op(A)·op(B)}, plus what C held with {@code accumulate}; {@code a}, {@code b}
     * and {@code c} are all float[] or all double[].
     */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, Object a, int aOff, int lda,
                     Object b, int bOff, int ldb, boolean accumulate, Object c, int cOff, int ldc) {
        if (c instanceof float[] cf)
            Gemm.sgemm(ta, tb, m, n, k, 1f, (float[]) a, aOff, lda, (float[]) b, bOff, ldb, accumulate ? 1f : 0f, cf, cOff, ldc);
        else
            Gemm.dgemm(ta, tb, m, n, k, 1, (double[]) a, aOff, lda, (double[]) b, bOff, ldb, accumulate ? 1 : 0, (double[]) c, cOff, ldc);
    }
}
