package dev.fathom.nn;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class NormDropoutTest {
    @Test
    void layerNormNormalisesTheLastDimensionsByHand() {
        LayerNorm ln = new LayerNorm(4);
        assertEquals(List.of("weight", "bias"), List.copyOf(ln.stateDict().keySet()));
        Tensor y = ln.forward(Tensor.of(new float[][] {{1, 2, 3, 4}, {2, 2, 2, 2}}));
        // mean 2.5, biased variance 1.25
        double s = Math.sqrt(1.25 + 1e-5);
        assertTrue(y.allClose(Tensor.of(new float[][] {{(float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s)},
            {0, 0, 0, 0}}), 0, 1e-6), y.toString());

        LayerNorm two = new LayerNorm(new int[] {2, 2}, 0.0, true, true, DType.FLOAT64);
        try (var ignored = dev.fathom.autograd.Autograd.noGrad()) {
            two.weight.copyFrom(Tensor.of(new double[][] {{1, 2}, {3, 4}}));
            two.bias.fillInPlace(0.5);
        }
        Tensor z = two.forward(Tensor.of(new double[] {0, 2, 4, 6}, 1, 2, 2));  // mean 3, variance 5
        double r5 = Math.sqrt(5);
        assertTrue(z.allClose(Tensor.of(new double[] {-3 / r5 + 0.5, -2 / r5 + 0.5, 3 / r5 + 0.5, 12 / r5 + 0.5}, 1, 2, 2), 0, 1e-12));

        Tensor x = Tensor.randn(new Generator(1), DType.FLOAT64, 3, 2, 2).requiresGrad(true);
        GradCheck.Report rep = GradCheck.check(in -> two.forward(in[0]), x, two.weight, two.bias);
        assertTrue(rep.passed(), rep.toString());

        var e = assertThrows(IllegalArgumentException.class, () -> ln.forward(Tensor.zeros(2, 5)));
        assertEquals("LayerNorm(normalizedShape=[4], eps=1.0E-5, elementwiseAffine=true): expected input whose last dimension is 4, "
            + "got shape [2, 5]", e.getMessage());
        assertTrue(new LayerNorm(new int[] {3}, 1e-5, false).stateDict().isEmpty());
    }

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
