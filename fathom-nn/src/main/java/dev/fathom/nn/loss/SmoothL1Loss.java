package dev.fathom.nn.loss;

import dev.fathom.tensor.Tensor;

/**
 * Quadratic below {@code beta}, linear above, as PyTorch's {@code nn.SmoothL1Loss}: with
 * {@code z = |input - target|}, {@code 0.5 z² / beta} where {@code z < beta}, else
 * {@code z - 0.5 beta}. {@code beta = 0} gives the L1 loss. See {@link Losses#smoothL1Loss}.
 */
public class SmoothL1Loss extends Loss {
    public final double beta;

    public SmoothL1Loss() { this(Reduction.MEAN, 1.0); }

    public SmoothL1Loss(double beta) { this(Reduction.MEAN, beta); }

    public SmoothL1Loss(Reduction reduction, double beta) {
        super(reduction);
        Losses.checkSmoothL1Beta("SmoothL1Loss", beta);
        this.beta = beta;
    }

    /** The loss of {@code input} against a target of the same shape. */
    public Tensor forward(Tensor input, Tensor target) { return Losses.smoothL1(describe(), input, target, reduction, beta); }

    @Override
    protected String extraRepr() { return "beta=" + beta + ", reduction=" + reduction; }
}
