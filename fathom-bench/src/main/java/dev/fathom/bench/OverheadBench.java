package dev.fathom.bench;

import dev.fathom.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/** The fixed cost of one op on tiny tensors (target: under 1 µs). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OverheadBench {
    Tensor x, y, row, m;

    @Setup
    public void setup() {
        x = Tensor.vector(1f, 2f, 3f, 4f);
        y = Tensor.vector(5f, 6f, 7f, 8f);
        row = Tensor.vector(1f, 2f);
        m = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    }

    @Benchmark
    public Tensor add() { return x.add(y); }

    @Benchmark
    public Tensor addBroadcast() { return m.add(row); }

    @Benchmark
    public Tensor exp() { return x.exp(); }

    @Benchmark
    public Tensor sum() { return x.sum(); }

    @Benchmark
    public Tensor matmul2x2() { return m.matmul(m); }

    @Benchmark
    public Tensor transposeView() { return m.transpose(0, 1); }
}
