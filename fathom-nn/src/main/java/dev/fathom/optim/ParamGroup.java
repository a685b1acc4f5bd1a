package dev.fathom.optim;

import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A list of parameters with its own hyper-parameters, like an entry of PyTorch's
 * {@code optimizer.param_groups}. Options use PyTorch's keys ({@code lr}, {@code weight_decay},
 * {@code betas}, ...); options a group does not set are filled from the optimizer's defaults when
 * the group is added.
 *
 * {@snippet :
 * var opt = new SGD(new SGD.Options().lr(0.1).momentum(0.9), List.of(
 *     new ParamGroup(backbone.parameters()),                  // lr 0.1 from the defaults
 *     new ParamGroup(head.parameters(), Map.of("lr", 0.01))));
 * }
 *
 * Values are doubles (numbers are converted), booleans, or {@code double[]} (copied in and out).
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final Map<String, Object> options = new LinkedHashMap<>();

    /** A group of {@code params} that takes every option from the optimizer's defaults. */
    public ParamGroup(List<Tensor> params) { this(params, Map.of()); }

    /** A group of {@code params} with the given options (the rest come from the optimizer's defaults). */
    public ParamGroup(List<Tensor> params, Map<String, ?> options) {
        if (params == null || params.isEmpty()) throw new IllegalArgumentException("ParamGroup: the parameter list is empty");
        for (int i = 0; i < params.size(); i++)
            if (params.get(i) == null) throw new IllegalArgumentException("ParamGroup: parameter " + i + " is null");
        this.params = List.copyOf(params);
        options.forEach(this::set);
    }

    /** The parameters (unmodifiable). */
    public List<Tensor> params() { return params; }

    /** A snapshot of the options (arrays copied). */
    public Map<String, Object> options() {
        Map<String, Object> out = new LinkedHashMap<>();
        options.forEach((k, v) -> out.put(k, copyValue(v)));
        return Collections.unmodifiableMap(out);
    }

    /** The option names, in insertion order. */
    public List<String> keys() { return new ArrayList<>(options.keySet()); }

    /** True if the option is set. */
    public boolean has(String key) { return options.containsKey(key); }

    /** Sets an option (numbers become doubles; arrays and lists of numbers become {@code double[]}); returns this. */
    public ParamGroup set(String key, Object value) {
        options.put(key, normalise(key, value));
        return this;
    }

    /** A numeric option. */
    public double getDouble(String key) {
        return switch (get(key)) {
            case Double d -> d;
            case Boolean b -> b ? 1 : 0;
            case Object o -> throw new IllegalArgumentException("ParamGroup: option '" + key + "' is not a number: " + show(o));
        };
    }

    /** A boolean option. */
    public boolean getBoolean(String key) {
        if (get(key) instanceof Boolean b) return b;
        throw new IllegalArgumentException("ParamGroup: option '" + key + "' is not a boolean: " + show(get(key)));
    }

    /** An array option such as {@code betas} (a copy). */
    public double[] getDoubles(String key) {
        if (get(key) instanceof double[] a) return a.clone();
        throw new IllegalArgumentException("ParamGroup: option '" + key + "' is not an array: " + show(get(key)));
    }

    /** The learning rate ({@code lr}). */
    public double lr() { return getDouble("lr"); }

    /** Sets the learning rate; returns this. */
    public ParamGroup lr(double lr) { return set("lr", lr); }

    private Object get(String key) {
        Object v = options.get(key);
        if (v == null) throw new IllegalArgumentException("ParamGroup: no option '" + key + "'; it has " + options.keySet());
        return v;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ParamGroup(").append(params.size()).append(" params");
        options.forEach((k, v) -> b.append(", ").append(k).append('=').append(show(v)));
        return b.append(')').toString();
    }

    static Object normalise(String key, Object value) {
        return switch (value) {
            case null -> throw new IllegalArgumentException("ParamGroup: option '" + key + "' is null");
            case Boolean b -> b;
            case Number n -> n.doubleValue();
            case double[] a -> a.clone();
            case float[] a -> { double[] d = new double[a.length]; for (int i = 0; i < a.length; i++) d[i] = a[i]; yield d; }
            case List<?> l -> {
                double[] d = new double[l.size()];
                for (int i = 0; i < d.length; i++) {
                    if (!(l.get(i) instanceof Number n))
                        throw new IllegalArgumentException("ParamGroup: option '" + key + "' must hold numbers, got " + l);
                    d[i] = n.doubleValue();
                }
                yield d;
            }
            case String s -> s;
            default -> throw new IllegalArgumentException("ParamGroup: option '" + key + "' has unsupported type "
                + value.getClass().getSimpleName() + " (use a number, boolean, string or double[])");
        };
    }

    static Object copyValue(Object v) { return v instanceof double[] a ? a.clone() : v; }

    static String show(Object v) { return v instanceof double[] a ? java.util.Arrays.toString(a) : String.valueOf(v); }
}
