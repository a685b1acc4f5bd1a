package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Log-softmax along {@code dim}: {@code x - log Σ exp(x)}, computed stably. */
public class LogSoftmax extends Layer {
    public final int dim;

    public LogSoftmax(int dim) { this.dim = dim; }

    @Override
    public Tensor forward(Tensor x) {
        LayerChecks.expectDim(this, x, dim);
        return Functional.logSoftmax(x, dim);
    }

    @Override
    protected String extraRepr() { return "dim=" + dim; }
}
