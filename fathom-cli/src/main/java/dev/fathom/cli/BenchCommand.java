package dev.fathom.cli;

import dev.fathom.backend.Gemm;
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
     * C = A·B on n×n float32 matrices, as WORKLOADS.md: 3 warm-up products, an inner loop calibrated
     * so one sample takes at least 0.25 s, the median of the samples, 2n³ flop per product.
     */
    private int gemm() {
        System.out.println("gemm: C = A·B, float32, " + Gemm.description() + ", " + Parallel.threads() + " threads");
        System.out.printf("%6s %14s %12s%n", "n", "GFLOP/s", "ms/product");
        Generator g = new Generator(0);
        for (int n : sizes) {
            Tensor a = Tensor.randn(g, n, n), b = Tensor.randn(g, n, n);
            for (int i = 0; i < 3; i++) a.matmul(b);
            int reps = 1;
            while (true) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) a.matmul(b);
                if (System.nanoTime() - t0 >= 250_000_000L || reps >= 1 << 20) break;
                reps *= 2;
            }
            double[] secs = new double[samples];
            for (int s = 0; s < samples; s++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) a.matmul(b);
                secs[s] = (System.nanoTime() - t0) / 1e9 / reps;
            }
            Arrays.sort(secs);
            double median = secs[samples / 2];
            System.out.printf("%6d %14.1f %12.3f%n", n, 2.0 * n * n * n / median / 1e9, median * 1e3);
        }
        return 0;
    }
}
