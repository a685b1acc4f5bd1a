package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** {@code 1 / (1 + exp(-x))} elementwise; see {@link Functional#sigmoid}. */
public class Sigmoid extends Layer {
    @Override
    public Tensor forward(Tensor x) { return Functional.sigmoid(x); }
}
