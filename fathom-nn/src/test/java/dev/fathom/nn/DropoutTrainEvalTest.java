package dev.fathom.nn;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Dropout as the attention layers use it (LayerNorm is covered by NormTest). */
class DropoutTrainEvalTest {
    @Test
    void dropoutZeroesAndScalesInTrainingOnly() {
        Generator.manualSeed(0);
        Dropout d = new Dropout(0.25);
        Tensor x = Tensor.ones(10000);
        double[] y = d.forward(x).toDoubleArray();
        int zeros = 0;
        for (double v : y) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.75, v, 1e-6);
        }
        assertEquals(0.25, zeros / 10000.0, 0.02);
        d.eval();
        assertSame(x, d.forward(x));
        assertTrue(new Dropout(1.0).forward(x).equal(Tensor.zeros(10000)));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
    }
}
