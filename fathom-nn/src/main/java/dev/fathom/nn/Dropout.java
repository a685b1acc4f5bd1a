package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/**
 * In training mode zeroes each element with probability {@code p} (default 0.5) and scales the
 * others by {@code 1/(1-p)}; in evaluation mode returns the input. The mask is drawn from
 * {@link dev.fathom.tensor.Generator#global()} as PyTorch draws it. See {@link Functional#dropout}.
 */
public class Dropout extends Layer {
    public final double p;

    public Dropout() { this(0.5); }

    public Dropout(double p) {
        Functional.checkP(typeName(), p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) { return Functional.dropout(x, p, isTraining()); }

    @Override
    protected String extraRepr() { return "p=" + p; }
}
