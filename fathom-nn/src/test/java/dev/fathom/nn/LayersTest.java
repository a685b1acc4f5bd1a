package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Flatten, Unflatten, Identity, Bilinear, Dropout, Dropout2d, Embedding. */
class LayersTest {
    private static final Map<String, Tensor> F = TorchFixture.load("init");

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    // ------------------------------------------------------------------ shapes

    @Test
    void flattenUnflattenIdentityShapes() {
        Tensor x = Tensor.arange(120).reshape(2, 3, 4, 5);
        assertArrayEquals(new int[] {2, 60}, new Flatten().forward(x).shape());
        assertArrayEquals(new int[] {2, 12, 5}, new Flatten(1, 2).forward(x).shape());
        assertArrayEquals(new int[] {120}, new Flatten(0, -1).forward(x).shape());
        assertArrayEquals(new int[] {2, 3, 20}, new Flatten(-2, -1).forward(x).shape());
        assertTrue(new Flatten().forward(x).equal(x.reshape(2, 60)));
        assertArrayEquals(new int[] {2, 3, 2, 2, 5}, new Unflatten(2, 2, 2).forward(x).shape());
        assertArrayEquals(new int[] {2, 3, 4, 5, 1}, new Unflatten(-1, 5, 1).forward(x).shape());
        assertTrue(new Unflatten(-1, 4, -1).forward(new Flatten(-2, -1).forward(x)).equal(x));
        Tensor round = new Unflatten(1, 3, 4, 5).forward(new Flatten().forward(x));
        assertTrue(round.equal(x));
        assertSame(x, new Identity().forward(x));

        assertEquals("Flatten(startDim=1, endDim=-1): expected input with at least 2 dimensions, got shape [5]",
            message(() -> new Flatten().forward(Tensor.zeros(5))));
        assertEquals("Flatten(startDim=2, endDim=0): for input shape [2, 3, 4] startDim is dimension 2, after endDim 0",
            message(() -> new Flatten(2, 0).forward(Tensor.zeros(2, 3, 4))));
        assertEquals("Unflatten(dim=1, sizes=[2, 5]): expected input with a dimension 1 of size 10, got shape [4, 12]",
            message(() -> new Unflatten(1, 2, 5).forward(Tensor.zeros(4, 12))));
        assertEquals("Unflatten(dim=1, sizes=[5, -1]): expected input with a dimension 1 of size divisible by 5, got shape [4, 12]",
            message(() -> new Unflatten(1, 5, -1).forward(Tensor.zeros(4, 12))));
    }

    // ------------------------------------------------------------------ Bilinear

    @Test
    void bilinearHandValueGradcheckAndErrors() {
        Bilinear b = new Bilinear(2, 3, 2, true, DType.FLOAT64);
        Init.constant(b.weight, 0);
        try (var ignored = Autograd.noGrad()) {
            b.weight.copyFrom(Tensor.of(new double[][][] {{{1, 2, 0}, {0, 1, -1}}, {{0, 0, 3}, {1, 0, 0}}}));
            b.bias.copyFrom(Tensor.vector(0.5, -1));
        }
        Tensor x1 = Tensor.of(new double[][] {{1, 2}}), x2 = Tensor.of(new double[][] {{3, -1, 2}});
        // out0 = x1ᵀ[[1,2,0],[0,1,-1]]x2 + 0.5 = 1·(3 - 2) + 2·(-1 - 2) + 0.5 = -4.5
        // out1 = x1ᵀ[[0,0,3],[1,0,0]]x2 - 1   = 1·6 + 2·3 - 1 = 11
        assertTrue(b.forward(x1, x2).allClose(Tensor.of(new double[][] {{-4.5, 11}}), 0, 1e-12), b.forward(x1, x2).toString());

        Bilinear r = new Bilinear(3, 4, 2, true, DType.FLOAT64);
        Generator g = new Generator(5);
        Tensor a = Tensor.randn(g, DType.FLOAT64, 2, 5, 3).requiresGrad(true), c = Tensor.randn(g, DType.FLOAT64, 2, 5, 4).requiresGrad(true);
        assertArrayEquals(new int[] {2, 5, 2}, r.forward(a, c).shape());
        // the batched form equals the per-sample x1ᵀ A x2 + b
        Tensor y = r.forward(a, c);
        double manual = r.bias.get(1);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) manual += a.get(1, 2, i) * r.weight.get(1, i, j) * c.get(1, 2, j);
        assertEquals(manual, y.get(1, 2, 1), 1e-12);
        GradCheck.Report rep = GradCheck.check(in -> r.forward(in[0], in[1]), a, c, r.weight, r.bias);
        assertTrue(rep.passed(), rep.toString());
        assertEquals(3 * 4 * 2 + 2, r.parameterCount());

        assertEquals("Bilinear(in1=3, in2=4, out=2, bias=true): expected inputs [..., 3] and [..., 4] with the same leading "
            + "dimensions, got shapes [5, 3] and [5, 5]", message(() -> r.forward(Tensor.zeros(5, 3), Tensor.zeros(5, 5))));
        assertEquals("Bilinear(in1=3, in2=4, out=2, bias=true): expected inputs [..., 3] and [..., 4] with the same leading "
            + "dimensions, got shapes [5, 3] and [6, 4]", message(() -> r.forward(Tensor.zeros(5, 3), Tensor.zeros(6, 4))));
    }

    // ------------------------------------------------------------------ Dropout

    @Test
    void dropoutMasksEqualPyTorchAfterTheSameSeed() {
        Generator.manualSeed(13);
        assertTrue(new Dropout(0.3).forward(Tensor.ones(4, 50)).equal(F.get("dropout")));
        Generator.manualSeed(14);
        assertTrue(new Dropout2d(0.5).forward(Tensor.ones(2, 6, 2, 2)).equal(F.get("dropout2d")));
    }

    @Test
    void dropoutDropsAboutPAndKeepsTheMeanInTrainingAndIsIdentityInEval() {
        Generator.manualSeed(1);
        int n = 100_000;
        double p = 0.3;
        Dropout d = new Dropout(p);
        Tensor x = Tensor.ones(DType.FLOAT64, n);
        Tensor y = d.forward(x);
        double dropped = y.eq(0.0).to(DType.FLOAT64).sum().item() / n;
        double se = Math.sqrt(p * (1 - p) / n);                      // ≈ 0.00145
        assertEquals(p, dropped, 5 * se, "fraction dropped");
        assertEquals(1.0, y.mean().item(), 5 * Math.sqrt(p / (1 - p) / n), "mean preserved");
        assertTrue(y.maskedSelect(y.ne(0.0)).equal(Tensor.full(1 / (1 - p), DType.FLOAT64, (int) Math.round(n * (1 - dropped)))));
        // gradient flows only through the kept elements, scaled
        Tensor xs = Tensor.ones(DType.FLOAT64, 1000).requiresGrad(true);
        Tensor ys = d.forward(xs);
        ys.sum().backward();
        assertTrue(xs.grad().equal(ys.detach()));

        d.eval();
        assertSame(x, d.forward(x));
        d.train();
        assertSame(x, new Dropout(0).forward(x));
        assertTrue(new Dropout(1).forward(x).equal(Tensor.zeros(DType.FLOAT64, n)));
        assertSame(x, Functional.dropout(x, 0.5, false, new Generator(1)));
        assertEquals("Dropout: probability has to be between 0 and 1, but got 1.5", message(() -> new Dropout(1.5)));
    }

    @Test
    void dropout2dZeroesWholeChannels() {
        Generator.manualSeed(2);
        Dropout2d d = new Dropout2d(0.5);
        Tensor x = Tensor.ones(8, 16, 5, 5);
        Tensor y = d.forward(x);
        Tensor perChannelMin = y.amin(new int[] {2, 3}, false), perChannelMax = y.amax(new int[] {2, 3}, false);
        assertTrue(perChannelMin.equal(perChannelMax), "each channel is all zero or all scaled");
        double dropped = perChannelMax.eq(0.0).to(DType.FLOAT64).mean().item();
        assertEquals(0.5, dropped, 5 * Math.sqrt(0.25 / 128));
        assertTrue(perChannelMax.maskedSelect(perChannelMax.ne(0.0)).eq(2.0).to(DType.INT64).sum().itemLong()
            == Math.round(128 * (1 - dropped)));
        Tensor unbatched = d.forward(Tensor.ones(16, 3, 3));
        assertTrue(unbatched.amin(new int[] {1, 2}, false).equal(unbatched.amax(new int[] {1, 2}, false)));
        d.eval();
        assertSame(x, d.forward(x));
        assertEquals("Dropout2d(p=0.5): expected input of shape [N, C, H, W] or [C, H, W], got shape [8, 16]",
            message(() -> d.forward(Tensor.zeros(8, 16))));
    }

    // ------------------------------------------------------------------ Embedding

    @Test
    void embeddingLooksUpRowsForIndicesOfAnyShape() {
        Embedding e = new Embedding(10, 4);
        Tensor idx = Tensor.of(new long[][] {{1, 3, 3}, {9, 0, 1}});
        Tensor y = e.forward(idx);
        assertArrayEquals(new int[] {2, 3, 4}, y.shape());
        assertTrue(y.select(0, 1).select(0, 0).equal(e.weight.select(0, 9)));
        assertArrayEquals(new int[] {4}, e.forward(Tensor.scalar(2L)).shape());
        assertArrayEquals(new int[] {0, 4}, e.forward(Tensor.of(new long[0], 0)).shape());
        assertTrue(e.forward(Tensor.of(new int[] {2, 5}, 2)).equal(e.weight.indexSelect(0, Tensor.vector(2L, 5L))), "int32 indices");
        // repeated indices accumulate their gradients
        y.sum().backward();
        Tensor want = Tensor.zeros(10, 4);
        long[] counts = {1, 2, 0, 2, 0, 0, 0, 0, 0, 1};
        for (int i = 0; i < 10; i++) want.select(0, i).fillInPlace(counts[i]);
        assertTrue(e.weight.grad().equal(want), e.weight.grad().toString());

        Embedding d = new Embedding(5, 3, null, DType.FLOAT64);
        Tensor i2 = Tensor.of(new long[][] {{0, 4}, {4, 2}});
        assertTrue(GradCheck.check(in -> d.forward(i2), d.weight).passed());
    }

    @Test
    void paddingRowStaysZeroAfterAnSgdStep() {
        Embedding e = new Embedding(6, 3, 2);
        assertTrue(e.weight.select(0, 2).equal(Tensor.zeros(3)));
        Tensor idx = Tensor.of(new long[][] {{2, 1, 2}, {5, 2, 1}});
        Tensor out = e.forward(idx);
        assertTrue(out.select(0, 0).select(0, 0).equal(Tensor.zeros(3)), "the padding index reads the zero row");
        out.mul(Tensor.randn(2, 3, 3)).sum().backward();
        assertTrue(e.weight.grad().select(0, 2).equal(Tensor.zeros(3)), "no gradient for the padding row");
        assertTrue(e.weight.grad().select(0, 1).abs().sum().item() > 0);
        try (var ignored = Autograd.noGrad()) {
            e.weight.subInPlace(e.weight.grad().mul(0.5));
        }
        assertTrue(e.weight.select(0, 2).equal(Tensor.zeros(3)), "padding row still zero");
        assertEquals(2, new Embedding(3, 2, -1).paddingIdx);
        assertEquals("Embedding(num=6, dim=3, paddingIdx=2)  # 18 parameters", e.toString().lines().findFirst().orElseThrow());
    }

    @Test
    void embeddingRejectsBadIndices() {
        Embedding e = new Embedding(6, 3);
        assertEquals("Embedding(num=6, dim=3): index 6 is out of range [0, 6) in input of shape [2, 2]",
            message(() -> e.forward(Tensor.of(new long[][] {{0, 6}, {1, 2}}))));
        assertEquals("Embedding(num=6, dim=3): index -1 is out of range [0, 6) in input of shape [2]",
            message(() -> e.forward(Tensor.vector(-1L, 2L))));
        assertEquals("Embedding(num=6, dim=3): expected int64 or int32 indices, got float32 of shape [2]",
            message(() -> e.forward(Tensor.vector(1f, 2f))));
        assertEquals("Embedding: paddingIdx must be within num_embeddings, got 6 for num=6", message(() -> new Embedding(6, 3, 6)));
    }
}
