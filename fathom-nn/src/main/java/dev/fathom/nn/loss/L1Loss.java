package dev.fathom.nn.loss;

import dev.fathom.tensor.Tensor;

/** Absolute error {@code |input - target|}, as PyTorch's {@code nn.L1Loss}; see {@link Losses#l1Loss}. */
public class L1Loss extends Loss {
    public L1Loss() { this(Reduction.MEAN); }

    public L1Loss(Reduction reduction) { super(reduction); }

    /** The loss of {@code input} against a target of the same shape. */
    public Tensor forward(Tensor input, Tensor target) { return Losses.l1(describe(), input, target, reduction); }
}
