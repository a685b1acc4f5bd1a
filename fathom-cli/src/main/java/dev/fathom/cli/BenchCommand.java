package dev.fathom.cli;

import dev.fathom.backend.Gemm;
import dev.fathom.backend.OpenBlas;
import dev.fathom.backend.Parallel;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code ./fathom bench}: measures the reference workloads on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure a reference workload on this machine (see shared/bench/WORKLOADS.md).")
final class BenchCommand implements Callable<Integer> {
    enum Workload { gemm }

    @Parameters(index = "0", defaultValue = "gemm", description = "Workload: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Workload workload;

    @Option(names = "--sizes", split = ",", defaultValue = "256,512,1024,2048",
        description = "Matrix sizes n for gemm (default: ${DEFAULT-VALUE}).")
    int[] sizes;

    @Option(names = "--samples", defaultValue = "7", description = "Timed samples per size; the median is reported (default: ${DEFAULT-VALUE}).")
    int samples;

    @Override
    public Integer call() {
        if (samples < 1) throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        for (int n : sizes)
            if (n < 1) throw new IllegalArgumentException("--sizes: every size must be positive, got " + n);
        return switch (workload) {
            case gemm -> gemm();
        };
    }

    /**
     * C = A·B on n×n float32 matrices, as WORKLOADS.md: warm-up products, an inner loop calibrated
     * so one sample takes at least 0.25 s, the median of the samples, 2n³ flop per product. Beside
     * {@code Tensor.matmul}: OpenBLAS called directly with its own threads, and the pure-Java GEMM.
     */
    private int gemm() {
        boolean blas = Gemm.isAvailable(Gemm.Backend.OPENBLAS);
        Gemm.Backend java = Gemm.isAvailable(Gemm.Backend.JAVA_VECTOR) ? Gemm.Backend.JAVA_VECTOR : Gemm.Backend.JAVA_SCALAR;
        System.out.println("gemm: C = A·B, float32, " + Parallel.threads() + " threads; " + Gemm.description());
        System.out.printf("%6s %16s %16s %16s %10s%n", "n", "matmul GFLOP/s", "OpenBLAS direct", "pure Java", "matmul/BLAS");
        Generator g = new Generator(0);
        for (int n : sizes) {
            Tensor a = Tensor.randn(g, n, n), b = Tensor.randn(g, n, n);
            float[] af = a.toFloatArray(), bf = b.toFloatArray(), c = new float[n * n];
            double matmul = gflops(n, () -> a.matmul(b));
            double direct = Double.NaN;
            if (blas) {
                OpenBlas.setThreads(Parallel.threads()); // OpenBLAS as users of it alone run it
                try {
                    direct = gflops(n, () -> OpenBlas.sgemm(false, false, n, n, n, 1f, af, 0, n, bf, 0, n, 0f, c, 0, n));
                } finally {
                    OpenBlas.setThreads(Gemm.openBlasThreads());
                }
            }
            double pure = gflops(n, () -> Gemm.sgemm(java, false, false, n, n, n, 1f, af, 0, n, bf, 0, n, 0f, c, 0, n));
            System.out.printf("%6d %16.1f %16s %16.1f %10s%n", n, matmul, blas ? String.format("%.1f", direct) : "n/a",
                pure, blas ? String.format("%.2f", matmul / direct) : "n/a");
        }
        return 0;
    }

    private double gflops(int n, Runnable product) {
        // warm up for half a second (JIT, pool threads, OpenBLAS buffers), not a fixed count:
        // with 3 calls the first size measured in a fresh JVM came out 25-75% low
        long warm = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - warm < 500_000_000L; i++) product.run();
        int reps = 1;
        while (true) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) product.run();
            if (System.nanoTime() - t0 >= 250_000_000L || reps >= 1 << 20) break;
            reps *= 2;
        }
        double[] secs = new double[samples];
        for (int s = 0; s < samples; s++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) product.run();
            secs[s] = (System.nanoTime() - t0) / 1e9 / reps;
        }
        Arrays.sort(secs);
        return 2.0 * n * n * n / secs[samples / 2] / 1e9;
    }
}
