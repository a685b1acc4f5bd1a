package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Hyperbolic tangent elementwise. */
public class Tanh extends Layer {
    @Override
    public Tensor forward(Tensor x) { return Functional.tanh(x); }
}
