package dev.fathom.bench;

import dev.fathom.nn.Conv2d;
import dev.fathom.nn.LSTM;
import dev.fathom.nn.Linear;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * Forward + backward of single layers at the shapes of issue 4, the Fathom side of
 * {@code tools/bench/layer_bench.py} (PyTorch): the loss is the sum of the output, so backward
 * computes the input, weight and bias gradients. GFLOP/s = 3 × forward FLOPs / time.
 * <ul>
 *   <li>{@code linear}: Linear(1024 → 1024), batch 256 (forward 0.54 GFLOP);
 *   <li>{@code conv2d}: Conv2d(64 → 64, 3×3, padding 1) on 32×32, batch 32 (forward 2.42 GFLOP);
 *   <li>{@code lstm}: LSTM(256 → 256) over 64 steps, batch 32 (forward 1.07 GFLOP).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:+UseParallelGC", "-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class LayerBench {
    Linear linear;
    Conv2d conv;
    LSTM lstm;
    Tensor xLinear, xConv, xLstm;

    @Setup
    public void setup() {
        Generator.manualSeed(0);
        linear = new Linear(1024, 1024);
        conv = new Conv2d(64, 64, 3, 1, 1);
        lstm = new LSTM(256, 256);
        Generator g = new Generator(1);
        xLinear = Tensor.randn(g, 256, 1024).requiresGrad(true);
        xConv = Tensor.randn(g, 32, 64, 32, 32).requiresGrad(true);
        xLstm = Tensor.randn(g, 64, 32, 256).requiresGrad(true);
    }

    static Tensor step(Tensor y, Tensor x, Tensor... params) {
        y.sum().backward();
        x.zeroGrad();
        for (Tensor p : params) p.zeroGrad();
        return y;
    }

    @Benchmark
    public Tensor linear() { return step(linear.forward(xLinear), xLinear, linear.weight, linear.bias); }

    @Benchmark
    public Tensor lstm() { return step(lstm.forward(xLstm).output(), xLstm, lstm.parameters().toArray(new Tensor[0])); }

    @Benchmark
    public Tensor conv2d() { return step(conv.forward(xConv), xConv, conv.weight, conv.bias); }
}
