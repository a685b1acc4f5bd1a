package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Softmax along {@code dim}: {@code exp(x) / Σ exp(x)}. */
public class Softmax extends Layer {
    public final int dim;

    public Softmax(int dim) { this.dim = dim; }

    @Override
    public Tensor forward(Tensor x) {
        int n = Math.max(x.ndim(), 1);
        if (dim < -n || dim >= n)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): dimension " + dim + " is out of range for "
                + "input of shape " + dev.fathom.tensor.Shapes.format(x.shape()));
        return Functional.softmax(x, dim);
    }

    @Override
    protected String extraRepr() { return "dim=" + dim; }
}
