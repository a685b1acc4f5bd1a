package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The base of every network part, as PyTorch's {@code nn.Module}: named parameters (tensors
 * that require grad and that optimisers update), buffers (state that is saved but not trained,
 * such as BatchNorm's running statistics) and submodules, with dotted names
 * ({@code features.0.weight}) for state dicts. A subclass registers its parts in its constructor:
 *
 * {@snippet :
 * class Block extends Layer {
 *     final Linear fc = registerModule("fc", new Linear(64, 64));
 *     public Tensor forward(Tensor x) { return fc.forward(x).relu().add(x); }   // a residual block
 * }
 * }
 *
 * Modules with one input and one output extend {@link Layer}; others (recurrent layers,
 * attention) define their own forward methods.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> modules = new LinkedHashMap<>();
    private boolean training = true;

    // ------------------------------------------------------------------ registration

    /**
     * Registers {@code value} as parameter {@code name} (it becomes a leaf that requires grad) and
     * returns it; null registers an absent parameter (a layer built without bias), which state
     * dicts skip.
     */
    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        if (value != null) {
            if (!value.isLeaf())
                throw new IllegalArgumentException(typeName() + ": parameter '" + name + "' must be a leaf tensor, but it "
                    + "was computed by " + value.gradFn().name() + "; pass value.detach()");
            value.requiresGrad(true);
        }
        parameters.put(name, value);
        return value;
    }

    /** Registers a buffer: saved in the state dict, moved with the module, never trained. Returns it. */
    protected Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /** Registers a submodule under {@code name} and returns it. */
    protected <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        if (module == null) throw new IllegalArgumentException(typeName() + ": submodule '" + name + "' is null");
        if (module == this) throw new IllegalArgumentException(typeName() + ": a module cannot contain itself");
        modules.put(name, module);
        return module;
    }

    /** Replaces the value of an already registered buffer (running statistics update this way). */
    protected void setBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name))
            throw new IllegalArgumentException(typeName() + ": no buffer named '" + name + "'; registered: " + buffers.keySet());
        buffers.put(name, value);
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains("."))
            throw new IllegalArgumentException(typeName() + ": invalid name '" + name + "'; names are non-empty and contain no dots");
        if (parameters.containsKey(name) || buffers.containsKey(name) || modules.containsKey(name))
            throw new IllegalArgumentException(typeName() + ": '" + name + "' is already registered");
    }

    // ------------------------------------------------------------------ traversal

    /** Every parameter of this module and its submodules, each once, in registration order. */
    public List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** Parameters by dotted name ({@code layers.0.weight}); a tensor shared by two modules appears once. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(out, "", true, seen);
        return out;
    }

    /** Buffers by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(out, "", false, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collect(Map<String, Tensor> out, String prefix, boolean params, Set<Tensor> seen) {
        for (var e : (params ? parameters : buffers).entrySet())
            if (e.getValue() != null && seen.add(e.getValue())) out.put(prefix + e.getKey(), e.getValue());
        for (var e : modules.entrySet()) e.getValue().collect(out, prefix + e.getKey() + ".", params, seen);
    }

    /** The direct submodules by name. */
    public Map<String, Module> namedChildren() { return Collections.unmodifiableMap(modules); }

    /** This module (named "") and every submodule below it by dotted name, depth first. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        walk(out, "");
        return out;
    }

    private void walk(Map<String, Module> out, String name) {
        out.put(name, this);
        for (var e : modules.entrySet()) e.getValue().walk(out, name.isEmpty() ? e.getKey() : name + "." + e.getKey());
    }

    /** Calls {@code fn} on every submodule, then on this module (as PyTorch's {@code apply}); returns this. */
    public Module apply(Consumer<Module> fn) {
        for (Module m : modules.values()) m.apply(fn);
        fn.accept(this);
        return this;
    }

    // ------------------------------------------------------------------ state dict

    /**
     * Parameters and buffers by dotted name, in PyTorch's order (each module's parameters, then
     * its buffers, then its submodules). The tensors are the module's own, detached.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state(out, "");
        return out;
    }

    private void state(Map<String, Tensor> out, String prefix) {
        for (var e : parameters.entrySet()) if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue().detach());
        for (var e : buffers.entrySet()) if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue().detach());
        for (var e : modules.entrySet()) e.getValue().state(out, prefix + e.getKey() + ".");
    }

    /** Keys of a state dict that the module lacks ({@code unexpected}) and module entries the dict lacks ({@code missing}). */
    public record LoadResult(List<String> missing, List<String> unexpected) {}

    /**
     * Copies values from {@code state} into this module's parameters and buffers (converting the
     * type if needed). Everything is checked before anything is written: a shape mismatch always
     * fails, and with {@code strict} so does a missing or unexpected key, leaving the module as it
     * was.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), wrong = new ArrayList<>();
        for (String k : own.keySet()) if (!state.containsKey(k)) missing.add(k);
        for (var e : state.entrySet()) {
            Tensor mine = own.get(e.getKey());
            if (mine == null) unexpected.add(e.getKey());
            else if (!Arrays.equals(mine.shape(), e.getValue().shape()))
                wrong.add(e.getKey() + ": the module has shape " + Shapes.format(mine.shape()) + ", the state dict "
                    + Shapes.format(e.getValue().shape()));
        }
        if (!wrong.isEmpty())
            throw new IllegalArgumentException(typeName() + ".loadStateDict: shapes differ for " + String.join("; ", wrong)
                + "; nothing was loaded");
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty()))
            throw new IllegalArgumentException(typeName() + ".loadStateDict: " + (missing.isEmpty() ? "" : "missing keys " + missing)
                + (missing.isEmpty() || unexpected.isEmpty() ? "" : " and ") + (unexpected.isEmpty() ? "" : "unexpected keys " + unexpected)
                + "; nothing was loaded (pass strict = false to load the keys that match)");
        try (var ignored = Autograd.noGrad()) {
            for (var e : state.entrySet()) {
                Tensor mine = own.get(e.getKey());
                if (mine != null) mine.copyFrom(e.getValue());
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ------------------------------------------------------------------ modes

    /** Training mode (the default): dropout drops, batch norm uses batch statistics. Applies to submodules. Returns this. */
    public Module train(boolean on) {
        training = on;
        for (Module m : modules.values()) m.train(on);
        return this;
    }

    /** {@code train(true)}. */
    public Module train() { return train(true); }

    /** Evaluation mode: {@code train(false)}. */
    public Module eval() { return train(false); }

    public boolean isTraining() { return training; }

    /** Freezes ({@code false}) or unfreezes every parameter; returns this. */
    public Module requiresGrad(boolean on) {
        for (Tensor p : parameters()) p.requiresGrad(on);
        return this;
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    /** Number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    /** Number of elements of parameters that require grad (not frozen). */
    public long trainableParameterCount() {
        long n = 0;
        for (Tensor p : parameters()) if (p.requiresGrad()) n += p.numel();
        return n;
    }

    // ------------------------------------------------------------------ printing

    /** The layer's settings for {@link #toString()}, e.g. {@code in=784, out=256, bias=true}. */
    protected String extraRepr() { return ""; }

    /** The name printed for this module; the class name by default. */
    public String typeName() { return getClass().getSimpleName().isEmpty() ? "Module" : getClass().getSimpleName(); }

    /**
     * A tree of the module like PyTorch's print, each line with its parameter count, and the
     * totals at the end (like a Keras summary).
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        tree(b, "");
        long total = parameterCount(), trainable = trainableParameterCount();
        b.append("\nparameters: ").append(String.format("%,d", total));
        if (trainable != total) b.append(" (trainable ").append(String.format("%,d", trainable)).append(')');
        return b.toString();
    }

    private void tree(StringBuilder b, String indent) {
        b.append(typeName()).append('(').append(extraRepr());
        if (modules.isEmpty()) {
            b.append(')');
        } else {
            b.append('\n');
            for (var e : modules.entrySet()) {
                b.append(indent).append("  (").append(e.getKey()).append("): ");
                e.getValue().tree(b, indent + "  ");
                b.append('\n');
            }
            b.append(indent).append(')');
        }
        long all = parameterCount();
        if (all > 0) b.append("  # ").append(String.format("%,d", all)).append(all == 1 ? " parameter" : " parameters");
    }
}
