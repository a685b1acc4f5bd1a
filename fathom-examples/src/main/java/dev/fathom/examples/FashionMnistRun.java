package dev.fathom.examples;

import dev.fathom.data.DataLoader;
import dev.fathom.data.Dataset;
import dev.fathom.data.Example;
import dev.fathom.data.FashionMnist;
import dev.fathom.nn.Layer;
import dev.fathom.nn.loss.CrossEntropyLoss;
import dev.fathom.optim.Optimizer;
import dev.fathom.optim.lr.LRScheduler;
import dev.fathom.train.Callback;
import dev.fathom.train.History;
import dev.fathom.train.Trainer;
import dev.fathom.train.metrics.Accuracy;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * What the Fashion-MNIST examples share: the data (the full sets, or for a quick run the first
 * {@value #QUICK_TRAIN} training and {@value #QUICK_TEST} test images), the training loop with
 * the test set evaluated after every epoch, and the report (test accuracy and train samples/s
 * per epoch, timed from the epoch's start to its last optimiser step, test evaluation excluded).
 */
final class FashionMnistRun {
    private FashionMnistRun() {}

    /** Training images in a quick run. */
    static final int QUICK_TRAIN = 2000;
    /** Test images in a quick run. */
    static final int QUICK_TEST = 2000;

    /** The training and test sets. */
    record Data(Dataset<Example> train, Dataset<Example> test) {
        static Data load(boolean quick) {
            Dataset<Example> train = FashionMnist.train(), test = FashionMnist.test();
            if (quick) {
                train = train.subset(IntStream.range(0, QUICK_TRAIN).toArray());
                test = test.subset(IntStream.range(0, QUICK_TEST).toArray());
            }
            return new Data(train, test);
        }
    }

    /** How one example trains. */
    record Plan(String name, Layer model, Optimizer optimizer, LRScheduler scheduler, int batchSize, int epochs,
                long seed, UnaryOperator<Dataset<Example>> augment) {}

    /**
     * Trains {@code plan.model()} on {@code data}, printing one line per epoch and a summary to
     * {@code out}; returns the test accuracy after the last epoch (a fraction).
     */
    static double fit(Plan plan, Data data, String reference, PrintStream out) {
        Dataset<Example> train = plan.augment() == null ? data.train() : plan.augment().apply(data.train());
        // one prefetch worker: batches are gathered (and augmented) beside the training step, in the sampler's order
        var trainLoader = DataLoader.builder(train).batchSize(plan.batchSize()).shuffle(plan.seed()).numWorkers(1).build();
        var testLoader = DataLoader.builder(data.test()).batchSize(1000).numWorkers(1).build();
        long params = plan.model().parameterCount();
        out.printf(Locale.ROOT, "%s: %,d training and %,d test images, batch %d, %d epoch%s, %,d parameters, seed %d%n",
                plan.name(), data.train().size(), data.test().size(), plan.batchSize(), plan.epochs(), plan.epochs() == 1 ? "" : "s", params, plan.seed());

        Timing timing = new Timing(data.train().size(), plan.epochs(), out);
        Trainer trainer = new Trainer(plan.model(), new CrossEntropyLoss()::forward, plan.optimizer())
                .metrics(new Accuracy()).callbacks(timing).quiet();
        if (plan.scheduler() != null) trainer.scheduler(plan.scheduler());
        long t0 = System.nanoTime();
        History h = trainer.fit(trainLoader, testLoader, plan.epochs());
        double wall = (System.nanoTime() - t0) / 1e9;

        List<Double> acc = h.get("val_accuracy");
        double last = acc.get(acc.size() - 1);
        double trainSeconds = timing.trainNanos / 1e9;
        out.printf(Locale.ROOT, "%s: test accuracy %.2f%% after %d epoch%s%s%s; %,.0f train samples/s; %.1f s in all%n",
                plan.name(), 100 * last, acc.size(), acc.size() == 1 ? "" : "s",
                acc.size() == 1 ? "" : String.format(Locale.ROOT, " (%.2f%% after 1)", 100 * acc.get(0)),
                reference == null ? "" : "; " + reference,
                (double) data.train().size() * acc.size() / trainSeconds, wall);
        return last;
    }

    /** Times each epoch's training steps and prints the epoch's line. */
    private static final class Timing implements Callback {
        private final int samples, epochs;
        private final PrintStream out;
        private long start, lastStep, trainNanos;

        Timing(int samples, int epochs, PrintStream out) {
            this.samples = samples;
            this.epochs = epochs;
            this.out = out;
        }

        @Override public void onEpochStart(Trainer trainer, int epoch) { start = lastStep = System.nanoTime(); }

        @Override public void onBatchEnd(Trainer trainer, int epoch, int batch, long step, double loss) { lastStep = System.nanoTime(); }

        @Override public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
            long nanos = lastStep - start;
            trainNanos += nanos;
            out.printf(Locale.ROOT, "epoch %d/%d  lr %.2e  loss %.4f  train accuracy %.2f%%  test accuracy %.2f%%  %,.0f samples/s (%.1f s)%n",
                    epoch, epochs, logs.get("lr"), logs.get("loss"), 100 * logs.get("accuracy"), 100 * logs.get("val_accuracy"),
                    samples / (nanos / 1e9), nanos / 1e9);
            out.flush();
        }
    }
}
