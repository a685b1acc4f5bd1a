package dev.fathom.bench;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The cost of autograd. (a) One training step of a 784 → 256 → 128 → 10 ReLU MLP at batch 128
 * (float32, mean squared error): the forward without recording, the forward recording the graph,
 * and forward + backward, so backward / forward = (forwardBackward - forward) / forward.
 * (b) The fixed cost of recording one op on tiny tensors: {@code x.mul(y)} on 4 floats with and
 * without requiresGrad (the difference is what recording a node costs), and a whole tiny backward.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// ParallelGC on a fixed heap: with G1 the 400 KB activations are humongous allocations and the
// step time jumps 3-5x at random (measured); see the README's note on heap settings.
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:+UseParallelGC", "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class AutogradBench {
    static final int BATCH = 128;
    static final int[] SIZES = {784, 256, 128, 10};

    Tensor input, target;
    Tensor[] w = new Tensor[3], b = new Tensor[3];
    Tensor x, y, xg, yg;

    @Setup
    public void setup() {
        Generator gen = new Generator(1);
        input = Tensor.randn(gen, BATCH, SIZES[0]);
        target = Tensor.randn(gen, BATCH, SIZES[3]);
        for (int l = 0; l < 3; l++) {
            double bound = Math.sqrt(6.0 / SIZES[l]);           // He-style uniform init
            w[l] = Tensor.uniform(gen, -bound, bound, SIZES[l + 1], SIZES[l]).requiresGrad(true);
            b[l] = Tensor.zeros(SIZES[l + 1]).requiresGrad(true);
        }
        x = Tensor.vector(1f, 2f, 3f, 4f);
        y = Tensor.vector(5f, 6f, 7f, 8f);
        xg = Tensor.vector(1f, 2f, 3f, 4f).requiresGrad(true);
        yg = Tensor.vector(5f, 6f, 7f, 8f).requiresGrad(true);
    }

    Tensor loss() {
        Tensor h = input;
        for (int l = 0; l < 3; l++) {
            h = h.matmul(w[l].t()).add(b[l]);
            if (l < 2) h = h.relu();
        }
        return h.sub(target).pow(2L).mean();
    }

    /** The forward with recording off (inference). */
    @Benchmark
    public Tensor mlpForwardNoGrad() {
        try (var ignored = Autograd.noGrad()) {
            return loss();
        }
    }

    /** The forward recording the graph, as in training. */
    @Benchmark
    public Tensor mlpForward() { return loss(); }

    /** Forward, backward, and clearing the gradients for the next step. */
    @Benchmark
    public Tensor mlpForwardBackward() {
        Tensor loss = loss();
        loss.backward();
        for (int l = 0; l < 3; l++) {
            w[l].zeroGrad();
            b[l].zeroGrad();
        }
        return loss;
    }

    /** {@code x.mul(y)} on 4-element tensors that do not require grad. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Tensor tinyMul() { return x.mul(y); }

    /** The same with both inputs requiring grad: the op plus recording its node. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Tensor tinyMulRecorded() { return xg.mul(yg); }

    /** {@code x.mul(y).sum().backward()} on 4 elements: the engine's fixed cost for a two-node graph. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Tensor tinyMulSumBackward() {
        Tensor loss = xg.mul(yg).sum();
        loss.backward();
        xg.zeroGrad();
        yg.zeroGrad();
        return loss;
    }
}
