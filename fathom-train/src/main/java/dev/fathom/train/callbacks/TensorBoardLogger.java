package dev.fathom.train.callbacks;

import dev.fathom.train.Callback;
import dev.fathom.train.History;
import dev.fathom.train.TensorBoardWriter;
import dev.fathom.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Logs each epoch's values ({@code loss}, {@code val_accuracy}, {@code lr}...) as TensorBoard scalars
 * with the epoch as step, and, when asked, a histogram of every weight; flushes after each epoch.
 * The writer stays open (the caller closes it).
 */
public final class TensorBoardLogger implements Callback {
    private final TensorBoardWriter writer;
    private final boolean histograms;

    /** Logs scalars, and weight histograms when {@code histograms}. */
    public TensorBoardLogger(TensorBoardWriter writer, boolean histograms) {
        if (writer == null) throw new IllegalArgumentException("TensorBoardLogger: the writer is null");
        this.writer = writer;
        this.histograms = histograms;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        try {
            for (var e : logs.entrySet()) writer.addScalar(e.getKey(), e.getValue(), epoch);
            if (histograms) writer.addWeights(trainer.module(), epoch);
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoardLogger: could not write to " + writer.file() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        try {
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoardLogger: could not write to " + writer.file() + ": " + e.getMessage(), e);
        }
    }
}
