package dev.fathom.nn.loss;

import dev.fathom.nn.Module;

/**
 * The base of the loss modules: the {@link Reduction} and the description used in error
 * messages ({@code CrossEntropyLoss(reduction=mean, ignoreIndex=-100): ...}). Each loss defines
 * {@code forward(input, target)} ({@link CosineEmbeddingLoss}: {@code forward(input1, input2, target)})
 * and has a functional twin in {@link Losses}. Class weights and {@code posWeight} are registered
 * as buffers named as in PyTorch's state dict ({@code weight}, {@code pos_weight}).
 */
public abstract class Loss extends Module {
    /** How the per-element losses are combined. */
    public final Reduction reduction;

    protected Loss(Reduction reduction) {
        if (reduction == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": reduction is null");
        if (reduction == Reduction.BATCHMEAN && !(this instanceof KLDivLoss))
            throw new IllegalArgumentException(getClass().getSimpleName()
                + ": reduction batchmean is only for KLDivLoss; use none, mean or sum");
        this.reduction = reduction;
    }

    /** The loss as errors name it: {@code typeName(extraRepr)}. */
    protected String describe() { return typeName() + "(" + extraRepr() + ")"; }

    @Override
    protected String extraRepr() { return "reduction=" + reduction; }
}
