package dev.fathom.examples;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

class GcnNodeClassificationTest {
    @ParameterizedTest
    @ValueSource(longs = {0, 1})
    void gcnClassifiesHeldOutNodesAndBeatsFeaturesAlone(long seed) throws Exception {
        var q = Quick.run(new GcnNodeClassification(), seed);
        double baseline = q.number("features only (no edges): held-out accuracy");
        assertTrue(q.result() > 0.8, q.text());
        assertTrue(q.result() > baseline + 0.15, q.text());
    }
}
