package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Log-softmax along {@code dim}: {@code x - log Σ exp(x)}, computed stably. */
public class LogSoftmax extends Layer {
    public final int dim;

    public LogSoftmax(int dim) { this.dim = dim; }

    @Override
    public Tensor forward(Tensor x) {
        int n = Math.max(x.ndim(), 1);
        if (dim < -n || dim >= n)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): dimension " + dim + " is out of range for "
                + "input of shape " + dev.fathom.tensor.Shapes.format(x.shape()));
        return Functional.logSoftmax(x, dim);
    }

    @Override
    protected String extraRepr() { return "dim=" + dim; }
}
