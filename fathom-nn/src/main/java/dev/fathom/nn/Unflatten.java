package dev.fathom.nn;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * Splits dimension {@code dim} into {@code sizes} (one of them may be -1, inferred), as PyTorch's
 * {@code nn.Unflatten}: {@code Unflatten(1, 2, 5)} maps {@code [N, 10] → [N, 2, 5]}.
 */
public class Unflatten extends Layer {
    public final int dim;
    private final int[] sizes;

    public Unflatten(int dim, int... sizes) {
        if (sizes.length == 0) throw new IllegalArgumentException("Unflatten: sizes must not be empty");
        int inferred = 0;
        for (int s : sizes) {
            if (s == -1) inferred++;
            else if (s < 0) throw new IllegalArgumentException("Unflatten: sizes must be non-negative or -1, got " + Arrays.toString(sizes));
        }
        if (inferred > 1) throw new IllegalArgumentException("Unflatten: only one size may be -1, got " + Arrays.toString(sizes));
        this.dim = dim;
        this.sizes = sizes.clone();
    }

    /** The sizes dimension {@code dim} is split into. */
    public int[] sizes() { return sizes.clone(); }

    @Override
    public Tensor forward(Tensor x) {
        int d = dim < 0 ? dim + x.ndim() : dim;
        long known = 1;
        boolean infer = false;
        for (int s : sizes) if (s == -1) infer = true; else known *= s;
        boolean ok = d >= 0 && d < x.ndim()
            && (infer ? known != 0 && x.size(d) % known == 0 : known == x.size(d));
        if (!ok)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected input with a dimension " + dim
                + " of size " + (infer ? "divisible by " : "") + known + ", got shape " + Shapes.format(x.shape()));
        int[] shape = new int[x.ndim() - 1 + sizes.length];
        int k = 0;
        for (int i = 0; i < d; i++) shape[k++] = x.size(i);
        for (int s : sizes) shape[k++] = s == -1 ? (int) (x.size(d) / known) : s;
        for (int i = d + 1; i < x.ndim(); i++) shape[k++] = x.size(i);
        return x.reshape(shape);
    }

    @Override
    protected String extraRepr() { return "dim=" + dim + ", sizes=" + Arrays.toString(sizes); }
}
