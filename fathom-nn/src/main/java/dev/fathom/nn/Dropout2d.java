package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/**
 * Channel dropout for {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) input: in training
 * mode each whole channel is zeroed with probability {@code p} (default 0.5) and the others are
 * scaled by {@code 1/(1-p)}; in evaluation mode returns the input. See {@link Functional#dropout2d}.
 */
public class Dropout2d extends Layer {
    public final double p;

    public Dropout2d() { this(0.5); }

    public Dropout2d(double p) {
        Functional.checkP(typeName(), p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.ndim() != 3 && x.ndim() != 4)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected input of shape [N, C, H, W] or "
                + "[C, H, W], got shape " + dev.fathom.tensor.Shapes.format(x.shape()));
        return Functional.dropout2d(x, p, isTraining());
    }

    @Override
    protected String extraRepr() { return "p=" + p; }
}
