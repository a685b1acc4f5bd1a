package dev.fathom.backend;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fathom.backend.Gemm.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every backend against a naive double-precision triple loop, over edge sizes and layouts. */
class GemmTest {

    /** (m, n, k) triples hitting 1-wide edges, partial 6x16 tiles, several KC/MC blocks and the parallel split. */
    private static final int[][] SIZES = {
        {1, 1, 1}, {1, 7, 17}, {7, 1, 33}, {17, 33, 1}, {7, 17, 33}, {33, 65, 17},
        {65, 130, 7}, {130, 65, 300}, {130, 130, 130}, {6, 16, 256}, {12, 32, 257}, {121, 17, 65},
        // whole and partial 8 x 32 tiles of the 512-bit kernel, more rows than one packed block of A (128)
        {8, 32, 256}, {16, 64, 513}, {263, 97, 41},
        // short and wide, split by columns across the pool: an untransposed B read in place, whole
        // strips beside a ragged last one (a Linear(3136, 128) backward's shape family)
        {64, 1000, 130}, {100, 777, 300},
        // one row / one column of C (OpenBLAS: gemv), at a Linear layer's batch-1 shape too
        {1, 130, 300}, {300, 1, 130}, {1, 1, 300}, {1, 512, 784},
        // ... and on the 512-bit kernel's matrix-vector product: split over the pool (the cnn's
        // Linear(3136, 128) at batch 1), odd row counts and vector tails, unsplit small ones
        {1, 131, 3137}, {301, 1, 515}, {1, 10, 128}, {3, 1, 17},
    };

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Backend be : Backend.values()) {
            if (!Gemm.isAvailable(be)) continue;
            for (int[] s : SIZES)
                for (int t = 0; t < 4; t++)
                    out.add(Arguments.of(be, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2]));
        }
        return out.stream();
    }

    /** Fills a stored rows x cols matrix with row stride ld at offset off inside a padded array. */
    private static float[] randomF(SplittableRandom r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    private static double[] randomD(SplittableRandom r, int len) {
        double[] a = new double[len];
        for (int i = 0; i < len; i++) a[i] = r.nextDouble() * 2 - 1;
        return a;
    }

    /** Reference C = alpha op(A) op(B) + beta C in double, plus the magnitude bound for the error. */
    private static double[][] reference(boolean ta, boolean tb, int m, int n, int k, double alpha,
                                        double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                                        double beta, double[] c, int cOff, int ldc) {
        double[] ref = new double[m * n], mag = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double acc = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                    abs += Math.abs(av * bv);
                }
                double cv = c[cOff + i * ldc + j];
                ref[i * n + j] = alpha * acc + (beta == 0 ? 0 : beta * cv);
                mag[i * n + j] = Math.abs(alpha) * abs + Math.abs(beta * cv) + 1;
            }
        return new double[][] {ref, mag};
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @ParameterizedTest(name = "{0} sgemm tA={1} tB={2} m={3} n={4} k={5}")
    @MethodSource("cases")
    void sgemmMatchesReference(Backend be, boolean ta, boolean tb, int m, int n, int k) {
        var r = new SplittableRandom(m * 1_000_003L + n * 1009L + k);
        // Padded leading dimensions and non-zero offsets, so ld != cols and off != 0 are exercised.
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + 3, ldb = bCols + 5, ldc = n + 2, aOff = 4, bOff = 9, cOff = 2;
        float[] a = randomF(r, aOff + aRows * lda), b = randomF(r, bOff + bRows * ldb), c = randomF(r, cOff + m * ldc + 3);
        float[] cBefore = c.clone();
        float alpha = 1.5f, beta = -0.5f;
        double[][] ref = reference(ta, tb, m, n, k, alpha, widen(a), aOff, lda, widen(b), bOff, ldb, beta,
            widen(c), cOff, ldc);
        Gemm.sgemm(be, ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double want = ref[0][i * n + j], tol = 1e-6 * ref[1][i * n + j] * Math.sqrt(k + 1);
                assertEquals(want, c[cOff + i * ldc + j], tol, "C[" + i + "," + j + "]");
            }
        // Padding between rows and around C is untouched.
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside) assertEquals(cBefore[idx], c[idx], "element " + idx + " outside C changed");
        }
    }

    @ParameterizedTest(name = "{0} dgemm tA={1} tB={2} m={3} n={4} k={5}")
    @MethodSource("cases")
    void dgemmMatchesReference(Backend be, boolean ta, boolean tb, int m, int n, int k) {
        var r = new SplittableRandom(m * 31L + n * 7L + k);
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + 1, ldb = bCols + 2, ldc = n + 3, aOff = 5, bOff = 1, cOff = 7;
        double[] a = randomD(r, aOff + aRows * lda), b = randomD(r, bOff + bRows * ldb), c = randomD(r, cOff + m * ldc);
        double alpha = -2.0, beta = 0.25;
        double[][] ref = reference(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        Gemm.dgemm(be, ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                assertEquals(ref[0][i * n + j], c[cOff + i * ldc + j], 1e-14 * ref[1][i * n + j] * (k + 1),
                    "C[" + i + "," + j + "]");
    }

    static Stream<Backend> backends() {
        return Stream.of(Backend.values()).filter(Gemm::isAvailable);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void betaZeroIgnoresNaNInC(Backend be) {
        int m = 9, n = 19, k = 5;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = 1;
        for (int i = 0; i < b.length; i++) b[i] = 2;
        java.util.Arrays.fill(c, Float.NaN);
        Gemm.sgemm(be, false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        for (float v : c) assertEquals(10f, v); // sum over k=5 of 1*2
    }

    @ParameterizedTest
    @MethodSource("backends")
    void betaZeroIgnoresNaNInOneRowOrColumnOfC(Backend be) {
        // m = 1 and n = 1 (gemv on OpenBLAS) in every transpose combination, C strided for n = 1
        for (int t = 0; t < 8; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0, row = (t & 4) != 0;
            int m = row ? 1 : 9, n = row ? 19 : 1, k = 5, ldc = 3;
            float[] a = new float[m * k], b = new float[k * n], c = new float[Math.max(m, n) * ldc];
            java.util.Arrays.fill(a, 1);
            java.util.Arrays.fill(b, 2);
            java.util.Arrays.fill(c, Float.NaN);
            Gemm.sgemm(be, ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c, 0, row ? n : ldc);
            for (int i = 0; i < Math.max(m, n); i++)
                assertEquals(10f, c[row ? i : i * ldc], "ta=" + ta + " tb=" + tb + (row ? " m=1" : " n=1") + " at " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void alphaAndBetaCombine(Backend be) {
        // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]; 2*that + 3*C with C = all 1.
        float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c = {1, 1, 1, 1};
        Gemm.sgemm(be, false, false, 2, 2, 2, 2f, a, 0, 2, b, 0, 2, 3f, c, 0, 2);
        assertArrayEquals(new float[] {41, 47, 89, 103}, c);
        double[] cd = {1, 1, 1, 1};
        Gemm.dgemm(be, true, true, 2, 2, 2, 1.0, new double[] {1, 3, 2, 4}, 0, 2, new double[] {5, 7, 6, 8}, 0, 2,
            -1.0, cd, 0, 2);
        assertArrayEquals(new double[] {18, 21, 42, 49}, cd);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void largeProductAcrossAllBlockings(Backend be) {
        // n > NC for floats (2048) with k > KC (256) and m > MC (120, 128 for the 512-bit kernel): every loop level runs more than once.
        int m = 131, n = 2070, k = 260;
        var r = new SplittableRandom(42);
        float[] a = randomF(r, m * k), b = randomF(r, k * n), c = new float[m * n];
        Gemm.sgemm(be, false, true, m, n, k, 1f, a, 0, k, transpose(b, k, n), 0, k, 0f, c, 0, n);
        double[][] ref = reference(false, false, m, n, k, 1, widen(a), 0, k, widen(b), 0, n, 0, new double[m * n], 0, n);
        for (int i = 0; i < m * n; i += 7)
            assertEquals(ref[0][i], c[i], 1e-6 * ref[1][i] * 20, "C flat " + i);
    }

    /** An m x n x k float32 product with a transposed A, checked against the double reference. */
    private record Product(int m, int n, int k, float[] a, float[] b, float[] c) {
        static Product random(SplittableRandom r, int m, int n, int k) {
            return new Product(m, n, k, randomF(r, k * m), randomF(r, k * n), new float[m * n]);
        }

        void run() { Gemm.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, c, 0, n); }

        void check(String what) {
            double[][] ref = reference(true, false, m, n, k, 1, widen(a), 0, m, widen(b), 0, n, 0, new double[m * n], 0, n);
            for (int i = 0; i < m * n; i++)
                assertEquals(ref[0][i], c[i], 1e-6 * ref[1][i] * Math.sqrt(k + 1), what + " C flat " + i);
        }
    }

    @Test
    void concurrentlyRunsBothProductsWhateverTheirSizes() {
        // above the split threshold (side by side, each unsplit, on a 2-thread pool), unequal (one after the other), tiny
        int[][][] pairs = {{{97, 131, 103}, {103, 131, 97}}, {{300, 301, 130}, {97, 131, 103}}, {{5, 7, 3}, {3, 5, 7}}};
        var r = new SplittableRandom(5);
        for (int[][] pair : pairs) {
            Product p = Product.random(r, pair[0][0], pair[0][1], pair[0][2]);
            Product q = Product.random(r, pair[1][0], pair[1][1], pair[1][2]);
            Gemm.concurrently((long) p.m * p.n * p.k, p::run, (long) q.m * q.n * q.k, q::run);
            p.check("first of " + java.util.Arrays.deepToString(pair));
            q.check("second of " + java.util.Arrays.deepToString(pair));
        }
        long big = 1L << 30;
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> Gemm.concurrently(big, () -> {}, big, () -> { throw new IllegalStateException("second"); }));
        assertEquals("second", e.getMessage());
    }

    @Test
    void productInsideAParallelRegionIsOneCall() {
        // split-sized products started from a region's chunks run whole on that thread (GemmSplit), still correct
        var r = new SplittableRandom(9);
        Product[] ps = {Product.random(r, 130, 257, 129), Product.random(r, 257, 130, 129)};
        Parallel.forRange(2, 1, (s, e) -> {
            for (int i = s; i < e; i++) ps[i].run();
        });
        ps[0].check("chunk 0");
        ps[1].check("chunk 1");
    }

    private static float[] transpose(float[] x, int rows, int cols) {
        float[] t = new float[x.length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }

    /**
     * {@link Gemm#sgemmBias} (the bias added as the 512-bit kernel first stores C, or copied into
     * C's rows on the other paths) against the float64 reference of {@code op(A)·op(B) + 1·biasᵀ}:
     * whole and partial 8 x 32 tiles, more than one k-block (the bias must be added once), the
     * split over the pool, one row (matrix-vector form) and one column of C, k = 0, every
     * transpose combination, offsets and padded leading dimensions, NaN in C beforehand (never read).
     */
    @Test
    void sgemmBiasMatchesReference() {
        int[][] sizes = {{1, 1, 1}, {8, 32, 256}, {9, 33, 300}, {256, 512, 784}, {130, 70, 513}, {1, 131, 3137},
            {37, 1, 40}, {5, 7, 0}, {3, 200, 5}};
        var r = new SplittableRandom(17);
        for (int[] sz : sizes)
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                int m = sz[0], n = sz[1], k = sz[2];
                int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
                int lda = Math.max(1, aCols) + 2, ldb = Math.max(1, bCols) + 1, ldc = n + 3, aOff = 1, bOff = 4, cOff = 3;
                float[] a = randomF(r, aOff + aRows * lda), b = randomF(r, bOff + bRows * ldb);
                float[] bias = randomF(r, n + 2), c = new float[cOff + m * ldc + 1];
                java.util.Arrays.fill(c, Float.NaN);
                double[] zero = new double[c.length];
                double[][] ref = reference(ta, tb, m, n, k, 1, widen(a), aOff, lda, widen(b), bOff, ldb, 0, zero, cOff, ldc);
                Gemm.sgemmBias(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, bias, 2, c, cOff, ldc);
                String what = java.util.Arrays.toString(sz) + " tA=" + ta + " tB=" + tb;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double want = ref[0][i * n + j] + bias[2 + j], tol = 1e-6 * (ref[1][i * n + j] + 1) * Math.sqrt(k + 1);
                        assertEquals(want, c[cOff + i * ldc + j], tol, what + " C[" + i + "," + j + "]");
                    }
                for (int idx = 0; idx < c.length; idx++) {
                    int rel = idx - cOff;
                    if (!(rel >= 0 && rel / ldc < m && rel % ldc < n)) assertTrue(Float.isNaN(c[idx]), what + ": element " + idx + " outside C changed");
                }
                // without a bias: the plain product
                Gemm.sgemmBias(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, null, 0, c, cOff, ldc);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                        assertEquals(ref[0][i * n + j], c[cOff + i * ldc + j], 1e-6 * ref[1][i * n + j] * Math.sqrt(k + 1),
                            what + " no bias C[" + i + "," + j + "]");
            }
        assertThrows(IndexOutOfBoundsException.class, () -> Gemm.sgemmBias(false, false, 2, 3, 1, new float[2], 0, 1,
            new float[3], 0, 3, new float[3], 1, new float[6], 0, 3));
    }

    @Test
    void kZeroScalesC() {
        float[] c = {1, 2, 3, 4};
        Gemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 2f, c, 0, 2);
        assertArrayEquals(new float[] {2, 4, 6, 8}, c);
        double[] d = {1, 2};
        Gemm.dgemm(false, false, 1, 2, 0, 1.0, new double[0], 0, 1, new double[0], 0, 2, 0.0, d, 0, 2);
        assertArrayEquals(new double[] {0, 0}, d);
    }

    @Test
    void rejectsBadArguments() {
        float[] a = new float[6], b = new float[6], c = new float[4];
        var e = assertThrows(IllegalArgumentException.class,
            () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        assertTrue(e.getMessage().startsWith("sgemm: lda=2 is smaller than the 3 columns of A"), e.getMessage());
        var o = assertThrows(IndexOutOfBoundsException.class,
            () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2));
        assertTrue(o.getMessage().contains("sgemm: A as stored (2x3, offset 1, lda=3) reaches element 6"), o.getMessage());
        var neg = assertThrows(IllegalArgumentException.class,
            () -> Gemm.dgemm(false, false, -1, 2, 3, 1, new double[6], 0, 3, new double[6], 0, 2, 0, new double[4], 0, 2));
        assertTrue(neg.getMessage().startsWith("dgemm: dimensions must be non-negative"), neg.getMessage());
        var cBad = assertThrows(IndexOutOfBoundsException.class,
            () -> Gemm.sgemm(true, true, 2, 2, 3, 1f, a, 0, 2, b, 0, 3, 0f, c, 1, 2));
        assertTrue(cBad.getMessage().contains("C as stored"), cBad.getMessage());
    }

    @Test
    void selectionIsDescribedAndJavaAlwaysAvailable() {
        assertTrue(Gemm.description().startsWith("Fathom GEMM: "), Gemm.description());
        assertTrue(Gemm.isAvailable(Backend.JAVA_SCALAR));
        assertTrue(Gemm.isAvailable(Gemm.backend()));
        // The build runs tests with the natives jar and --add-modules jdk.incubator.vector.
        assertTrue(Gemm.isAvailable(Backend.JAVA_VECTOR), "Vector API GEMM should be available in tests");
        assertTrue(Gemm.isAvailable(Backend.OPENBLAS), "OpenBLAS should load on linux-x86_64: " + OpenBlas.unavailableReason());
    }

    @Test
    void floatGoesToThe512BitKernelAndDoubleToOpenBlasByDefault() {
        // The build's tests run without -Dfathom.gemm, with OpenBLAS and the vector module.
        assertEquals(VectorGemm.WIDE ? Backend.JAVA_VECTOR : Backend.OPENBLAS, Gemm.backend(), Gemm.description());
        assertEquals(Backend.OPENBLAS, Gemm.doubleBackend(), Gemm.description());
        if (VectorGemm.WIDE)
            assertTrue(Gemm.description().contains("float32 on the pure-Java Vector API GEMM (512-bit)")
                && Gemm.description().contains("; float64 on OpenBLAS"), Gemm.description());
    }

    @Test
    void openBlasKernelSetIsNamedAndHonoursTheEnvironment() {
        String core = OpenBlas.coreName();
        assertNotNull(core, "openblas_get_corename should be bound");
        assertFalse(core.isBlank());
        if (Gemm.doubleBackend() == Backend.OPENBLAS)
            assertTrue(Gemm.description().contains("(" + core + " kernels"), Gemm.description());
        String forced = System.getenv("OPENBLAS_CORETYPE");
        if (forced != null && !forced.isBlank())
            assertEquals(forced.toLowerCase(java.util.Locale.ROOT), core.toLowerCase(java.util.Locale.ROOT),
                "OPENBLAS_CORETYPE=" + forced + " should pick that kernel set");
    }

    /** Entry point for {@link #worksWithoutVectorModule}: runs in a JVM without jdk.incubator.vector. */
    public static final class NoVectorMain {
        public static void main(String[] args) {
            float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c = new float[4];
            Gemm.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
            System.out.println("backend=" + Gemm.backend() + " vector=" + Gemm.isAvailable(Backend.JAVA_VECTOR)
                + " result=" + java.util.Arrays.toString(c));
            System.out.println(Gemm.description());
        }
    }

    @Test
    void worksWithoutVectorModule() throws Exception {
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-Dfathom.gemm=java",
            "-cp", System.getProperty("java.class.path"), NoVectorMain.class.getName()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("backend=JAVA_SCALAR vector=false result=[19.0, 22.0, 43.0, 50.0]"), out);
        assertTrue(out.contains("Fathom GEMM: pure-Java scalar GEMM (jdk.incubator.vector is not in the module graph"), out);
    }

    /**
     * The matrix-vector kernel sums a full group of rows across their lanes with one gather per lane
     * and leftover rows one by one; both must add a row's lanes in the same order. Rows 16-19 of a
     * 20-row product (a group of 16, then 4 left over) are computed again as the first 16 rows of a
     * shifted product, where they fall in a full group: every output must have the same bits, with
     * alpha and beta and a k with a scalar tail, on one thread and split over the pool.
     */
    @Test
    void matrixVectorLaneSumsGiveTheSameBitsInAFullGroupAndAlone() {
        assumeTrue(Simd.AVAILABLE);
        SplittableRandom r = new SplittableRandom(7);
        for (int k : new int[] {784, 515})
            for (int rowsWhole : new int[] {20, 260}) { // 260 x 515 is split over the pool
                float[] mat = randomF(r, (rowsWhole + 16) * k), x = randomF(r, k), y0 = randomF(r, rowsWhole + 16);
                float[] whole = y0.clone(), shifted = y0.clone();
                VectorGemm.sgemv(rowsWhole, k, 1.5f, mat, 0, k, x, 0, 1, 0.5f, whole, 0, 1);
                int from = rowsWhole - 4; // the last 4 rows: leftovers of the whole product
                VectorGemm.sgemv(16, k, 1.5f, mat, from * k, k, x, 0, 1, 0.5f, shifted, from, 1);
                for (int j = from; j < rowsWhole; j++)
                    assertEquals(Float.floatToRawIntBits(whole[j]), Float.floatToRawIntBits(shifted[j]),
                        "row " + j + " of " + rowsWhole + " x " + k);
            }
    }
}
