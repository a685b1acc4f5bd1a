package dev.fathom.train.metrics;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/** Turns model outputs and targets into class labels for the classification metrics. */
final class Classes {
    private Classes() {}

    /**
     * The predicted class of each example: the argmax over dimension 1 when the output has one more
     * dimension than the target ({@code [N, C]} scores against {@code [N]} labels, or {@code [N, C, ...]}
     * against {@code [N, ...]}); the output itself when it holds integer labels of the target's shape;
     * {@code output > threshold} when it is a floating score of the target's shape (binary).
     */
    static long[] predicted(String metric, Tensor output, Tensor target, double threshold) {
        if (output.ndim() == target.ndim() + 1 && output.ndim() >= 2) {
            Tensor arg = output.detach().argmax(1);
            if (Arrays.equals(arg.shape(), target.shape())) return arg.toLongArray();
        }
        if (Arrays.equals(output.shape(), target.shape())) {
            if (output.dtype().isFloatingPoint()) return output.detach().gt(threshold).toLongArray();
            return output.toLongArray();
        }
        throw new IllegalArgumentException(metric + ": expected an output of shape [N, C, ...] with a target of shape [N, ...], "
            + "or an output of the target's shape (labels or binary scores); got output " + Shapes.format(output.shape())
            + " and target " + Shapes.format(target.shape()));
    }

    /** The target's class labels, checked to be whole numbers. */
    static long[] labels(String metric, Tensor target) {
        double[] v = target.toDoubleArray();
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || v[i] < 0)
                throw new IllegalArgumentException(metric + ": target value " + v[i] + " at index " + i
                    + " is not a class index (a whole number >= 0)");
            out[i] = (long) v[i];
        }
        return out;
    }
}
