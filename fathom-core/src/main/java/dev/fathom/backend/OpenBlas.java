package dev.fathom.backend;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * OpenBLAS's CBLAS {@code sgemm}/{@code dgemm} and {@code sgemv}/{@code dgemv}, called through the FFM API on heap arrays.
 *
 * <p>The shared library comes from bytedeco's {@code openblas} natives jar (extracted and loaded by
 * JavaCPP's {@code Loader}); the functions are then bound with {@code Linker.Option.critical(true)}
 * so Java arrays are passed by address without copying. When anything is missing (no natives for the
 * platform, no JavaCPP on the class path, no native access) {@link #available()} is false and
 * {@link #unavailableReason()} says why; nothing here throws at class initialisation.
 */
public final class OpenBlas {
    private OpenBlas() {}

    static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    private static final MethodHandle SGEMM, DGEMM, SGEMV, DGEMV, SET_THREADS, GET_THREADS;
    private static final String CONFIG, CORE, REASON;

    static {
        MethodHandle s = null, d = null, sv = null, dv = null, set = null, get = null;
        String config = null, core = null, reason = null;
        try {
            Class<?> loader = Class.forName("org.bytedeco.javacpp.Loader");
            Class<?> lib = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
            String path = (String) loader.getMethod("load", Class.class).invoke(null, lib);
            SymbolLookup loaded = SymbolLookup.loaderLookup();
            // The JNI library links libopenblas; dlsym on its handle also searches that dependency.
            final SymbolLookup lookup = loaded.find("cblas_sgemm").isEmpty() && path != null
                ? SymbolLookup.libraryLookup(Path.of(path), java.lang.foreign.Arena.global()) : loaded;
            Linker linker = Linker.nativeLinker();
            var I = ValueLayout.JAVA_INT;
            var A = ValueLayout.ADDRESS;
            FunctionDescriptor sd = FunctionDescriptor.ofVoid(I, I, I, I, I, I, ValueLayout.JAVA_FLOAT,
                A, I, A, I, ValueLayout.JAVA_FLOAT, A, I);
            FunctionDescriptor dd = FunctionDescriptor.ofVoid(I, I, I, I, I, I, ValueLayout.JAVA_DOUBLE,
                A, I, A, I, ValueLayout.JAVA_DOUBLE, A, I);
            s = linker.downcallHandle(find(lookup, "cblas_sgemm"), sd, Linker.Option.critical(true));
            d = linker.downcallHandle(find(lookup, "cblas_dgemm"), dd, Linker.Option.critical(true));
            FunctionDescriptor svd = FunctionDescriptor.ofVoid(I, I, I, I, ValueLayout.JAVA_FLOAT, A, I, A, I,
                ValueLayout.JAVA_FLOAT, A, I);
            FunctionDescriptor dvd = FunctionDescriptor.ofVoid(I, I, I, I, ValueLayout.JAVA_DOUBLE, A, I, A, I,
                ValueLayout.JAVA_DOUBLE, A, I);
            sv = linker.downcallHandle(find(lookup, "cblas_sgemv"), svd, Linker.Option.critical(true));
            dv = linker.downcallHandle(find(lookup, "cblas_dgemv"), dvd, Linker.Option.critical(true));
            Optional<MemorySegment> setSym = lookup.find("openblas_set_num_threads")
                .or(() -> lookup.find("goto_set_num_threads"));
            if (setSym.isPresent())
                set = linker.downcallHandle(setSym.get(), FunctionDescriptor.ofVoid(I));
            Optional<MemorySegment> getSym = lookup.find("openblas_get_num_threads");
            if (getSym.isPresent())
                get = linker.downcallHandle(getSym.get(), FunctionDescriptor.of(I));
            Optional<MemorySegment> cfg = lookup.find("openblas_get_config");
            if (cfg.isPresent()) {
                MemorySegment str = (MemorySegment) linker.downcallHandle(cfg.get(), FunctionDescriptor.of(A))
                    .invokeExact();
                config = str.reinterpret(256).getString(0);
            }
            Optional<MemorySegment> coreSym = lookup.find("openblas_get_corename");
            if (coreSym.isPresent()) {
                MemorySegment str = (MemorySegment) linker.downcallHandle(coreSym.get(), FunctionDescriptor.of(A))
                    .invokeExact();
                core = str.reinterpret(64).getString(0);
            }
        } catch (Throwable t) {
            s = d = sv = dv = set = get = null;
            Throwable root = t;
            while (root.getCause() != null) root = root.getCause();
            reason = root.getClass().getSimpleName() + ": " + root.getMessage();
        }
        SGEMM = s;
        DGEMM = d;
        SGEMV = sv;
        DGEMV = dv;
        SET_THREADS = set;
        GET_THREADS = get;
        CONFIG = config;
        CORE = core;
        REASON = reason;
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("symbol " + name + " not found"));
    }

    /** True when the native library and its GEMM symbols were bound. */
    public static boolean available() { return SGEMM != null; }

    /** Why OpenBLAS is unavailable, or null when it is available. */
    public static String unavailableReason() { return REASON; }

    /** OpenBLAS's build description ({@code openblas_get_config()}), or null. */
    public static String config() { return CONFIG; }

    /**
     * The CPU kernel set OpenBLAS chose at load ({@code openblas_get_corename()}, e.g. Haswell or
     * Cooperlake), or null. The environment variable {@code OPENBLAS_CORETYPE} overrides OpenBLAS's own
     * detection, and the kernel set decides its speed (AVX2 against AVX-512 kernels: about 2x on a Zen 5).
     */
    public static String coreName() { return CORE; }

    /** Sets OpenBLAS's own thread count (no-op when the symbol is absent). */
    public static void setThreads(int n) {
        if (SET_THREADS == null) return;
        try {
            SET_THREADS.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    /** OpenBLAS's current thread count, or -1 when unknown. */
    public static int threads() {
        if (GET_THREADS == null) return -1;
        try {
            return (int) GET_THREADS.invokeExact();
        } catch (Throwable t) {
            return -1;
        }
    }

    /**
     * {@code cblas_sgemm} in row-major order. Arguments must already be validated (the native code
     * reads and writes whatever the dimensions say); see {@link Gemm#sgemm}.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        try {
            SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                MemorySegment.ofArray(a).asSlice(aOff * 4L), lda,
                MemorySegment.ofArray(b).asSlice(bOff * 4L), ldb, beta,
                MemorySegment.ofArray(c).asSlice(cOff * 4L), ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cblas_dgemm} in row-major order; arguments must already be validated. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double beta, double[] c, int cOff, int ldc) {
        try {
            DGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                MemorySegment.ofArray(a).asSlice(aOff * 8L), lda,
                MemorySegment.ofArray(b).asSlice(bOff * 8L), ldb, beta,
                MemorySegment.ofArray(c).asSlice(cOff * 8L), ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code cblas_sgemv} in row-major order: {@code y = alpha·op(A)·x + beta·y} with A stored
     * {@code rows x cols} (leading dimension {@code lda}), x and y read and written with strides
     * {@code incX}, {@code incY} (positive); arguments must already be validated.
     */
    public static void sgemv(boolean trans, int rows, int cols, float alpha, float[] a, int aOff, int lda,
                             float[] x, int xOff, int incX, float beta, float[] y, int yOff, int incY) {
        try {
            SGEMV.invokeExact(ROW_MAJOR, trans ? TRANS : NO_TRANS, rows, cols, alpha,
                MemorySegment.ofArray(a).asSlice(aOff * 4L), lda, MemorySegment.ofArray(x).asSlice(xOff * 4L), incX,
                beta, MemorySegment.ofArray(y).asSlice(yOff * 4L), incY);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cblas_dgemv} in row-major order, as {@link #sgemv}; arguments must already be validated. */
    public static void dgemv(boolean trans, int rows, int cols, double alpha, double[] a, int aOff, int lda,
                             double[] x, int xOff, int incX, double beta, double[] y, int yOff, int incY) {
        try {
            DGEMV.invokeExact(ROW_MAJOR, trans ? TRANS : NO_TRANS, rows, cols, alpha,
                MemorySegment.ofArray(a).asSlice(aOff * 8L), lda, MemorySegment.ofArray(x).asSlice(xOff * 8L), incX,
                beta, MemorySegment.ofArray(y).asSlice(yOff * 8L), incY);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("OpenBLAS call failed", t);
    }
}
