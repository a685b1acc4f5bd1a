package dev.fathom.nn;

import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

/**
 * PyTorch's {@code nn.Dropout}: in training mode each element is zeroed with probability
 * {@code p} and the survivors are scaled by {@code 1/(1-p)}, so the expected value is unchanged;
 * in evaluation mode it is the identity. The mask is drawn from {@link Generator#global()}.
 *
 * {@snippet :
 * Dropout drop = new Dropout(0.5);
 * Tensor y = drop.forward(x);          // about half of x zeroed, the rest doubled
 * drop.eval();
 * Tensor same = drop.forward(x);       // x itself
 * }
 */
public class Dropout extends Layer {
    public final double p;

    /** {@code p = 0.5}, PyTorch's default. */
    public Dropout() { this(0.5); }

    public Dropout(double p) {
        if (!(p >= 0 && p <= 1))
            throw new IllegalArgumentException("Dropout: probability p must be between 0 and 1, got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) { return dropout(x, p, isTraining()); }

    /**
     * Functional dropout ({@code F.dropout}): {@code x} unchanged when not training or {@code p = 0},
     * zeros when {@code p = 1}, otherwise {@code x · mask / (1-p)} with a Bernoulli(1-p) mask.
     */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        if (!(p >= 0 && p <= 1))
            throw new IllegalArgumentException("dropout: probability p must be between 0 and 1, got " + p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0.0);
        Tensor keep = Tensor.bernoulli(Generator.global(), 1 - p, x.dtype(), x.shape());
        return x.mul(keep.mul(1 / (1 - p)));
    }

    @Override
    protected String extraRepr() { return "p=" + p; }
}
