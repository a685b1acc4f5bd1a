package dev.fathom.train.metrics;

import dev.fathom.tensor.Tensor;

/**
 * The fraction of examples whose predicted class equals the target. The output may be scores
 * ({@code [N, C]}, argmax taken), labels of the target's shape, or binary scores of the target's
 * shape compared with a threshold (0.5 by default; use 0 for logits).
 */
public final class Accuracy implements Metric {
    private final double threshold;
    private long correct, total;

    /** Accuracy with threshold 0.5 for binary scores. */
    public Accuracy() { this(0.5); }

    /** Accuracy with the given threshold for binary scores (0 for logits, 0.5 for probabilities). */
    public Accuracy(double threshold) { this.threshold = threshold; }

    @Override public String name() { return "accuracy"; }

    @Override public void reset() { correct = 0; total = 0; }

    @Override
    public void update(Tensor output, Tensor target) {
        long[] p = Classes.predicted("Accuracy", output, target, threshold);
        long[] t = Classes.labels("Accuracy", target);
        for (int i = 0; i < p.length; i++) if (p[i] == t[i]) correct++;
        total += p.length;
    }

    @Override public double result() { return total == 0 ? Double.NaN : (double) correct / total; }
}
