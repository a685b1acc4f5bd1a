package dev.fathom.optim;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Base of the optimisers: parameter groups with their own hyper-parameters, per-parameter state,
 * and a state dict that saves and restores both (PyTorch's {@code torch.optim.Optimizer}).
 *
 * {@snippet :
 * var opt = new Adam(model.parameters(), new Adam.Options().lr(1e-3));
 * for (int i = 0; i < steps; i++) {
 *     opt.zeroGrad();
 *     loss(model).backward();
 *     opt.step();                 // in place, under Autograd.noGrad(); parameters without a gradient are skipped
 * }
 * }
 *
 * A subclass supplies its defaults, checks a group's options in {@link #validate}, and updates one
 * parameter in {@link #update} following PyTorch's documented algorithm.
 */
public abstract class Optimizer {
    private final Map<String, Object> defaults;
    private final List<ParamGroup> groups = new ArrayList<>();
    private final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();

    /** An optimiser over the given groups; {@code defaults} fills the options a group leaves out. */
    protected Optimizer(List<ParamGroup> groups, Map<String, ?> defaults) {
        Map<String, Object> d = new LinkedHashMap<>();
        defaults.forEach((k, v) -> d.put(k, ParamGroup.normalise(k, v)));
        this.defaults = Collections.unmodifiableMap(d);
        if (groups == null || groups.isEmpty()) throw new IllegalArgumentException(typeName() + ": no parameter groups given");
        for (ParamGroup g : groups) addParamGroup(g);
    }

    /** One group holding {@code params}. */
    protected static List<ParamGroup> single(List<Tensor> params) {
        if (params == null || params.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
        return List.of(new ParamGroup(params));
    }

    /** The optimiser's name in messages (the class name). */
    public String typeName() { return getClass().getSimpleName(); }

    /** The default options (unmodifiable; arrays are shared, do not change them). */
    public Map<String, Object> defaults() { return defaults; }

    /** The parameter groups (unmodifiable list; the groups themselves can be changed, e.g. their lr). */
    public List<ParamGroup> paramGroups() { return Collections.unmodifiableList(groups); }

    /**
     * Adds a group: options it leaves out come from the defaults; its options are checked
     * ({@link #validate}); a parameter may belong to one group only and must be a floating-point leaf.
     */
    public void addParamGroup(ParamGroup group) {
        int index = groups.size();
        for (String k : group.keys())
            if (!defaults.containsKey(k))
                throw new IllegalArgumentException(typeName() + ": unknown option '" + k + "' in parameter group " + index
                    + "; the options are " + defaults.keySet());
        defaults.forEach((k, v) -> { if (!group.has(k)) group.set(k, v); });
        for (int i = 0; i < group.params().size(); i++) {
            Tensor p = group.params().get(i);
            if (!p.dtype().isFloatingPoint())
                throw new IllegalArgumentException(typeName() + ": parameter " + i + " of group " + index
                    + " is " + p.dtype() + "; only floating-point tensors can be optimised");
            if (!p.isLeaf())
                throw new IllegalArgumentException(typeName() + ": parameter " + i + " of group " + index
                    + " is not a leaf (it was computed by " + p.gradFn().name() + "); optimise the leaf tensors");
            for (ParamGroup g : groups)
                for (Tensor q : g.params())
                    if (q == p)
                        throw new IllegalArgumentException(typeName() + ": parameter " + i + " of group " + index
                            + " already belongs to group " + groups.indexOf(g) + "; a parameter may appear in one group only");
            for (int j = 0; j < i; j++)
                if (group.params().get(j) == p)
                    throw new IllegalArgumentException(typeName() + ": parameters " + j + " and " + i + " of group "
                        + index + " are the same tensor");
        }
        validate(group);
        groups.add(group);
    }

    /** Checks a group's options; throws IllegalArgumentException naming the optimiser and the bad value. */
    protected abstract void validate(ParamGroup group);

    /**
     * Updates one parameter in place from its gradient (already under noGrad). {@code state} is the
     * parameter's own state, empty on its first update.
     */
    protected abstract void update(ParamGroup group, Tensor param, Tensor grad, Map<String, Tensor> state);

    /** One optimisation step over every parameter that has a gradient, under {@link Autograd#noGrad()}. */
    public void step() {
        try (var ignored = Autograd.noGrad()) {
            for (ParamGroup g : groups)
                for (Tensor p : g.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    update(g, p, grad, state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
                }
        }
    }

    /** Re-evaluates the loss with {@code closure} (which should zero grads and call backward), then steps; returns the loss. */
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss;
        try (var ignored = Autograd.enableGrad()) { loss = closure.get(); }
        step();
        return loss;
    }

    /** Clears every parameter's gradient (sets it to null, like PyTorch's {@code set_to_none=True}). */
    public void zeroGrad() {
        for (ParamGroup g : groups) for (Tensor p : g.params()) p.zeroGrad();
    }

    /** The state of {@code param} (live: momentum buffers, moments, step...), empty before its first update. */
    public Map<String, Tensor> state(Tensor param) {
        Map<String, Tensor> s = state.get(param);
        return s == null ? Map.of() : Collections.unmodifiableMap(s);
    }

    /** The learning rate of the first group. */
    public double lr() { return groups.get(0).lr(); }

    /** The learning rate of group {@code group}. */
    public double lr(int group) { return group(group).lr(); }

    /** Sets the learning rate of group {@code group}. */
    public void setLr(int group, double lr) {
        ParamGroup g = group(group);
        checkLr(lr);
        g.lr(lr);
    }

    /** Sets the learning rate of every group. */
    public void setLr(double lr) { for (int i = 0; i < groups.size(); i++) setLr(i, lr); }

    private ParamGroup group(int i) {
        if (i < 0 || i >= groups.size())
            throw new IndexOutOfBoundsException(typeName() + ": no parameter group " + i + " (it has " + groups.size() + ")");
        return groups.get(i);
    }

    // ------------------------------------------------------------------ state dict

    /**
     * A snapshot of the optimiser: per-parameter state by the parameter's index (counting through
     * the groups in order) and each group's options with {@code params} as the list of those indices,
     * as in PyTorch's {@code optimizer.state_dict()}. Tensors and arrays are copies.
     */
    public record StateDict(Map<Integer, Map<String, Tensor>> state, List<Map<String, Object>> paramGroups) {
        public StateDict {
            Map<Integer, Map<String, Tensor>> s = new LinkedHashMap<>();
            state.forEach((k, v) -> s.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
            state = Collections.unmodifiableMap(s);
            List<Map<String, Object>> g = new ArrayList<>();
            for (Map<String, Object> m : paramGroups) g.add(Collections.unmodifiableMap(new LinkedHashMap<>(m)));
            paramGroups = Collections.unmodifiableList(g);
        }
    }

    /** The optimiser's state (copied), to restore later with {@link #loadStateDict}. */
    public StateDict stateDict() {
        Map<Integer, Map<String, Tensor>> packed = new LinkedHashMap<>();
        List<Map<String, Object>> packedGroups = new ArrayList<>();
        int index = 0;
        for (ParamGroup g : groups) {
            Map<String, Object> m = new LinkedHashMap<>(g.options());
            List<Integer> ids = new ArrayList<>();
            for (Tensor p : g.params()) {
                Map<String, Tensor> s = state.get(p);
                if (s != null && !s.isEmpty()) {
                    Map<String, Tensor> c = new LinkedHashMap<>();
                    s.forEach((k, v) -> c.put(k, v.detach().copy()));
                    packed.put(index, c);
                }
                ids.add(index++);
            }
            m.put("params", List.copyOf(ids));
            packedGroups.add(m);
        }
        return new StateDict(packed, packedGroups);
    }

    /**
     * Restores a state from {@link #stateDict()} (of an optimiser of the same kind over parameters of
     * the same shapes in the same groups): group options and per-parameter state are copied in,
     * floating state converted to the parameter's dtype. Everything is checked before anything changes.
     */
    public void loadStateDict(StateDict sd) {
        if (sd.paramGroups().size() != groups.size())
            throw new IllegalArgumentException(typeName() + ".loadStateDict: the state has " + sd.paramGroups().size()
                + " parameter groups, this optimizer has " + groups.size());
        List<Tensor> flat = new ArrayList<>();
        List<List<Integer>> savedIds = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            Object ids = sd.paramGroups().get(gi).get("params");
            if (!(ids instanceof List<?> l))
                throw new IllegalArgumentException(typeName() + ".loadStateDict: group " + gi + " has no 'params' index list");
            List<Integer> idx = new ArrayList<>();
            for (Object o : l) idx.add(((Number) o).intValue());
            if (idx.size() != groups.get(gi).params().size())
                throw new IllegalArgumentException(typeName() + ".loadStateDict: group " + gi + " of the state has "
                    + idx.size() + " parameters, this optimizer's has " + groups.get(gi).params().size());
            savedIds.add(idx);
            flat.addAll(groups.get(gi).params());
        }
        Map<Integer, Tensor> byId = new java.util.HashMap<>();
        for (int gi = 0, n = 0; gi < groups.size(); gi++)
            for (int id : savedIds.get(gi)) byId.put(id, flat.get(n++));
        Map<Tensor, Map<String, Tensor>> newState = new IdentityHashMap<>();
        for (var e : sd.state().entrySet()) {
            Tensor p = byId.get(e.getKey());
            if (p == null)
                throw new IllegalArgumentException(typeName() + ".loadStateDict: state for parameter index " + e.getKey()
                    + ", which no group lists");
            Map<String, Tensor> s = new LinkedHashMap<>();
            for (var t : e.getValue().entrySet()) {
                Tensor v = t.getValue();
                boolean perElement = v.ndim() > 0 || p.ndim() == 0;
                if (perElement && !Arrays.equals(v.shape(), p.shape()))
                    throw new IllegalArgumentException(typeName() + ".loadStateDict: state '" + t.getKey() + "' of parameter "
                        + e.getKey() + " has shape " + Arrays.toString(v.shape()) + " but the parameter has shape "
                        + Arrays.toString(p.shape()));
                Tensor c = v.detach().copy();
                if (!t.getKey().equals("step") && c.dtype().isFloatingPoint() && c.dtype() != p.dtype()) c = c.to(p.dtype());
                s.put(t.getKey(), c);
            }
            newState.put(p, s);
        }
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            for (var o : sd.paramGroups().get(gi).entrySet())
                if (!o.getKey().equals("params")) g.set(o.getKey(), ParamGroup.copyValue(o.getValue()));
        }
        state.clear();
        state.putAll(newState);
    }

    // ------------------------------------------------------------------ helpers for subclasses

    /** The step count in {@code state} plus one, stored back as {@code state["step"]}. */
    protected static long nextStep(Map<String, Tensor> state) {
        Tensor s = state.get("step");
        long step = s == null ? 1 : Math.round(s.item()) + 1;
        state.put("step", Tensor.scalar((double) step));
        return step;
    }

    /** Throws unless {@code lr >= 0}. */
    protected void checkLr(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException(typeName() + ": invalid learning rate lr=" + lr + ", expected lr >= 0");
    }

    /** Throws unless {@code value >= 0}. */
    protected void checkNonNegative(String name, double value) {
        if (!(value >= 0)) throw new IllegalArgumentException(typeName() + ": invalid " + name + "=" + value + ", expected >= 0");
    }

    /** Throws unless {@code 0 <= value < 1}. */
    protected void checkUnit(String name, double value) {
        if (!(value >= 0 && value < 1))
            throw new IllegalArgumentException(typeName() + ": invalid " + name + "=" + value + ", expected 0 <= " + name + " < 1");
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(typeName()).append(" (");
        for (int i = 0; i < groups.size(); i++) b.append("\n  group ").append(i).append(": ").append(groups.get(i));
        return b.append("\n)").toString();
    }
}
