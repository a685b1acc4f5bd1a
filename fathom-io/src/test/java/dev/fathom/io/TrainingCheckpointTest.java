package dev.fathom.io;

import dev.fathom.nn.Dropout;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.Tanh;
import dev.fathom.nn.loss.MSELoss;
import dev.fathom.optim.Adam;
import dev.fathom.optim.Optimizer;
import dev.fathom.optim.SGD;
import dev.fathom.optim.lr.LRScheduler;
import dev.fathom.optim.lr.StepLR;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainingCheckpointTest {
    @TempDir Path dir;

    static final int N = 64, BATCH = 8;
    static final Tensor X, Y;
    static {
        Generator g = new Generator(42);
        X = Tensor.randn(g, N, 4);
        Y = X.select(1, 0).mul(X.select(1, 1)).add(X.select(1, 2).sin()).unsqueeze(1);
    }

    /** Model, optimiser, schedule and the data-order generator of one training run. */
    record Run(Sequential model, Optimizer opt, LRScheduler sched, Generator data) {
        static Run build(String optimizer, long seed) {
            Generator.manualSeed(seed);
            var model = new Sequential(new Linear(4, 16), new Tanh(), new Dropout(0.25), new Linear(16, 1));
            Optimizer opt = optimizer.equals("adam")
                ? new Adam(model.parameters(), new Adam.Options().lr(0.01).weightDecay(1e-3))
                : new SGD(model.parameters(), new SGD.Options().lr(0.05).momentum(0.9).nesterov(true));
            return new Run(model, opt, new StepLR(opt, 4, 0.5), new Generator(seed + 1000));
        }

        /** One step on a batch drawn with the data generator; dropout draws from the global generator. */
        double step() {
            long[] idx = new long[BATCH];
            for (int i = 0; i < BATCH; i++) idx[i] = data.nextLong(0, N);
            Tensor index = Tensor.vector(idx);
            opt.zeroGrad();
            Tensor loss = new MSELoss().forward(model.forward(X.indexSelect(0, index)), Y.indexSelect(0, index));
            loss.backward();
            opt.step();
            sched.step();
            return loss.item();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adam"})
    void resumedTrainingGivesBitIdenticalLosses(String optimizer) throws IOException {
        int total = 20, k = 7;
        Run straight = Run.build(optimizer, 0);
        double[] expected = new double[total];
        for (int i = 0; i < total; i++) expected[i] = straight.step();

        Run first = Run.build(optimizer, 0);
        double[] actual = new double[total];
        for (int i = 0; i < k; i++) actual[i] = first.step();
        Path file = dir.resolve("run.ckpt");
        TrainingCheckpoint.capture(first.model(), first.opt(), first.sched(), 1, k, Map.of("data", first.data()), Map.of("run", "a"))
            .save(file);

        Generator.manualSeed(999); // a different process state: other weights, RNG positions, no optimiser state
        Tensor.rand(17);
        Run resumed = Run.build(optimizer, 5);
        Generator.global().nextGaussian(); // leaves a cached normal that the restore must clear
        TrainingCheckpoint c = TrainingCheckpoint.load(file, resumed.model(), resumed.opt(), resumed.sched(),
            Map.of("data", resumed.data()));
        assertEquals(1, c.epoch());
        assertEquals(k, c.step());
        assertEquals(Map.of("run", "a"), c.metadata());
        assertArrayEquals(first.sched().getLastLr(), resumed.sched().getLastLr());
        for (int i = k; i < total; i++) actual[i] = resumed.step();

        assertArrayEquals(expected, actual, () -> Arrays.toString(expected) + " vs " + Arrays.toString(actual));
        assertTrue(expected[total - 1] < expected[0], "the model learns: " + Arrays.toString(expected));
    }

    @Test
    void checkpointStateRoundTripsThroughTheFile() throws IOException {
        Run run = Run.build("adam", 3);
        for (int i = 0; i < 3; i++) run.step();
        TrainingCheckpoint a = TrainingCheckpoint.capture(run.model(), run.opt(), run.sched(), 2, 3, Map.of("data", run.data()), Map.of());
        Path file = dir.resolve("a.ckpt");
        a.save(file);
        TrainingCheckpoint b = TrainingCheckpoint.read(file);
        assertEquals(a.model().keySet(), b.model().keySet());
        assertEquals(a.optimizer().paramGroups().size(), b.optimizer().paramGroups().size());
        var ga = a.optimizer().paramGroups().get(0);
        var gb = b.optimizer().paramGroups().get(0);
        assertEquals(ga.keySet(), gb.keySet());
        assertArrayEquals((double[]) ga.get("betas"), (double[]) gb.get("betas"));
        assertEquals(ga.get("lr"), gb.get("lr"));
        assertEquals(ga.get("amsgrad"), gb.get("amsgrad"));
        assertEquals(a.optimizer().state().keySet(), b.optimizer().state().keySet());
        for (var e : a.optimizer().state().entrySet())
            for (var s : e.getValue().entrySet())
                assertArrayEquals(s.getValue().toDoubleArray(), b.optimizer().state().get(e.getKey()).get(s.getKey()).toDoubleArray());
        assertEquals(a.scheduler().get("last_epoch"), b.scheduler().get("last_epoch"));
        assertArrayEquals((double[]) a.scheduler().get("_last_lr"), (double[]) b.scheduler().get("_last_lr"));
        assertArrayEquals(a.globalRng(), b.globalRng());
        assertArrayEquals(a.generators().get("data"), b.generators().get("data"));
        // the file is also plain safetensors with PyTorch-style names under model.
        assertTrue(Safetensors.read(file).tensors().containsKey("model.0.weight"));
    }

    @Test
    void typedJsonKeepsTypesAndBitsIncludingNonFiniteValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best", Double.POSITIVE_INFINITY);
        m.put("x", 0.1 + 0.2);
        m.put("n", 3);
        m.put("big", 1L << 40);
        m.put("arr", new double[] {1e-310, Double.NaN, -0.0});
        m.put("list", java.util.List.of(Map.of("k", true)));
        @SuppressWarnings("unchecked")
        var back = (Map<String, Object>) TypedJson.decode(Json.parse(Json.write(TypedJson.encode(m))));
        assertEquals(Double.POSITIVE_INFINITY, back.get("best"));
        assertEquals(0.1 + 0.2, back.get("x"));
        assertEquals(3, back.get("n"));
        assertEquals(1L << 40, back.get("big"));
        assertArrayEquals(new double[] {1e-310, Double.NaN, -0.0}, (double[]) back.get("arr"));
        assertEquals(java.util.List.of(Map.of("k", true)), back.get("list"));
    }

    @Test
    void aRestoreThatDoesNotFitChangesNothing() throws IOException {
        Run run = Run.build("sgd", 1);
        for (int i = 0; i < 2; i++) run.step();
        Path file = dir.resolve("a.ckpt");
        TrainingCheckpoint.capture(run.model(), run.opt(), run.sched(), 0, 2, Map.of("data", run.data()), Map.of()).save(file);

        // Same model and optimiser, but the optimiser state is for a bigger last layer: model loads, optimiser fails.
        Run other = Run.build("sgd", 2);
        other.step();
        var before = TrainingCheckpoint.capture(other.model(), other.opt(), other.sched(), 0, 0, Map.of("data", other.data()), Map.of());
        TrainingCheckpoint c = TrainingCheckpoint.read(file);
        Map<Integer, Map<String, Tensor>> badState = new LinkedHashMap<>(c.optimizer().state());
        badState.put(3, Map.of("momentum_buffer", Tensor.zeros(5)));
        var bad = new TrainingCheckpoint(c.model(), new Optimizer.StateDict(badState, c.optimizer().paramGroups()), c.scheduler(),
            c.epoch(), c.step(), c.globalRng(), c.generators(), c.metadata());
        var e = assertThrows(IllegalArgumentException.class,
            () -> bad.restore(other.model(), other.opt(), other.sched(), Map.of("data", other.data())));
        assertTrue(e.getMessage().contains("momentum_buffer") && e.getMessage().contains("nothing was restored"), e.getMessage());
        assertUnchanged(before, other);

        // Generators that do not match the checkpoint's names.
        e = assertThrows(IllegalArgumentException.class,
            () -> TrainingCheckpoint.load(file, other.model(), other.opt(), other.sched(), Map.of("shuffle", other.data())));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("generators [data]"), e.getMessage());
        assertUnchanged(before, other);

        // A model of another shape: the error names the file and the mismatch.
        Generator.manualSeed(4);
        var wide = new Sequential(new Linear(4, 9), new Tanh(), new Dropout(0.25), new Linear(9, 1));
        var wideOpt = new SGD(wide.parameters(), new SGD.Options().lr(0.05).momentum(0.9).nesterov(true));
        var wideSched = new StepLR(wideOpt, 4, 0.5);
        float[] w = wide.stateDict().get("0.weight").toFloatArray();
        e = assertThrows(IllegalArgumentException.class,
            () -> TrainingCheckpoint.load(file, wide, wideOpt, wideSched, Map.of("data", new Generator())));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("shapes differ"), e.getMessage());
        assertArrayEquals(w, wide.stateDict().get("0.weight").toFloatArray());
    }

    static void assertUnchanged(TrainingCheckpoint before, Run run) {
        var now = TrainingCheckpoint.capture(run.model(), run.opt(), run.sched(), 0, 0, Map.of("data", run.data()), Map.of());
        for (var e : before.model().entrySet())
            assertArrayEquals(e.getValue().toFloatArray(), now.model().get(e.getKey()).toFloatArray(), e.getKey());
        assertEquals(before.optimizer().state().keySet(), now.optimizer().state().keySet());
        for (var e : before.optimizer().state().entrySet())
            for (var s : e.getValue().entrySet())
                assertArrayEquals(s.getValue().toDoubleArray(), now.optimizer().state().get(e.getKey()).get(s.getKey()).toDoubleArray());
        assertEquals(before.scheduler().get("last_epoch"), now.scheduler().get("last_epoch"));
        assertArrayEquals(before.globalRng(), now.globalRng());
        assertArrayEquals(before.generators().get("data"), now.generators().get("data"));
    }
}
