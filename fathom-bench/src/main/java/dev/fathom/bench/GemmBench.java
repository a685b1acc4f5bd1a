package dev.fathom.bench;

import dev.fathom.backend.Gemm;
import dev.fathom.backend.OpenBlas;
import dev.fathom.backend.Parallel;
import dev.fathom.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Square float32 GEMM, n x n times n x n. Scores are ops/s; GFLOP/s = score * 2n^3 / 1e9.
 *
 * <ul>
 *   <li>{@code matmul}: {@code Tensor.matmul} as users call it (includes allocating the result);
 *   <li>{@code blasNativeThreads}: cblas_sgemm through the FFM handle, OpenBLAS using its own
 *       {@link Parallel#threads()} pthreads (option (a));
 *   <li>{@code blasSplitPool}: OpenBLAS at 1 thread, rows split over Fathom's pool (option (b),
 *       the default of {@link Gemm});
 *   <li>{@code javaVector}: the pure-Java Vector API GEMM forced.
 * </ul>
 *
 * <p>2-core Zen 5 box shared with other builds (load average 2.5-3.5), GFLOP/s for
 * n = 256 / 512 / 1024 / 2048: matmul 96 / 118 / 146 / 148, blasSplitPool 140 / 157 / 168 / 176,
 * blasNativeThreads 103 / 167 / 177 / 185, javaVector 133 / 140 / 144 / 143.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBench {

    @Param({"256", "512", "1024", "2048"})
    public int n;

    private float[] a, b, c;
    private Tensor ta, tb;

    @Setup(Level.Trial)
    public void setup() {
        var r = new SplittableRandom(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < n * n; i++) {
            a[i] = (float) r.nextDouble();
            b[i] = (float) r.nextDouble();
        }
        ta = Tensor.of(a, n, n);
        tb = Tensor.of(b, n, n);
        System.out.println("\n" + Gemm.description());
    }

    @Benchmark
    public void matmul(Blackhole bh) {
        bh.consume(ta.matmul(tb));
    }

    @Benchmark
    public float[] blasNativeThreads() {
        // Each benchmark runs in its own fork, so this does not leak into the other methods.
        OpenBlas.setThreads(Parallel.threads());
        OpenBlas.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        return c;
    }

    @Benchmark
    public float[] blasSplitPool() {
        Gemm.sgemm(Gemm.Backend.OPENBLAS, false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        return c;
    }

    @Benchmark
    public float[] javaVector() {
        Gemm.sgemm(Gemm.Backend.JAVA_VECTOR, false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        return c;
    }
}
