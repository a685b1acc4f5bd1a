package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** SELU, {@code λ·elu(x, α)} with PyTorch's constants (Klambauer et al. 2017); see {@link Functional#selu}. */
public class SELU extends Layer {
    @Override
    public Tensor forward(Tensor x) { return Functional.selu(x); }
}
