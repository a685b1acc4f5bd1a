package dev.fathom.train.metrics;

import dev.fathom.tensor.Tensor;

/**
 * Counts of (true class, predicted class) pairs over batches: {@code counts()[t][p]} is the number
 * of examples of class {@code t} predicted as {@code p} (rows are true classes, as scikit-learn).
 * Predictions are read from the output as {@link Accuracy} does.
 */
public final class ConfusionMatrix {
    private final int numClasses;
    private final double threshold;
    private final long[][] counts;

    /** A matrix for {@code numClasses} classes (threshold 0.5 for binary scores). */
    public ConfusionMatrix(int numClasses) { this(numClasses, 0.5); }

    public ConfusionMatrix(int numClasses, double threshold) {
        if (numClasses < 2) throw new IllegalArgumentException("ConfusionMatrix: numClasses must be >= 2, got " + numClasses);
        this.numClasses = numClasses;
        this.threshold = threshold;
        this.counts = new long[numClasses][numClasses];
    }

    public int numClasses() { return numClasses; }

    /** Clears the counts. */
    public void reset() { for (long[] row : counts) java.util.Arrays.fill(row, 0); }

    /** Adds one batch. */
    public void update(Tensor output, Tensor target) {
        long[] p = Classes.predicted("ConfusionMatrix", output, target, threshold);
        long[] t = Classes.labels("ConfusionMatrix", target);
        for (int i = 0; i < p.length; i++) {
            if (t[i] >= numClasses || p[i] < 0 || p[i] >= numClasses)
                throw new IllegalArgumentException("ConfusionMatrix: class " + (t[i] >= numClasses ? t[i] : p[i]) + " at index " + i
                    + " is out of range for " + numClasses + " classes");
            counts[(int) t[i]][(int) p[i]]++;
        }
    }

    /** A copy of the counts, rows = true class, columns = predicted class. */
    public long[][] counts() {
        long[][] c = new long[numClasses][];
        for (int i = 0; i < numClasses; i++) c[i] = counts[i].clone();
        return c;
    }

    /** Precision of each class: TP / (TP + FP), 0 where the class was never predicted (as scikit-learn's zero_division=0). */
    public double[] precision() {
        double[] out = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            long predicted = 0;
            for (int t = 0; t < numClasses; t++) predicted += counts[t][c];
            out[c] = predicted == 0 ? 0 : (double) counts[c][c] / predicted;
        }
        return out;
    }

    /** Recall of each class: TP / (TP + FN), 0 where the class never occurs. */
    public double[] recall() {
        double[] out = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            long actual = 0;
            for (int p = 0; p < numClasses; p++) actual += counts[c][p];
            out[c] = actual == 0 ? 0 : (double) counts[c][c] / actual;
        }
        return out;
    }

    /** F1 of each class: the harmonic mean of precision and recall, 0 where both are 0. */
    public double[] f1() {
        double[] p = precision(), r = recall(), out = new double[numClasses];
        for (int c = 0; c < numClasses; c++) out[c] = p[c] + r[c] == 0 ? 0 : 2 * p[c] * r[c] / (p[c] + r[c]);
        return out;
    }

    /** The total number of examples counted. */
    public long total() {
        long n = 0;
        for (long[] row : counts) for (long v : row) n += v;
        return n;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ConfusionMatrix (rows: true class, columns: predicted)\n");
        for (long[] row : counts) {
            for (long v : row) b.append(String.format("%8d", v));
            b.append('\n');
        }
        return b.toString();
    }
}
