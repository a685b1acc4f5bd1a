package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Softmax along {@code dim}: {@code exp(x) / Σ exp(x)}. */
public class Softmax extends Layer {
    public final int dim;

    public Softmax(int dim) { this.dim = dim; }

    @Override
    public Tensor forward(Tensor x) {
        LayerChecks.expectDim(this, x, dim);
        return Functional.softmax(x, dim);
    }

    @Override
    protected String extraRepr() { return "dim=" + dim; }
}
