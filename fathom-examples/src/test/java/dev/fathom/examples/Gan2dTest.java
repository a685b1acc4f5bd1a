package dev.fathom.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class Gan2dTest {
    @Test
    void quickRunCoversMostModes() throws Exception {
        var q = Quick.run(new Gan2d(), 0);
        assertTrue(q.result() >= 4, q.text());
        assertTrue(q.number("generated points within 2 sigma of a mode:") > 15, q.text());
    }
}
