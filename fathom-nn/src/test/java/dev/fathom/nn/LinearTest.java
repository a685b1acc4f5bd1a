package dev.fathom.nn;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LinearTest {
    @Test
    void initialisationAndOutputEqualPyTorchAfterTheSameSeed() {
        Map<String, Tensor> f = TorchFixture.load("linear");
        Generator.manualSeed(0);
        Linear lin = new Linear(5, 3);
        Tensor x = Tensor.randn(4, 5);
        assertTrue(lin.weight.equal(f.get("weight")), "weight\n" + lin.weight + "\n" + f.get("weight"));
        assertTrue(lin.bias.equal(f.get("bias")));
        assertTrue(x.equal(f.get("x")));
        assertTrue(lin.forward(x).allClose(f.get("y"), 1e-6, 1e-6));
    }

    @Test
    void gradcheckOfTheLayerAndNamedState() {
        Linear lin = new Linear(4, 3, true, DType.FLOAT64);
        Tensor x = Tensor.randn(new Generator(1), DType.FLOAT64, 2, 5, 4).requiresGrad(true);
        GradCheck.Report r = GradCheck.check(in -> lin.forward(in[0]), x, lin.weight, lin.bias);
        assertTrue(r.passed(), r.toString());
        assertEquals(java.util.List.of("weight", "bias"), java.util.List.copyOf(lin.stateDict().keySet()));
        assertEquals(15, lin.parameterCount());
    }

    @Test
    void wrongFeatureCountNamesTheLayerAndShapes() {
        Linear lin = new Linear(4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lin.forward(Tensor.zeros(2, 5)));
        assertEquals("Linear(in=4, out=3, bias=true): expected input with 4 features in the last dimension, got shape [2, 5]",
            e.getMessage());
    }
}
