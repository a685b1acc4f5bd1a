package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A schedule made of other schedules ({@link ChainedScheduler}, {@link SequentialLR}): it steps
 * them itself, so it has no rule of its own, and its state dict holds theirs.
 */
abstract class CompositeScheduler extends LRScheduler {
    protected final List<LRScheduler> schedulers;

    CompositeScheduler(Optimizer optimizer, List<LRScheduler> schedulers) {
        this.schedulers = List.copyOf(schedulers);
        super(optimizer, false);
    }

    /** Never called: {@link #step()} is overridden to step the parts. */
    @Override
    protected final double[] computeLr() {
        throw new IllegalStateException(typeName() + " steps its schedulers; it has no rule of its own");
    }

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
            throw bad(typeName() + ".loadStateDict", "the state has " + subs.size() + " schedulers, this has " + schedulers.size());
        super.loadStateDict(state);
        for (int i = 0; i < subs.size(); i++) schedulers.get(i).loadStateDict(subs.get(i));
    }
}
