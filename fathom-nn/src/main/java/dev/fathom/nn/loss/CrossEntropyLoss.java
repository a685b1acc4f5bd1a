package dev.fathom.nn.loss;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Cross entropy of unnormalised class scores, as PyTorch's {@code nn.CrossEntropyLoss}
 * ({@code logSoftmax} then NLL, in one stable step). Input {@code [C]}, {@code [N, C]} or
 * {@code [N, C, d1, ...]} (e.g. per-pixel scores {@code [N, C, H, W]}); target either class
 * indices (int64) of shape {@code []}, {@code [N]} or {@code [N, d1, ...]}, or class
 * probabilities of the input's shape. Options: per-class {@code weight} (a buffer named
 * "weight"), {@code ignoreIndex} (default -100: those targets add nothing and do not count in
 * the mean) and {@code labelSmoothing}. With weights, MEAN divides by the summed weight of the
 * targets that are not ignored, exactly as PyTorch. See {@link Losses#crossEntropy} for the formulas.
 */
public class CrossEntropyLoss extends Loss {
    /** One value per class, or null. */
    public final Tensor weight;
    public final long ignoreIndex;
    public final double labelSmoothing;

    public CrossEntropyLoss() { this(null, -100, Reduction.MEAN, 0); }

    public CrossEntropyLoss(Reduction reduction) { this(null, -100, reduction, 0); }

    public CrossEntropyLoss(Tensor weight) { this(weight, -100, Reduction.MEAN, 0); }

    public CrossEntropyLoss(Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
        super(reduction);
        Losses.checkLabelSmoothing("CrossEntropyLoss", labelSmoothing);
        if (weight != null && weight.ndim() != 1)
            throw new IllegalArgumentException("CrossEntropyLoss: weight must hold one value per class (1 dimension), got shape "
                + Shapes.format(weight.shape()));
        this.weight = registerBuffer("weight", weight);
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
    }

    /** The loss of scores {@code input} against class indices or class probabilities {@code target}. */
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.crossEntropy(describe(), input, target, weight, ignoreIndex, reduction, labelSmoothing);
    }

    @Override
    protected String extraRepr() {
        return (weight == null ? "" : "weight=" + Shapes.format(weight.shape()) + ", ") + "ignoreIndex=" + ignoreIndex
            + (labelSmoothing == 0 ? "" : ", labelSmoothing=" + labelSmoothing) + ", reduction=" + reduction;
    }
}
