package dev.fathom.optim;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** Parameter groups, skipping, zeroGrad, state dicts and error messages. */
class OptimizerBehaviourTest {
    static Tensor param(double... v) { return Tensor.of(v, v.length).requiresGrad(true); }

    static Tensor quadraticLoss(Tensor w, Tensor b) {
        Tensor t = Tensor.of(new double[] {1, -2, 0.5}, 3);
        return w.sub(t).pow(2).sum().add(b.mul(w.sum()).sum()).add(b.pow(4).sum());
    }

    @Test
    void groupsUseTheirOwnLearningRatesAndFillTheRestFromTheDefaults() {
        Tensor w = param(1, 2, 3), b = param(-1);
        SGD opt = new SGD(new SGD.Options().lr(0.1).momentum(0.9),
            List.of(new ParamGroup(List.of(w)), new ParamGroup(List.of(b), Map.of("lr", 0.01))));
        assertEquals(0.1, opt.lr(0));
        assertEquals(0.01, opt.lr(1));
        assertEquals(0.9, opt.paramGroups().get(1).getDouble("momentum"));
        w.setGrad(Tensor.of(new double[] {1, 1, 1}, 3));
        b.setGrad(Tensor.of(new double[] {1}, 1));
        opt.step();
        assertArrayEquals(new double[] {0.9, 1.9, 2.9}, w.toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {-1.01}, b.toDoubleArray(), 1e-15);
        opt.setLr(1, 0.5);
        opt.step();                                       // momentum buffers are 1: b = 0.9 * 1 + 1 = 1.9
        assertArrayEquals(new double[] {0.9 - 0.19, 1.9 - 0.19, 2.9 - 0.19}, w.toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {-1.01 - 0.95}, b.toDoubleArray(), 1e-15);

        Tensor extra = param(5);
        opt.addParamGroup(new ParamGroup(List.of(extra), Map.of("momentum", 0.0)));
        extra.setGrad(Tensor.of(new double[] {2}, 1));
        opt.step();
        assertArrayEquals(new double[] {5 - 0.2}, extra.toDoubleArray(), 1e-15);
        assertEquals(3, opt.paramGroups().size());
    }

    @Test
    void parametersWithoutGradientsAreSkippedAndZeroGradClears() {
        Tensor w = param(1, 2), b = param(3);
        Adam opt = new Adam(List.of(w, b), 0.1);
        w.setGrad(Tensor.of(new double[] {0.5, -0.5}, 2));
        opt.step();
        assertArrayEquals(new double[] {3}, b.toDoubleArray());
        assertTrue(opt.state(b).isEmpty(), "no state for a parameter that never had a gradient");
        assertEquals(1.0, opt.state(w).get("step").item());
        assertArrayEquals(new double[] {0.9, 2.1}, w.toDoubleArray(), 1e-7);
        opt.zeroGrad();
        assertNull(w.grad());
        assertNull(b.grad());
        opt.step();                                       // nothing has a gradient: nothing moves
        assertArrayEquals(new double[] {0.9, 2.1}, w.toDoubleArray(), 1e-7);
        assertEquals(1.0, opt.state(w).get("step").item());
    }

    @Test
    void stepRunsUnderNoGradAndTheClosureFormReturnsTheLoss() {
        Tensor w = param(1, -1, 2), b = param(0.5);
        SGD opt = new SGD(List.of(w, b), 0.01);
        Tensor loss = opt.step(() -> {
            opt.zeroGrad();
            Tensor l = quadraticLoss(w, b);
            l.backward();
            return l;
        });
        assertTrue(Autograd.isGradEnabled());
        assertTrue(w.isLeaf() && w.requiresGrad() && w.gradFn() == null);
        assertEquals(quadraticLoss(Tensor.of(new double[] {1, -1, 2}, 3), Tensor.of(new double[] {0.5}, 1)).item(), loss.item(), 1e-15);
        double before = loss.item();
        for (int i = 0; i < 50; i++) opt.step(() -> { opt.zeroGrad(); Tensor l = quadraticLoss(w, b); l.backward(); return l; });
        try (var ignored = Autograd.noGrad()) {
            assertTrue(quadraticLoss(w, b).item() < before - 1, "the loss falls under SGD");
        }
    }

    static final List<Function<List<Tensor>, Optimizer>> ALL = List.of(
        p -> new SGD(p, new SGD.Options().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01)),
        p -> new Adam(p, new Adam.Options().lr(0.05).amsgrad(true).weightDecay(0.1)),
        p -> new AdamW(p, new AdamW.Options().lr(0.05).amsgrad(true)),
        p -> new RMSprop(p, new RMSprop.Options().lr(0.01).momentum(0.5).centered(true)),
        p -> new Adagrad(p, new Adagrad.Options().lr(0.1).lrDecay(0.1).initialAccumulatorValue(0.1)));

    @Test
    void stateDictSavedAfterKStepsContinuesIdenticallyInAFreshOptimizer() {
        for (var make : ALL) {
            Tensor w = param(1, -1, 2), b = param(0.5);
            Optimizer opt = make.apply(List.of(w, b));
            for (int i = 0; i < 3; i++) { opt.zeroGrad(); quadraticLoss(w, b).backward(); opt.step(); }
            Optimizer.StateDict saved = opt.stateDict();
            double[] w3 = w.toDoubleArray(), b3 = b.toDoubleArray();
            for (int i = 0; i < 4; i++) { opt.zeroGrad(); quadraticLoss(w, b).backward(); opt.step(); }

            Tensor w2 = Tensor.of(w3, 3).requiresGrad(true), b2 = Tensor.of(b3, 1).requiresGrad(true);
            Optimizer fresh = make.apply(List.of(w2, b2));
            fresh.loadStateDict(saved);
            for (int i = 0; i < 4; i++) { fresh.zeroGrad(); quadraticLoss(w2, b2).backward(); fresh.step(); }
            assertArrayEquals(w.toDoubleArray(), w2.toDoubleArray(), 0, opt.typeName());
            assertArrayEquals(b.toDoubleArray(), b2.toDoubleArray(), 0, opt.typeName());
            assertEquals(saved.state().keySet(), fresh.stateDict().state().keySet());
        }
    }

    @Test
    void stateDictLayoutAndGroupOptionsRoundTrip() {
        Tensor w = param(1, 2), b = param(3);
        Adam opt = new Adam(new Adam.Options().lr(0.01),
            List.of(new ParamGroup(List.of(w)), new ParamGroup(List.of(b), Map.of("lr", 0.5, "betas", List.of(0.5, 0.6)))));
        w.setGrad(Tensor.of(new double[] {1, 1}, 2));
        opt.step();
        Optimizer.StateDict sd = opt.stateDict();
        assertEquals(List.of(0), sd.paramGroups().get(0).get("params"));
        assertEquals(List.of(1), sd.paramGroups().get(1).get("params"));
        assertEquals(0.5, sd.paramGroups().get(1).get("lr"));
        assertArrayEquals(new double[] {0.5, 0.6}, (double[]) sd.paramGroups().get(1).get("betas"));
        assertEquals(List.of("step", "exp_avg", "exp_avg_sq"), List.copyOf(sd.state().get(0).keySet()));
        assertFalse(sd.state().containsKey(1));
        Tensor saved = sd.state().get(0).get("exp_avg");
        w.setGrad(Tensor.of(new double[] {5, 5}, 2));
        opt.step();
        assertArrayEquals(new double[] {0.1, 0.1}, saved.toDoubleArray(), 1e-15, "the state dict is a snapshot");

        Adam other = new Adam(List.of(param(0, 0)), 0.1);
        Adam fresh = new Adam(new Adam.Options(), List.of(new ParamGroup(List.of(param(0, 0))), new ParamGroup(List.of(param(0)))));
        fresh.loadStateDict(sd);
        assertEquals(0.01, fresh.lr(0));
        assertEquals(0.5, fresh.lr(1));
        assertArrayEquals(new double[] {0.5, 0.6}, fresh.paramGroups().get(1).getDoubles("betas"));
        var e = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(sd));
        assertEquals("Adam.loadStateDict: the state has 2 parameter groups, this optimizer has 1", e.getMessage());
        Adam wrongShape = new Adam(new Adam.Options(), List.of(new ParamGroup(List.of(param(0, 0, 0))), new ParamGroup(List.of(param(0)))));
        e = assertThrows(IllegalArgumentException.class, () -> wrongShape.loadStateDict(sd));
        assertEquals("Adam.loadStateDict: state 'exp_avg' of parameter 0 has shape [2] but the parameter has shape [3]", e.getMessage());
        assertEquals(0.001, wrongShape.lr(0), "nothing changes when loading fails");
    }

    @Test
    void stateIsConvertedToTheParameterDtypeOnLoad() {
        Tensor w = param(1, 2);
        SGD opt = new SGD(List.of(w), new SGD.Options().lr(0.1).momentum(0.9));
        w.setGrad(Tensor.of(new double[] {1, 2}, 2));
        opt.step();
        Tensor w32 = Tensor.of(new double[] {1, 2}, 2).to(DType.FLOAT32).requiresGrad(true);
        SGD opt32 = new SGD(List.of(w32), new SGD.Options().lr(0.1).momentum(0.9));
        opt32.loadStateDict(opt.stateDict());
        assertEquals(DType.FLOAT32, opt32.state(w32).get("momentum_buffer").dtype());
    }

    @Test
    void badHyperParametersNameTheOptimizerAndTheValue() {
        List<Tensor> p = List.of(param(1));
        assertMessage("SGD: invalid learning rate lr=-0.1, expected lr >= 0", () -> new SGD(p, -0.1));
        assertMessage("SGD: invalid momentum=-0.5, expected >= 0", () -> new SGD(p, new SGD.Options().momentum(-0.5)));
        assertMessage("SGD: nesterov momentum requires momentum > 0 and dampening = 0, got momentum=0.0, dampening=0.0",
            () -> new SGD(p, new SGD.Options().nesterov(true)));
        assertMessage("Adam: invalid betas[0]=1.0, expected 0 <= betas[0] < 1", () -> new Adam(p, new Adam.Options().betas(1.0, 0.999)));
        assertMessage("Adam: invalid betas[1]=-0.1, expected 0 <= betas[1] < 1", () -> new Adam(p, new Adam.Options().betas(0.9, -0.1)));
        assertMessage("AdamW: invalid eps=-1.0E-8, expected >= 0", () -> new AdamW(p, new AdamW.Options().eps(-1e-8)));
        assertMessage("AdamW: invalid weight_decay=-0.01, expected >= 0", () -> new AdamW(p, new AdamW.Options().weightDecay(-0.01)));
        assertMessage("RMSprop: invalid alpha=-0.9, expected >= 0", () -> new RMSprop(p, new RMSprop.Options().alpha(-0.9)));
        assertMessage("Adagrad: invalid lr_decay=-1.0, expected >= 0", () -> new Adagrad(p, new Adagrad.Options().lrDecay(-1)));
        assertMessage("Adagrad: invalid learning rate lr=NaN, expected lr >= 0", () -> new Adagrad(p, Double.NaN));
        assertMessage("Adam: invalid learning rate lr=-1.0, expected lr >= 0",
            () -> new Adam(new Adam.Options(), List.of(new ParamGroup(p, Map.of("lr", -1)))));
        assertMessage("SGD: unknown option 'weightDecay' in parameter group 0; the options are [lr, momentum, dampening, weight_decay, nesterov, maximize]",
            () -> new SGD(new SGD.Options(), List.of(new ParamGroup(p, Map.of("weightDecay", 0.1)))));
        Tensor shared = param(1, 2);
        assertMessage("Adam: parameter 0 of group 1 already belongs to group 0; a parameter may appear in one group only",
            () -> new Adam(new Adam.Options(), List.of(new ParamGroup(List.of(shared)), new ParamGroup(List.of(shared)))));
        assertMessage("SGD: parameter 0 of group 0 is int64; only floating-point tensors can be optimised",
            () -> new SGD(List.of(Tensor.vector(1L, 2L)), 0.1));
        Tensor leaf = param(1, 2);
        assertMessage("SGD: parameter 0 of group 0 is not a leaf (it was computed by mul); optimise the leaf tensors",
            () -> new SGD(List.of(leaf.mul(2.0)), 0.1));
        SGD ok = new SGD(p, 0.1);
        assertMessage("SGD: invalid learning rate lr=-2.0, expected lr >= 0", () -> ok.setLr(0, -2));
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable ex) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, ex).getMessage());
    }
}
