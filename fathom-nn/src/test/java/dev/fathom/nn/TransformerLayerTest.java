package dev.fathom.nn;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.fathom.nn.MultiheadAttentionTest.assertClose;
import static dev.fathom.nn.MultiheadAttentionTest.assertStateEquals;
import static dev.fathom.nn.MultiheadAttentionTest.prefixed;
import static org.junit.jupiter.api.Assertions.*;

class TransformerLayerTest {
    @Test
    void encoderLayersEqualPyTorchInEvalMode() {
        Map<String, Tensor> f = TorchFixture.load("attention_encoder");
        Generator.manualSeed(2);
        var enc = new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", 1e-5, true, false);
        assertStateEquals(prefixed(f, "init."), enc);     // same initialisation as torch.manual_seed(2)
        enc.loadStateDict(prefixed(f, "sd."), true);
        enc.eval();
        assertClose(f.get("out"), enc.forward(f.get("src"), f.get("causal"), f.get("pad")), 1e-5, "post-norm relu, masked");

        var pre = new TransformerEncoderLayer(8, 2, 16, 0.1, "gelu", 1e-6, false, true);
        pre.loadStateDict(prefixed(f, "sd2."), true);
        pre.eval();
        assertClose(f.get("out2"), pre.forward(f.get("src2")), 1e-5, "pre-norm gelu");
    }

    @Test
    void decoderLayersEqualPyTorchInEvalMode() {
        Map<String, Tensor> f = TorchFixture.load("attention_decoder");
        Generator.manualSeed(4);
        var dec = new TransformerDecoderLayer(8, 2, 16, 0.1, "relu", 1e-5, false, false);
        assertStateEquals(prefixed(f, "init."), dec);
        dec.loadStateDict(prefixed(f, "sd."), true);
        dec.eval();
        assertClose(f.get("out"), dec.forward(f.get("tgt"), f.get("memory"), f.get("causal"), null, f.get("tpad"), f.get("mpad")),
            1e-5, "post-norm relu, masked");

        var pre = new TransformerDecoderLayer(8, 2, 16, 0.1, "gelu", 1e-5, true, true);
        pre.loadStateDict(prefixed(f, "sd2."), true);
        pre.eval();
        assertClose(f.get("out2"), pre.forward(f.get("tgt2"), f.get("memory2"), f.get("causal"), f.get("mmask"), null, null),
            1e-5, "pre-norm gelu, float memory mask");
    }

    @Test
    void namesMatchPyTorchAndTrainingModeDropsOut() {
        var dec = new TransformerDecoderLayer(8, 2, 16, 0.5, "relu", 1e-5, true, false);
        assertEquals(List.of("self_attn", "multihead_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "norm3",
            "dropout1", "dropout2", "dropout3"), List.copyOf(dec.namedChildren().keySet()));
        var enc = new TransformerEncoderLayer(8, 2);
        assertEquals(List.of("self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"),
            List.copyOf(enc.namedChildren().keySet()));
        assertEquals(2048, enc.linear1.outFeatures);

        Tensor tgt = Tensor.randn(2, 3, 8), mem = Tensor.randn(2, 4, 8);
        Tensor a = dec.forward(tgt, mem), b = dec.forward(tgt, mem);
        assertFalse(a.allClose(b, 0, 1e-4), "training mode: dropout differs between calls");
        dec.eval();
        assertTrue(dec.forward(tgt, mem).equal(dec.forward(tgt, mem)), "eval mode is deterministic");

        var e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 2, 16, 0.1, "tanh", 1e-5, false, false));
        assertEquals("TransformerEncoderLayer: activation must be \"relu\" or \"gelu\", got tanh", e.getMessage());
    }

    @Test
    void causalDecoderOutputDoesNotDependOnLaterTargets() {
        Generator.manualSeed(7);
        var dec = new TransformerDecoderLayer(8, 2, 16, 0.0, "gelu", 1e-5, true, true);
        Tensor tgt = Tensor.randn(1, 5, 8), mem = Tensor.randn(1, 3, 8);
        Tensor causal = MultiheadAttention.causalMask(5);
        Tensor before = dec.forward(tgt, mem, causal, null, null, null);
        Tensor changed = tgt.copy();
        changed.select(1, 4).copyFrom(Tensor.randn(8).mul(5.0));
        Tensor after = dec.forward(changed, mem, causal, null, null, null);
        assertTrue(after.narrow(1, 0, 4).allClose(before.narrow(1, 0, 4), 0, 1e-6));
        assertFalse(after.narrow(1, 4, 1).allClose(before.narrow(1, 4, 1), 0, 1e-3));
    }

    @Test
    void gradcheckOfBothLayers() {
        Generator.manualSeed(8);
        Generator g = new Generator(9);
        var enc = new TransformerEncoderLayer(4, 2, 6, 0.0, "gelu", 1e-5, true, false, DType.FLOAT64);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 2, 3, 4).requiresGrad(true);
        Tensor pad = Tensor.of(new boolean[][] {{false, false, true}, {false, false, false}});
        GradCheck.Report r = GradCheck.check(in -> enc.forward(in[0], null, pad), x, enc.selfAttn.inProjWeight, enc.linear1.weight,
            enc.linear2.bias, enc.norm1.weight, enc.norm2.bias);
        assertTrue(r.passed(), r.toString());

        var dec = new TransformerDecoderLayer(4, 2, 6, 0.0, "relu", 1e-5, false, true, DType.FLOAT64);
        Tensor t = Tensor.randn(g, DType.FLOAT64, 3, 1, 4).requiresGrad(true);
        Tensor m = Tensor.randn(g, DType.FLOAT64, 2, 1, 4).requiresGrad(true);
        GradCheck.Report d = GradCheck.check(in -> dec.forward(in[0], in[1], MultiheadAttention.causalMask(3), null, null, null), t, m,
            dec.multiheadAttn.inProjWeight, dec.norm3.weight, dec.linear1.weight);
        assertTrue(d.passed(), d.toString());
    }
}
