package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;

/** Multiplies each group's lr by {@code gamma} every epoch: {@code lr = base * gamma^epoch}. */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    /** Decay by {@code gamma} per epoch. */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        this.gamma = gamma;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        double[] lr = groupLrs();
        if (lastEpoch == 0) return lr;
        for (int i = 0; i < lr.length; i++) lr[i] *= gamma;
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        double[] lr = baseLrs.clone();
        for (int i = 0; i < lr.length; i++) lr[i] *= Math.pow(gamma, lastEpoch);
        return lr;
    }
}
