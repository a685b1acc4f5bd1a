package dev.fathom.backend;

/**
 * General matrix multiply on row-major heap arrays:
 * {@code C = alpha * op(A) * op(B) + beta * C}, with {@code op(X) = X} or {@code X^T}.
 * {@code A} is m×k after op, {@code B} k×n, {@code C} m×n; {@code lda/ldb/ldc} are the row
 * strides of the arrays as stored. With {@code beta == 0}, C is not read (NaNs in it do not leak).
 *
 * <p>Backends, chosen once at first use and logged at INFO ({@code -Dfathom.gemm=java|openblas|scalar}
 * forces one for both precisions):
 * <ul>
 *   <li>{@link Backend#OPENBLAS}: OpenBLAS {@code cblas_?gemm} through FFM ({@link OpenBlas});
 *   <li>{@link Backend#JAVA_VECTOR}: the Vector API kernel ({@code VectorGemm}), when the JVM runs
 *       with {@code --add-modules jdk.incubator.vector};
 *   <li>{@link Backend#JAVA_SCALAR}: plain Java, always available.
 * </ul>
 *
 * <p>Default choice: float32 on {@link Backend#JAVA_VECTOR} where 512-bit vectors exist (its 8x32
 * AVX-512 kernel ran 1.5-1.9x OpenBLAS's Haswell kernels on every workload shape; see
 * {@code VectorGemm}), except products under {@link #SMALL_FLOAT_WORK} multiply-adds and those with
 * one row or column of C, which OpenBLAS does better (gemv needs no packing); float64, and float32
 * without 512-bit vectors, on {@link Backend#OPENBLAS}. {@link #backend()} and
 * {@link #doubleBackend()} say which. With OpenBLAS as the choice there is no small-product cut-over
 * to Java by default: through a critical FFM downcall on heap arrays OpenBLAS beat the 256-bit Java
 * kernel at every size measured, single-threaded on the 2-core Zen 5 box (ns per call, n x n x n,
 * load average ~8 from other builds): n=4 118 vs 314, n=8 161 vs 349, n=16 370 vs 574, n=32 1356 vs
 * 2223, n=64 7243 vs 18104, n=128 51246 vs 64414. {@code -Dfathom.gemm.blasMin=N} sends products of
 * fewer than N multiply-adds to Java anyway.
 *
 * <p>All OpenBLAS figures in this doc are of its Haswell (AVX2) kernels: the dev machines set
 * {@code OPENBLAS_CORETYPE=Haswell} (older OpenBLAS builds misbehave on their Zen 5), which OpenBLAS
 * honours at load; {@link #description()} names the kernel set in use ({@link OpenBlas#coreName()}).
 *
 * <p>Threading: OpenBLAS is set to ONE thread and big products are split into row (or column)
 * blocks across Fathom's {@link Parallel} pool, each worker calling sgemm on its block
 * ({@code -Dfathom.gemm.blasThreads=native} instead gives OpenBLAS {@link Parallel#threads()} of
 * its own pthreads). Why, measured on the shared 2-core Zen 5 box (other helpers' builds running),
 * float32 n x n x n, GFLOP/s as best / median over many calls:
 * <pre>
 * each alone in its JVM, load average ~2:
 *   n      OpenBLAS 2 pthreads   OpenBLAS 1 thread, split over 2 Fathom workers
 *   256    167 / 147             173 / 135
 *   512    181 / 167             191 / 170
 *   1024   189 / 182             176 / 166
 *   2048   191 / 187             175 / 167
 * interleaved in one JVM (as when Fathom runs other ops between GEMMs), load average 7-9:
 *   256    159 /   2.6           101 / 64.5      (pure-Java Vector API: 114 / 70)
 *   512    175 / 134             174 / 85        (163 / 81)
 * </pre>
 * Alone and on a quiet machine OpenBLAS's pthreads are 0-10% ahead, but they busy-wait after each
 * call and then fight every other thread for the two cores: interleaved with other work the median
 * collapses (2.6 GFLOP/s at n=256), and everything else ran 1.5-4x slower while they spun (n=256
 * medians without them in the rotation: split 105, Java 102, Tensor.matmul 90). In GemmBench's
 * separate forks at load 8, ops/s at n=256/512 were 85 / 35 (pthreads) vs 1225 / 173 (split).
 * One set of threads for all of Fathom's kernels is the robust choice. Blocks are taken
 * dynamically ({@code GemmSplit}); with {@code -Dfathom.gemm.splitMinBlock=256} (several blocks per
 * thread) n=1024/2048 went from ~90 / 58 to ~170 GFLOP/s best at load average 8 compared with a
 * fixed half per worker, but on an idle machine the re-packing costs 6-7%, so the default is one
 * block per thread ({@link #SPLIT_MIN_BLOCK}).
 */
public final class Gemm {
    private Gemm() {}

    /** A GEMM implementation. */
    public enum Backend {
        /** OpenBLAS through the FFM API. */
        OPENBLAS,
        /** Pure Java on jdk.incubator.vector. */
        JAVA_VECTOR,
        /** Pure Java, scalar loops (auto-vectorised by C2). */
        JAVA_SCALAR
    }

    /** Products with fewer multiply-adds than this run in Java even when OpenBLAS is selected (see class doc). */
    static final long BLAS_MIN_WORK = 0;

    /**
     * Smallest row/column block one worker's sgemm call gets when a product is split beyond one
     * block per thread (each call re-packs the other operand). {@code -Dfathom.gemm.splitMinBlock}.
     * The default keeps one block per thread: on an idle machine (JMH, load average 1.6-1.8) that
     * matched OpenBLAS's own threads (n = 512 / 1024 / 2048: 98 / 101 / 102%), while blocks of 256
     * (up to 4 per thread) re-packed enough to fall to 93 / 94 / 93%. Smaller blocks pay off only
     * on an oversubscribed machine, where a stolen core then delays one small block (see class doc).
     */
    static final int SPLIT_MIN_BLOCK = Integer.getInteger("fathom.gemm.splitMinBlock", Integer.MAX_VALUE);

    /**
     * Float products under this many multiply-adds go to OpenBLAS when the 512-bit Java kernel is
     * chosen: single-threaded, best of 3 x 200 calls, GFLOP/s Java vs OpenBLAS (Haswell kernels):
     * n^3 at n = 16 13.4 vs 28.2, n = 32 59.0 vs 56.0, n = 64 105 vs 81 (the packing and the
     * 8 x 32 tile's padding cost more than they save on the smallest products).
     */
    static final long SMALL_FLOAT_WORK = 32L * 32 * 32;

    /** Products with at least this many multiply-adds are split across the pool (split mode). */
    static final long BLAS_SPLIT_MIN_WORK = 96L * 96 * 96;

    private static final System.Logger LOG = System.getLogger("dev.fathom.backend.Gemm");

    /** Backend availability and the choice, computed (and logged) on first use. */
    private static final class Selection {
        static final boolean VECTOR;
        static final String VECTOR_REASON;
        static final boolean BLAS;
        static final String BLAS_REASON;
        static final Backend CHOSEN;
        static final Backend CHOSEN_DOUBLE;
        static final boolean SMALL_FLOAT_TO_BLAS;
        static final Backend JAVA;
        static final boolean NATIVE_THREADS;
        static final long BLAS_MIN;
        static final String DESCRIPTION;

        static {
            boolean vec = false;
            String why = null;
            if (!Simd.AVAILABLE) {
                why = "jdk.incubator.vector is not in the module graph (run with --add-modules jdk.incubator.vector)";
            } else {
                try {
                    vec = VectorGemm.usable();
                    if (!vec) why = "256-bit vectors are not hardware-backed";
                } catch (Throwable t) { // a kernel that cannot link: the scalar GEMM serves
                    why = t.toString();
                }
            }
            VECTOR = vec;
            VECTOR_REASON = why;
            JAVA = vec ? Backend.JAVA_VECTOR : Backend.JAVA_SCALAR;
            boolean blas;
            String blasWhy;
            try {
                blas = OpenBlas.available();
                blasWhy = OpenBlas.unavailableReason();
            } catch (Throwable t) {
                blas = false;
                blasWhy = t.toString();
            }
            BLAS = blas;
            BLAS_REASON = blasWhy;
            NATIVE_THREADS = "native".equalsIgnoreCase(System.getProperty("fathom.gemm.blasThreads"));
            BLAS_MIN = Long.getLong("fathom.gemm.blasMin", BLAS_MIN_WORK);
            String force = System.getProperty("fathom.gemm", "").trim().toLowerCase(java.util.Locale.ROOT);
            Backend chosenDouble = switch (force) {
                case "java" -> JAVA;
                case "scalar" -> Backend.JAVA_SCALAR;
                default -> BLAS ? Backend.OPENBLAS : JAVA;
            };
            // float32 by default on the 512-bit Java kernel where it exists (see class doc); the
            // BLAS keeps the products it does better: gemv shapes and tiny ones.
            boolean forced = force.equals("java") || force.equals("scalar") || force.equals("openblas");
            Backend chosen = !forced && vec && VectorGemm.WIDE ? Backend.JAVA_VECTOR : chosenDouble;
            SMALL_FLOAT_TO_BLAS = !forced && chosen == Backend.JAVA_VECTOR && BLAS;
            String javaName = vec ? "pure-Java Vector API GEMM (" + (VectorGemm.WIDE ? "512" : "256") + "-bit)"
                : "pure-Java scalar GEMM (" + why + ")";
            String desc;
            // Whenever OpenBLAS may run (chosen, or forced per call), it gets the thread count of the mode.
            int threads = openBlasThreads();
            if (BLAS) {
                try {
                    OpenBlas.setThreads(threads);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "Fathom GEMM: could not set OpenBLAS threads: " + e);
                }
            }
            String blasName = null;
            if (BLAS) {
                String cfg = OpenBlas.config();
                String[] words = cfg == null ? new String[0] : cfg.split(" ");
                String version = words.length >= 2 ? words[0] + " " + words[1] : "OpenBLAS";
                String core = OpenBlas.coreName();
                String coreEnv = System.getenv("OPENBLAS_CORETYPE");
                if (core != null)
                    version += " (" + core + " kernels" + (coreEnv != null ? ", set by OPENBLAS_CORETYPE=" + coreEnv : "") + ")";
                blasName = version + " via FFM (" + (NATIVE_THREADS ? threads + " OpenBLAS threads"
                    : "1 OpenBLAS thread per Fathom worker, " + Parallel.threads() + " workers")
                    + (BLAS_MIN > 0 ? "; " + javaName + " below " + BLAS_MIN + " multiply-adds" : "") + ")";
            }
            if (chosen == Backend.JAVA_VECTOR && chosenDouble != Backend.JAVA_VECTOR) {
                desc = "float32 on the " + javaName + ", " + Parallel.threads() + " workers"
                    + (SMALL_FLOAT_TO_BLAS ? " (matrix-vector shapes and products under " + SMALL_FLOAT_WORK
                        + " multiply-adds on OpenBLAS)" : "")
                    + "; float64 on " + (blasName != null ? blasName : javaName);
            } else if (chosen == Backend.OPENBLAS) {
                desc = blasName;
            } else if (force.equals("openblas")) {
                desc = javaName + " (OpenBLAS forced but unavailable: " + BLAS_REASON + ")";
            } else if (force.equals("java") || force.equals("scalar")) {
                desc = javaName + " (forced by -Dfathom.gemm=" + force + ")";
            } else {
                desc = javaName + " (OpenBLAS unavailable: " + BLAS_REASON + ")";
            }
            if (!force.isEmpty() && !forced)
                desc += " [ignored unknown -Dfathom.gemm=" + force + "; expected java, openblas or scalar]";
            CHOSEN = chosen;
            CHOSEN_DOUBLE = chosenDouble;
            DESCRIPTION = "Fathom GEMM: " + desc;
            LOG.log(System.Logger.Level.INFO, DESCRIPTION);
        }
    }

    /** The backend used by {@link #sgemm} for large float32 products. */
    public static Backend backend() { return Selection.CHOSEN; }

    /** The backend used by {@link #dgemm} for large float64 products. */
    public static Backend doubleBackend() { return Selection.CHOSEN_DOUBLE; }

    /** The one-line description logged at first use. */
    public static String description() { return Selection.DESCRIPTION; }

    /** The OpenBLAS thread count Fathom's GEMM runs with (1 unless {@code -Dfathom.gemm.blasThreads=native}). */
    public static int openBlasThreads() { return Selection.NATIVE_THREADS ? Parallel.threads() : 1; }

    /** True when {@code backend} can run on this JVM/platform. */
    public static boolean isAvailable(Backend backend) {
        return switch (backend) {
            case OPENBLAS -> Selection.BLAS;
            case JAVA_VECTOR -> Selection.VECTOR;
            case JAVA_SCALAR -> true;
        };
    }

    /** Single-precision GEMM on the automatically selected backend. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        sgemm(floatBackend(transA, transB, m, n, k), transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * {@code C = op(A)·op(B) + 1·biasᵀ}: the product plus {@code bias[biasOff + j]} on every row's
     * column j ({@code bias} null: the product alone), on the automatically selected backend — a
     * Linear layer's {@code x·Wᵀ + b}. The 512-bit Java kernel adds the bias as it first stores C;
     * elsewhere the bias is copied into every row of C and the product added to it ({@code beta = 1},
     * as PyTorch's {@code addmm}). Either way C is not read before it is written.
     */
    public static void sgemmBias(boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] bias, int biasOff, float[] c, int cOff, int ldc) {
        Backend be = floatBackend(transA, transB, m, n, k);
        check("sgemmBias", be, transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        if (bias != null && (biasOff < 0 || (long) biasOff + n > bias.length))
            throw new IndexOutOfBoundsException("sgemmBias: " + n + " bias values from offset " + biasOff
                + " do not fit an array of length " + bias.length);
        if (m == 0 || n == 0) return;
        if (bias == null || be != Backend.JAVA_VECTOR || VectorGemm.rowGemv(transA, transB, m, n) || k == 0) {
            if (bias != null)
                for (int i = 0; i < m; i++) System.arraycopy(bias, biasOff, c, cOff + i * ldc, n);
            sgemm(be, transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, bias == null ? 0f : 1f, c, cOff, ldc);
            return;
        }
        VectorGemm.sgemm(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc, bias, biasOff);
    }

    /** Double-precision GEMM on the automatically selected backend. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double beta, double[] c, int cOff, int ldc) {
        dgemm(auto(Selection.CHOSEN_DOUBLE, m, n, k), transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** The chosen backend {@code be}, or the Java one where the work is too small to pay for a native call ({@code -Dfathom.gemm.blasMin}). */
    private static Backend auto(Backend be, int m, int n, int k) {
        return be == Backend.OPENBLAS && (long) m * n * k < Selection.BLAS_MIN ? Selection.JAVA : be;
    }

    /**
     * The float32 backend of a product: OpenBLAS instead of the default 512-bit Java kernel for
     * products under {@link #SMALL_FLOAT_WORK} and for a single row or column of C whose matrix is
     * read across its rows (its gemv needs no packing); a single row or column against a matrix
     * stored row by row (x·Wᵀ, a Linear layer at batch 1) stays on the Java kernel's own
     * matrix-vector product, split over the pool (the cnn's Linear(3136, 128): 21-23 µs on
     * OpenBLAS); else as {@link #auto}.
     */
    private static Backend floatBackend(boolean transA, boolean transB, int m, int n, int k) {
        if (Selection.SMALL_FLOAT_TO_BLAS && !VectorGemm.rowGemv(transA, transB, m, n)
            && (m == 1 || n == 1 || (long) m * n * k < SMALL_FLOAT_WORK))
            return Backend.OPENBLAS;
        return auto(Selection.CHOSEN, m, n, k);
    }

    /** Single-precision GEMM on a given backend (tests, benchmarks); it must be {@linkplain #isAvailable available}. */
    public static void sgemm(Backend backend, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        check("sgemm", backend, transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb,
            c.length, cOff, ldc);
        if (trivial(m, n, k, alpha, beta, c, cOff, ldc)) return;
        switch (backend) {
            case OPENBLAS -> {
                Gemv v = Gemv.of(transA, transB, m, n, k, aOff, lda, bOff, ldb, cOff, ldc);
                if (v == null)
                    openBlas(transA, transB, m, n, k, aOff, lda, bOff, ldb, cOff, ldc,
                        (bm, bn, ao, bo, co) -> OpenBlas.sgemm(transA, transB, bm, bn, k, alpha, a, ao, lda, b, bo,
                            ldb, beta, c, co, ldc));
                else {
                    if (beta == 0) for (int i = 0, j = v.yOff; i < v.yLen; i++, j += v.incY) c[j] = 0f;
                    OpenBlas.sgemv(v.trans, v.rows, v.cols, alpha, v.aIsMatrix ? a : b, v.matOff, v.ld,
                        v.aIsMatrix ? b : a, v.xOff, v.incX, beta, c, v.yOff, v.incY);
                }
            }
            case JAVA_VECTOR -> VectorGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc, null, 0);
            case JAVA_SCALAR -> ScalarGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc);
        }
    }

    /** Double-precision GEMM on a given backend (tests, benchmarks); it must be {@linkplain #isAvailable available}. */
    public static void dgemm(Backend backend, boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double beta, double[] c, int cOff, int ldc) {
        check("dgemm", backend, transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb,
            c.length, cOff, ldc);
        if (trivial(m, n, k, alpha, beta, c, cOff, ldc)) return;
        switch (backend) {
            case OPENBLAS -> {
                Gemv v = Gemv.of(transA, transB, m, n, k, aOff, lda, bOff, ldb, cOff, ldc);
                if (v == null)
                    openBlas(transA, transB, m, n, k, aOff, lda, bOff, ldb, cOff, ldc,
                        (bm, bn, ao, bo, co) -> OpenBlas.dgemm(transA, transB, bm, bn, k, alpha, a, ao, lda, b, bo,
                            ldb, beta, c, co, ldc));
                else {
                    if (beta == 0) for (int i = 0, j = v.yOff; i < v.yLen; i++, j += v.incY) c[j] = 0.0;
                    OpenBlas.dgemv(v.trans, v.rows, v.cols, alpha, v.aIsMatrix ? a : b, v.matOff, v.ld,
                        v.aIsMatrix ? b : a, v.xOff, v.incX, beta, c, v.yOff, v.incY);
                }
            }
            case JAVA_VECTOR -> VectorGemm.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc);
            case JAVA_SCALAR -> ScalarGemm.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc);
        }
    }

    /**
     * The cases without a product: nothing to do for an empty C, and {@code C = beta*C} (zeros for
     * beta 0, whatever C held) when k is 0 or alpha is 0. {@code c} is a float[] or a double[];
     * a float beta widens exactly and a float times float product is exact in double, so rounding
     * it to float gives the float multiply's result. Returns whether the call is done.
     */
    private static boolean trivial(int m, int n, int k, double alpha, double beta, Object c, int cOff, int ldc) {
        if (m == 0 || n == 0) return true;
        if (k != 0 && alpha != 0) return false;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (c instanceof float[] f)
                for (int j = 0; j < n; j++) f[row + j] = beta == 0 ? 0f : (float) (beta * f[row + j]);
            else if (c instanceof double[] d)
                for (int j = 0; j < n; j++) d[row + j] = beta == 0 ? 0 : beta * d[row + j];
        }
        return true;
    }

    /**
     * A product with one row or one column of C as a matrix-vector product, which OpenBLAS's gemv
     * does without GEMM's packing (Linear(784, 512) at batch 1: ~200 µs as sgemm): for {@code m == 1}
     * the row of C is {@code op(B)ᵀ·a} with B the matrix, for {@code n == 1} the column of C is
     * {@code op(A)·b}. The fields are gemv's arguments in row-major order: the matrix (A or B) as
     * stored, {@code rows x cols} with leading dimension {@code ld} and transpose flag, the vector x
     * (the other operand) and y (C) with their strides. C is zeroed first when beta is 0, so what it
     * held never leaks (whatever gemv's scaling by 0 does with NaN).
     */
    private record Gemv(boolean aIsMatrix, boolean trans, int rows, int cols, int matOff, int ld,
                        int xOff, int incX, int yOff, int incY, int yLen) {
        /** The gemv form of the product, or null when C has more than one row and column. */
        static Gemv of(boolean transA, boolean transB, int m, int n, int k, int aOff, int lda, int bOff, int ldb,
                       int cOff, int ldc) {
            if (m == 1) // C[0, :] = op(B)ᵀ·a; B is stored k x n (transB: n x k); a's k elements step by lda when transposed
                return new Gemv(false, !transB, transB ? n : k, transB ? k : n, bOff, ldb,
                    aOff, transA ? lda : 1, cOff, 1, n);
            if (n == 1) // C[:, 0] = op(A)·b; A is stored m x k (transA: k x m); b's k elements step by ldb unless transposed
                return new Gemv(true, transA, transA ? k : m, transA ? m : k, aOff, lda,
                    bOff, transB ? 1 : ldb, cOff, ldc, m);
            return null;
        }
    }

    /**
     * Runs two independent products, each a task that makes its GEMM call(s), with {@code work1} and
     * {@code work2} multiply-adds: at once, one per thread of a two-thread pool and each as one
     * unsplit call, when both are big enough to be split ({@link #BLAS_SPLIT_MIN_WORK}) and within
     * 1.5x of each other; else one after the other, each split over the pool as usual. Two split
     * products re-pack their shared operand on both threads and meet at two barriers; two whole ones
     * side by side do neither (a linear layer's backward: {@code dx = g·w} and {@code dw = gᵀ·x}
     * are the same number of multiply-adds). Not with OpenBLAS's own threads, nor inside a parallel
     * region (both then run one after the other).
     */
    public static void concurrently(long work1, Runnable first, long work2, Runnable second) {
        long lo = Math.min(work1, work2), hi = Math.max(work1, work2);
        if (Parallel.threads() == 2 && !Selection.NATIVE_THREADS && lo >= BLAS_SPLIT_MIN_WORK && 2 * hi <= 3 * lo
            && !Parallel.inRegion())
            Parallel.forRange(2, 1, (s, e) -> {
                for (int i = s; i < e; i++) (i == 0 ? first : second).run();
            });
        else {
            first.run();
            second.run();
        }
    }

    /** One OpenBLAS call on the block of C that is {@code m x n} at {@code cOff}, with A and B at the matching offsets. */
    @FunctionalInterface
    private interface BlasBlock {
        void run(int m, int n, int aOff, int bOff, int cOff);
    }

    /**
     * Runs an (already validated) OpenBLAS GEMM: in one call when OpenBLAS threads itself or the
     * work is small, else split over the worker pool along the longer of m and n (n when they are
     * equal), each worker calling OpenBLAS on its own block of C (the same split for both precisions).
     * Each block re-packs the operand it shares with the others; the cost of that, as the CPU time
     * of the two halves one after the other on one thread over that of the whole product (best of
     * 12-30, OpenBLAS 0.3.31 Haswell kernels, Zen 5): n x n x n at n = 256 / 512: rows +8.8 / +8.4-8.5%,
     * columns +5.2 / +2.3-5.8%; n = 1024 / 2048 within 2% either way; the mlp's 128x512x784 rows
     * +12.7%, columns +2.2%; 2048x128x512 rows +3.7%, columns +17.2%.
     */
    private static void openBlas(boolean transA, boolean transB, int m, int n, int k, int aOff, int lda,
                                 int bOff, int ldb, int cOff, int ldc, BlasBlock call) {
        if (Selection.NATIVE_THREADS || (long) m * n * k < BLAS_SPLIT_MIN_WORK || Parallel.threads() == 1)
            call.run(m, n, aOff, bOff, cOff);
        else if (m > n)
            GemmSplit.run(m, 8, SPLIT_MIN_BLOCK,
                (s, e) -> call.run(e - s, n, aOff + (transA ? s : s * lda), bOff, cOff + s * ldc));
        else
            GemmSplit.run(n, 16, SPLIT_MIN_BLOCK,
                (s, e) -> call.run(m, e - s, aOff, bOff + (transB ? s * ldb : s), cOff + s));
    }

    /**
     * Validates dimensions, leading dimensions and that every addressed element lies inside its
     * array: the native backend would otherwise read or write out of bounds.
     */
    private static void check(String op, Backend backend, boolean transA, boolean transB, int m, int n, int k,
                              int aLen, int aOff, int lda, int bLen, int bOff, int ldb,
                              int cLen, int cOff, int ldc) {
        if (!isAvailable(backend))
            throw new IllegalArgumentException(op + ": backend " + backend + " is not available here"
                + (backend == Backend.OPENBLAS ? " (" + Selection.BLAS_REASON + ")"
                    : " (" + Selection.VECTOR_REASON + ")"));
        if (m < 0 || n < 0 || k < 0)
            throw new IllegalArgumentException(op + ": dimensions must be non-negative, got m=" + m + ", n=" + n
                + ", k=" + k);
        // Stored shapes (rows x cols) of A, B, C in row-major order.
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        operand(op, "A", aRows, aCols, aLen, aOff, lda, "lda");
        operand(op, "B", bRows, bCols, bLen, bOff, ldb, "ldb");
        operand(op, "C", m, n, cLen, cOff, ldc, "ldc");
    }

    private static void operand(String op, String name, int rows, int cols, int len, int off, int ld, String ldName) {
        if (ld < Math.max(1, cols))
            throw new IllegalArgumentException(op + ": " + ldName + "=" + ld + " is smaller than the " + cols
                + " columns of " + name + " as stored (" + rows + "x" + cols + ")");
        if (off < 0)
            throw new IllegalArgumentException(op + ": offset of " + name + " is negative (" + off + ")");
        if (rows == 0 || cols == 0) return;
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (last >= len)
            throw new IndexOutOfBoundsException(op + ": " + name + " as stored (" + rows + "x" + cols + ", offset "
                + off + ", " + ldName + "=" + ld + ") reaches element " + last + " of an array of length " + len);
    }
}
