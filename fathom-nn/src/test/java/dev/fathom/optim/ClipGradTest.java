package dev.fathom.optim;

import dev.fathom.nn.TorchFixture;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ClipGradTest {
    /** Two parameters with gradients (3, -4) and (12): 2-norm 13, inf-norm 12, 1-norm 19. */
    static List<Tensor> params() {
        Tensor a = Tensor.zeros(dev.fathom.tensor.DType.FLOAT64, 2).requiresGrad(true);
        Tensor b = Tensor.zeros(dev.fathom.tensor.DType.FLOAT64, 1).requiresGrad(true);
        a.setGrad(Tensor.vector(3.0, -4.0));
        b.setGrad(Tensor.vector(12.0));
        return List.of(a, b, Tensor.zeros(dev.fathom.tensor.DType.FLOAT64, 3).requiresGrad(true));   // the last has no gradient
    }

    static double[] grads(List<Tensor> ps) {
        return new double[] {ps.get(0).grad().toDoubleArray()[0], ps.get(0).grad().toDoubleArray()[1], ps.get(1).grad().item()};
    }

    @Test
    void normByHand() {
        List<Tensor> ps = params();
        assertEquals(13, ClipGrad.clipGradNorm(ps, 1.0), 1e-12);
        double c = 1.0 / (13 + 1e-6);
        assertArrayEquals(new double[] {3 * c, -4 * c, 12 * c}, grads(ps), 1e-15);

        ps = params();
        assertEquals(12, ClipGrad.clipGradNorm(ps, 6.0, Double.POSITIVE_INFINITY), 1e-12);
        c = 6.0 / (12 + 1e-6);
        assertArrayEquals(new double[] {3 * c, -4 * c, 12 * c}, grads(ps), 1e-15);

        ps = params();
        assertEquals(19, ClipGrad.clipGradNorm(ps, 1.9, 1), 1e-12);
        c = 1.9 / (19 + 1e-6);
        assertArrayEquals(new double[] {3 * c, -4 * c, 12 * c}, grads(ps), 1e-15);

        ps = params();
        double n3 = Math.cbrt(27 + 64 + 1728);
        assertEquals(n3, ClipGrad.clipGradNorm(ps, 1.0, 3), 1e-12);
        c = 1.0 / (n3 + 1e-6);
        assertArrayEquals(new double[] {3 * c, -4 * c, 12 * c}, grads(ps), 1e-15);
    }

    @Test
    void belowTheLimitNothingChanges() {
        List<Tensor> ps = params();
        assertEquals(13, ClipGrad.clipGradNorm(ps, 20.0), 1e-12);
        assertArrayEquals(new double[] {3, -4, 12}, grads(ps), 0);
        assertEquals(0, ClipGrad.clipGradNorm(List.of(Tensor.zeros(2).requiresGrad(true)), 1.0));
    }

    @Test
    void valueByHand() {
        List<Tensor> ps = params();
        ClipGrad.clipGradValue(ps, 3.5);
        assertArrayEquals(new double[] {3, -3.5, 3.5}, grads(ps), 0);
        assertNull(ps.get(2).grad());
    }

    @Test
    void nonFiniteNormsAndBadArguments() {
        List<Tensor> ps = params();
        ps.get(1).setGrad(Tensor.vector(Double.NaN));
        var e = assertThrows(IllegalStateException.class, () -> ClipGrad.clipGradNorm(ps, 1.0, 2, true));
        assertTrue(e.getMessage().startsWith("clipGradNorm: the total 2.0-norm of the gradients is NaN"), e.getMessage());
        assertEquals("clipGradNorm: normType must be > 0 or infinity, got -1.0",
            assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradNorm(params(), 1.0, -1)).getMessage());
        assertEquals("clipGradValue: clipValue must be >= 0, got -1.0",
            assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradValue(params(), -1)).getMessage());
    }

    @Test
    void equalsTorch() {
        Map<String, Tensor> f = TorchFixture.load("clip");
        for (var norm : Map.of("2", 2.0, "inf", Double.POSITIVE_INFINITY, "1", 1.0, "3", 3.0).entrySet()) {
            Tensor a = Tensor.zeros(dev.fathom.tensor.DType.FLOAT64, 2, 3).requiresGrad(true);
            Tensor c = Tensor.zeros(dev.fathom.tensor.DType.FLOAT64, 4).requiresGrad(true);
            a.setGrad(f.get("g1").copy());
            c.setGrad(f.get("g2").copy());
            double total = ClipGrad.clipGradNorm(List.of(a, c), 1.0, norm.getValue());
            String k = "norm" + norm.getKey();
            assertEquals(f.get(k + ".total").item(), total, 1e-12, k);
            assertTrue(a.grad().allClose(f.get(k + ".g1"), 0, 1e-12), k);
            assertTrue(c.grad().allClose(f.get(k + ".g2"), 0, 1e-12), k);
        }
        Tensor a = Tensor.zeros(dev.fathom.tensor.DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor c = Tensor.zeros(dev.fathom.tensor.DType.FLOAT64, 4).requiresGrad(true);
        a.setGrad(f.get("g1").copy());
        c.setGrad(f.get("g2").copy());
        ClipGrad.clipGradValue(List.of(a, c), 0.5);
        assertTrue(a.grad().equal(f.get("value.g1")));
        assertTrue(c.grad().equal(f.get("value.g2")));
    }
}
