package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** SiLU (swish), {@code x·sigmoid(x)} elementwise; see {@link Functional#silu}. */
public class SiLU extends Layer {
    @Override
    public Tensor forward(Tensor x) { return Functional.silu(x); }
}
