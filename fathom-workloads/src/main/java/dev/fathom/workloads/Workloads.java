package dev.fathom.workloads;

import dev.fathom.autograd.Autograd;
import dev.fathom.backend.Gemm;
import dev.fathom.backend.OpenBlas;
import dev.fathom.backend.OpenBlas;
import dev.fathom.backend.Parallel;
import dev.fathom.data.FashionMnist;
import dev.fathom.data.Mnist;
import dev.fathom.nn.LstmOutput;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.Optimizer;
import dev.fathom.optim.SGD;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The reference workloads of {@code shared/bench/WORKLOADS.md}, run the way {@code pytorch_bench.py}
 * runs them (same models, hyper-parameters, data, batching, seeds and timing method; definitions in
 * {@code PYTORCH_RESULTS.md}, "Workload definitions"). Each returns its figures under the keys the
 * PyTorch side is reported with, and prints progress lines as it goes.
 */
public final class Workloads {
    private Workloads() {}

    /** The workloads in the order {@code all} runs them. */
    public static final List<String> NAMES = List.of("gemm", "mlp", "cnn", "lstm", "gpt", "infer");

    /**
     * Runs workload {@code name}; {@code quick} shortens it as {@code pytorch_bench.py --quick} does.
     * gemm times {@code gemmSamples} samples per size of {@code gemmSizes} (null: {@link #gemmSizes}).
     */
    public static List<Figure> run(String name, boolean quick, int[] gemmSizes, int gemmSamples) {
        return switch (name) {
            case "gemm" -> gemm(gemmSizes != null ? gemmSizes : gemmSizes(quick), gemmSamples, !quick);
            case "mlp" -> mlp(quick);
            case "cnn" -> cnn(quick);
            case "lstm" -> lstm(quick);
            case "gpt" -> gpt(quick);
            case "infer" -> infer();
            default -> throw new IllegalArgumentException("unknown workload '" + name + "'; expected one of " + NAMES);
        };
    }

    // ------------------------------------------------------------------ gemm

    /** The gemm sizes: n = 256 … 2048 ({@code quick}: up to 1024). */
    public static int[] gemmSizes(boolean quick) {
        return quick ? new int[] {256, 512, 1024} : new int[] {256, 512, 1024, 2048};
    }

    /**
     * C = A·B on n×n float32 matrices through {@code Tensor.matmul} (the figure), beside OpenBLAS
     * called directly with its own threads and the pure-Java GEMM for context. Each is timed by
     * {@link #gflops}. With {@code waitIdle}, sizes from 64 up wait for an idle machine first (tiny
     * sizes are smoke runs).
     */
    public static List<Figure> gemm(int[] sizes, int samples, boolean waitIdle) {
        boolean blas = Gemm.isAvailable(Gemm.Backend.OPENBLAS);
        Gemm.Backend java = Gemm.isAvailable(Gemm.Backend.JAVA_VECTOR) ? Gemm.Backend.JAVA_VECTOR : Gemm.Backend.JAVA_SCALAR;
        System.out.println("gemm: C = A·B, float32, " + Parallel.threads() + " threads; " + Gemm.description());
        System.out.printf("%6s %16s %16s %16s %10s%n", "n", "matmul GFLOP/s", "OpenBLAS direct", "pure Java", "load");
        Generator g = new Generator(0);
        List<Figure> figs = new ArrayList<>();
        for (int n : sizes) {
            Tensor a = Tensor.randn(g, n, n), b = Tensor.randn(g, n, n);
            float[] af = a.toFloatArray(), bf = b.toFloatArray(), c = new float[n * n];
            if (waitIdle && n >= 64) LoadMeter.waitIdle();
            LoadMeter.Snapshot snap = LoadMeter.snapshot();
            double matmul = gflops(n, samples, () -> a.matmul(b));
            double load = LoadMeter.foreignLoad(snap);
            double direct = Double.NaN;
            if (blas) {
                OpenBlas.setThreads(Parallel.threads()); // OpenBLAS as users of it alone run it
                try {
                    direct = gflops(n, samples, () -> OpenBlas.sgemm(false, false, n, n, n, 1f, af, 0, n, bf, 0, n, 0f, c, 0, n));
                } finally {
                    OpenBlas.setThreads(Gemm.openBlasThreads());
                }
            }
            double pure = gflops(n, samples, () -> Gemm.sgemm(java, false, false, n, n, n, 1f, af, 0, n, bf, 0, n, 0f, c, 0, n));
            System.out.printf("%6d %16.1f %16s %16.1f %9.0f%%%n", n, matmul, blas ? String.format("%.1f", direct) : "n/a",
                pure, load * 100);
            figs.add(new Figure("gemm.n" + n, "gemm n=" + n + " (Tensor.matmul)", matmul, "GFLOP/s", true, load));
        }
        return figs;
    }

    /** Median GFLOP/s of {@code samples} timed samples of an n×n×n product. */
    public static double gflops(int n, int samples, Runnable product) {
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
        return 2.0 * n * n * n / median(secs) / 1e9;
    }

    // ------------------------------------------------------------------ Fashion-MNIST classifiers

    /**
     * Fashion-MNIST: the images stay 8-bit and each batch is converted to float32 in [0, 1] as it is
     * gathered ({@link Mnist.ImageDataset#images(Tensor)}, inside the timed loop), with the same
     * values as PyTorch's pre-converted tensors; the labels are int64.
     */
    record Fmnist(Mnist.ImageDataset train, Tensor ytr, Mnist.ImageDataset test, Tensor yte) {
        static Fmnist load() {
            Mnist.ImageDataset tr = FashionMnist.train(), te = FashionMnist.test();
            Fmnist d = new Fmnist(tr, tr.labels(), te, te.labels());
            // The file buffers are garbage now; collecting them before training lets the heap reuse
            // their pages instead of growing past them (peak memory is one of the figures).
            System.gc();
            return d;
        }
    }

    static List<Figure> mlp(boolean quick) {
        Fmnist d = Fmnist.load();
        Generator.manualSeed(0);
        Sequential model = Models.mlp();
        var opt = new SGD(model.parameters(), new SGD.Options().lr(0.05).momentum(0.9));
        int epochs = quick ? 2 : 5;
        return classifier("mlp", model, opt, 128, epochs, d, new int[] {1, epochs});
    }

    static List<Figure> cnn(boolean quick) {
        Fmnist d = Fmnist.load();
        Generator.manualSeed(0);
        Sequential model = Models.cnn();
        var opt = new Adam(model.parameters(), 1e-3);
        int epochs = quick ? 1 : 3;
        return classifier("cnn", model, opt, 64, epochs, d, new int[] {1, epochs});
    }

    /**
     * Epochs over the training set in batches of {@code bs} (reshuffled each epoch by a generator
     * seeded 0, last partial batch kept), each timed from the first step to the last including the
     * batch gather and {@code loss.item()}; test accuracy (eval mode, batch 1000) after the epochs
     * in {@code evalAt}, outside the timing.
     */
    static List<Figure> classifier(String name, Sequential model, Optimizer opt, int bs, int epochs, Fmnist d,
                                   int[] evalAt) {
        Generator g = new Generator(0);
        int n = d.train.size();
        double[] rate = new double[epochs], load = new double[epochs];
        List<Figure> out = new ArrayList<>();
        model.train();
        for (int ep = 1; ep <= epochs; ep++) {
            Tensor perm = Tensor.randperm(g, n);
            LoadMeter.waitIdle();
            LoadMeter.Snapshot snap = LoadMeter.snapshot();
            double total = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i += bs) {
                Tensor idx = perm.narrow(0, i, Math.min(bs, n - i));
                total += classifierStep(model, opt, d.train.images(idx), d.ytr.indexSelect(0, idx)) * idx.size(0);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            rate[ep - 1] = n / secs;
            load[ep - 1] = LoadMeter.foreignLoad(snap);
            String acc = "";
            for (int e : evalAt)
                if (e == ep) {
                    double a = accuracy(model, d.test, d.yte);
                    acc = String.format("  test_acc %.4f", a);
                    out.add(Figure.result(name + ".acc" + ep, name + " test accuracy after " + ep + " epoch" + (ep > 1 ? "s" : ""),
                        a, "", true));
                    break;
                }
            System.out.printf("[%s] epoch %d: %6.2fs  %8.0f samples/s  train_loss %.4f%s  (foreign load %.0f%%)%n",
                name, ep, secs, n / secs, total / n, acc, load[ep - 1] * 100);
        }
        out.addFirst(new Figure(name + ".train", name + " training samples/s (median of epochs)", cleanMedian(rate, load),
            "samples/s", true, median(load)));
        System.out.printf("[%s] median %.0f samples/s%n", name, out.getFirst().value());
        return out;
    }

    /** One training step on a batch; returns the loss. */
    static double classifierStep(Sequential model, Optimizer opt, Tensor xb, Tensor yb) {
        opt.zeroGrad();
        Tensor loss = Losses.crossEntropy(model.forward(xb), yb);
        loss.backward();
        opt.step();
        return loss.item();
    }

    static double accuracy(Sequential model, Mnist.ImageDataset x, Tensor y) {
        model.eval();
        long correct = 0;
        int n = x.size();
        try (var ignored = Autograd.noGrad()) {
            for (int i = 0; i < n; i += 1000) {
                int len = Math.min(1000, n - i);
                Tensor pred = model.forward(x.images(Tensor.arange(i, i + len, 1))).argmax(1);
                correct += (long) pred.eq(y.narrow(0, i, len)).sum().item();
            }
        } finally {
            model.train();
        }
        return (double) correct / n;
    }

    // ------------------------------------------------------------------ character corpus

    /** The corpus of lstm and gpt: token ids of the first 90% (train) and the rest (validation). */
    record Corpus(long[] train, long[] val, int vocab) {
        static Corpus load() {
            Corpus.Text t = Corpus.Text.read();
            int cut = (int) (0.9 * t.ids.length);
            return new Corpus(Arrays.copyOfRange(t.ids, 0, cut), Arrays.copyOfRange(t.ids, cut, t.ids.length), t.vocab);
        }

        /** Byte-level ids over the sorted distinct bytes of the corpus files. */
        record Text(long[] ids, int vocab) {
            static Text read() {
                byte[] raw = dev.fathom.data.LicenseCorpus.bytes();
                boolean[] present = new boolean[256];
                for (byte b : raw) present[b & 0xff] = true;
                int[] lut = new int[256];
                int v = 0;
                for (int i = 0; i < 256; i++) if (present[i]) lut[i] = v++;
                long[] ids = new long[raw.length];
                for (int i = 0; i < raw.length; i++) ids[i] = lut[raw[i] & 0xff];
                return new Text(ids, v);
            }
        }
    }

    static List<Figure> lstm(boolean quick) {
        Corpus corpus = Corpus.load();
        int b = 32, t = 64, v = corpus.vocab, steps = quick ? 400 : 1000, window = 200;
        Generator.manualSeed(0);
        var model = new Models.CharLstm(v);
        var opt = new Adam(model.parameters(), 2e-3);
        int len = corpus.train.length / b;
        long[] data = Arrays.copyOf(corpus.train, b * len);   // row i = stream i
        var stepper = new LstmTraining(model, opt, data, b, len, t);
        List<Double> losses = new ArrayList<>();
        List<Figure> out = new ArrayList<>();
        List<double[]> windows = new ArrayList<>();
        model.train();
        LoadMeter.waitIdle();
        LoadMeter.Snapshot snap = LoadMeter.snapshot();
        long t0 = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            losses.add(stepper.step(step));
            if (step % window == 0) {
                double secs = (System.nanoTime() - t0) / 1e9, fl = LoadMeter.foreignLoad(snap);
                windows.add(new double[] {window * b * t / secs, fl});
                String ev = "";
                if (step == 200 || step == 1000 || step == steps) {
                    double train = mean(losses.subList(losses.size() - 20, losses.size()));
                    double val = lstmValLoss(model, corpus.val, v);
                    out.add(Figure.result("lstm.loss" + step + ".train", "lstm train loss @" + step + " (mean of last 20 steps)", train, "nats/char", false));
                    out.add(Figure.result("lstm.loss" + step + ".val", "lstm validation loss @" + step, val, "nats/char", false));
                    ev = String.format("  train(last20) %.4f  val %.4f", train, val);
                }
                System.out.printf("[lstm] steps %d-%d: %6.2fs %8.0f tok/s%s  (foreign load %.0f%%)%n", step - window + 1, step,
                    secs, window * b * t / secs, ev, fl * 100);
                if (step < steps) LoadMeter.waitIdle();
                snap = LoadMeter.snapshot();
                t0 = System.nanoTime();   // validation and idle-wait excluded from timing
            }
        }
        double[] rate = windows.stream().mapToDouble(w -> w[0]).toArray();
        double[] load = windows.stream().mapToDouble(w -> w[1]).toArray();
        out.addFirst(new Figure("lstm.train", "lstm training tokens/s (median of 200-step windows)", cleanMedian(rate, load),
            "tokens/s", true, median(load)));
        System.out.printf("[lstm] median %.0f tokens/s%n", out.getFirst().value());
        return out;
    }

    /**
     * Truncated BPTT over {@code b} contiguous streams: step {@code s} (from 1) trains on chunk
     * {@code (s-1) mod chunks}, carrying the detached state, reset to zero when the streams wrap around.
     */
    static final class LstmTraining {
        final Models.CharLstm model;
        final Optimizer opt;
        final long[] data;
        final int b, len, t, chunks;
        Tensor h, c;

        LstmTraining(Models.CharLstm model, Optimizer opt, long[] data, int b, int len, int t) {
            this.model = model;
            this.opt = opt;
            this.data = data;
            this.b = b;
            this.len = len;
            this.t = t;
            this.chunks = (len - 1) / t;
        }

        double step(int step) {
            int ch = (step - 1) % chunks;
            if (ch == 0) { h = null; c = null; }
            Tensor[] xy = streams(data, b, len, ch * t, t);
            LstmOutput o = model.forward(xy[0], h, c);
            h = o.hn().detach();
            c = o.cn().detach();
            int v = model.head.weight.size(0);
            Tensor loss = Losses.crossEntropy(o.output().reshape(b * t, v), xy[1].reshape(b * t));
            opt.zeroGrad();
            loss.backward();
            opt.step();
            return loss.item();
        }
    }

    /** Inputs {@code [B, T]} and targets (shifted by one) at offset {@code start} of each of the {@code b} streams. */
    static Tensor[] streams(long[] data, int b, int len, int start, int t) {
        long[] x = new long[b * t], y = new long[b * t];
        for (int s = 0; s < b; s++) {
            System.arraycopy(data, s * len + start, x, s * t, t);
            System.arraycopy(data, s * len + start + 1, y, s * t, t);
        }
        return new Tensor[] {Tensor.of(x, b, t), Tensor.of(y, b, t)};
    }

    /** Validation loss with carried state over the validation text cut into 32 streams, chunks of 64 (the last shorter). */
    static double lstmValLoss(Models.CharLstm model, long[] val, int v) {
        int b = 32, t = 64, len = val.length / b;
        long[] data = Arrays.copyOf(val, b * len);
        model.eval();
        double total = 0;
        long count = 0;
        Tensor h = null, c = null;
        try (var ignored = Autograd.noGrad()) {
            for (int s = 0; s < len - 1; s += t) {
                int e = Math.min(s + t, len - 1);
                Tensor[] xy = streams(data, b, len, s, e - s);
                LstmOutput o = model.forward(xy[0], h, c);
                h = o.hn();
                c = o.cn();
                total += Losses.crossEntropy(o.output().reshape(b * (e - s), v), xy[1].reshape(b * (e - s))).item()
                    * b * (e - s);
                count += (long) b * (e - s);
            }
        } finally {
            model.train();
        }
        return total / count;
    }

    static List<Figure> gpt(boolean quick) {
        Corpus corpus = Corpus.load();
        int steps = 100, runs = 3;
        gptRun(corpus, 5);   // warm-up, discarded
        double[] rate = new double[runs], load = new double[runs];
        GptRun last = null;
        for (int r = 0; r < runs; r++) {
            last = gptRun(corpus, steps);
            rate[r] = steps * 16 * 128 / last.seconds;
            load[r] = last.foreignLoad;
            double val = r == runs - 1 || !quick ? gptValLoss(last.model, corpus.val, corpus.vocab) : Double.NaN;
            System.out.printf("[gpt] run %d: %6.2fs %8.0f tok/s  loss@1 %.4f  loss@100 %.4f  train(last10) %.4f  val %.4f  (foreign load %.0f%%)%n",
                r, last.seconds, rate[r], last.losses[0], last.losses[steps - 1], last.last10(), val, load[r] * 100);
            if (r == runs - 1) {
                List<Figure> out = new ArrayList<>();
                out.add(new Figure("gpt.train", "gpt training tokens/s (median of 3 runs)", cleanMedian(rate, load), "tokens/s",
                    true, median(load)));
                out.add(Figure.result("gpt.loss1", "gpt loss of the step-1 batch", last.losses[0], "nats/char", false));
                out.add(Figure.result("gpt.loss100", "gpt loss of the step-100 batch", last.losses[steps - 1], "nats/char", false));
                out.add(Figure.result("gpt.last10", "gpt train loss (mean of steps 91-100)", last.last10(), "nats/char", false));
                out.add(Figure.result("gpt.val", "gpt validation loss after 100 steps", val, "nats/char", false));
                System.out.printf("[gpt] median %.0f tokens/s%n", out.getFirst().value());
                return out;
            }
        }
        throw new AssertionError("unreachable");
    }

    record GptRun(Models.TinyGpt model, double seconds, double[] losses, double foreignLoad) {
        double last10() {
            double s = 0;
            for (int i = losses.length - 10; i < losses.length; i++) s += losses[i];
            return s / 10;
        }
    }

    /** One seeded run: model from seed 0, AdamW(3e-4, wd 0.01), batches of 16 random 129-token windows. */
    static GptRun gptRun(Corpus corpus, int steps) {
        Generator.manualSeed(0);
        var model = new Models.TinyGpt(corpus.vocab);
        var opt = new AdamW(model.parameters(), new AdamW.Options().lr(3e-4).betas(0.9, 0.999).weightDecay(0.01));
        Generator g = new Generator(0);
        double[] losses = new double[steps];
        model.train();
        LoadMeter.waitIdle();
        LoadMeter.Snapshot snap = LoadMeter.snapshot();
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) losses[s] = gptStep(model, opt, g, corpus);
        double secs = (System.nanoTime() - t0) / 1e9;
        return new GptRun(model, secs, losses, LoadMeter.foreignLoad(snap));
    }

    /** One step on 16 random 129-token windows of the training text, starts drawn like {@code torch.randint}. */
    static double gptStep(Models.TinyGpt model, Optimizer opt, Generator g, Corpus corpus) {
        int b = 16, ctx = model.context, v = corpus.vocab;
        long[] starts = Tensor.randint(g, 0, corpus.train.length - ctx - 1, b).toLongArray();
        long[] x = new long[b * ctx], y = new long[b * ctx];
        for (int i = 0; i < b; i++) {
            System.arraycopy(corpus.train, (int) starts[i], x, i * ctx, ctx);
            System.arraycopy(corpus.train, (int) starts[i] + 1, y, i * ctx, ctx);
        }
        Tensor logits = model.forward(Tensor.of(x, b, ctx));
        Tensor loss = Losses.crossEntropy(logits.reshape(b * ctx, v), Tensor.of(y, b * ctx));
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
    }

    /** Mean loss over all non-overlapping 128-token windows of the validation text, in batches of 64. */
    static double gptValLoss(Models.TinyGpt model, long[] val, int v) {
        int ctx = 128, nwin = (val.length - 1) / ctx;
        double total = 0;
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            for (int i = 0; i < nwin; i += 64) {
                int n = Math.min(64, nwin - i);
                long[] x = Arrays.copyOfRange(val, i * ctx, (i + n) * ctx);
                long[] y = Arrays.copyOfRange(val, i * ctx + 1, (i + n) * ctx + 1);
                Tensor logits = model.forward(Tensor.of(x, n, ctx));
                total += Losses.crossEntropy(logits.reshape(n * ctx, v), Tensor.of(y, n * ctx)).item() * n * ctx;
            }
        } finally {
            model.train();
        }
        return total / ((long) nwin * ctx);
    }

    // ------------------------------------------------------------------ inference

    /**
     * Freshly initialised (seed 0) mlp and cnn in eval mode without autograd. Batch 1 (the first
     * test image): 300 warm-up calls, then 3 repetitions of 2000 timed calls, each giving a median
     * and a p99. Batch 256: 5 warm-up calls, 3 repetitions of 200 (mlp) or 30 (cnn) calls,
     * samples/s = 256 / median call time. Each figure is the median over clean repetitions.
     */
    static List<Figure> infer() {
        Mnist.ImageDataset te = FashionMnist.test();
        List<Figure> out = new ArrayList<>();
        for (String name : List.of("mlp", "cnn")) {
            Generator.manualSeed(0);
            Sequential model = name.equals("mlp") ? Models.mlp() : Models.cnn();
            model.eval();
            int nBig = name.equals("mlp") ? 200 : 30;
            Tensor x1 = te.images(Tensor.arange(1)), xb = te.images(Tensor.arange(256));
            try (var ignored = Autograd.noGrad()) {
                for (int i = 0; i < 300; i++) model.forward(x1);
                double[][] reps = new double[3][];
                double[] load1 = new double[3];
                for (int r = 0; r < 3; r++) {
                    double[] ts = new double[2000];
                    LoadMeter.waitIdle();
                    LoadMeter.Snapshot snap = LoadMeter.snapshot();
                    for (int i = 0; i < ts.length; i++) {
                        long t0 = System.nanoTime();
                        model.forward(x1);
                        ts[i] = (System.nanoTime() - t0) / 1e3;
                    }
                    load1[r] = LoadMeter.foreignLoad(snap);
                    reps[r] = ts;
                }
                for (int i = 0; i < 5; i++) model.forward(xb);
                double[] big = new double[3], loadB = new double[3];
                for (int r = 0; r < 3; r++) {
                    double[] ts = new double[nBig];
                    LoadMeter.waitIdle();
                    LoadMeter.Snapshot snap = LoadMeter.snapshot();
                    for (int i = 0; i < nBig; i++) {
                        long t0 = System.nanoTime();
                        model.forward(xb);
                        ts[i] = (System.nanoTime() - t0) / 1e9;
                    }
                    loadB[r] = LoadMeter.foreignLoad(snap);
                    big[r] = 256 / median(ts);
                }
                double med = cleanMedian(perRep(reps, Workloads::median), load1);
                double p99 = cleanMedian(perRep(reps, ts -> percentile(ts, 99)), load1);
                double thr = cleanMedian(big, loadB);
                out.add(new Figure("infer." + name + ".b1.median", name + " inference batch 1, median latency", med, "µs", false, median(load1)));
                out.add(new Figure("infer." + name + ".b1.p99", name + " inference batch 1, p99 latency", p99, "µs", false, median(load1)));
                out.add(new Figure("infer." + name + ".b256", name + " inference batch 256", thr, "samples/s", true, median(loadB)));
                System.out.printf("[infer] %s: batch1 median %.1f us  p99 %.1f us   batch256 %.0f samples/s  foreign loads %s%n",
                    name, med, p99, thr, loads(load1, loadB));
            } finally {
                model.train();
            }
        }
        return out;
    }

    private static double[] perRep(double[][] reps, ToDoubleFunction<double[]> f) {
        double[] r = new double[reps.length];
        for (int i = 0; i < reps.length; i++) r[i] = f.applyAsDouble(reps[i]);
        return r;
    }

    private static String loads(double[]... ls) {
        var sb = new StringBuilder();
        for (double[] l : ls) for (double x : l) sb.append(String.format("%.0f%% ", x * 100));
        return sb.toString().trim();
    }

    // ------------------------------------------------------------------ statistics

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** numpy's default (linear) percentile. */
    static double percentile(double[] xs, double q) {
        double[] s = xs.clone();
        Arrays.sort(s);
        double pos = q / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    /** Median over the repetitions whose foreign load was under 5%, or over all when none was. */
    static double cleanMedian(double[] values, double[] loads) {
        double[] clean = java.util.stream.IntStream.range(0, values.length).filter(i -> loads[i] < LoadMeter.CLEAN)
            .mapToDouble(i -> values[i]).toArray();
        return median(clean.length > 0 ? clean : values);
    }

    private static double mean(List<Double> xs) {
        double s = 0;
        for (double x : xs) s += x;
        return s / xs.size();
    }
}
