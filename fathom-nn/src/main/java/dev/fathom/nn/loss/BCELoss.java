package dev.fathom.nn.loss;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Binary cross entropy of probabilities, as PyTorch's {@code nn.BCELoss}:
 * {@code -weight·(t·log x + (1 - t)·log(1 - x))} with each logarithm clamped at -100. Inputs must
 * lie in [0, 1] (apply {@code sigmoid} first, or better use {@link BCEWithLogitsLoss} on the
 * logits). {@code weight} (a buffer, may be null) broadcasts to the input. See {@link Losses#binaryCrossEntropy}.
 */
public class BCELoss extends Loss {
    public final Tensor weight;

    public BCELoss() { this(null, Reduction.MEAN); }

    public BCELoss(Reduction reduction) { this(null, reduction); }

    public BCELoss(Tensor weight, Reduction reduction) {
        super(reduction);
        this.weight = registerBuffer("weight", weight);
    }

    /** The loss of probabilities {@code input} against targets of the same shape. */
    public Tensor forward(Tensor input, Tensor target) { return Losses.bce(describe(), input, target, weight, reduction); }

    @Override
    protected String extraRepr() {
        return (weight == null ? "" : "weight=" + Shapes.format(weight.shape()) + ", ") + "reduction=" + reduction;
    }
}
