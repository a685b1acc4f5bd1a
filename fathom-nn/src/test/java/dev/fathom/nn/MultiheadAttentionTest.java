package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MultiheadAttentionTest {
    /** The fixture entries named {@code prefix + key}, by key. */
    static Map<String, Tensor> prefixed(Map<String, Tensor> f, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : f.entrySet()) if (e.getKey().startsWith(prefix)) out.put(e.getKey().substring(prefix.length()), e.getValue());
        return out;
    }

    static void assertStateEquals(Map<String, Tensor> expected, Module m) {
        Map<String, Tensor> mine = m.stateDict();
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(mine.keySet()), "state dict keys and order");
        for (var e : expected.entrySet())
            assertTrue(mine.get(e.getKey()).allClose(e.getValue(), 0, 1e-7), e.getKey() + "\n" + mine.get(e.getKey()) + "\n" + e.getValue());
    }

    static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        assertTrue(actual.to(DType.FLOAT64).allClose(expected.to(DType.FLOAT64), 0, tol), what + "\nexpected " + expected + "\ngot " + actual);
    }

    @Test
    void selfAttentionWithPaddingAndCausalMasksEqualsPyTorch() {
        Map<String, Tensor> f = TorchFixture.load("attention_mha");
        Generator.manualSeed(0);
        MultiheadAttention mha = new MultiheadAttention(8, 2);
        assertStateEquals(prefixed(f, "init."), mha);   // same initialisation as torch.manual_seed(0)
        mha.loadStateDict(prefixed(f, "sd."), true);
        Tensor x = f.get("x"), pad = f.get("pad");
        assertTrue(MultiheadAttention.causalMask(5).equal(f.get("causal")));

        var r = mha.forward(x, x, x, pad, MultiheadAttention.causalMask(5), true, true);
        assertClose(f.get("out"), r.output(), 1e-5, "output");
        assertClose(f.get("weights"), r.weights(), 1e-5, "averaged weights");
        var h = mha.forward(x, x, x, pad, MultiheadAttention.causalMask(5), true, false);
        assertClose(f.get("head_weights"), h.weights(), 1e-5, "per-head weights");
        var plain = mha.forward(x, x, x);
        assertClose(f.get("plain_out"), plain.output(), 1e-5, "output without masks");
        assertClose(f.get("plain_weights"), plain.weights(), 1e-5, "weights without masks");
        assertNull(mha.forward(x, x, x, pad, null, false, true).weights());
        assertClose(r.output(), mha.selfAttention(x, pad, MultiheadAttention.causalMask(5)), 0, "selfAttention");
    }

    @Test
    void crossAttentionWithOtherKeyValueSizesBatchFirstAndFloatMaskEqualsPyTorch() {
        Map<String, Tensor> f = TorchFixture.load("attention_cross");
        Generator.manualSeed(1);
        MultiheadAttention mha = new MultiheadAttention(8, 4, 0.0, true, 6, 5, true, DType.FLOAT32);
        assertNull(mha.inProjWeight);
        assertStateEquals(prefixed(f, "init."), mha);
        mha.loadStateDict(prefixed(f, "sd."), true);
        Tensor q = f.get("q"), k = f.get("k"), v = f.get("v"), m = f.get("fmask");
        var r = mha.forward(q, k, v, null, m, true, true);
        assertClose(f.get("out"), r.output(), 1e-5, "output");
        assertClose(f.get("weights"), r.weights(), 1e-5, "weights");
        var u = mha.forward(q.select(0, 0), k.select(0, 0), v.select(0, 0), null, m, true, true);
        assertClose(f.get("unbatched_out"), u.output(), 1e-5, "unbatched output");
        assertClose(f.get("unbatched_weights"), u.weights(), 1e-5, "unbatched weights");
    }

    @Test
    void maskedKeysDoNotInfluenceTheOutput() {
        Generator.manualSeed(3);
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0.0, true, true);
        Tensor x = Tensor.randn(2, 6, 8);
        Tensor pad = Tensor.of(new boolean[][] {{false, false, false, false, true, true}, {false, false, false, false, false, false}});
        Tensor causal = MultiheadAttention.causalMask(6);
        Tensor before = mha.forward(x, x, x, pad, causal, false, true).output();
        Tensor weights = mha.forward(x, x, x, pad, causal, true, false).weights();

        // change the padded keys/values of batch 0 and the last position of batch 1: the queries that
        // cannot see them (batch 0 all, batch 1 positions 0..4 under the causal mask) keep their outputs
        Tensor kv = x.copy();
        try (var ignored = Autograd.noGrad()) {
            kv.select(0, 0).narrow(0, 4, 2).copyFrom(Tensor.randn(2, 8).mul(10.0));
            kv.select(0, 1).narrow(0, 5, 1).copyFrom(Tensor.randn(1, 8).mul(10.0));
        }
        Tensor after = mha.forward(x, kv, kv, pad, causal, false, true).output();
        assertTrue(after.select(0, 0).allClose(before.select(0, 0), 0, 1e-6));
        assertTrue(after.select(0, 1).narrow(0, 0, 5).allClose(before.select(0, 1).narrow(0, 0, 5), 0, 1e-6));
        assertFalse(after.select(0, 1).narrow(0, 5, 1).allClose(before.select(0, 1).narrow(0, 5, 1), 0, 1e-3),
            "the unmasked query does see the change");

        // the weights are exactly zero where masked and each row sums to 1
        for (int b = 0; b < 2; b++)
            for (int h = 0; h < 2; h++)
                for (int i = 0; i < 6; i++) {
                    double sum = 0;
                    for (int j = 0; j < 6; j++) {
                        double w = weights.get(b, h, i, j);
                        if (j > i || (b == 0 && j >= 4)) assertEquals(0.0, w, 0.0);
                        sum += w;
                    }
                    assertEquals(1.0, sum, 1e-6);
                }
    }

    @Test
    void gradcheckThroughInputsProjectionsAndMasks() {
        Generator.manualSeed(4);
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0.0, true, 3, 4, false, DType.FLOAT64);
        Generator g = new Generator(5);
        try (var ignored = Autograd.noGrad()) {
            mha.inProjBias.copyFrom(Tensor.randn(g, DType.FLOAT64, 12));
            mha.outProj.bias.copyFrom(Tensor.randn(g, DType.FLOAT64, 4));
        }
        Tensor q = Tensor.randn(g, DType.FLOAT64, 3, 2, 4).requiresGrad(true);
        Tensor k = Tensor.randn(g, DType.FLOAT64, 4, 2, 3).requiresGrad(true);
        Tensor v = Tensor.randn(g, DType.FLOAT64, 4, 2, 4).requiresGrad(true);
        Tensor pad = Tensor.of(new boolean[][] {{false, false, true, false}, {false, false, false, false}});
        Tensor attn = Tensor.randn(g, DType.FLOAT64, 3, 4);
        GradCheck.Report r = GradCheck.check(in -> {
            var o = mha.forward(in[0], in[1], in[2], pad, attn, true, true);
            return o.output().sum(2).add(o.weights().sum(2).transpose(0, 1));
        }, q, k, v, mha.qProjWeight, mha.kProjWeight, mha.vProjWeight, mha.inProjBias, mha.outProj.weight, mha.outProj.bias);
        assertTrue(r.passed(), r.toString());

        MultiheadAttention self = new MultiheadAttention(4, 2, 0.0, true, 4, 4, true, DType.FLOAT64);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 2, 3, 4).requiresGrad(true);
        GradCheck.Report s = GradCheck.check(in -> self.selfAttention(in[0], null, MultiheadAttention.causalMask(3)),
            x, self.inProjWeight, self.inProjBias, self.outProj.weight);
        assertTrue(s.passed(), s.toString());
    }

    @Test
    void dropoutActsOnTheWeightsOnlyInTraining() {
        Generator.manualSeed(6);
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0.5, true, true);
        Tensor x = Tensor.randn(1, 4, 8);
        Tensor w = mha.forward(x, x, x, null, null, true, false).weights();
        boolean zero = false;
        for (double d : w.toDoubleArray()) zero |= d == 0;
        assertTrue(zero, "some weights dropped");
        assertTrue(w.sum(3).allClose(w.sum(3).mul(0.0).add(1.0), 0, 1e-6) == false, "kept weights are scaled by 2, rows no longer sum to 1");
        mha.eval();
        Tensor e = mha.forward(x, x, x, null, null, true, false).weights();
        assertTrue(e.sum(3).allClose(Tensor.ones(1, 2, 4), 0, 1e-6), "eval rows sum to 1");
        assertTrue(e.equal(mha.forward(x, x, x, null, null, true, false).weights()), "eval is deterministic");
    }

    @Test
    void namesShapesAndErrors() {
        MultiheadAttention mha = new MultiheadAttention(8, 2);
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), List.copyOf(mha.stateDict().keySet()));
        assertEquals(3 * 64 + 24 + 64 + 8, mha.parameterCount());
        assertTrue(mha.outProj.bias.equal(Tensor.zeros(8)));
        MultiheadAttention noBias = new MultiheadAttention(8, 2, 0.0, false, false);
        assertEquals(List.of("in_proj_weight", "out_proj.weight"), List.copyOf(noBias.stateDict().keySet()));

        Tensor x = Tensor.zeros(5, 2, 8);
        var e = assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(5, 2, 6), x, x));
        assertEquals("MultiheadAttention(embedDim=8, numHeads=2, dropout=0.0, bias=true, batchFirst=false): expected query with 8 "
            + "features in the last dimension ([length, batch, features]), got shape [5, 2, 6]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(x, x, x, Tensor.zeros(DType.BOOL, 5, 2), null, true, true));
        assertTrue(e.getMessage().contains("keyPaddingMask must have shape [2, 5] (batch, source), got [5, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(x, x, x, null, Tensor.zeros(DType.INT64, 5, 5), true, true));
        assertTrue(e.getMessage().contains("attnMask must be bool"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(10, 3));
        assertEquals("MultiheadAttention: embedDim 10 must be divisible by numHeads 3", e.getMessage());
    }
}
