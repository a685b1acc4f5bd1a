package dev.fathom.train.metrics;

import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MetricsTest {
    // Scores for 3 classes; argmax per row: 0, 1, 2, 1, 0, 2
    static final Tensor SCORES = Tensor.of(new float[][] {
        {0.9f, 0.05f, 0.05f}, {0.1f, 0.8f, 0.1f}, {0.2f, 0.3f, 0.5f},
        {0.3f, 0.4f, 0.3f}, {0.6f, 0.1f, 0.3f}, {0.1f, 0.2f, 0.7f}});
    static final Tensor LABELS = Tensor.vector(0L, 1L, 1L, 2L, 0L, 2L);

    @Test
    void accuracyAccumulatesOverBatches() {
        var acc = new Accuracy();
        assertTrue(Double.isNaN(acc.result()));
        acc.update(SCORES.narrow(0, 0, 4), LABELS.narrow(0, 0, 4));   // 0,1 right; 2,3 wrong
        assertEquals(0.5, acc.result(), 1e-12);
        acc.update(SCORES.narrow(0, 4, 2), LABELS.narrow(0, 4, 2));   // both right
        assertEquals(4.0 / 6, acc.result(), 1e-12);
        acc.reset();
        acc.update(Tensor.vector(1L, 2L, 3L), Tensor.vector(1L, 0L, 3L));   // labels against labels
        assertEquals(2.0 / 3, acc.result(), 1e-12);
    }

    @Test
    void binaryAccuracyUsesTheThreshold() {
        var probs = new Accuracy();
        probs.update(Tensor.vector(0.2f, 0.7f, 0.6f, 0.4f), Tensor.vector(0f, 1f, 0f, 0f));
        assertEquals(0.75, probs.result(), 1e-12);
        var logits = new Accuracy(0);
        logits.update(Tensor.vector(-1f, 0.3f, 2f, -0.1f), Tensor.vector(0f, 1f, 0f, 0f));
        assertEquals(0.75, logits.result(), 1e-12);
    }

    @Test
    void accuracyRejectsMismatchedShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Accuracy().update(SCORES, Tensor.vector(1L, 2L)));
        assertTrue(e.getMessage().contains("Accuracy") && e.getMessage().contains("[6, 3]"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class,
            () -> new Accuracy().update(Tensor.vector(1L, 2L), Tensor.vector(1f, 0.5f)));
        assertTrue(f.getMessage().contains("not a class index"), f.getMessage());
    }

    @Test
    void topKAccuracy() {
        var top2 = new TopKAccuracy(2);
        assertEquals("top2_accuracy", top2.name());
        // row 2: target 1 score 0.3 is 2nd -> in; row 3: target 2 score 0.3 ties 0.3, below 0.4 -> in
        top2.update(SCORES, LABELS);
        assertEquals(1.0, top2.result(), 1e-12);
        var top1 = new TopKAccuracy(1);
        top1.update(SCORES, LABELS);
        assertEquals(4.0 / 6, top1.result(), 1e-12);
        var tiny = new TopKAccuracy(1);
        tiny.update(Tensor.of(new float[][] {{0.1f, 0.5f, 0.4f}}), Tensor.vector(2L));
        assertEquals(0.0, tiny.result());
    }

    @Test
    void confusionMatrixAndPerClassScores() {
        var cm = new ConfusionMatrix(3);
        cm.update(SCORES, LABELS);
        // true 0 -> predicted 0, 0; true 1 -> 1, 2; true 2 -> 1, 2
        assertArrayEquals(new long[][] {{2, 0, 0}, {0, 1, 1}, {0, 1, 1}}, cm.counts());
        assertArrayEquals(new double[] {1, 0.5, 0.5}, cm.precision(), 1e-12);
        assertArrayEquals(new double[] {1, 0.5, 0.5}, cm.recall(), 1e-12);
        assertArrayEquals(new double[] {1, 0.5, 0.5}, cm.f1(), 1e-12);
        assertEquals(6, cm.total());
    }

    @Test
    void macroPrecisionRecallF1() {
        // predictions 0,0,1,1,1,2 against targets 0,1,1,1,2,2
        Tensor pred = Tensor.vector(0L, 0L, 1L, 1L, 1L, 2L), target = Tensor.vector(0L, 1L, 1L, 1L, 2L, 2L);
        var p = ClassificationMetric.precision(3);
        var r = ClassificationMetric.recall(3);
        var f = ClassificationMetric.f1(3);
        for (Metric m : new Metric[] {p, r, f}) {
            m.update(pred.narrow(0, 0, 3), target.narrow(0, 0, 3));
            m.update(pred.narrow(0, 3, 3), target.narrow(0, 3, 3));
        }
        // precision: class0 1/2, class1 2/3, class2 1/1; recall: class0 1/1, class1 2/3, class2 1/2
        assertArrayEquals(new double[] {0.5, 2.0 / 3, 1}, p.perClass(), 1e-12);
        assertArrayEquals(new double[] {1, 2.0 / 3, 0.5}, r.perClass(), 1e-12);
        assertEquals((0.5 + 2.0 / 3 + 1) / 3, p.result(), 1e-12);
        assertEquals((1 + 2.0 / 3 + 0.5) / 3, r.result(), 1e-12);
        double f0 = 2 * 0.5 * 1 / 1.5, f1 = 2.0 / 3, f2 = 2 * 1 * 0.5 / 1.5;
        assertArrayEquals(new double[] {f0, f1, f2}, f.perClass(), 1e-12);
        assertEquals((f0 + f1 + f2) / 3, f.result(), 1e-12);
        assertEquals("f1", f.name());
        // a class never predicted has precision 0 (zero_division = 0)
        var q = ClassificationMetric.precision(3);
        q.update(Tensor.vector(0L, 0L), Tensor.vector(0L, 2L));
        assertArrayEquals(new double[] {0.5, 0, 0}, q.perClass(), 1e-12);
    }

    @Test
    void maeAndRmseOverAllElements() {
        var mae = RegressionMetric.mae();
        var rmse = RegressionMetric.rmse();
        Tensor o1 = Tensor.vector(1f, 2f), t1 = Tensor.vector(0f, 4f);     // errors 1, -2
        Tensor o2 = Tensor.of(new float[][] {{3f}}), t2 = Tensor.of(new float[][] {{0f}});   // error 3
        for (Metric m : new Metric[] {mae, rmse}) { m.update(o1, t1); m.update(o2, t2); }
        assertEquals(2.0, mae.result(), 1e-12);
        assertEquals(Math.sqrt(14.0 / 3), rmse.result(), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> mae.update(o1, t2));
        assertTrue(e.getMessage().contains("MAE"), e.getMessage());
    }
}
