package dev.fathom.bench;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.SGD;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import dev.fathom.workloads.Models;
import org.openjdk.jmh.annotations.*;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@code mlp} workload of WORKLOADS.md, per step, the Fathom side of {@code tools/bench/mlp_step.py}:
 * <ul>
 *   <li>{@code trainStep}: one SGD(lr 0.05, momentum 0.9) step at batch 128 — gather the batch by index
 *       from a [60000, 1, 28, 28] float tensor and its labels ({@code indexSelect}), zeroGrad, forward,
 *       cross-entropy, backward, step, {@code loss.item()};
 *   <li>{@code infer1} / {@code infer256}: eval-mode, no-grad forward of 1 / 256 images.
 * </ul>
 * The images are uniform noise in [0, 1) and the labels uniform in 0..9 (timing does not depend on them).
 *
 * <p>{@link #main} times the same three calls outside JMH and prints, per call, the median wall time
 * and the median CPU time of the calling thread over repetitions. On a busy shared machine the wall
 * time mostly measures the other processes; with {@code -Dfathom.threads=1} the CPU time is the
 * work itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MlpBench {
    static final int N = 60000, BATCH = 128;

    Sequential train, eval;
    SGD opt;
    Tensor images, labels, perm, x1, x256;
    int cursor;

    @Setup
    public void setup() {
        Generator.manualSeed(0);
        train = Models.mlp();
        opt = new SGD(train.parameters(), new SGD.Options().lr(0.05).momentum(0.9));
        eval = Models.mlp();
        eval.eval();
        Generator g = new Generator(1);
        images = Tensor.rand(g, N, 1, 28, 28);
        labels = Tensor.randint(g, 0, 10, N);
        perm = Tensor.randperm(g, N);
        x1 = images.narrow(0, 0, 1).contiguous();
        x256 = images.narrow(0, 0, 256).contiguous();
    }

    @Benchmark
    public double trainStep() {
        if (cursor + BATCH > N) cursor = 0;
        Tensor idx = perm.narrow(0, cursor, BATCH);
        cursor += BATCH;
        Tensor x = images.indexSelect(0, idx), y = labels.indexSelect(0, idx);
        opt.zeroGrad();
        Tensor loss = Losses.crossEntropy(train.forward(x), y);
        loss.backward();
        opt.step();
        return loss.item();
    }

    @Benchmark
    public Tensor infer1() {
        try (var ignored = Autograd.noGrad()) { return eval.forward(x1); }
    }

    @Benchmark
    public Tensor infer256() {
        try (var ignored = Autograd.noGrad()) { return eval.forward(x256); }
    }

    /**
     * {@code MlpBench [seconds per repetition] [repetitions] [names]}: wall and thread-CPU µs per call of
     * each benchmark (or of those named, comma-separated).
     */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        MlpBench b = new MlpBench();
        b.setup();
        List<String> names = List.of((args.length > 2 ? args[2] : "trainStep,infer1,infer256").split(","));
        if (names.contains("trainStep")) report("trainStep", b::trainStep, seconds, reps);
        if (names.contains("infer1")) report("infer1", b::infer1, seconds, reps);
        if (names.contains("infer256")) report("infer256", b::infer256, seconds, reps);
    }

    private static void report(String name, Supplier<?> call, double seconds, int reps) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        // warm-up: 300 calls (the JIT), then two repetitions' worth of time, which sets the calls per repetition
        for (int i = 0; i < 300; i++) call.get();
        long until = System.nanoTime() + (long) (seconds * 2e9);
        int calls = 0;
        while (System.nanoTime() < until) { call.get(); calls++; }
        calls = Math.max(1, calls / 2);
        double[] wall = new double[reps], cpu = new double[reps];
        for (int r = 0; r < reps; r++) {
            long w0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) call.get();
            cpu[r] = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / calls;
            wall[r] = (System.nanoTime() - w0) / 1e3 / calls;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("%-10s wall %10.1f us  cpu %10.1f us  (%d calls x %d; wall min %.1f, cpu min %.1f)%n",
            name, wall[reps / 2], cpu[reps / 2], calls, reps, wall[0], cpu[0]);
    }
}
