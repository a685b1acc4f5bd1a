package dev.fathom.train;

import dev.fathom.autograd.Autograd;
import dev.fathom.data.Batch;
import dev.fathom.nn.Layer;
import dev.fathom.nn.Module;
import dev.fathom.optim.Optimizer;
import dev.fathom.optim.lr.LRScheduler;
import dev.fathom.optim.lr.ReduceLROnPlateau;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;
import dev.fathom.train.callbacks.SchedulerStepper;
import dev.fathom.train.metrics.Metric;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The training loop, Keras-like: {@link #fit} trains for some epochs over any {@code Iterable<Batch>}
 * (a data loader, a list), validating after each, and returns a {@link History}; {@link #evaluate}
 * and {@link #predict} run the model in eval mode without recording gradients.
 *
 * {@snippet :
 * var model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 2));
 * var trainer = new Trainer(model, new CrossEntropyLoss()::forward, new Adam(model.parameters(), 0.01))
 *     .metrics(new Accuracy())
 *     .callbacks(new EarlyStopping("val_loss", 3));
 * History h = trainer.fit(trainBatches, validationBatches, 20);
 * Map<String, Double> test = trainer.evaluate(testBatches);      // {loss=..., accuracy=...}
 * }
 *
 * Each training batch: {@code zeroGrad}, forward, loss, backward, {@code step}. The epoch's loss
 * is the mean of the batch losses weighted by batch size (the exact mean for a loss with mean
 * reduction); metrics accumulate over the epoch. The progress bar prints to {@code System.out}
 * by default ({@link #quiet()} turns it off).
 */
public final class Trainer {
    /** When a learning-rate schedule steps. */
    public enum ScheduleStep { EPOCH, BATCH }

    private final Module module;
    private final Function<Tensor, Tensor> forward;
    private final BiFunction<Tensor, Tensor, Tensor> loss;
    private final Optimizer optimizer;
    private final List<Metric> metrics = new ArrayList<>();
    private final List<Callback> callbacks = new ArrayList<>();
    private ProgressBar progress = ProgressBar.console();
    private Path plotPath;
    private int plotWidth = 1000, plotHeight = 420;
    private long step;
    private String stopReason;
    private History history = new History();

    /** A trainer for a one-input layer (a {@link dev.fathom.nn.Sequential}, say). */
    public Trainer(Layer model, BiFunction<Tensor, Tensor, Tensor> loss, Optimizer optimizer) {
        this(model, model == null ? null : model::forward, loss, optimizer);
    }

    /**
     * A trainer for any module: {@code forward} maps a batch's input to the output the loss compares
     * with the target; {@code module} is what is switched between train and eval mode and saved.
     */
    public Trainer(Module module, Function<Tensor, Tensor> forward, BiFunction<Tensor, Tensor, Tensor> loss, Optimizer optimizer) {
        if (module == null) throw new IllegalArgumentException("Trainer: the model is null");
        if (forward == null) throw new IllegalArgumentException("Trainer: the forward function is null");
        if (loss == null) throw new IllegalArgumentException("Trainer: the loss function is null");
        if (optimizer == null) throw new IllegalArgumentException("Trainer: the optimizer is null");
        this.module = module;
        this.forward = forward;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    // ------------------------------------------------------------------ configuration

    /** Adds metrics, computed on training and validation data each epoch. Returns this. */
    public Trainer metrics(Metric... ms) {
        for (Metric m : ms) {
            if (m == null) throw new IllegalArgumentException("Trainer.metrics: a metric is null");
            for (Metric other : metrics)
                if (other.name().equals(m.name()))
                    throw new IllegalArgumentException("Trainer.metrics: two metrics are named '" + m.name() + "'");
            if (m.name().equals("loss") || m.name().equals("lr"))
                throw new IllegalArgumentException("Trainer.metrics: '" + m.name() + "' is a reserved name");
            metrics.add(m);
        }
        return this;
    }

    /** Adds callbacks, called in the order added. Returns this. */
    public Trainer callbacks(Callback... cs) {
        for (Callback c : cs) {
            if (c == null) throw new IllegalArgumentException("Trainer.callbacks: a callback is null");
            callbacks.add(c);
        }
        return this;
    }

    /** Steps {@code scheduler} after every epoch. Returns this. */
    public Trainer scheduler(LRScheduler scheduler) { return scheduler(scheduler, ScheduleStep.EPOCH); }

    /** Steps {@code scheduler} after every epoch or after every batch (OneCycleLR, warm-up). Returns this. */
    public Trainer scheduler(LRScheduler scheduler, ScheduleStep when) {
        return callbacks(new SchedulerStepper(scheduler, when == ScheduleStep.BATCH));
    }

    /** Steps a plateau schedule after every epoch with the logged value {@code monitor} ({@code val_loss}). Returns this. */
    public Trainer scheduler(ReduceLROnPlateau scheduler, String monitor) {
        return callbacks(new SchedulerStepper(scheduler, monitor));
    }

    /** Prints progress to {@code out}: a live bar when {@code interactive}, one line per epoch otherwise. Returns this. */
    public Trainer progress(PrintStream out, boolean interactive) {
        this.progress = new ProgressBar(out, interactive);
        return this;
    }

    /** Uses {@code bar} for progress (null: none). Returns this. */
    public Trainer progress(ProgressBar bar) {
        this.progress = bar;
        return this;
    }

    /** No progress output. Returns this. */
    public Trainer quiet() { return progress(null); }

    /** Writes a PNG of the training curves to {@code path} at the end of every {@link #fit}. Returns this. */
    public Trainer plot(Path path) { return plot(path, plotWidth, plotHeight); }

    /** As {@link #plot(Path)}, with the image size in pixels. */
    public Trainer plot(Path path, int width, int height) {
        TrainingPlot.checkSize(width, height);
        this.plotPath = path;
        this.plotWidth = width;
        this.plotHeight = height;
        return this;
    }

    // ------------------------------------------------------------------ accessors for callbacks

    public Module module() { return module; }

    public Optimizer optimizer() { return optimizer; }

    /** The history of the current (or last) {@link #fit}. */
    public History history() { return history; }

    /** The number of training batches run so far, over all fits. */
    public long globalStep() { return step; }

    /** Asks training to stop (see {@link Callback} for when); {@code reason} ends up in {@link History#stopReason()}. */
    public void stopTraining(String reason) {
        if (stopReason == null) stopReason = reason == null ? "stopped by a callback" : reason;
        if (progress != null) progress.message(stopReason);
    }

    /** Whether a stop was requested during the current fit. */
    public boolean stopRequested() { return stopReason != null; }

    // ------------------------------------------------------------------ fit / evaluate / predict

    /** {@link #fit(Iterable, Iterable, int)} without validation. */
    public History fit(Iterable<Batch> train, int epochs) { return fit(train, null, epochs); }

    /**
     * Trains for {@code epochs} epochs over {@code train}, evaluating on {@code validation} (may be
     * null) after each, and returns the history of the completed epochs.
     */
    public History fit(Iterable<Batch> train, Iterable<Batch> validation, int epochs) {
        if (train == null) throw new IllegalArgumentException("Trainer.fit: the training data is null");
        if (epochs < 1) throw new IllegalArgumentException("Trainer.fit: epochs must be >= 1, got " + epochs);
        history = new History();
        stopReason = null;
        for (Callback c : callbacks) c.onTrainBegin(this);
        int knownBatches = train instanceof Collection<?> col ? col.size() : -1;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            module.train();
            for (Callback c : callbacks) c.onEpochStart(this, epoch);
            double lr = optimizer.lr();
            for (Metric m : metrics) m.reset();
            if (progress != null) progress.startEpoch(epoch, epochs, knownBatches);
            double lossSum = 0;
            long examples = 0;
            int batch = 0;
            boolean aborted = false;
            for (Batch b : train) {
                batch++;
                step++;
                optimizer.zeroGrad();
                Tensor out = forward.apply(b.input());
                Tensor l = loss.apply(out, b.target());
                double lv = scalar("fit", l);
                for (Callback c : callbacks) c.onBatchLoss(this, epoch, batch, step, lv);
                if (stopRequested()) { aborted = true; break; }
                l.backward();
                optimizer.step();
                int n = b.size();
                lossSum += lv * n;
                examples += n;
                try (var ignored = Autograd.noGrad()) {
                    for (Metric m : metrics) m.update(out.detach(), b.target());
                }
                for (Callback c : callbacks) c.onBatchEnd(this, epoch, batch, step, lv);
                if (progress != null) progress.batch(batch, n, lossSum / examples);
                if (stopRequested()) { aborted = true; break; }
            }
            if (aborted) break;
            if (batch == 0) throw new IllegalArgumentException("Trainer.fit: the training data yielded no batches in epoch " + epoch);
            knownBatches = train instanceof Collection<?> ? knownBatches : batch;
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", lossSum / examples);
            for (Metric m : metrics) logs.put(m.name(), m.result());
            if (validation != null)
                evaluate("fit", validation).forEach((k, v) -> logs.put("val_" + k, v));
            logs.put("lr", lr);
            history.add(logs);
            if (progress != null) progress.endEpoch(logs);
            for (Callback c : callbacks) c.onEpochEnd(this, epoch, logs);
            if (stopRequested()) break;
        }
        if (stopReason != null) history.stopReason(stopReason);
        module.train();
        for (Callback c : callbacks) c.onTrainEnd(this, history);
        if (plotPath != null && history.epochs() > 0) {
            try {
                TrainingPlot.write(history, plotPath, plotWidth, plotHeight);
            } catch (IOException e) {
                throw new UncheckedIOException("Trainer.fit: could not write the training plot " + plotPath + ": " + e.getMessage(), e);
            }
        }
        return history;
    }

    /**
     * The mean loss (weighted by batch size) and the metrics over {@code data}, in eval mode without
     * recording gradients; the module's mode is restored afterwards. Keys: {@code loss} and the metric names.
     */
    public Map<String, Double> evaluate(Iterable<Batch> data) { return evaluate("evaluate", data); }

    private Map<String, Double> evaluate(String op, Iterable<Batch> data) {
        if (data == null) throw new IllegalArgumentException("Trainer." + op + ": the data is null");
        boolean wasTraining = module.isTraining();
        module.eval();
        for (Metric m : metrics) m.reset();
        double lossSum = 0;
        long examples = 0;
        try (var ignored = Autograd.noGrad()) {
            for (Batch b : data) {
                Tensor out = forward.apply(b.input());
                double lv = scalar(op, loss.apply(out, b.target()));
                int n = b.size();
                lossSum += lv * n;
                examples += n;
                for (Metric m : metrics) m.update(out, b.target());
            }
        } finally {
            module.train(wasTraining);
        }
        if (examples == 0) throw new IllegalArgumentException("Trainer." + op + ": the " + (op.equals("fit") ? "validation " : "")
            + "data yielded no batches");
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", lossSum / examples);
        for (Metric m : metrics) out.put(m.name(), m.result());
        return out;
    }

    /** The model's outputs for every batch of {@code data}, concatenated along dimension 0 (eval mode, no grad). */
    public Tensor predict(Iterable<Batch> data) {
        if (data == null) throw new IllegalArgumentException("Trainer.predict: the data is null");
        List<Tensor> outs = new ArrayList<>();
        boolean wasTraining = module.isTraining();
        module.eval();
        try (var ignored = Autograd.noGrad()) {
            for (Batch b : data) outs.add(forward.apply(b.input()));
        } finally {
            module.train(wasTraining);
        }
        if (outs.isEmpty()) throw new IllegalArgumentException("Trainer.predict: the data yielded no batches");
        return outs.size() == 1 ? outs.get(0) : Tensor.cat(0, outs);
    }

    /** The model's output for one input (eval mode, no grad). */
    public Tensor predict(Tensor input) {
        boolean wasTraining = module.isTraining();
        module.eval();
        try (var ignored = Autograd.noGrad()) {
            return forward.apply(input);
        } finally {
            module.train(wasTraining);
        }
    }

    private static double scalar(String op, Tensor l) {
        if (l == null || l.numel() != 1)
            throw new IllegalArgumentException("Trainer." + op + ": the loss function returned "
                + (l == null ? "null" : "shape " + Shapes.format(l.shape())) + "; expected a scalar (use reduction mean or sum)");
        return l.item();
    }
}
