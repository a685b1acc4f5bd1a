package dev.fathom.backend;

/**
 * General matrix multiply on row-major heap arrays:
 * {@code C = alpha * op(A) * op(B) + beta * C}, with {@code op(X) = X} or {@code X^T}.
 * {@code A} is m×k after op, {@code B} k×n, {@code C} m×n; {@code lda/ldb/ldc} are the row
 * strides of the arrays as stored.
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = alpha * acc + (beta == 0f ? 0f : beta * c[ci]);
            }
        }
    }

    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double beta, double[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = alpha * acc + (beta == 0 ? 0 : beta * c[ci]);
            }
        }
    }
}
