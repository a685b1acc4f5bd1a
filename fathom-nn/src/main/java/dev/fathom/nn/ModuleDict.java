package dev.fathom.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Modules by name, in insertion order, so their parameters are registered under those names. */
public class ModuleDict<M extends Module> extends Module {
    private final Map<String, M> items = new LinkedHashMap<>();

    /** Adds a module under {@code name}; returns this. */
    public ModuleDict<M> put(String name, M module) {
        items.put(name, registerModule(name, module));
        return this;
    }

    /** The module named {@code name}; an unknown name is an error listing the known ones. */
    public M get(String name) {
        M m = items.get(name);
        if (m == null) throw new IllegalArgumentException("ModuleDict: no module named '" + name + "'; it has " + items.keySet());
        return m;
    }

    public boolean containsKey(String name) { return items.containsKey(name); }

    /** The modules by name (unmodifiable). */
    public Map<String, M> items() { return Collections.unmodifiableMap(items); }

    public int size() { return items.size(); }
}
