package dev.fathom.workloads;

import dev.fathom.autograd.Autograd;
import dev.fathom.data.FashionMnist;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.SGD;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The workloads start from PyTorch's numbers: same corpus, parameter counts, shuffling and batch
 * draws, and the same losses over the first training steps (values from
 * {@code tools/fixtures/make_workload_fixture.py}, PyTorch 1.13 running {@code pytorch_bench.py}'s
 * own definitions). Agreement to 1e-5 over three optimiser steps means the same initial weights,
 * data order, forward, gradients and update rules.
 */
class WorkloadParityTest {
    static final Map<String, Double> FIX = fixture();

    static Map<String, Double> fixture() {
        try (InputStream in = WorkloadParityTest.class.getResourceAsStream("/fixtures/workloads.txt")) {
            Map<String, Double> m = new HashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] kv = line.trim().split(" ");
                m.put(kv[0], Double.parseDouble(kv[1]));
            }
            return m;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static double fix(String key) {
        Double v = FIX.get(key);
        if (v == null) throw new IllegalStateException("no fixture value " + key);
        return v;
    }

    static void assumeFashionMnist() {
        assumeTrue(Files.isDirectory(Path.of(FashionMnist.DEBIAN_DIR)), "apt-get install dataset-fashion-mnist");
    }

    @Test
    void corpusIsTheBytesPyTorchReads() {
        Workloads.Corpus c = Workloads.Corpus.load();
        assertEquals(fix("corpus.vocab"), c.vocab());
        assertEquals(fix("corpus.train"), c.train().length);
        assertEquals(fix("corpus.bytes"), c.train().length + c.val().length);
        long sumTrain = 0, sumVal = 0;
        for (long x : c.train()) sumTrain += x;
        for (long x : c.val()) sumVal += x;
        assertEquals(fix("corpus.train.sum"), sumTrain);
        assertEquals(fix("corpus.val.sum"), sumVal);
    }

    @Test
    void parameterCountsMatch() {
        assertEquals(fix("mlp.params"), Models.mlp().parameterCount());
        assertEquals(fix("cnn.params"), Models.cnn().parameterCount());
        assertEquals(fix("lstm.params"), new Models.CharLstm(86).parameterCount());
        assertEquals(fix("gpt.params"), new Models.TinyGpt(86).parameterCount());
    }

    @Test
    void mlpFirstStepsMatchPyTorch() {
        assumeFashionMnist();
        Workloads.Fmnist d = Workloads.Fmnist.load();
        Generator.manualSeed(0);
        Sequential model = Models.mlp();
        var opt = new SGD(model.parameters(), new SGD.Options().lr(0.05).momentum(0.9));
        Tensor perm = Tensor.randperm(new Generator(0), d.train().size());
        assertEquals(fix("mlp.perm0"), perm.get(0));
        assertEquals(fix("mlp.perm1"), perm.get(1));
        assertEquals(fix("mlp.perm59999"), perm.get(59999));
        for (int s = 0; s < 3; s++) {
            Tensor idx = perm.narrow(0, s * 128, 128);
            double loss = Workloads.classifierStep(model, opt, d.train().images(idx), d.ytr().indexSelect(0, idx));
            assertEquals(fix("mlp.loss" + (s + 1)), loss, 1e-5, "mlp loss at step " + (s + 1));
        }
    }

    @Test
    void cnnStartsFromPyTorchsWeights() {
        assumeFashionMnist();
        Workloads.Fmnist d = Workloads.Fmnist.load();
        Generator.manualSeed(0);
        Sequential model = Models.cnn();
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            double loss = Losses.crossEntropy(model.forward(d.train().images(Tensor.arange(64))), d.ytr().narrow(0, 0, 64)).item();
            assertEquals(fix("cnn.evalloss0"), loss, 1e-5);
        }
        // and it trains: two Adam steps on the same batch lower the loss there
        model.train();
        var opt = new Adam(model.parameters(), 1e-3);
        Tensor xb = d.train().images(Tensor.arange(64)), yb = d.ytr().narrow(0, 0, 64);
        double first = Workloads.classifierStep(model, opt, xb, yb);
        Workloads.classifierStep(model, opt, xb, yb);
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            double after = Losses.crossEntropy(model.forward(xb), yb).item();
            assertEquals(true, after < first, "loss " + first + " -> " + after);
        }
    }

    @Test
    void lstmFirstStepsMatchPyTorch() {
        Workloads.Corpus c = Workloads.Corpus.load();
        Generator.manualSeed(0);
        var model = new Models.CharLstm(c.vocab());
        var opt = new Adam(model.parameters(), 2e-3);
        int len = c.train().length / 32;
        var training = new Workloads.LstmTraining(model, opt, java.util.Arrays.copyOf(c.train(), 32 * len), 32, len, 64);
        for (int s = 1; s <= 3; s++)
            assertEquals(fix("lstm.loss" + s), training.step(s), 1e-5, "lstm loss at step " + s);
    }

    @Test
    void gptFirstStepsMatchPyTorch() {
        Workloads.Corpus c = Workloads.Corpus.load();
        long[] starts = Tensor.randint(new Generator(0), 0, c.train().length - 129, 16).toLongArray();
        assertEquals(fix("gpt.start0"), starts[0]);
        assertEquals(fix("gpt.start15"), starts[15]);
        Generator.manualSeed(0);
        var model = new Models.TinyGpt(c.vocab());
        var opt = new AdamW(model.parameters(), new AdamW.Options().lr(3e-4).weightDecay(0.01));
        Generator g = new Generator(0);
        for (int s = 1; s <= 3; s++)
            assertEquals(fix("gpt.loss" + s), Workloads.gptStep(model, opt, g, c), 1e-5, "gpt loss at step " + s);
    }

    @Test
    void gptIsCausal() {
        Generator.manualSeed(3);
        var model = new Models.TinyGpt(20, 16, 1, 2, 8);
        long[] a = {1, 2, 3, 4, 5, 6, 7, 8}, b = a.clone();
        b[5] = 19;   // change a later token
        try (var ignored = Autograd.noGrad()) {
            Tensor la = model.forward(Tensor.of(a, 1, 8)), lb = model.forward(Tensor.of(b, 1, 8));
            float[] fa = la.narrow(1, 0, 5).contiguous().toFloatArray(), fb = lb.narrow(1, 0, 5).contiguous().toFloatArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(fa, fb, "positions before the change must not see it");
            float[] ga = la.narrow(1, 5, 1).contiguous().toFloatArray(), gb = lb.narrow(1, 5, 1).contiguous().toFloatArray();
            assertEquals(true, !java.util.Arrays.equals(ga, gb), "position 5 sees its own token");
        }
    }
}
