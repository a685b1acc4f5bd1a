package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;

/**
 * Cosine annealing from each group's base lr to {@code etaMin} over {@code tMax} epochs (SGDR
 * without restarts): {@code lr = etaMin + (base - etaMin) (1 + cos(π epoch / tMax)) / 2}, applied
 * recursively from the current lr as PyTorch does (past {@code tMax} the lr rises again).
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    /** Anneal to {@code etaMin} over {@code tMax} epochs. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        if (tMax < 1) throw bad("CosineAnnealingLR", "tMax must be >= 1, got " + tMax);
        this.tMax = tMax;
        this.etaMin = etaMin;
        super(optimizer);
    }

    /** Anneal to 0 over {@code tMax} epochs. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) { this(optimizer, tMax, 0); }

    @Override
    protected double[] computeLr() {
        double[] lr = groupLrs();
        if (lastEpoch == 0) return lr;
        for (int i = 0; i < lr.length; i++) {
            if (stepCount == 1 && lastEpoch > 0)
                lr[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / tMax)) / 2;
            else if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0)
                lr[i] = lr[i] + (baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            else
                lr[i] = (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
                    * (lr[i] - etaMin) + etaMin;
        }
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        double[] lr = new double[baseLrs.length];
        for (int i = 0; i < lr.length; i++)
            lr[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2;
        return lr;
    }
}
