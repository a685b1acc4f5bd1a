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

    /**
     * The layers in turn; a {@link ReLU} directly followed by a {@link MaxPool2d} (both exactly
     * those classes, not subclasses that might change what they compute) runs as one fused pooling
     * of the rectified input, with the same result and gradients and without storing the
     * rectified activation; a {@link Conv2d} before them (exactly that class too) joins the fused
     * op ({@link Conv2d#forwardReluMaxPool}), which then stores neither activation.
     */
    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (int i = 0, n = layers.size(); i < n; i++) {
            Layer l = layers.get(i);
            if (i + 2 < n && l.getClass() == Conv2d.class && layers.get(i + 1).getClass() == ReLU.class
                && layers.get(i + 2).getClass() == MaxPool2d.class) {
                x = ((Conv2d) l).forwardReluMaxPool(x, (MaxPool2d) layers.get(i + 2));
                i += 2;
                continue;
            }
            if (i + 1 < n && l.getClass() == ReLU.class && layers.get(i + 1).getClass() == MaxPool2d.class) {
                x = ((MaxPool2d) layers.get(++i)).forwardAfterRelu(x);
                continue;
            }
            x = l.forward(x);
        }
        return x;
    }
}
