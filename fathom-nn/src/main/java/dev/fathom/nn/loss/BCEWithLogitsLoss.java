package dev.fathom.nn.loss;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Sigmoid and binary cross entropy in one numerically stable step, as PyTorch's
 * {@code nn.BCEWithLogitsLoss}: {@code -weight·(posWeight·t·log σ(x) + (1 - t)·log(1 - σ(x)))}.
 * {@code posWeight} (one value per class along the last dimension, buffer "pos_weight") weighs
 * the positive examples, e.g. {@code negatives/positives} for an unbalanced class; {@code weight}
 * (buffer "weight") rescales each element. Either may be null. See
 * {@link Losses#binaryCrossEntropyWithLogits}.
 */
public class BCEWithLogitsLoss extends Loss {
    public final Tensor weight;
    public final Tensor posWeight;

    public BCEWithLogitsLoss() { this(null, Reduction.MEAN, null); }

    public BCEWithLogitsLoss(Reduction reduction) { this(null, reduction, null); }

    public BCEWithLogitsLoss(Tensor weight, Reduction reduction, Tensor posWeight) {
        super(reduction);
        this.weight = registerBuffer("weight", weight);
        this.posWeight = registerBuffer("pos_weight", posWeight);
    }

    /** The loss of logits {@code input} against targets in [0, 1] of the same shape. */
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.bceWithLogits(describe(), input, target, weight, reduction, posWeight);
    }

    @Override
    protected String extraRepr() {
        return (weight == null ? "" : "weight=" + Shapes.format(weight.shape()) + ", ")
            + (posWeight == null ? "" : "posWeight=" + Shapes.format(posWeight.shape()) + ", ") + "reduction=" + reduction;
    }
}
