package dev.fathom.train.metrics;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * The fraction of examples whose target class is among the {@code k} highest scores of the
 * output ({@code [N, C]} scores, {@code [N]} labels). Ties with the k-th score count as inside,
 * as Keras's {@code top_k_categorical_accuracy}.
 */
public final class TopKAccuracy implements Metric {
    private final int k;
    private long correct, total;

    public TopKAccuracy(int k) {
        if (k < 1) throw new IllegalArgumentException("TopKAccuracy: k must be >= 1, got " + k);
        this.k = k;
    }

    @Override public String name() { return "top" + k + "_accuracy"; }

    @Override public void reset() { correct = 0; total = 0; }

    @Override
    public void update(Tensor output, Tensor target) {
        if (output.ndim() != 2 || target.ndim() != 1 || output.size(0) != target.size(0))
            throw new IllegalArgumentException("TopKAccuracy: expected output [N, C] and target [N], got output "
                + Shapes.format(output.shape()) + " and target " + Shapes.format(target.shape()));
        int n = output.size(0), c = output.size(1);
        double[] s = output.toDoubleArray();
        long[] t = Classes.labels("TopKAccuracy", target);
        for (int i = 0; i < n; i++) {
            if (t[i] >= c)
                throw new IllegalArgumentException("TopKAccuracy: target " + t[i] + " at index " + i + " is out of range for " + c + " classes");
            double mine = s[i * c + (int) t[i]];
            int higher = 0;
            for (int j = 0; j < c; j++) if (s[i * c + j] > mine) higher++;
            if (higher < k) correct++;
        }
        total += n;
    }

    @Override public double result() { return total == 0 ? Double.NaN : (double) correct / total; }
}
