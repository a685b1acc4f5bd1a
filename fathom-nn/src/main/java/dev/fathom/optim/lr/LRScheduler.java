package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;
import dev.fathom.optim.ParamGroup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the learning-rate schedules ({@code torch.optim.lr_scheduler.LRScheduler}): each
 * {@link #step()} advances the epoch counter and writes a new lr into every parameter group.
 * Constructing a schedule records each group's {@code initial_lr} (if not already set) and performs
 * the first step (epoch 0), exactly as PyTorch does; call {@code step()} after {@code optimizer.step()}.
 *
 * {@snippet :
 * var opt = new SGD(model.parameters(), new SGD.Options().lr(0.1).momentum(0.9));
 * var sched = new StepLR(opt, 30, 0.1);
 * for (int epoch = 0; epoch < 100; epoch++) {
 *     train(opt);
 *     sched.step();
 * }
 * }
 *
 * Subclasses give the chainable rule ({@link #computeLr}, which reads the groups' current lr, as
 * PyTorch's {@code get_lr}) and, where PyTorch has one, the closed form used when a schedule is
 * moved to a given epoch (by {@link SequentialLR}).
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    protected final double[] baseLrs;
    protected int lastEpoch = -1;
    protected int stepCount;
    private double[] lastLr;

    /** Records the groups' {@code initial_lr} and base lrs, then performs the initial step. */
    protected LRScheduler(Optimizer optimizer) { this(optimizer, true); }

    LRScheduler(Optimizer optimizer, boolean initialStep) {
        if (optimizer == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": the optimizer is null");
        this.optimizer = optimizer;
        List<ParamGroup> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup g = groups.get(i);
            if (!g.has("initial_lr")) g.set("initial_lr", g.lr());
            baseLrs[i] = g.getDouble("initial_lr");
        }
        lastLr = groupLrs();
        if (initialStep) initialStep();
    }

    /** The optimiser whose lrs this schedule sets. */
    public Optimizer optimizer() { return optimizer; }

    /** The schedule's name in messages. */
    public String typeName() { return getClass().getSimpleName(); }

    /** Advances one epoch and sets the new lr of every group. */
    public void step() {
        stepCount++;
        lastEpoch++;
        apply(computeLr());
    }

    /** The lrs set by the last step, one per group. */
    public double[] getLastLr() { return lastLr.clone(); }

    /** The number of steps taken since the initial one (PyTorch's {@code last_epoch}). */
    public int lastEpoch() { return lastEpoch; }

    /** The groups' lrs before any schedule changed them ({@code initial_lr}). */
    public double[] baseLrs() { return baseLrs.clone(); }

    /** The new lr of each group at {@link #lastEpoch}, from the groups' current lrs (PyTorch's chainable {@code get_lr}). */
    protected abstract double[] computeLr();

    /** The lr of each group at {@link #lastEpoch} from the base lrs alone, or null where PyTorch has no closed form. */
    protected double[] closedFormLr() { return null; }

    /** Resets the step count and performs the step to epoch 0 (PyTorch's {@code _initial_step}). */
    void initialStep() {
        stepCount = 0;
        step();
    }

    /** Moves to {@code epoch}, using the closed form where there is one (PyTorch's {@code step(epoch)}). */
    void stepTo(int epoch) {
        stepCount++;
        lastEpoch = epoch;
        double[] v = closedFormLr();
        apply(v != null ? v : computeLr());
    }

    /** The groups' current lrs. */
    protected double[] groupLrs() {
        List<ParamGroup> groups = optimizer.paramGroups();
        double[] out = new double[groups.size()];
        for (int i = 0; i < out.length; i++) out[i] = groups.get(i).lr();
        return out;
    }

    final void apply(double[] lrs) {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) groups.get(i).lr(lrs[i]);
        lastLr = groupLrs();
    }

    final void setLastLr(double[] lrs) { lastLr = lrs.clone(); }

    /** The schedule's progress ({@code last_epoch}, {@code _step_count}, {@code base_lrs}, {@code _last_lr}) for {@link #loadStateDict}. */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("last_epoch", lastEpoch);
        m.put("_step_count", stepCount);
        m.put("base_lrs", baseLrs.clone());
        m.put("_last_lr", lastLr.clone());
        return m;
    }

    /** Restores the progress saved by {@link #stateDict()} (of a schedule built with the same arguments). */
    public void loadStateDict(Map<String, Object> state) {
        double[] base = (double[]) require(state, "base_lrs");
        if (base.length != baseLrs.length)
            throw new IllegalArgumentException(typeName() + ".loadStateDict: the state has " + base.length
                + " base lrs, the optimizer has " + baseLrs.length + " parameter groups");
        lastEpoch = ((Number) require(state, "last_epoch")).intValue();
        stepCount = ((Number) require(state, "_step_count")).intValue();
        System.arraycopy(base, 0, baseLrs, 0, base.length);
        lastLr = ((double[]) require(state, "_last_lr")).clone();
    }

    Object require(Map<String, Object> state, String key) {
        Object v = state.get(key);
        if (v == null) throw new IllegalArgumentException(typeName() + ".loadStateDict: the state has no '" + key + "'");
        return v;
    }

    static IllegalArgumentException bad(String type, String what) { return new IllegalArgumentException(type + ": " + what); }
}
