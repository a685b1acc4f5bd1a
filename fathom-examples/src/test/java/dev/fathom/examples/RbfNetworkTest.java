package dev.fathom.examples;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

class RbfNetworkTest {
    @ParameterizedTest
    @ValueSource(longs = {0, 1})
    void rbfNetworkFitsTheFunction(long seed) throws Exception {
        var q = Quick.run(new RbfNetwork(), seed);
        double variance = q.number("variance of the function on [-3, 3]:");
        double before = q.number("test MSE before training:");
        assertTrue(q.result() < 0.05 * variance, q.text());
        assertTrue(q.result() < 0.1 * before, q.text());
    }
}
