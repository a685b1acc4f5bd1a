package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** x for x &gt; 0, else {@code alpha·(exp(x) - 1)} (default alpha 1). */
public class ELU extends Layer {
    public final double alpha;

    public ELU() { this(1.0); }

    public ELU(double alpha) { this.alpha = alpha; }

    @Override
    public Tensor forward(Tensor x) { return Functional.elu(x, alpha); }

    @Override
    protected String extraRepr() { return "alpha=" + alpha; }
}
