package dev.fathom.nn.loss;

import dev.fathom.tensor.Tensor;

/** Squared error {@code (input - target)²}, as PyTorch's {@code nn.MSELoss}; see {@link Losses#mseLoss}. */
public class MSELoss extends Loss {
    public MSELoss() { this(Reduction.MEAN); }

    public MSELoss(Reduction reduction) { super(reduction); }

    /** The loss of {@code input} against a target of the same shape. */
    public Tensor forward(Tensor input, Tensor target) { return Losses.mse(describe(), input, target, reduction); }
}
