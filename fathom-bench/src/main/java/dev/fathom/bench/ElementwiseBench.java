package dev.fathom.bench;

import dev.fathom.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * Memory-bound kernels against a plain array copy of the same size: bandwidth = bytes moved / time.
 * Bytes moved per element (float32): copy 8, clone 8, add 12, addInPlace 12, exp 8, sum 4.
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp target/classes:$(cat target/classpath.txt) org.openjdk.jmh.Main ElementwiseBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A fixed, pre-touched heap: otherwise each 64 MB result lands in freshly committed memory and the
// figure measures the kernel's page faults (and G1's humongous-region churn) instead of the kernel:
// measured here, out-of-place add took 52-307 ms/op with default heap settings and 8.8 ms/op with these.
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:+UseParallelGC", "-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class ElementwiseBench {
    @Param({"16777216"})
    int n;

    float[] src, dst;
    Tensor a, b, out;

    @Setup
    public void setup() {
        src = new float[n];
        dst = new float[n];
        for (int i = 0; i < n; i++) src[i] = (i % 1000) * 1e-3f;
        a = Tensor.of(src, n);
        b = Tensor.of(src, n);
        out = Tensor.zeros(n);
    }

    @Benchmark
    public void arrayCopy() { System.arraycopy(src, 0, dst, 0, n); }

    /** Allocate + copy: the baseline for out-of-place ops, which also pay for a new (zeroed) array. */
    @Benchmark
    public float[] arrayClone() { return src.clone(); }

    @Benchmark
    public Tensor add() { return a.add(b); }

    @Benchmark
    public Tensor addInPlace() { return out.addInPlace(b); }

    @Benchmark
    public Tensor exp() { return a.exp(); }

    @Benchmark
    public Tensor sum() { return a.sum(); }
}
