package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** {@code log(1 + exp(beta·x)) / beta}, linear where {@code beta·x > threshold} (defaults 1 and 20). */
public class Softplus extends Layer {
    public final double beta, threshold;

    public Softplus() { this(1, 20); }

    public Softplus(double beta, double threshold) {
        if (beta == 0 || !Double.isFinite(beta))
            throw new IllegalArgumentException("Softplus: beta must be finite and non-zero, got " + beta);
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor x) { return Functional.softplus(x, beta, threshold); }

    @Override
    protected String extraRepr() { return "beta=" + beta + ", threshold=" + threshold; }
}
