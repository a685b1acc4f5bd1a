package dev.fathom.train;

import java.util.Map;

/**
 * Hooks into {@link Trainer#fit}, as Keras's callbacks. Epochs and steps are counted from 1;
 * {@code step} is the global optimiser step, {@code batch} the batch within the epoch. A callback
 * ends training with {@link Trainer#stopTraining(String)}: after {@link #onBatchLoss} the batch's
 * update is skipped, after {@link #onBatchEnd} the epoch ends at once (and is not recorded), after
 * {@link #onEpochEnd} no further epoch starts.
 */
public interface Callback {
    /** Before the first epoch. */
    default void onTrainBegin(Trainer trainer) {}

    /** Before each epoch's first batch. */
    default void onEpochStart(Trainer trainer, int epoch) {}

    /** After the loss of a batch is computed and before backward and the optimiser step. */
    default void onBatchLoss(Trainer trainer, int epoch, int batch, long step, double loss) {}

    /** After the optimiser step of a batch. */
    default void onBatchEnd(Trainer trainer, int epoch, int batch, long step, double loss) {}

    /**
     * After validation; {@code logs} holds this epoch's values by name ({@code loss}, {@code accuracy},
     * {@code val_loss}, {@code val_accuracy}, {@code lr}).
     */
    default void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {}

    /** After the last epoch, or when training stopped. */
    default void onTrainEnd(Trainer trainer, History history) {}
}
