package dev.fathom.nn.loss;

import dev.fathom.tensor.Tensor;

/**
 * Quadratic below {@code delta}, linear above, as PyTorch's {@code nn.HuberLoss}: with
 * {@code z = |input - target|}, {@code 0.5 z²} where {@code z < delta}, else
 * {@code delta (z - 0.5 delta)}. Equals {@code delta ·} SmoothL1 with {@code beta = delta}.
 * See {@link Losses#huberLoss}.
 */
public class HuberLoss extends Loss {
    public final double delta;

    public HuberLoss() { this(Reduction.MEAN, 1.0); }

    public HuberLoss(double delta) { this(Reduction.MEAN, delta); }

    public HuberLoss(Reduction reduction, double delta) {
        super(reduction);
        Losses.checkHuberDelta("HuberLoss", delta);
        this.delta = delta;
    }

    /** The loss of {@code input} against a target of the same shape. */
    public Tensor forward(Tensor input, Tensor target) { return Losses.huber(describe(), input, target, reduction, delta); }

    @Override
    protected String extraRepr() { return "delta=" + delta + ", reduction=" + reduction; }
}
