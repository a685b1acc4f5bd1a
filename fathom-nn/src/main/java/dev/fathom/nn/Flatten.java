package dev.fathom.nn;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Flattens dimensions {@code startDim..endDim} into one (defaults 1 and -1: everything but the
 * batch dimension), as PyTorch's {@code nn.Flatten}: {@code [N, C, H, W] → [N, C·H·W]}.
 */
public class Flatten extends Layer {
    public final int startDim, endDim;

    public Flatten() { this(1, -1); }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        int n = Math.max(x.ndim(), 1);
        int s = startDim < 0 ? startDim + n : startDim, e = endDim < 0 ? endDim + n : endDim;
        if (s < 0 || s >= n || e < 0 || e >= n) {
            int rank = Math.max(startDim < 0 ? -startDim : startDim + 1, endDim < 0 ? -endDim : endDim + 1);
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected input with at least " + rank
                + " dimensions, got shape " + Shapes.format(x.shape()));
        }
        if (s > e)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): for input shape " + Shapes.format(x.shape())
                + " startDim is dimension " + s + ", after endDim " + e);
        return x.flatten(s, e);
    }

    @Override
    protected String extraRepr() { return "startDim=" + startDim + ", endDim=" + endDim; }
}
