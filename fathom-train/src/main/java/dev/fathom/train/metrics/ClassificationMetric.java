package dev.fathom.train.metrics;

import dev.fathom.tensor.Tensor;

/**
 * Precision, recall or F1 over {@code numClasses} classes, accumulated in a {@link ConfusionMatrix}:
 * {@link #result()} is the macro average (the unweighted mean over classes, scikit-learn's
 * {@code average='macro'}), {@link #perClass()} the value of each class.
 *
 * {@snippet :
 * var f1 = ClassificationMetric.f1(10);
 * trainer.metrics(new Accuracy(), f1);   // logged as "f1" and "val_f1"
 * }
 */
public final class ClassificationMetric implements Metric {
    /** Which quantity. */
    public enum Kind { PRECISION, RECALL, F1 }

    private final Kind kind;
    private final ConfusionMatrix matrix;

    public ClassificationMetric(Kind kind, int numClasses) {
        if (kind == null) throw new IllegalArgumentException("ClassificationMetric: kind is null");
        this.kind = kind;
        this.matrix = new ConfusionMatrix(numClasses);
    }

    public static ClassificationMetric precision(int numClasses) { return new ClassificationMetric(Kind.PRECISION, numClasses); }

    public static ClassificationMetric recall(int numClasses) { return new ClassificationMetric(Kind.RECALL, numClasses); }

    public static ClassificationMetric f1(int numClasses) { return new ClassificationMetric(Kind.F1, numClasses); }

    @Override public String name() { return kind.name().toLowerCase(java.util.Locale.ROOT); }

    @Override public void reset() { matrix.reset(); }

    @Override public void update(Tensor output, Tensor target) { matrix.update(output, target); }

    /** The value of each class. */
    public double[] perClass() {
        return switch (kind) {
            case PRECISION -> matrix.precision();
            case RECALL -> matrix.recall();
            case F1 -> matrix.f1();
        };
    }

    /** The confusion matrix the values come from (live). */
    public ConfusionMatrix confusionMatrix() { return matrix; }

    @Override
    public double result() {
        if (matrix.total() == 0) return Double.NaN;
        double s = 0;
        double[] v = perClass();
        for (double x : v) s += x;
        return s / v.length;
    }
}
