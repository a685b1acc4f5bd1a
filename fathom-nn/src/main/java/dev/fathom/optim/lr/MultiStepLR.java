package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Multiplies each group's lr by {@code gamma} at each milestone epoch (a milestone listed k times
 * multiplies by {@code gamma^k}).
 */
public final class MultiStepLR extends LRScheduler {
    private final Map<Integer, Integer> milestones;
    private final int[] sorted;
    private final double gamma;

    /** Decay by {@code gamma} at each of {@code milestones}. */
    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int m : milestones) counts.merge(m, 1, Integer::sum);
        this.milestones = counts;
        int[] sortedMilestones = milestones.clone();
        Arrays.sort(sortedMilestones);
        this.sorted = sortedMilestones;
        this.gamma = gamma;
        super(optimizer);
    }

    /** Decay by 0.1 at each of {@code milestones}. */
    public MultiStepLR(Optimizer optimizer, int[] milestones) { this(optimizer, milestones, 0.1); }

    @Override
    protected double[] computeLr() {
        double[] lr = groupLrs();
        Integer k = milestones.get(lastEpoch);
        if (k == null) return lr;
        for (int i = 0; i < lr.length; i++) lr[i] *= Math.pow(gamma, k);
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        int passed = 0;                                   // bisect_right(sorted, lastEpoch)
        while (passed < sorted.length && sorted[passed] <= lastEpoch) passed++;
        double[] lr = baseLrs.clone();
        for (int i = 0; i < lr.length; i++) lr[i] *= Math.pow(gamma, passed);
        return lr;
    }
}
