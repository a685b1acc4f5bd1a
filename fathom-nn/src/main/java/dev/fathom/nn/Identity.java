package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Returns its input unchanged (a placeholder, e.g. to remove a layer from a model). */
public class Identity extends Layer {
    @Override
    public Tensor forward(Tensor x) { return x; }
}
