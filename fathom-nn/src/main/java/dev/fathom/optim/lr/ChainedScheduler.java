package dev.fathom.optim.lr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Steps several chainable schedules together, so their factors multiply
 * ({@code torch.optim.lr_scheduler.ChainedScheduler}); e.g. a linear warm-up with an exponential decay.
 */
public final class ChainedScheduler extends LRScheduler {
    private final List<LRScheduler> schedulers;

    /** Chains {@code schedulers}, which must drive the same optimizer. */
    public ChainedScheduler(List<LRScheduler> schedulers) {
        if (schedulers.isEmpty()) throw bad("ChainedScheduler", "no schedulers given");
        for (int i = 1; i < schedulers.size(); i++)
            if (schedulers.get(i).optimizer() != schedulers.get(0).optimizer())
                throw bad("ChainedScheduler", "scheduler " + i + " (" + schedulers.get(i).typeName()
                    + ") drives a different optimizer than scheduler 0");
        this.schedulers = List.copyOf(schedulers);
        super(schedulers.get(0).optimizer(), false);
    }

    @Override
    public void step() {
        for (LRScheduler s : schedulers) s.step();
        setLastLr(groupLrs());
    }

    @Override
    protected double[] computeLr() { throw new UnsupportedOperationException("ChainedScheduler steps its schedulers"); }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> m = super.stateDict();
        List<Map<String, Object>> subs = new ArrayList<>();
        for (LRScheduler s : schedulers) subs.add(s.stateDict());
        m.put("_schedulers", subs);
        return m;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void loadStateDict(Map<String, Object> state) {
        List<Map<String, Object>> subs = (List<Map<String, Object>>) require(state, "_schedulers");
        if (subs.size() != schedulers.size())
            throw bad("ChainedScheduler.loadStateDict", "the state has " + subs.size() + " schedulers, this has " + schedulers.size());
        super.loadStateDict(state);
        for (int i = 0; i < subs.size(); i++) schedulers.get(i).loadStateDict(subs.get(i));
    }
}
