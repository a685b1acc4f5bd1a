package dev.fathom.nn;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * A module with one input and one output tensor, the kind {@link Sequential} chains: linear and
 * convolution layers, activations, normalisation, dropout, pooling.
 */
public abstract class Layer extends Module {
    /** Computes the layer's output; records the graph when the input or parameters require grad. */
    public abstract Tensor forward(Tensor input);

    /**
     * Checks that {@code x} has one of the allowed ranks and, at {@code dim}, the size the layer
     * was built for; the error names the layer, the shape it got and what it expects.
     */
    protected void expectInput(Tensor x, int dim, int size, String what, int... ranks) {
        boolean rankOk = ranks.length == 0;
        for (int r : ranks) rankOk |= x.ndim() == r;
        int d = dim < 0 ? dim + x.ndim() : dim;
        if (!rankOk || d < 0 || d >= x.ndim() || x.size(d) != size)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected input with " + size + " " + what
                + (ranks.length == 0 ? "" : " and " + rankText(ranks) + " dimensions") + ", got shape " + Shapes.format(x.shape()));
    }

    private static String rankText(int[] ranks) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ranks.length; i++) b.append(i == 0 ? "" : i == ranks.length - 1 ? " or " : ", ").append(ranks[i]);
        return b.toString();
    }
}
