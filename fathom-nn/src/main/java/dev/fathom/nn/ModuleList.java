package dev.fathom.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/** Modules held in a list so their parameters are registered (named "0", "1", ...); the owner decides how to call them. */
public class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    @SafeVarargs
    public ModuleList(M... modules) {
        for (M m : modules) add(m);
    }

    /** Appends a module; returns this. */
    public ModuleList<M> add(M module) {
        items.add(registerModule(Integer.toString(items.size()), module));
        return this;
    }

    public M get(int i) {
        if (i < 0 || i >= items.size())
            throw new IndexOutOfBoundsException("ModuleList: index " + i + " out of range for " + items.size() + " modules");
        return items.get(i);
    }

    public int size() { return items.size(); }

    @Override
    public Iterator<M> iterator() { return Collections.unmodifiableList(items).iterator(); }
}
