package dev.fathom.train;

import dev.fathom.data.Batch;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.ReLU;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.CrossEntropyLoss;
import dev.fathom.optim.Adam;
import dev.fathom.optim.SGD;
import dev.fathom.optim.lr.StepLR;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import dev.fathom.train.callbacks.EarlyStopping;
import dev.fathom.train.callbacks.ModelCheckpoint;
import dev.fathom.train.callbacks.NaNGuard;
import dev.fathom.train.metrics.Accuracy;
import dev.fathom.train.metrics.ClassificationMetric;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    @Test
    void learnsTwoClassProblem() {
        Generator.manualSeed(7);
        var model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 2));
        var trainer = new Trainer(model, new CrossEntropyLoss()::forward, new Adam(model.parameters(), 0.02))
            .metrics(new Accuracy(), ClassificationMetric.f1(2)).quiet();
        List<Batch> train = Fixtures.blobs(1, 640, 32), validation = Fixtures.blobs(2, 200, 50);
        History h = trainer.fit(train, validation, 5);
        assertEquals(5, h.epochs());
        assertEquals(List.of("loss", "accuracy", "f1", "val_loss", "val_accuracy", "val_f1", "lr"), h.keys());
        for (String k : h.keys()) assertEquals(5, h.get(k).size(), k);
        assertTrue(h.get("val_accuracy").get(4) >= 0.95, h.toString());
        assertTrue(h.get("loss").get(4) < h.get("loss").get(0), h.toString());
        assertTrue(h.stopReason().isEmpty());
        assertTrue(model.isTraining());

        Map<String, Double> eval = trainer.evaluate(validation);
        assertEquals(h.get("val_loss").get(4), eval.get("loss"), 1e-9);
        assertEquals(h.get("val_accuracy").get(4), eval.get("accuracy"), 1e-12);
        Tensor out = trainer.predict(validation);
        assertArrayEquals(new int[] {200, 2}, out.shape());
        assertFalse(out.requiresGrad());
        assertArrayEquals(new int[] {50, 2}, trainer.predict(validation.get(0).input()).shape());
    }

    @Test
    void evaluateAndPredictRunInEvalModeWithoutGrad() {
        var model = new Fixtures.Scale();
        var trainer = new Trainer(model, Fixtures.scripted(1), new SGD(model.parameters(), 0.1)).quiet();
        trainer.evaluate(Fixtures.ones(2));
        trainer.predict(Fixtures.ones(2));
        assertTrue(model.sawEval);
        assertFalse(model.gradInEval);
        assertFalse(model.sawTraining);
        assertTrue(model.isTraining(), "mode restored");
        trainer.fit(Fixtures.ones(1), Fixtures.ones(1), 1);
        assertTrue(model.sawTraining);
    }

    @Test
    void epochLossIsTheBatchSizeWeightedMean() {
        var model = new Fixtures.Scale();
        List<Batch> data = List.of(new Batch(Tensor.ones(3, 1), Tensor.zeros(3, 1)), new Batch(Tensor.ones(1, 1), Tensor.zeros(1, 1)));
        var trainer = new Trainer(model, Fixtures.scripted(1, 5), new SGD(model.parameters(), 0.0)).quiet();
        assertEquals((3 * 1 + 5) / 4.0, trainer.fit(data, 1).get("loss").get(0), 1e-12);
    }

    @Test
    void earlyStoppingStopsOnAPlateauAndRestoresTheBestWeights() {
        var model = new Fixtures.Scale();
        var stop = new EarlyStopping("loss", 2).minDelta(0.02).restoreBestWeights(true);
        var trainer = new Trainer(model, Fixtures.scripted(1.0, 0.8, 0.75, 0.74, 0.76, 0.5, 0.4), new SGD(model.parameters(), 0.1))
            .callbacks(stop).quiet();
        History h = trainer.fit(Fixtures.ones(1), 10);
        // improvements at epochs 1-3; 0.74 is not below 0.75 - 0.02, nor is 0.76: stop after epoch 5
        assertEquals(5, h.epochs());
        double[] expected = {1.0, 0.8, 0.75, 0.74, 0.76};     // the scripted losses, as float32 tensors
        for (int i = 0; i < 5; i++) assertEquals(expected[i], h.get("loss").get(i), 1e-6);
        assertEquals(3, stop.bestEpoch());
        assertEquals(5, stop.stoppedEpoch());
        assertTrue(h.stopReason().orElseThrow().contains("loss did not improve for 2 epochs"), h.stopReason().orElseThrow());
        assertEquals(-0.3, model.w.item(), 1e-6, "weights of epoch 3 restored (w falls 0.1 per epoch)");
    }

    @Test
    void earlyStoppingInMaxModeNeedsTheMonitoredValue() {
        var model = new Fixtures.Scale();
        var trainer = new Trainer(model, Fixtures.scripted(1), new SGD(model.parameters(), 0.1))
            .callbacks(new EarlyStopping("val_accuracy", 1)).quiet();
        var e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(Fixtures.ones(1), 2));
        assertTrue(e.getMessage().contains("'val_accuracy' was not logged") && e.getMessage().contains("validation"), e.getMessage());
    }

    @Test
    void nanGuardStopsBeforeTheBadUpdate() {
        var model = new Fixtures.Scale();
        var guard = new NaNGuard();
        var out = new java.io.ByteArrayOutputStream();
        var trainer = new Trainer(model, Fixtures.scripted(0.5, 0.5, 0.4, Double.NaN, 0.3), new SGD(model.parameters(), 0.1))
            .callbacks(guard).progress(new java.io.PrintStream(out, true), false);
        History h = trainer.fit(Fixtures.ones(2), 5);
        assertEquals(1, h.epochs(), "the interrupted epoch is not recorded");
        String reason = h.stopReason().orElseThrow();
        assertEquals("NaNGuard: the loss is NaN at epoch 2, batch 2 (step 4); training stopped before this batch's update", reason);
        assertEquals(reason, guard.message());
        assertTrue(out.toString().contains(reason));
        assertEquals(-0.3, model.w.item(), 1e-6, "three updates, the NaN batch skipped");
    }

    @Test
    void schedulerStepsPerEpochOrPerBatch() {
        var m1 = new Fixtures.Scale();
        var o1 = new SGD(m1.parameters(), 0.1);
        History h1 = new Trainer(m1, Fixtures.scripted(1), o1).scheduler(new StepLR(o1, 1, 0.5)).quiet().fit(Fixtures.ones(2), 3);
        assertEquals(List.of(0.1, 0.05, 0.025), h1.get("lr"));
        var m2 = new Fixtures.Scale();
        var o2 = new SGD(m2.parameters(), 0.1);
        History h2 = new Trainer(m2, Fixtures.scripted(1), o2).scheduler(new StepLR(o2, 1, 0.5), Trainer.ScheduleStep.BATCH)
            .quiet().fit(Fixtures.ones(2), 3);
        assertEquals(0.1, h2.get("lr").get(0), 1e-15);
        assertEquals(0.025, h2.get("lr").get(1), 1e-15);
        assertEquals(0.00625, h2.get("lr").get(2), 1e-15);
        // updates with lr 0.1, 0.05, 0.025, ... 0.1 * 0.5^5
        assertEquals(-0.1 * (1 - Math.pow(0.5, 6)) / 0.5, m2.w.item(), 1e-6);
    }

    @Test
    void checkpointsBestAndLastThroughTheSaver() {
        var model = new Fixtures.Scale();
        Map<Path, List<Double>> saved = new LinkedHashMap<>();
        Saver memory = (Module m, Path p) -> saved.computeIfAbsent(p, k -> new ArrayList<>()).add(m.stateDict().get("w").item());
        Path best = Path.of("best.safetensors"), last = Path.of("last.safetensors");
        var ckpt = new ModelCheckpoint(memory, "loss", best, last);
        new Trainer(model, Fixtures.scripted(0.9, 0.7, 0.8, 0.6, 0.65), new SGD(model.parameters(), 0.1))
            .callbacks(ckpt).quiet().fit(Fixtures.ones(1), 5);
        assertEquals(5, saved.get(last).size());
        List<Double> b = saved.get(best);       // epochs 1, 2, 4 improved: w = -0.1, -0.2, -0.4
        assertEquals(3, b.size());
        assertEquals(-0.1, b.get(0), 1e-6);
        assertEquals(-0.2, b.get(1), 1e-6);
        assertEquals(-0.4, b.get(2), 1e-6);
        assertEquals(4, ckpt.bestEpoch());
        assertEquals(0.6, ckpt.bestValue(), 1e-6);
    }

    @Test
    void defaultCheckpointsAreSafetensorsFilesThatLoadBack(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        var model = new Fixtures.Scale();
        Path best = dir.resolve("best.safetensors"), last = dir.resolve("last.safetensors");
        new Trainer(model, Fixtures.scripted(0.9, 0.7, 0.8), new SGD(model.parameters(), 0.1))
            .callbacks(new ModelCheckpoint("loss", best, last)).quiet().fit(Fixtures.ones(1), 3);
        var fresh = new Fixtures.Scale();
        dev.fathom.io.Safetensors.load(fresh, best, true);
        assertEquals(-0.2, fresh.w.item(), 1e-6);             // epoch 2 was the best: w after two updates
        dev.fathom.io.Safetensors.load(fresh, last, true);
        assertEquals(model.w.item(), fresh.w.item(), 0);       // the last epoch's weights
    }

    @Test
    void checkpointFailureNamesEpochAndPath() {
        var model = new Fixtures.Scale();
        Saver failing = (m, p) -> { throw new java.io.IOException("disk full"); };
        var trainer = new Trainer(model, Fixtures.scripted(1), new SGD(model.parameters(), 0.1))
            .callbacks(new ModelCheckpoint(failing, null, null, Path.of("x.safetensors"))).quiet();
        var e = assertThrows(java.io.UncheckedIOException.class, () -> trainer.fit(Fixtures.ones(1), 1));
        assertEquals("ModelCheckpoint: could not save the model after epoch 1 to x.safetensors: disk full", e.getMessage());
    }

    @Test
    void badArgumentsAreNamed() {
        var model = new Fixtures.Scale();
        var opt = new SGD(model.parameters(), 0.1);
        var trainer = new Trainer(model, (o, t) -> o, opt).quiet();
        var e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(List.of(new Batch(Tensor.ones(2, 1), Tensor.ones(2, 1))), 1));
        assertTrue(e.getMessage().contains("the loss function returned shape [2, 1]; expected a scalar"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> trainer.fit(Fixtures.ones(1), 0));
        var empty = assertThrows(IllegalArgumentException.class, () -> new Trainer(model, Fixtures.scripted(1), opt).quiet().fit(List.of(), 1));
        assertTrue(empty.getMessage().contains("no batches in epoch 1"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> trainer.metrics(new Accuracy(), new Accuracy()));
    }

    @Test
    void plateauScheduleStepsWithTheMonitoredValue() {
        var model = new Fixtures.Scale();
        var opt = new SGD(model.parameters(), 0.1);
        var plateau = new dev.fathom.optim.lr.ReduceLROnPlateau(opt,
            new dev.fathom.optim.lr.ReduceLROnPlateau.Options().patience(0).factor(0.5));
        History h = new Trainer(model, Fixtures.scripted(1.0, 1.0, 1.0, 1.0), opt).scheduler(plateau, "val_loss").quiet()
            .fit(Fixtures.ones(1), Fixtures.ones(1), 2);
        // val_loss is 1.0 both epochs (calls alternate train, validation): the second epoch does not improve
        assertEquals(List.of(0.1, 0.1), h.get("lr"));
        assertEquals(0.05, opt.lr(), 1e-15);
    }

    @Test
    void earlyStoppingInMaxMode() {
        var model = new Fixtures.Scale();
        var stop = new EarlyStopping("loss", 1).mode(dev.fathom.train.callbacks.Mode.MAX);
        History h = new Trainer(model, Fixtures.scripted(0.25, 0.5, 0.5, 0.75), new SGD(model.parameters(), 0.1))
            .callbacks(stop).quiet().fit(Fixtures.ones(1), 10);
        assertEquals(3, h.epochs());
        assertEquals(2, stop.bestEpoch());
        assertEquals(0.5, stop.best(), 1e-12);
    }
}
