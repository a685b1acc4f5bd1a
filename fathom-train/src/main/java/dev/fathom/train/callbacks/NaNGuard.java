package dev.fathom.train.callbacks;

import dev.fathom.train.Callback;
import dev.fathom.train.Trainer;

/**
 * Stops training as soon as a batch's loss is NaN or infinite, before that batch's backward pass
 * and update, so the model keeps the last finite weights (Keras's {@code TerminateOnNaN}). The
 * reason, in {@link dev.fathom.train.History#stopReason()}, names the epoch, the batch, the global
 * step and the value.
 */
public final class NaNGuard implements Callback {
    private String message;

    @Override
    public void onTrainBegin(Trainer trainer) { message = null; }

    @Override
    public void onBatchLoss(Trainer trainer, int epoch, int batch, long step, double loss) {
        if (Double.isFinite(loss)) return;
        message = "NaNGuard: the loss is " + loss + " at epoch " + epoch + ", batch " + batch + " (step " + step
            + "); training stopped before this batch's update";
        trainer.stopTraining(message);
    }

    /** The message of the last stop, or null if the guard did not fire. */
    public String message() { return message; }
}
