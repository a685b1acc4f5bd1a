package dev.fathom.train.metrics;

import dev.fathom.tensor.Tensor;

/**
 * A quantity accumulated over batches, as Keras's metrics: {@link #reset()} at the start of a
 * pass, {@link #update} with each batch's model output and target, {@link #result()} at the end.
 * The trainer logs it under {@link #name()} (and {@code val_} + name for validation).
 *
 * {@snippet :
 * var acc = new Accuracy();
 * for (Batch b : data) acc.update(model.forward(b.input()), b.target());
 * double a = acc.result();      // the fraction of correctly classified examples over all batches
 * }
 */
public interface Metric {
    /** The name under which the value is logged ({@code accuracy}, {@code mae}...). */
    String name();

    /** Forgets everything accumulated. */
    void reset();

    /** Adds one batch: the model's output and the target. Neither is modified nor kept. */
    void update(Tensor output, Tensor target);

    /** The value over everything seen since the last reset; NaN when nothing was seen. */
    double result();
}
