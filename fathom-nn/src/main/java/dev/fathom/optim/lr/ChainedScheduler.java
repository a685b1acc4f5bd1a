package dev.fathom.optim.lr;

import java.util.List;

/**
 * Steps several chainable schedules together, so their factors multiply
 * ({@code torch.optim.lr_scheduler.ChainedScheduler}); e.g. a linear warm-up with an exponential decay.
 */
public final class ChainedScheduler extends CompositeScheduler {

    /** Chains {@code schedulers}, which must drive the same optimizer. */
    public ChainedScheduler(List<LRScheduler> schedulers) {
        if (schedulers.isEmpty()) throw bad("ChainedScheduler", "no schedulers given");
        for (int i = 1; i < schedulers.size(); i++)
            if (schedulers.get(i).optimizer() != schedulers.get(0).optimizer())
                throw bad("ChainedScheduler", "scheduler " + i + " (" + schedulers.get(i).typeName()
                    + ") drives a different optimizer than scheduler 0");
        super(schedulers.get(0).optimizer(), schedulers);
    }

    @Override
    public void step() {
        for (LRScheduler s : schedulers) s.step();
        setLastLr(groupLrs());
    }
}
