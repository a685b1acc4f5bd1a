package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** {@code max(x, 0)} elementwise; see {@link Functional#relu}. */
public class ReLU extends Layer {
    @Override
    public Tensor forward(Tensor x) { return Functional.relu(x); }
}
