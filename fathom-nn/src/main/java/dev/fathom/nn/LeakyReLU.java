package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** x for x &gt; 0, else {@code negativeSlope·x} (default 0.01). */
public class LeakyReLU extends Layer {
    public final double negativeSlope;

    public LeakyReLU() { this(0.01); }

    public LeakyReLU(double negativeSlope) { this.negativeSlope = negativeSlope; }

    @Override
    public Tensor forward(Tensor x) { return Functional.leakyRelu(x, negativeSlope); }

    @Override
    protected String extraRepr() { return "negativeSlope=" + negativeSlope; }
}
