package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;

/** Multiplies each group's lr by {@code gamma} every {@code stepSize} epochs: {@code lr = base * gamma^(epoch / stepSize)}. */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /** Decay by {@code gamma} every {@code stepSize} epochs. */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        if (stepSize < 1) throw bad("StepLR", "stepSize must be >= 1, got " + stepSize);
        this.stepSize = stepSize;
        this.gamma = gamma;
        super(optimizer);
    }

    /** Decay by 0.1 every {@code stepSize} epochs. */
    public StepLR(Optimizer optimizer, int stepSize) { this(optimizer, stepSize, 0.1); }

    @Override
    protected double[] computeLr() {
        double[] lr = groupLrs();
        if (lastEpoch == 0 || lastEpoch % stepSize != 0) return lr;
        for (int i = 0; i < lr.length; i++) lr[i] *= gamma;
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        double[] lr = baseLrs.clone();
        for (int i = 0; i < lr.length; i++) lr[i] *= Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize));
        return lr;
    }
}
