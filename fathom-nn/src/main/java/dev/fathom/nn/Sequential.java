package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Layers applied one after another; submodules are named "0", "1", ... as in PyTorch. */
public class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) add(l);
    }

    /** Appends a layer (named by its position); returns this. */
    public Sequential add(Layer layer) {
        layers.add(registerModule(Integer.toString(layers.size()), layer));
        return this;
    }

    /** Layer {@code i}. */
    public Layer get(int i) {
        if (i < 0 || i >= layers.size())
            throw new IndexOutOfBoundsException("Sequential: index " + i + " out of range for " + layers.size() + " layers");
        return layers.get(i);
    }

    public int size() { return layers.size(); }

    /** The layers in order (unmodifiable). */
    public List<Layer> layers() { return Collections.unmodifiableList(layers); }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Layer l : layers) x = l.forward(x);
        return x;
    }
}
