package dev.fathom.autograd;

import dev.fathom.ops.Indexing;
import dev.fathom.ops.Pad.PadMode;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** Gradients of the index-driven ops (gather, scatter, indexSelect, masks), cat/stack/split and pad. */
class IndexingGradTest {
    private static Tensor leaf(Generator g, int... shape) {
        return Tensor.randn(g, DType.FLOAT64, shape).requiresGrad(true);
    }

    private static Tensor longs(int[] shape, long... v) { return Tensor.of(v, shape); }

    private static void check(Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.Report r = GradCheck.check(f, in);
        assertTrue(r.passed(), r.toString());
    }

    /** First and second order. */
    private static void check2(Function<Tensor[], Tensor> f, Tensor... in) {
        check(f, in);
        GradCheck.Report r = GradCheck.checkSecondOrder(f, in);
        assertTrue(r.passed(), r.toString());
    }

    // ------------------------------------------------------------------ gather

    @Test
    void gatherGradchecks() {
        Generator g = new Generator(1);
        Tensor x = leaf(g, 3, 4), t = leaf(g, 4, 3);
        Tensor i1 = longs(new int[] {3, 2}, 0, 3, 1, 1, 2, 0);      // along dim 1, duplicates in row 1
        Tensor i0 = longs(new int[] {2, 4}, 2, 0, 1, 2, 2, 2, 0, 1); // along dim 0, smaller than x
        check2(in -> in[0].gather(1, i1), x);
        check2(in -> in[0].gather(0, i0).mul(in[0].gather(-1, i1).sum()), x);
        check2(in -> in[0].t().gather(1, i1).tanh(), t);          // strided input
        check2(in -> in[0].gather(0, i0.to(DType.INT32)).exp(), x); // int32 index
        Tensor x3 = leaf(g, 2, 3, 2);
        check2(in -> in[0].gather(1, longs(new int[] {2, 4, 1}, 2, 2, 0, 1, 1, 0, 0, 2)).pow(2L), x3);
        check2(in -> in[0].gather(0, longs(new int[0], 2)).mul(in[0]), leaf(g, 3)); // 0-d index
    }

    @Test
    void gatherDuplicatesAccumulateByHand() {
        Tensor x = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}}).requiresGrad(true);
        Tensor idx = longs(new int[] {2, 3}, 0, 0, 2, 1, 1, 1);
        Tensor w = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
        x.gather(1, idx).mul(w).sum().backward();
        assertArrayEquals(new double[] {3, 0, 3, 0, 15, 0}, x.grad().toDoubleArray());
    }

    @Test
    void gatherBackwardIsARecordedScatterAdd() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor idx = Tensor.vector(2L, 2L, 0L);
        Tensor gx = Autograd.grad(x.gather(0, idx).pow(2L).sum(), x, true); // 2·x at each use
        assertArrayEquals(new double[] {2, 0, 12}, gx.toDoubleArray());
        assertEquals("scatterAdd", gx.gradFn().name());
        Tensor h = Autograd.grad(gx.sum(), x, false); // d/dx of sum(2·x_i per use)
        assertArrayEquals(new double[] {2, 0, 4}, h.toDoubleArray());
    }

    @Test
    void indexChangedAfterForwardIsReported() {
        Tensor x = Tensor.vector(1.0, 2.0).requiresGrad(true);
        Tensor idx = Tensor.vector(1L, 0L);
        Tensor y = x.gather(0, idx).sum();
        idx.addInPlace(0L);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("gather"), e.getMessage());
    }

    // ------------------------------------------------------------------ scatter, scatterAdd

    @Test
    void scatterGradchecks() {
        Generator g = new Generator(2);
        Tensor self = leaf(g, 3, 5), src = leaf(g, 3, 4), selfT = leaf(g, 5, 3), srcBig = leaf(g, 4, 4);
        Tensor idx = longs(new int[] {3, 2}, 4, 0, 1, 3, 2, 2);    // row 2 repeats position 2
        Tensor idxU = longs(new int[] {3, 3}, 4, 0, 2, 1, 3, 0, 2, 4, 1);
        check2(in -> in[0].scatter(1, idxU, in[1].narrow(1, 0, 3)).tanh(), self, src);
        check2(in -> in[0].scatter(1, idx, in[1]).pow(2L), self, src);      // index smaller than src, a duplicate
        check2(in -> in[0].t().scatter(1, idx, in[1].t()), selfT, srcBig); // strided self and src
        check2(in -> in[0].scatter(1, idx, 2.5).mul(in[0]), self);           // scalar value
        check2(in -> in[0].t().scatter(1, longs(new int[] {1, 3}, 1, 4, 0), -1.0).exp(), selfT);
        check2(in -> Tensor.zeros(DType.FLOAT64, 3, 5).scatter(1, idx, in[0]).sin(), src); // only src differentiable
    }

    @Test
    void scatterDuplicateGradientGoesToTheWrittenElementByHand() {
        Tensor self = Tensor.vector(9.0, 9.0, 9.0, 9.0).requiresGrad(true);
        Tensor src = Tensor.vector(1.0, 2.0, 3.0).requiresGrad(true);
        Tensor out = self.scatter(0, Tensor.vector(1L, 1L, 3L), src);
        assertArrayEquals(new double[] {9, 2, 9, 3}, out.toDoubleArray()); // the later duplicate is written
        out.mul(Tensor.vector(1.0, 2.0, 3.0, 4.0)).sum().backward();
        assertArrayEquals(new double[] {1, 0, 3, 0}, self.grad().toDoubleArray());
        assertArrayEquals(new double[] {0, 2, 4}, src.grad().toDoubleArray());
    }

    @Test
    void scatterAddGradchecks() {
        Generator g = new Generator(3);
        Tensor self = leaf(g, 4, 3), src = leaf(g, 3, 3), srcT = leaf(g, 3, 3);
        Tensor idx = longs(new int[] {3, 2}, 0, 3, 3, 3, 1, 0); // along dim 0, duplicates
        check2(in -> in[0].scatterAdd(0, idx, in[1]).tanh(), self, src);
        check2(in -> in[0].scatterAdd(0, idx, in[1].t()).mul(in[1].sum()), self, srcT);
        check2(in -> in[0].t().scatterAdd(1, idx.t().contiguous(), in[1]).pow(2L), self, src);
    }

    @Test
    void scatterAddDuplicatesAccumulateByHand() {
        Tensor src = Tensor.vector(1.0, 2.0, 3.0).requiresGrad(true);
        Tensor self = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        Tensor out = self.scatterAdd(0, Tensor.vector(1L, 1L, 0L), src);
        assertArrayEquals(new double[] {3, 3}, out.toDoubleArray());
        out.pow(2L).sum().backward(); // d/dsrc_j = 2·out[index_j]
        assertArrayEquals(new double[] {6, 6, 6}, src.grad().toDoubleArray());
        assertArrayEquals(new double[] {6, 6}, self.grad().toDoubleArray());
    }

    @Test
    void inPlaceVariantsRefuseWhileRecording() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor idx = longs(new int[] {1, 2}, 0, 1), src = Tensor.ones(DType.FLOAT64, 1, 2);
        Tensor mask = Tensor.of(new boolean[] {true, false, true}, 3);
        for (var e : List.<org.junit.jupiter.api.function.Executable>of(
                () -> x.scatterInPlace(1, idx, src), () -> x.scatterInPlace(1, idx, 1.0),
                () -> x.scatterAddInPlace(1, idx, src), () -> x.maskedFillInPlace(mask, 0.0),
                () -> x.mul(2.0).scatterAddInPlace(1, idx, src))) {
            IllegalStateException ex = assertThrows(IllegalStateException.class, e);
            assertTrue(ex.getMessage().matches("(scatterInPlace|scatterAddInPlace|maskedFillInPlace): .*"), ex.getMessage());
        }
        Tensor plain = Tensor.zeros(DType.FLOAT64, 2, 3);
        IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> plain.scatterAddInPlace(1, idx, src.detach().requiresGrad(true)));
        assertTrue(ex.getMessage().startsWith("scatterAddInPlace: src requires grad"), ex.getMessage());
        try (var ignored = Autograd.noGrad()) { // allowed when not recording (an update, an initialisation)
            x.scatterAddInPlace(1, idx, src).maskedFillInPlace(mask, 5.0);
        }
        assertArrayEquals(new double[] {5, 1, 5, 5, 0, 5}, x.toDoubleArray());
    }

    // ------------------------------------------------------------------ indexSelect, indexAdd

    @Test
    void indexSelectGradchecks() {
        Generator g = new Generator(4);
        Tensor x = leaf(g, 4, 3), wide = leaf(g, 3, 20), t = leaf(g, 3, 4);
        Tensor idx = Tensor.vector(3L, 0L, 3L, 1L, 3L);
        check2(in -> in[0].indexSelect(0, idx).tanh(), x);
        check2(in -> in[0].indexSelect(1, Tensor.vector(2L, 2L, 0L)).pow(2L), x);
        check2(in -> in[0].t().indexSelect(0, idx).exp(), t);                     // strided input
        check2(in -> in[0].indexSelect(0, Tensor.vector(2L, 0L, 2L)).sin(), wide); // block-copy path
        check2(in -> in[0].indexSelect(-1, Tensor.vector(1L, 1L).to(DType.INT32)).mul(in[0].sum()), x);
        check2(in -> in[0].sum().indexSelect(0, Tensor.vector(0L, 0L)).pow(3L), x); // 0-d input
    }

    @Test
    void indexSelectDuplicatesAccumulateByHand() {
        Tensor x = Tensor.of(new double[][] {{1, 2}, {3, 4}, {5, 6}}).requiresGrad(true);
        Tensor w = Tensor.of(new double[][] {{1, 1}, {2, 2}, {3, 3}});
        x.indexSelect(0, Tensor.vector(2L, 0L, 2L)).mul(w).sum().backward();
        assertArrayEquals(new double[] {2, 2, 0, 0, 4, 4}, x.grad().toDoubleArray());
    }

    @Test
    void indexAddGradchecks() {
        Generator g = new Generator(5);
        Tensor self = leaf(g, 3, 4), src = leaf(g, 3, 5), srcT = leaf(g, 5, 3);
        Tensor idx = Tensor.vector(3L, 0L, 3L, 3L, 1L);
        check2(in -> Indexing.indexAdd(in[0], 1, idx, in[1]).tanh(), self, src);
        check2(in -> Indexing.indexAdd(in[0], 1, idx, in[1].t()).mul(in[1].sum()), self, srcT);
        Tensor out = Indexing.indexAdd(Tensor.zeros(DType.FLOAT64, 2), 0, Tensor.vector(1L, 1L, 0L),
            Tensor.vector(1.0, 2.0, 4.0));
        assertArrayEquals(new double[] {4, 3}, out.toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Indexing.indexAdd(self, 1, idx, src.narrow(1, 0, 4)));
        assertTrue(e.getMessage().startsWith("indexAdd: source shape [3, 4]"), e.getMessage());
    }

    // ------------------------------------------------------------------ masks

    @Test
    void maskedFillGradchecks() {
        Generator g = new Generator(6);
        Tensor x = leaf(g, 3, 4), row = leaf(g, 4);
        Tensor mask = Tensor.of(new boolean[] {true, false, false, true, false, true, true, false, false, false,
            false, true}, 3, 4);
        Tensor maskRow = Tensor.of(new boolean[] {false, true, true, false}, 4);
        check2(in -> in[0].maskedFill(mask, 7.0).tanh(), x);
        check2(in -> in[0].t().maskedFill(mask.t(), -1.0).pow(2L), x);     // strided input and mask
        check2(in -> in[0].maskedFill(maskRow, 0.5).mul(in[0]), x);         // mask broadcasts
        check2(in -> in[0].maskedFill(mask, 2.0).exp(), row);               // input broadcasts: gradient summed
    }

    @Test
    void maskedFillZeroesMaskedGradientByHand() {
        Tensor x = Tensor.vector(1.0, 2.0, 3.0).requiresGrad(true);
        x.maskedFill(Tensor.of(new boolean[] {false, true, false}, 3), 10.0).mul(x).sum().backward();
        assertArrayEquals(new double[] {2, 10, 6}, x.grad().toDoubleArray()); // d(x·x)=2x; d(10·x)=10
    }

    @Test
    void maskedSelectGradchecks() {
        Generator g = new Generator(7);
        Tensor x = leaf(g, 3, 4), row = leaf(g, 4);
        Tensor mask = Tensor.of(new boolean[] {true, false, false, true, false, true, true, false, false, false,
            false, true}, 3, 4);
        check2(in -> in[0].maskedSelect(mask).tanh(), x);
        check2(in -> in[0].t().maskedSelect(mask.t()).pow(2L), x);
        check2(in -> in[0].maskedSelect(Tensor.of(new boolean[] {true, false, true, true}, 4)).exp(), x);
        check2(in -> in[0].maskedSelect(mask).pow(3L), row); // input broadcasts: selected copies accumulate
        Tensor r = Tensor.vector(1.0, 2.0, 3.0, 4.0).requiresGrad(true);
        r.maskedSelect(mask).sum().backward(); // column j is selected once per true in mask column j
        assertArrayEquals(new double[] {1, 1, 1, 2}, r.grad().toDoubleArray());
    }

    // ------------------------------------------------------------------ cat, stack, split, chunk

    @Test
    void catGradchecks() {
        Generator g = new Generator(8);
        Tensor a = leaf(g, 2, 3), b = leaf(g, 4, 3), c = leaf(g, 3, 2);
        check2(in -> Tensor.cat(0, in[0], in[1].tanh(), in[2].t()).pow(2L), a, b, c);
        check2(in -> Tensor.cat(1, in[0], in[1].narrow(0, 1, 2), in[0]).mul(in[2].sum()), a, b, c);
        check2(in -> Tensor.cat(-1, in[0].t(), in[2]).exp(), a, b, c);
        check2(in -> Tensor.cat(0, Tensor.zeros(DType.FLOAT64, 0), in[0], Tensor.ones(DType.FLOAT64, 1, 3)).sin(),
            a); // a skipped legacy empty and a constant
        check2(in -> Tensor.cat(0, in[0].flatten(), in[1].flatten()).pow(2L), a, b); // 1-d
    }

    @Test
    void catAndStackHandBackGradientsInEachInputsType() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor y = Tensor.vector(3.0).requiresGrad(true);
        Tensor z = Tensor.cat(0, x, y, Tensor.vector(7L));
        assertEquals(DType.FLOAT64, z.dtype());
        z.mul(Tensor.vector(1.0, 2.0, 3.0, 4.0)).sum().backward();
        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[] {1, 2}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {3}, y.grad().toDoubleArray());

        Tensor p = Tensor.vector(1f, 2f).requiresGrad(true), q = Tensor.vector(3.0, 4.0).requiresGrad(true);
        Tensor s = Tensor.stack(1, p, q);
        assertEquals(DType.FLOAT64, s.dtype());
        s.mul(Tensor.of(new double[][] {{1, 2}, {3, 4}})).sum().backward();
        assertEquals(DType.FLOAT32, p.grad().dtype());
        assertArrayEquals(new double[] {1, 3}, p.grad().toDoubleArray());
        assertArrayEquals(new double[] {2, 4}, q.grad().toDoubleArray());
    }

    @Test
    void stackGradchecks() {
        Generator g = new Generator(9);
        Tensor a = leaf(g, 2, 3), b = leaf(g, 3, 2);
        check2(in -> Tensor.stack(0, in[0], in[1].t(), in[0]).tanh(), a, b);
        check2(in -> Tensor.stack(1, in[0], in[1].t().exp()).mul(in[0].sum()), a, b);
        check2(in -> Tensor.stack(-1, in[0], in[1].t()).pow(2L), a, b);
    }

    @Test
    void splitAndChunkAreRecordedViews() {
        Generator g = new Generator(10);
        Tensor x = leaf(g, 6, 2);
        List<Tensor> parts = x.split(new int[] {1, 3, 2}, 0);
        for (Tensor p : parts) {
            assertSame(x.storage(), p.storage());
            assertEquals("narrow", p.gradFn().name());
        }
        check2(in -> {
            List<Tensor> p = in[0].split(new int[] {1, 3, 2}, 0);
            return Tensor.cat(0, p.get(2).tanh(), p.get(0).mul(p.get(1).sum(0, true)));
        }, x);
        check2(in -> {
            List<Tensor> p = in[0].split(4, 0); // sizes 4, 2
            return p.get(0).narrow(0, 0, 2).mul(p.get(1).exp());
        }, x);
        check2(in -> {
            List<Tensor> p = in[0].t().chunk(4, 1); // 6 in 4 chunks: 2, 2, 2
            assertEquals(3, p.size());
            return p.get(0).mul(p.get(2)).add(p.get(1).pow(2L));
        }, x);
        x.chunk(2, 1).get(1).sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, x.grad().toDoubleArray());
    }

    // ------------------------------------------------------------------ pad

    @Test
    void constantPadGradchecks() {
        Generator g = new Generator(11);
        Tensor x = leaf(g, 2, 3, 4);
        check2(in -> in[0].pad(new int[] {1, 2}, 0.0).tanh(), x);
        check2(in -> in[0].pad(new int[] {1, 0, 2, 1}, 3.0).pow(2L), x);
        check2(in -> in[0].pad(new int[] {-1, 2, 1, -2}, 0.5).exp(), x);   // crop and pad
        check2(in -> in[0].transpose(0, 2).pad(new int[] {0, 1, 1, 1, 1, 0}, 0.0).sin(), x); // strided, 3 dims
        check2(in -> in[0].pad(new int[] {-1, -2}, PadMode.CONSTANT).mul(in[0].sum()), x);
        check2(in -> in[0].pad(new int[0], 1.0).pow(2L), x);
    }

    @Test
    void reflectReplicateCircularPadGradchecks() {
        Generator g = new Generator(12);
        Tensor x = leaf(g, 2, 3, 4);
        for (String mode : List.of("reflect", "replicate", "circular")) {
            check2(in -> in[0].pad(new int[] {2, 3}, mode).tanh(), x);
            check2(in -> in[0].pad(new int[] {1, 2, 2, 0}, mode).pow(2L), x);
            check2(in -> in[0].transpose(1, 2).pad(new int[] {0, 2, 1, 1}, mode).mul(in[0].sum()), x);
            check2(in -> in[0].pad(new int[] {1, -1, -1, 2}, mode).exp(), x); // crop in one direction
        }
        check2(in -> in[0].pad(new int[] {4, 4}, "replicate").sin(), x);       // wider than the input
        check2(in -> in[0].pad(new int[] {1, 1, 1, 1, 1, 1}, "circular").pow(2L), x); // all dimensions
    }

    @Test
    void padGradientsAccumulateByHand() {
        Tensor x = Tensor.vector(1.0, 2.0, 3.0).requiresGrad(true);
        x.pad(new int[] {2, 2}, "reflect").sum().backward();     // [x2 x1 x0 x1 x2 x1 x0]
        assertArrayEquals(new double[] {2, 3, 2}, x.grad().toDoubleArray());
        x.setGrad(null);
        x.pad(new int[] {2, 1}, "replicate").sum().backward();   // [x0 x0 x0 x1 x2 x2]
        assertArrayEquals(new double[] {3, 1, 2}, x.grad().toDoubleArray());
        x.setGrad(null);
        x.pad(new int[] {2, 2}, "circular").mul(Tensor.vector(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)).sum().backward();
        // [x1 x2 x0 x1 x2 x0 x1]: x0 at 3, 6; x1 at 1, 4, 7; x2 at 2, 5
        assertArrayEquals(new double[] {9, 12, 7}, x.grad().toDoubleArray());
        x.setGrad(null);
        x.pad(new int[] {1, -1}, 5.0).mul(Tensor.vector(1.0, 2.0, 3.0)).sum().backward(); // [5 x0 x1]
        assertArrayEquals(new double[] {2, 3, 0}, x.grad().toDoubleArray());
    }
}
