package dev.fathom.bench;

import dev.fathom.nn.LstmOutput;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.Optimizer;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import dev.fathom.workloads.Models;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * One full training step of the {@code lstm} and {@code gpt} reference workloads
 * ({@code shared/bench/WORKLOADS.md}) on fixed random token ids: forward, mean cross-entropy,
 * zeroGrad, backward, optimiser step. The Fathom side of {@code tools/bench/seq_step.py}.
 * <ul>
 *   <li>{@code lstmStep}: {@link Models.CharLstm}, batch 32 × 64 steps, Adam 2e-3, (h, c) carried
 *       from step to step and detached (truncated BPTT);
 *   <li>{@code gptStep}: {@link Models.TinyGpt}, batch 16 × context 128, AdamW 3e-4 (weight decay 0.01).
 * </ul>
 * Tokens/s = 2048 / time for either step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:+UseParallelGC", "-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class SeqBench {
    static final int VOCAB = 86;

    Models.CharLstm lstm;
    Optimizer lstmOpt;
    Tensor lstmX, lstmY, h, c;

    Models.TinyGpt gpt;
    Optimizer gptOpt;
    Tensor gptX, gptY;

    @Setup
    public void setup() {
        Generator.manualSeed(0);
        lstm = new Models.CharLstm(VOCAB);
        lstmOpt = new Adam(lstm.parameters(), 2e-3);
        Generator.manualSeed(0);
        gpt = new Models.TinyGpt(VOCAB);
        gptOpt = new AdamW(gpt.parameters(), new AdamW.Options().lr(3e-4));
        Generator g = new Generator(1);
        lstmX = Tensor.randint(g, 0, VOCAB, 32, 64);
        lstmY = Tensor.randint(g, 0, VOCAB, 32 * 64);
        gptX = Tensor.randint(g, 0, VOCAB, 16, 128);
        gptY = Tensor.randint(g, 0, VOCAB, 16 * 128);
    }

    @Benchmark
    public double lstmStep() {
        LstmOutput o = lstm.forward(lstmX, h, c);
        h = o.hn().detach();
        c = o.cn().detach();
        Tensor loss = Losses.crossEntropy(o.output().view(-1, VOCAB), lstmY);
        lstmOpt.zeroGrad();
        loss.backward();
        lstmOpt.step();
        return loss.item();
    }

    @Benchmark
    public double gptStep() {
        Tensor loss = Losses.crossEntropy(gpt.forward(gptX).view(-1, VOCAB), gptY);
        gptOpt.zeroGrad();
        loss.backward();
        gptOpt.step();
        return loss.item();
    }
}
