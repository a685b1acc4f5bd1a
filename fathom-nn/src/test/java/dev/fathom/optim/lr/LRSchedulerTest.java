package dev.fathom.optim.lr;

import dev.fathom.nn.TorchFixture;
import dev.fathom.optim.Adam;
import dev.fathom.optim.Adagrad;
import dev.fathom.optim.Optimizer;
import dev.fathom.optim.ParamGroup;
import dev.fathom.optim.SGD;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every schedule's lr sequence (two groups, lr 0.1 and 0.05) against torch.optim.lr_scheduler
 * (fixtures/lr_schedule.txt from tools/fixtures/make_optim_fixture.py), plus closed forms by hand,
 * state dicts and bad arguments.
 */
class LRSchedulerTest {
    static final Map<String, Tensor> F = TorchFixture.load("lr_schedule");

    static SGD sgd() {
        return new SGD(new SGD.Options().lr(0.1).momentum(0.9), List.of(
            new ParamGroup(List.of(Tensor.zeros(1).requiresGrad(true))),
            new ParamGroup(List.of(Tensor.zeros(1).requiresGrad(true)), Map.of("lr", 0.05))));
    }

    static Adam adam() {
        return new Adam(new Adam.Options().lr(0.1), List.of(
            new ParamGroup(List.of(Tensor.zeros(1).requiresGrad(true))),
            new ParamGroup(List.of(Tensor.zeros(1).requiresGrad(true)), Map.of("lr", 0.05))));
    }

    /** A schedule under test: its optimizer, how to build it, how many steps, and how to step it. */
    record Case(java.util.function.Supplier<Optimizer> optimizer, Function<Optimizer, Object> make, int steps) {}

    static final Map<String, Case> CASES = new LinkedHashMap<>();
    static {
        CASES.put("step", new Case(LRSchedulerTest::sgd, o -> new StepLR(o, 4, 0.5), 25));
        CASES.put("multistep", new Case(LRSchedulerTest::sgd, o -> new MultiStepLR(o, new int[] {3, 7, 7, 12}, 0.3), 25));
        CASES.put("exponential", new Case(LRSchedulerTest::sgd, o -> new ExponentialLR(o, 0.9), 25));
        CASES.put("cosine", new Case(LRSchedulerTest::sgd, o -> new CosineAnnealingLR(o, 10, 0.001), 30));
        CASES.put("linear", new Case(LRSchedulerTest::sgd, o -> new LinearLR(o, 0.2, 1.0, 6), 20));
        CASES.put("linear_decay", new Case(LRSchedulerTest::sgd, o -> new LinearLR(o, 1.0, 0.1, 10), 20));
        CASES.put("onecycle", new Case(LRSchedulerTest::sgd, o -> new OneCycleLR(o, new double[] {1.0, 0.5}, 25, new OneCycleLR.Options()), 24));
        CASES.put("onecycle_linear", new Case(LRSchedulerTest::sgd, o -> new OneCycleLR(o, 0.8, 20, new OneCycleLR.Options()
            .pctStart(0.4).annealStrategy(OneCycleLR.AnnealStrategy.LINEAR).divFactor(10).finalDivFactor(100).cycleMomentum(false)), 20));
        CASES.put("onecycle_three", new Case(LRSchedulerTest::adam, o -> new OneCycleLR(o, 0.3, 30, new OneCycleLR.Options()
            .pctStart(0.25).threePhase(true).baseMomentum(0.8).maxMomentum(0.9)), 29));
        CASES.put("plateau", new Case(LRSchedulerTest::sgd, o -> new ReduceLROnPlateau(o, new ReduceLROnPlateau.Options()
            .factor(0.5).patience(2).threshold(0.01).cooldown(1).minLr(0.01, 0.02)), 25));
        CASES.put("plateau_max_abs", new Case(LRSchedulerTest::sgd, o -> new ReduceLROnPlateau(o, new ReduceLROnPlateau.Options()
            .mode(ReduceLROnPlateau.Mode.MAX).factor(0.2).patience(1).threshold(0.1).thresholdMode(ReduceLROnPlateau.ThresholdMode.ABS)), 25));
        CASES.put("sequential", new Case(LRSchedulerTest::sgd, o -> new SequentialLR(o,
            List.of(new LinearLR(o, 0.1, 1.0, 5), new CosineAnnealingLR(o, 20, 0.001)), new int[] {5}), 25));
        CASES.put("sequential3", new Case(LRSchedulerTest::sgd, o -> new SequentialLR(o,
            List.of(new ExponentialLR(o, 0.9), new StepLR(o, 3, 0.5), new MultiStepLR(o, new int[] {2, 4}, 0.1)), new int[] {4, 10}), 20));
        CASES.put("chained", new Case(LRSchedulerTest::sgd, o -> new ChainedScheduler(
            List.of(new LinearLR(o, 0.5, 1.0, 4), new ExponentialLR(o, 0.95))), 20));
    }

    static Stream<String> cases() { return CASES.keySet().stream(); }

    static double momentum(ParamGroup g) { return g.has("betas") ? g.getDoubles("betas")[0] : g.getDouble("momentum"); }

    @ParameterizedTest
    @MethodSource("cases")
    void lrSequenceEqualsTorch(String name) {
        Case c = CASES.get(name);
        Optimizer opt = c.optimizer().get();
        Object sched = c.make().apply(opt);
        double[] lr = F.get(name + ".lr").toDoubleArray();
        Tensor mom = F.get(name + ".momentum");
        double[] metric = F.get(name.equals("plateau") ? "plateau_metric" : "plateau_max_metric").toDoubleArray();
        for (int k = 0; k <= c.steps(); k++) {
            if (k > 0) {
                opt.step();
                switch (sched) {
                    case ReduceLROnPlateau p -> p.step(metric[k - 1]);
                    case LRScheduler s -> s.step();
                    default -> throw new IllegalStateException();
                }
            }
            double[] last = sched instanceof LRScheduler s ? s.getLastLr() : ((ReduceLROnPlateau) sched).getLastLr();
            for (int g = 0; g < 2; g++) {
                assertEquals(lr[2 * k + g], opt.lr(g), 1e-12, name + " step " + k + " group " + g);
                assertEquals(lr[2 * k + g], last[g], 1e-12, name + " getLastLr step " + k + " group " + g);
                if (mom != null)
                    assertEquals(mom.toDoubleArray()[2 * k + g], momentum(opt.paramGroups().get(g)), 1e-12, name + " momentum step " + k);
            }
        }
    }

    @Test
    void closedFormsByHand() {
        SGD o = sgd();
        StepLR step = new StepLR(o, 3, 0.5);
        for (int e = 1; e <= 10; e++) {
            step.step();
            assertEquals(0.1 * Math.pow(0.5, e / 3), o.lr(0), 1e-15);
        }
        o = sgd();
        CosineAnnealingLR cos = new CosineAnnealingLR(o, 8, 0.01);
        for (int e = 1; e <= 8; e++) {
            cos.step();
            assertEquals(0.01 + (0.05 - 0.01) * (1 + Math.cos(Math.PI * e / 8)) / 2, o.lr(1), 1e-15);
        }
        o = sgd();
        LinearLR warm = new LinearLR(o, 0.25, 1.0, 3);
        assertEquals(0.025, o.lr(0), 1e-15);
        double[] expect = {0.05, 0.075, 0.1, 0.1, 0.1};
        for (double v : expect) {
            warm.step();
            assertEquals(v, o.lr(0), 1e-15);
        }
        o = sgd();
        OneCycleLR one = new OneCycleLR(o, 1.0, 10, new OneCycleLR.Options().annealStrategy(OneCycleLR.AnnealStrategy.LINEAR));
        assertEquals(0.04, o.lr(0), 1e-15);                   // maxLr / 25
        assertEquals(0.95, o.paramGroups().get(0).getDouble("momentum"), 1e-15);
        one.step(); one.step();                               // step 2 = end of phase 1 (0.3 * 10 - 1)
        assertEquals(1.0, o.lr(0), 1e-15);
        assertEquals(0.85, o.paramGroups().get(0).getDouble("momentum"), 1e-15);
        for (int i = 0; i < 7; i++) one.step();               // step 9 = the last: initial / 1e4
        assertEquals(0.04 / 1e4, o.lr(0), 1e-15);
        one.step();
        var e = assertThrows(IllegalStateException.class, one::step);
        assertEquals("OneCycleLR: tried to step 12 times; the total number of steps is 10", e.getMessage());
    }

    @Test
    void stateDictRestoresTheScheduleExactly() {
        for (String name : List.of("step", "multistep", "cosine", "linear", "onecycle", "sequential", "chained", "plateau")) {
            Case c = CASES.get(name);
            Optimizer a = c.optimizer().get();
            Object sa = c.make().apply(a);
            double[] metric = F.get("plateau_metric").toDoubleArray();
            for (int k = 0; k < 7; k++) stepOnce(sa, metric[k]);
            Map<String, Object> state = sa instanceof LRScheduler s ? s.stateDict() : ((ReduceLROnPlateau) sa).stateDict();
            Optimizer.StateDict optState = a.stateDict();

            Optimizer b = c.optimizer().get();
            Object sb = c.make().apply(b);
            b.loadStateDict(optState);
            if (sb instanceof LRScheduler s) s.loadStateDict(state); else ((ReduceLROnPlateau) sb).loadStateDict(state);
            for (int k = 7; k < 15; k++) {
                stepOnce(sa, metric[k]);
                stepOnce(sb, metric[k]);
                assertEquals(a.lr(0), b.lr(0), 0, name + " step " + k);
                assertEquals(a.lr(1), b.lr(1), 0, name + " step " + k);
            }
        }
    }

    static void stepOnce(Object sched, double metric) {
        if (sched instanceof ReduceLROnPlateau p) p.step(metric); else ((LRScheduler) sched).step();
    }

    @Test
    void badArgumentsNameTheSchedule() {
        assertMessage("StepLR: stepSize must be >= 1, got 0", () -> new StepLR(sgd(), 0));
        assertMessage("LinearLR: startFactor must be in (0, 1], got 0.0", () -> new LinearLR(sgd(), 0, 1, 5));
        assertMessage("LinearLR: endFactor must be in [0, 1], got 1.5", () -> new LinearLR(sgd(), 0.5, 1.5, 5));
        assertMessage("CosineAnnealingLR: tMax must be >= 1, got 0", () -> new CosineAnnealingLR(sgd(), 0));
        assertMessage("OneCycleLR: totalSteps must be a positive integer, got 0", () -> new OneCycleLR(sgd(), 0.1, 0));
        assertMessage("OneCycleLR: pctStart must be in [0, 1], got 1.5",
            () -> new OneCycleLR(sgd(), 0.1, 10, new OneCycleLR.Options().pctStart(1.5)));
        assertMessage("OneCycleLR: expected 2 values for maxLr, got 1",
            () -> new OneCycleLR(sgd(), new double[] {0.1}, 10, new OneCycleLR.Options()));
        assertMessage("OneCycleLR: Adagrad has no momentum or betas to cycle; pass cycleMomentum(false)",
            () -> new OneCycleLR(new Adagrad(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1), 0.1, 10));
        assertMessage("ReduceLROnPlateau: factor must be < 1, got 1.0",
            () -> new ReduceLROnPlateau(sgd(), new ReduceLROnPlateau.Options().factor(1)));
        assertMessage("ReduceLROnPlateau: expected 2 minLrs (one per parameter group), got 3",
            () -> new ReduceLROnPlateau(sgd(), new ReduceLROnPlateau.Options().minLr(0, 0, 0)));
        SGD o = sgd();
        assertMessage("SequentialLR: expected 1 milestones for 2 schedulers, got 0",
            () -> new SequentialLR(o, List.of(new ExponentialLR(o, 0.9), new StepLR(o, 2)), new int[0]));
        assertMessage("SequentialLR: scheduler 1 (StepLR) drives a different optimizer",
            () -> new SequentialLR(o, List.of(new ExponentialLR(o, 0.9), new StepLR(sgd(), 2)), new int[] {3}));
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable ex) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, ex).getMessage());
    }
}
