package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;
import dev.fathom.optim.ParamGroup;

import java.util.List;

/**
 * Runs schedules one after another, switching at the milestone epochs
 * ({@code torch.optim.lr_scheduler.SequentialLR}); at a milestone the next schedule starts from
 * epoch 0 (its closed form). The usual warm-up:
 *
 * {@snippet :
 * var warm = new LinearLR(opt, 0.1, 1.0, 5);
 * var cos = new CosineAnnealingLR(opt, 95);
 * var sched = new SequentialLR(opt, List.of(warm, cos), new int[] {5});
 * }
 */
public final class SequentialLR extends CompositeScheduler {
    private final int[] milestones;

    /** {@code schedulers.get(i)} runs from {@code milestones[i-1]}; all must drive {@code optimizer}. */
    public SequentialLR(Optimizer optimizer, List<LRScheduler> schedulers, int[] milestones) {
        if (schedulers.isEmpty()) throw bad("SequentialLR", "no schedulers given");
        for (int i = 0; i < schedulers.size(); i++)
            if (schedulers.get(i).optimizer() != optimizer)
                throw bad("SequentialLR", "scheduler " + i + " (" + schedulers.get(i).typeName() + ") drives a different optimizer");
        if (milestones.length != schedulers.size() - 1)
            throw bad("SequentialLR", "expected " + (schedulers.size() - 1) + " milestones for " + schedulers.size()
                + " schedulers, got " + milestones.length);
        this.milestones = milestones.clone();
        super(optimizer, schedulers);
        lastEpoch = 0;
        for (ParamGroup g : optimizer.paramGroups()) g.lr(g.getDouble("initial_lr"));
        for (LRScheduler s : this.schedulers) s.lastEpoch--;
        this.schedulers.get(0).initialStep();
        setLastLr(this.schedulers.get(0).getLastLr());
    }

    @Override
    public void step() {
        lastEpoch++;
        int idx = 0;                                      // bisect_right(milestones, lastEpoch)
        while (idx < milestones.length && milestones[idx] <= lastEpoch) idx++;
        LRScheduler s = schedulers.get(idx);
        if (idx > 0 && milestones[idx - 1] == lastEpoch) s.stepTo(0);
        else s.step();
        setLastLr(s.getLastLr());
    }
}
