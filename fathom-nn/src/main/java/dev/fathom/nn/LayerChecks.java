package dev.fathom.nn;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/** Input checks shared by layers that take inputs of several ranks (pooling, resizing, normalisation). */
final class LayerChecks {
    private LayerChecks() {}

    /** Throws, naming the layer, unless {@code x} has one of {@code ranks} dimensions; {@code what} describes the layout. */
    static void expectRank(Module layer, Tensor x, String what, int... ranks) {
        for (int r : ranks) if (x.ndim() == r) return;
        throw new IllegalArgumentException(layer.typeName() + "(" + layer.extraRepr() + "): expected input " + what
            + ", got shape " + Shapes.format(x.shape()));
    }

    /** Throws, naming the layer, unless {@code dim} indexes a dimension of {@code x} (a 0-d input counts as 1-d). */
    static void expectDim(Module layer, Tensor x, int dim) {
        int n = Math.max(x.ndim(), 1);
        if (dim < -n || dim >= n)
            throw new IllegalArgumentException(layer.typeName() + "(" + layer.extraRepr() + "): dimension " + dim
                + " is out of range for input of shape " + Shapes.format(x.shape()));
    }

    static int[] pair(int v) { return new int[] {v, v}; }

    static int[] pairOf(String layer, String name, int[] v, int min) {
        if (v == null || v.length != 2)
            throw new IllegalArgumentException(layer + ": " + name + " must have 2 values (height, width), got "
                + (v == null ? "null" : java.util.Arrays.toString(v)));
        for (int x : v)
            if (x < min)
                throw new IllegalArgumentException(layer + ": " + name + " must be " + (min == 0 ? "non-negative" : "positive")
                    + ", got " + java.util.Arrays.toString(v));
        return v.clone();
    }

    static void atLeast(String layer, String name, int v, int min) {
        if (v < min)
            throw new IllegalArgumentException(layer + ": " + name + " must be " + (min == 0 ? "non-negative" : "positive")
                + ", got " + v);
    }
}
