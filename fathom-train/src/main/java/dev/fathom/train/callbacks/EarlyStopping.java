package dev.fathom.train.callbacks;

import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import dev.fathom.train.Callback;
import dev.fathom.train.History;
import dev.fathom.train.Trainer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops training when a monitored value has not improved for {@code patience} epochs, as Keras's
 * {@code EarlyStopping}: an epoch improves when its value beats the best by more than
 * {@code minDelta}; after {@code patience} epochs in a row without improvement training stops.
 * With {@code restoreBestWeights} the model's state dict is copied at each best epoch and loaded
 * back when training ends.
 *
 * {@snippet :
 * trainer.callbacks(new EarlyStopping("val_loss", 3).minDelta(1e-3).restoreBestWeights(true));
 * }
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private double minDelta;
    private Mode mode = Mode.AUTO;
    private boolean restoreBestWeights;

    private double best;
    private int bestEpoch, wait, stoppedEpoch;
    private Map<String, Tensor> bestState;

    /** Monitors {@code monitor} ({@code val_loss}, {@code val_accuracy}...) with the given patience. */
    public EarlyStopping(String monitor, int patience) {
        if (monitor == null || monitor.isEmpty()) throw new IllegalArgumentException("EarlyStopping: monitor is empty");
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + patience);
        this.monitor = monitor;
        this.patience = patience;
    }

    /** The least change that counts as an improvement (>= 0). Returns this. */
    public EarlyStopping minDelta(double v) {
        if (!(v >= 0)) throw new IllegalArgumentException("EarlyStopping: minDelta must be >= 0, got " + v);
        minDelta = v;
        return this;
    }

    /** Whether the value should go down or up (AUTO by default). Returns this. */
    public EarlyStopping mode(Mode m) {
        if (m == null) throw new IllegalArgumentException("EarlyStopping: mode is null");
        mode = m;
        return this;
    }

    /** Whether to load the best epoch's weights back when training ends. Returns this. */
    public EarlyStopping restoreBestWeights(boolean on) {
        restoreBestWeights = on;
        return this;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        best = Double.NaN;
        bestEpoch = 0;
        wait = 0;
        stoppedEpoch = 0;
        bestState = null;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        double v = Mode.value("EarlyStopping", monitor, logs);
        Mode m = mode.resolve(monitor);
        if (m.improves(v, best, minDelta)) {
            best = v;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) bestState = copy(trainer.module());
            return;
        }
        wait++;
        if (wait >= patience) {
            stoppedEpoch = epoch;
            trainer.stopTraining("EarlyStopping: " + monitor + " did not improve for " + wait + (wait == 1 ? " epoch" : " epochs")
                + " (best " + best + " at epoch " + bestEpoch + "); stopped after epoch " + epoch);
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        if (restoreBestWeights && bestState != null && bestEpoch != history.epochs())
            trainer.module().loadStateDict(bestState, true);
    }

    /** The best value seen (NaN before any). */
    public double best() { return best; }

    /** The epoch of the best value (0 before any). */
    public int bestEpoch() { return bestEpoch; }

    /** The epoch after which training was stopped, 0 if it was not. */
    public int stoppedEpoch() { return stoppedEpoch; }

    static Map<String, Tensor> copy(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        module.stateDict().forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }
}
