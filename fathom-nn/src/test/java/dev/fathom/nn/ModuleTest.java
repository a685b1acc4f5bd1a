package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ModuleTest {
    /** A layer with a parameter, a buffer and a submodule, to check PyTorch's state-dict order. */
    static final class Scaled extends Layer {
        final Tensor scale = registerParameter("scale", Tensor.ones(3));
        final Tensor count = registerBuffer("count", Tensor.zeros(DType.INT64, 1));
        final Linear inner = registerModule("inner", new Linear(3, 3));

        @Override
        public Tensor forward(Tensor x) { return inner.forward(x.mul(scale)); }
    }

    private static Sequential nested() {
        return new Sequential(new Linear(2, 3), new Sequential(new Linear(3, 3), new Tanh(), new Linear(3, 1)));
    }

    @Test
    void stateDictNamesAndOrderFollowPyTorch() {
        assertEquals(List.of("0.weight", "0.bias", "1.0.weight", "1.0.bias", "1.2.weight", "1.2.bias"),
            List.copyOf(nested().stateDict().keySet()));
        Sequential s = new Sequential(new Scaled(), new Dropout(0.1), new Linear(3, 2, false));
        assertEquals(List.of("0.scale", "0.count", "0.inner.weight", "0.inner.bias", "2.weight"), List.copyOf(s.stateDict().keySet()));
        assertEquals(List.of("0.scale", "0.inner.weight", "0.inner.bias", "2.weight"), List.copyOf(s.namedParameters().keySet()));
        assertEquals(List.of("0.count"), List.copyOf(s.namedBuffers().keySet()));
        assertEquals(List.of("", "0", "0.inner", "1", "2"), List.copyOf(s.namedModules().keySet()));
    }

    @Test
    void loadStateDictStrictChecksEverythingBeforeWriting() {
        Sequential src = nested(), dst = nested();
        Map<String, Tensor> before = snapshot(dst);

        Map<String, Tensor> missing = new HashMap<>(src.stateDict());
        missing.remove("1.2.bias");
        var e = assertThrows(IllegalArgumentException.class, () -> dst.loadStateDict(missing, true));
        assertTrue(e.getMessage().contains("missing keys [1.2.bias]"), e.getMessage());
        assertUnchanged(before, dst);

        Map<String, Tensor> extra = new HashMap<>(src.stateDict());
        extra.put("1.3.weight", Tensor.zeros(1));
        e = assertThrows(IllegalArgumentException.class, () -> dst.loadStateDict(extra, true));
        assertTrue(e.getMessage().contains("unexpected keys [1.3.weight]"), e.getMessage());
        assertUnchanged(before, dst);

        Map<String, Tensor> wrong = new HashMap<>(src.stateDict());
        wrong.put("1.0.weight", Tensor.zeros(3, 4));
        e = assertThrows(IllegalArgumentException.class, () -> dst.loadStateDict(wrong, false));
        assertEquals("Sequential.loadStateDict: shapes differ for 1.0.weight: the module has shape [3, 3], the state dict [3, 4]; "
            + "nothing was loaded", e.getMessage());
        assertUnchanged(before, dst);

        // non-strict: loads what matches, reports the rest
        Module.LoadResult r = dst.loadStateDict(Map.of("0.weight", src.stateDict().get("0.weight"), "x.y", Tensor.zeros(1)), false);
        assertEquals(List.of("0.bias", "1.0.weight", "1.0.bias", "1.2.weight", "1.2.bias"), r.missing());
        assertEquals(List.of("x.y"), r.unexpected());
        assertTrue(dst.stateDict().get("0.weight").equal(src.stateDict().get("0.weight")));
        assertTrue(dst.stateDict().get("0.bias").equal(before.get("0.bias")));

        // strict with everything: the two models now compute the same function
        dst.loadStateDict(src.stateDict(), true);
        Tensor x = Tensor.randn(4, 2);
        assertTrue(dst.forward(x).equal(src.forward(x)));
        assertNotSame(dst.stateDict().get("0.weight"), src.stateDict().get("0.weight"));
        // a float64 state loads into float32 parameters, converted
        Map<String, Tensor> f64 = new HashMap<>();
        src.stateDict().forEach((k, v) -> f64.put(k, v.to(DType.FLOAT64).mul(2.0)));
        dst.loadStateDict(f64, true);
        assertEquals(DType.FLOAT32, dst.stateDict().get("1.2.bias").dtype());
        assertTrue(dst.stateDict().get("1.2.bias").equal(src.stateDict().get("1.2.bias").mul(2.0)));
    }

    private static Map<String, Tensor> snapshot(Module m) {
        Map<String, Tensor> out = new HashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    private static void assertUnchanged(Map<String, Tensor> before, Module m) {
        m.stateDict().forEach((k, v) -> assertTrue(v.equal(before.get(k)), k + " changed"));
    }

    @Test
    void trainEvalPropagatesToEverySubmodule() {
        Sequential m = new Sequential(new Linear(2, 3), new Sequential(new Dropout(0.5), new Linear(3, 1)));
        assertTrue(m.namedModules().values().stream().allMatch(Module::isTraining));
        m.eval();
        assertTrue(m.namedModules().values().stream().noneMatch(Module::isTraining));
        Tensor x = Tensor.randn(5, 2);
        assertTrue(m.forward(x).equal(m.forward(x)), "eval is deterministic (dropout off)");
        m.train();
        assertTrue(m.namedModules().values().stream().allMatch(Module::isTraining));
    }

    @Test
    void frozenParametersGetNoGradient() {
        Sequential m = nested();
        m.get(0).requiresGrad(false);
        assertEquals(9, m.parameterCount() - m.trainableParameterCount());
        m.forward(Tensor.randn(4, 2)).sum().backward();
        Linear first = (Linear) m.get(0), last = (Linear) ((Sequential) m.get(1)).get(2);
        assertNull(first.weight.grad());
        assertNull(first.bias.grad());
        assertNotNull(last.weight.grad());
        assertTrue(last.bias.grad().equal(Tensor.full(4, 1)));
        m.requiresGrad(true);
        assertEquals(m.parameterCount(), m.trainableParameterCount());
    }

    @Test
    void applyVisitsChildrenBeforeParents() {
        Sequential m = nested();
        List<String> seen = new ArrayList<>();
        m.apply(mod -> seen.add(mod.typeName()));
        assertEquals(List.of("Linear", "Linear", "Tanh", "Linear", "Sequential", "Sequential"), seen);
        m.apply(mod -> {
            if (mod instanceof Linear l) Init.constant(l.weight, 1);
            if (mod instanceof Linear l && l.bias != null) Init.zeros(l.bias);
        });
        // all-ones weights, zero biases: 2 → 3 → tanh(3·3·(x0+x1)) summed over 3 units
        Tensor x = Tensor.of(new float[][] {{0.1f, 0.2f}});
        assertEquals(3 * Math.tanh(3 * 0.3), m.forward(x).item(), 1e-6);
    }

    @Test
    void toStringIsATreeWithParameterCounts() {
        Sequential m = new Sequential(new Flatten(), new Linear(4, 8), new ReLU(), new Dropout(0.25),
            new Sequential(new Linear(8, 2, false), new LogSoftmax(1)));
        assertEquals("""
            Sequential(
              (0): Flatten(startDim=1, endDim=-1)
              (1): Linear(in=4, out=8, bias=true)  # 40 parameters
              (2): ReLU()
              (3): Dropout(p=0.25)
              (4): Sequential(
                (0): Linear(in=8, out=2, bias=false)  # 16 parameters
                (1): LogSoftmax(dim=1)
              )  # 16 parameters
            )  # 56 parameters
            parameters: 56""", m.toString());
        m.get(1).requiresGrad(false);
        assertTrue(m.toString().endsWith("parameters: 56 (trainable 16)"), m.toString());
    }
}
