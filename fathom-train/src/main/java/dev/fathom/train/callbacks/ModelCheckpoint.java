package dev.fathom.train.callbacks;

import dev.fathom.io.Safetensors;
import dev.fathom.train.Callback;
import dev.fathom.train.Saver;
import dev.fathom.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves the model after epochs through a {@link Saver}: to {@code last} after every epoch, and
 * to {@code best} after each epoch whose monitored value beats the best so far (either path may
 * be null to skip it).
 *
 * {@snippet :
 * trainer.callbacks(new ModelCheckpoint("val_accuracy", dir.resolve("best.safetensors"), dir.resolve("last.safetensors")));
 * }
 */
public final class ModelCheckpoint implements Callback {
    private final Saver saver;
    private final String monitor;
    private final Path best, last;
    private Mode mode = Mode.AUTO;
    private double bestValue = Double.NaN;
    private int bestEpoch;

    /** Saves in the safetensors format ({@link Safetensors#save}), readable by PyTorch and Hugging Face tools. */
    public ModelCheckpoint(String monitor, Path best, Path last) { this(Safetensors::save, monitor, best, last); }

    public ModelCheckpoint(Saver saver, String monitor, Path best, Path last) {
        if (saver == null) throw new IllegalArgumentException("ModelCheckpoint: the saver is null");
        if (best == null && last == null) throw new IllegalArgumentException("ModelCheckpoint: neither a best nor a last path was given");
        if (best != null && (monitor == null || monitor.isEmpty()))
            throw new IllegalArgumentException("ModelCheckpoint: saving the best model needs a monitored value");
        this.saver = saver;
        this.monitor = monitor;
        this.best = best;
        this.last = last;
    }

    /** Whether the monitored value should go down or up (AUTO by default). Returns this. */
    public ModelCheckpoint mode(Mode m) {
        if (m == null) throw new IllegalArgumentException("ModelCheckpoint: mode is null");
        mode = m;
        return this;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        bestValue = Double.NaN;
        bestEpoch = 0;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        if (best != null) {
            double v = Mode.value("ModelCheckpoint", monitor, logs);
            if (mode.resolve(monitor).improves(v, bestValue, 0)) {
                bestValue = v;
                bestEpoch = epoch;
                save(trainer, best, epoch);
            }
        }
        if (last != null) save(trainer, last, epoch);
    }

    private void save(Trainer trainer, Path path, int epoch) {
        try {
            saver.save(trainer.module(), path);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: could not save the model after epoch " + epoch + " to " + path
                + ": " + e.getMessage(), e);
        }
    }

    /** The best monitored value saved (NaN before any). */
    public double bestValue() { return bestValue; }

    /** The epoch of the best value (0 before any). */
    public int bestEpoch() { return bestEpoch; }
}
