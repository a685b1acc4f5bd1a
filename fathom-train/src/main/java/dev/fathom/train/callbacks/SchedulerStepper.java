package dev.fathom.train.callbacks;

import dev.fathom.optim.lr.LRScheduler;
import dev.fathom.optim.lr.ReduceLROnPlateau;
import dev.fathom.train.Callback;
import dev.fathom.train.Trainer;

import java.util.Map;

/**
 * Steps a learning-rate schedule during {@link Trainer#fit}: an {@link LRScheduler} after every
 * epoch or after every batch (OneCycleLR counts batches), or a {@link ReduceLROnPlateau} after every
 * epoch with a logged value. {@link Trainer#scheduler} adds one.
 */
public final class SchedulerStepper implements Callback {
    private final LRScheduler scheduler;
    private final boolean perBatch;
    private final ReduceLROnPlateau plateau;
    private final String monitor;

    /** Steps {@code scheduler} after each batch ({@code perBatch}) or each epoch. */
    public SchedulerStepper(LRScheduler scheduler, boolean perBatch) {
        if (scheduler == null) throw new IllegalArgumentException("SchedulerStepper: the scheduler is null");
        this.scheduler = scheduler;
        this.perBatch = perBatch;
        this.plateau = null;
        this.monitor = null;
    }

    /** Steps {@code plateau} after each epoch with the logged value {@code monitor}. */
    public SchedulerStepper(ReduceLROnPlateau plateau, String monitor) {
        if (plateau == null) throw new IllegalArgumentException("SchedulerStepper: the scheduler is null");
        if (monitor == null || monitor.isEmpty()) throw new IllegalArgumentException("SchedulerStepper: monitor is empty");
        this.scheduler = null;
        this.perBatch = false;
        this.plateau = plateau;
        this.monitor = monitor;
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, long step, double loss) {
        if (scheduler != null && perBatch) scheduler.step();
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        if (plateau != null) plateau.step(Mode.value("SchedulerStepper", monitor, logs));
        else if (!perBatch) scheduler.step();
    }
}
