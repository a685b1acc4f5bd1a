package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;

/**
 * Linear warm-up (or decay): the lr factor goes linearly from {@code startFactor} to
 * {@code endFactor} over {@code totalIters} epochs, then stays:
 * {@code lr = base * (start + (end - start) * min(epoch, totalIters) / totalIters)}.
 */
public final class LinearLR extends LRScheduler {
    private final double startFactor, endFactor;
    private final int totalIters;

    /** Factor from {@code startFactor} (in (0, 1]) to {@code endFactor} (in [0, 1]) over {@code totalIters} epochs. */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        if (!(startFactor > 0 && startFactor <= 1))
            throw bad("LinearLR", "startFactor must be in (0, 1], got " + startFactor);
        if (!(endFactor >= 0 && endFactor <= 1))
            throw bad("LinearLR", "endFactor must be in [0, 1], got " + endFactor);
        if (totalIters < 1) throw bad("LinearLR", "totalIters must be >= 1, got " + totalIters);
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        super(optimizer);
    }

    /** PyTorch's defaults: factor from 1/3 to 1 over 5 epochs. */
    public LinearLR(Optimizer optimizer) { this(optimizer, 1.0 / 3, 1.0, 5); }

    @Override
    protected double[] computeLr() {
        double[] lr = groupLrs();
        if (lastEpoch == 0) {
            for (int i = 0; i < lr.length; i++) lr[i] *= startFactor;
            return lr;
        }
        if (lastEpoch > totalIters) return lr;
        double f = 1 + (endFactor - startFactor) / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor));
        for (int i = 0; i < lr.length; i++) lr[i] *= f;
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        double[] lr = baseLrs.clone();
        double f = startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters;
        for (int i = 0; i < lr.length; i++) lr[i] *= f;
        return lr;
    }
}
