package dev.fathom.train.metrics;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * Mean absolute error or root mean squared error over every element of every batch (the root is
 * taken at the end, so RMSE is over the whole pass, not an average of batch RMSEs). Output and
 * target must have the same number of elements.
 */
public final class RegressionMetric implements Metric {
    /** Which error. */
    public enum Kind { MAE, RMSE }

    private final Kind kind;
    private double sum;
    private long count;

    public RegressionMetric(Kind kind) {
        if (kind == null) throw new IllegalArgumentException("RegressionMetric: kind is null");
        this.kind = kind;
    }

    public static RegressionMetric mae() { return new RegressionMetric(Kind.MAE); }

    public static RegressionMetric rmse() { return new RegressionMetric(Kind.RMSE); }

    @Override public String name() { return kind.name().toLowerCase(java.util.Locale.ROOT); }

    @Override public void reset() { sum = 0; count = 0; }

    @Override
    public void update(Tensor output, Tensor target) {
        if (output.numel() != target.numel() || !(Arrays.equals(output.shape(), target.shape())
                || Arrays.equals(output.detach().flatten().shape(), target.detach().flatten().shape())))
            throw new IllegalArgumentException(kind + ": output " + Shapes.format(output.shape()) + " and target "
                + Shapes.format(target.shape()) + " must have the same number of elements");
        double[] o = output.toDoubleArray(), t = target.toDoubleArray();
        for (int i = 0; i < o.length; i++) {
            double d = o[i] - t[i];
            sum += kind == Kind.MAE ? Math.abs(d) : d * d;
        }
        count += o.length;
    }

    @Override
    public double result() {
        if (count == 0) return Double.NaN;
        return kind == Kind.MAE ? sum / count : Math.sqrt(sum / count);
    }
}
