package dev.fathom.bench;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import dev.fathom.workloads.Models;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The {@code cnn} workload of WORKLOADS.md per step, the Fathom side of {@code tools/bench/cnn_step.py}
 * (PyTorch): {@link Models#cnn()} on Fashion-MNIST-shaped random input (fixed seed).
 * <ul>
 *   <li>{@code trainStep}: batch 64, forward, cross-entropy, zeroGrad, backward, Adam(lr 1e-3) step;
 *   <li>{@code infer1} / {@code infer256}: eval mode, no grad, batch 1 and 256.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:+UseParallelGC", "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class CnnBench {
    Sequential train, eval;
    Adam adam;
    Tensor x64, y64, x1, x256;

    @Setup
    public void setup() {
        Generator.manualSeed(0);
        train = Models.cnn();
        adam = new Adam(train.parameters(), 1e-3);
        eval = Models.cnn();
        eval.eval();
        Generator g = new Generator(1);
        x64 = Tensor.rand(g, 64, 1, 28, 28);
        y64 = Tensor.randint(g, 0, 10, 64);
        x1 = Tensor.rand(g, 1, 1, 28, 28);
        x256 = Tensor.rand(g, 256, 1, 28, 28);
    }

    @Benchmark
    public Tensor trainStep() {
        Tensor loss = Losses.crossEntropy(train.forward(x64), y64);
        adam.zeroGrad();
        loss.backward();
        adam.step();
        return loss;
    }

    @Benchmark
    public Tensor infer1() {
        try (dev.fathom.autograd.Scope ignored = Autograd.noGrad()) {
            return eval.forward(x1);
        }
    }

    @Benchmark
    public Tensor infer256() {
        try (dev.fathom.autograd.Scope ignored = Autograd.noGrad()) {
            return eval.forward(x256);
        }
    }
}
