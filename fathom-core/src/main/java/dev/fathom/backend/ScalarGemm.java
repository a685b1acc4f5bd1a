package dev.fathom.backend;

/**
 * Plain-Java GEMM for JVMs started without {@code --add-modules jdk.incubator.vector}: B is copied
 * block-wise into row-major order and each row of C is an axpy sequence C2 auto-vectorises.
 */
final class ScalarGemm {
    private ScalarGemm() {}

    private static final int NB = 512, KB = 128;
    private static final long PARALLEL_MIN_WORK = 64L * 64 * 64;

    /** {@code C = alpha op(A) op(B) + beta C} for float; arguments validated, m, n, k &gt; 0. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (Parallel.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_WORK && m > 1)
            Parallel.forRange(m, 1, (s, e) -> srows(transA, transB, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc, s, e));
        else
            srows(transA, transB, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, 0, m);
    }

    private static void srows(boolean transA, boolean transB, int n, int k, float alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float beta, float[] c, int cOff, int ldc, int i0, int i1) {
        int nb = Math.min(NB, n), kb = Math.min(KB, k);
        // One array per row of the B block and a separate accumulator, both indexed from 0: C2
        // (JDK 25) vectorises acc[j] += av * row[j] only then; with offsets into one array it
        // cannot rule out overlap and stays scalar (measured 32 vs 3.5 GFLOP/s).
        float[][] bp = new float[kb][nb];
        float[] acc = new float[nb];
        for (int jc = 0; jc < n; jc += NB) {
            int nc = Math.min(NB, n - jc);
            for (int pc = 0; pc < k; pc += KB) {
                int kc = Math.min(KB, k - pc);
                for (int p = 0; p < kc; p++) {
                    float[] row = bp[p];
                    if (transB)
                        for (int j = 0; j < nc; j++) row[j] = b[bOff + (jc + j) * ldb + pc + p];
                    else
                        System.arraycopy(b, bOff + (pc + p) * ldb + jc, row, 0, nc);
                }
                for (int i = i0; i < i1; i++) {
                    java.util.Arrays.fill(acc, 0, nc, (float) 0);
                    for (int p = 0; p < kc; p++) {
                        float av = transA ? a[aOff + (pc + p) * lda + i] : a[aOff + i * lda + pc + p];
                        float[] row = bp[p];
                        for (int j = 0; j < nc; j++) acc[j] += av * row[j];
                    }
                    int ci = cOff + i * ldc + jc;
                    float be = pc == 0 ? beta : 1;
                    for (int j = 0; j < nc; j++) c[ci + j] = be == 0 ? alpha * acc[j] : alpha * acc[j] + be * c[ci + j];
                }
            }
        }
    }

    /** {@code C = alpha op(A) op(B) + beta C} for double; arguments validated, m, n, k &gt; 0. */
    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double beta, double[] c, int cOff, int ldc) {
        if (Parallel.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_WORK && m > 1)
            Parallel.forRange(m, 1, (s, e) -> drows(transA, transB, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc, s, e));
        else
            drows(transA, transB, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, 0, m);
    }

    private static void drows(boolean transA, boolean transB, int n, int k, double alpha,
                              double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                              double beta, double[] c, int cOff, int ldc, int i0, int i1) {
        int nb = Math.min(NB, n), kb = Math.min(KB, k);
        // One array per row of the B block and a separate accumulator, both indexed from 0: C2
        // (JDK 25) vectorises acc[j] += av * row[j] only then; with offsets into one array it
        // cannot rule out overlap and stays scalar (measured 32 vs 3.5 GFLOP/s).
        double[][] bp = new double[kb][nb];
        double[] acc = new double[nb];
        for (int jc = 0; jc < n; jc += NB) {
            int nc = Math.min(NB, n - jc);
            for (int pc = 0; pc < k; pc += KB) {
                int kc = Math.min(KB, k - pc);
                for (int p = 0; p < kc; p++) {
                    double[] row = bp[p];
                    if (transB)
                        for (int j = 0; j < nc; j++) row[j] = b[bOff + (jc + j) * ldb + pc + p];
                    else
                        System.arraycopy(b, bOff + (pc + p) * ldb + jc, row, 0, nc);
                }
                for (int i = i0; i < i1; i++) {
                    java.util.Arrays.fill(acc, 0, nc, (double) 0);
                    for (int p = 0; p < kc; p++) {
                        double av = transA ? a[aOff + (pc + p) * lda + i] : a[aOff + i * lda + pc + p];
                        double[] row = bp[p];
                        for (int j = 0; j < nc; j++) acc[j] += av * row[j];
                    }
                    int ci = cOff + i * ldc + jc;
                    double be = pc == 0 ? beta : 1;
                    for (int j = 0; j < nc; j++) c[ci + j] = be == 0 ? alpha * acc[j] : alpha * acc[j] + be * c[ci + j];
                }
            }
        }
    }
}
