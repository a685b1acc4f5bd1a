package dev.fathom.nn;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

class RecurrentTest {
    private static final double TOL = 1e-5;

    /** Runs a layer: {output, hn, cn (LSTM) or null}. */
    private static Tensor[] run(RNNBase layer, Tensor x, Tensor h0, Tensor c0, Tensor lengths) {
        return switch (layer) {
            case LSTM l -> {
                LstmOutput o = l.forward(x, h0, c0, lengths);
                yield new Tensor[] {o.output(), o.hn(), o.cn()};
            }
            case GRU g -> {
                RnnOutput o = g.forward(x, h0, lengths);
                yield new Tensor[] {o.output(), o.hn(), null};
            }
            case RNN r -> {
                RnnOutput o = r.forward(x, h0, lengths);
                yield new Tensor[] {o.output(), o.hn(), null};
            }
            default -> throw new AssertionError(layer);
        };
    }

    private static void close(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertTrue(actual.allClose(expected, 0, TOL), what + ": got\n" + actual + "\nPyTorch\n" + expected);
    }

    /** Same seed: the same parameters (names, order, values), and outputs equal to PyTorch's, plain, from h0/c0, with lengths. */
    private static void matchesTorch(String fixture, long seed, Supplier<RNNBase> make) {
        Map<String, Tensor> f = TorchFixture.load(fixture);
        Generator.manualSeed(seed);
        RNNBase layer = make.get();
        Map<String, Tensor> params = layer.namedParameters();
        List<String> torchNames = f.keySet().stream().filter(k -> k.startsWith("weight_") || k.startsWith("bias_")).toList();
        assertEquals(torchNames, List.copyOf(params.keySet()), fixture + ": parameter names and order");
        for (String k : torchNames) assertTrue(params.get(k).equal(f.get(k)), fixture + ": " + k + " differs from PyTorch's");
        boolean lstm = layer instanceof LSTM;
        Tensor x = f.get("x"), h0 = f.get("h0"), c0 = lstm ? f.get("c0") : null;
        for (String tag : new String[] {"", "_h0", "_len"}) {
            Tensor[] r = run(layer, x, tag.isEmpty() ? null : h0, tag.isEmpty() ? null : c0, tag.equals("_len") ? f.get("lengths") : null);
            close(f.get("out" + tag), r[0], fixture + " output" + tag);
            close(f.get("hn" + tag), r[1], fixture + " hn" + tag);
            if (lstm) close(f.get("cn" + tag), r[2], fixture + " cn" + tag);
        }
    }

    @Test
    void lstmTwoLayersBidirectionalBatchFirstEqualsPyTorch() {
        matchesTorch("rnn_lstm", 0, () -> new LSTM(5, 4, 2, true, true, 0, true));
    }

    @Test
    void gruTwoLayersBidirectionalEqualsPyTorch() {
        matchesTorch("rnn_gru", 1, () -> new GRU(5, 4, 2, true, false, 0, true));
    }

    @Test
    void rnnTanhTwoLayersBidirectionalEqualsPyTorch() {
        matchesTorch("rnn_rnn", 2, () -> new RNN(5, 4, 2, "tanh", true, false, 0, true));
    }

    @Test
    void rnnReluWithoutBiasBatchFirstEqualsPyTorch() {
        matchesTorch("rnn_relu", 3, () -> new RNN(5, 4, 1, "relu", false, true, 0, false));
    }

    @Test
    void outputShapesAndUnbatchedInput() {
        LSTM lstm = new LSTM(3, 5, 2, true, true, 0, true);
        LstmOutput o = lstm.forward(Tensor.randn(4, 7, 3));
        assertArrayEquals(new int[] {4, 7, 10}, o.output().shape());
        assertArrayEquals(new int[] {4, 4, 5}, o.hn().shape());
        assertArrayEquals(new int[] {4, 4, 5}, o.cn().shape());
        // unbatched [seq, in] equals batch 1 (batchFirst does not apply to unbatched input, as in PyTorch)
        Tensor x = Tensor.randn(7, 3);
        LstmOutput u = lstm.forward(x), b = lstm.forward(x.unsqueeze(0));
        assertArrayEquals(new int[] {7, 10}, u.output().shape());
        assertArrayEquals(new int[] {4, 5}, u.hn().shape());
        assertTrue(u.output().allClose(b.output().squeeze(0), 0, 1e-6));
        assertTrue(u.cn().allClose(b.cn().squeeze(1), 0, 1e-6));
        GRU gru = new GRU(3, 5);
        RnnOutput g = gru.forward(Tensor.randn(7, 2, 3));
        assertArrayEquals(new int[] {7, 2, 5}, g.output().shape());
        assertArrayEquals(new int[] {1, 2, 5}, g.hn().shape());
        // the last step of a one-layer unidirectional output is the final state
        assertTrue(g.output().select(0, 6).equal(g.hn().select(0, 0)));
    }

    @Test
    void parameterNamesAndShapesArePyTorchs() {
        LSTM lstm = new LSTM(3, 5, 2, true, false, 0, true);
        Map<String, Tensor> p = lstm.namedParameters();
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"), List.copyOf(p.keySet()));
        assertArrayEquals(new int[] {20, 3}, p.get("weight_ih_l0").shape());
        assertArrayEquals(new int[] {20, 10}, p.get("weight_ih_l1_reverse").shape());
        assertArrayEquals(new int[] {20, 5}, p.get("weight_hh_l1").shape());
        assertArrayEquals(new int[] {20}, p.get("bias_hh_l0_reverse").shape());
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0"), List.copyOf(new GRU(2, 3, 1, false, false, 0, false).namedParameters().keySet()));
        assertArrayEquals(new int[] {9, 2}, new GRU(2, 3).weightIh(0, 0).shape());
        assertEquals(List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh"), List.copyOf(new LSTMCell(2, 3).namedParameters().keySet()));
        // every parameter lies in ±1/√hidden
        GRU big = new GRU(8, 16, 2);
        for (Tensor t : big.parameters()) assertTrue(t.abs().max().item() <= 0.25);
    }

    // ------------------------------------------------------------------ cells vs hand formulas

    private static double sig(double v) { return 1 / (1 + Math.exp(-v)); }

    /** (W·x)[r] + b[r] for W [rows, n] as nested arrays. */
    private static double affine(double[][] w, double[] b, double[] x, int r) {
        double s = b == null ? 0 : b[r];
        for (int k = 0; k < x.length; k++) s += w[r][k] * x[k];
        return s;
    }

    private static double[][] rows(Tensor w) {
        double[] a = w.toDoubleArray();
        int n = w.size(1);
        double[][] out = new double[w.size(0)][n];
        for (int r = 0; r < out.length; r++) System.arraycopy(a, r * n, out[r], 0, n);
        return out;
    }

    @Test
    void lstmCellEqualsHandFormula() {
        Generator.manualSeed(5);
        LSTMCell cell = new LSTMCell(3, 2, true, DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 2, 3), h = Tensor.randn(DType.FLOAT64, 2, 2), c = Tensor.randn(DType.FLOAT64, 2, 2);
        LSTMCell.State s = cell.forward(x, h, c);
        double[][] wi = rows(cell.weightIh), wh = rows(cell.weightHh);
        double[] bi = cell.biasIh.toDoubleArray(), bh = cell.biasHh.toDoubleArray();
        int H = 2;
        for (int b = 0; b < 2; b++) {
            double[] xb = rows(x)[b], hb = rows(h)[b];
            for (int j = 0; j < H; j++) {
                double[] pre = new double[4];
                for (int g = 0; g < 4; g++) pre[g] = affine(wi, bi, xb, g * H + j) + affine(wh, bh, hb, g * H + j);
                double cNew = sig(pre[1]) * c.get(b, j) + sig(pre[0]) * Math.tanh(pre[2]);
                double hNew = sig(pre[3]) * Math.tanh(cNew);
                assertEquals(cNew, s.c().get(b, j), 1e-12);
                assertEquals(hNew, s.h().get(b, j), 1e-12);
            }
        }
        // zero states by default, and unbatched input
        LSTMCell.State z = cell.forward(x.select(0, 1));
        LSTMCell.State zb = cell.forward(x, Tensor.zeros(DType.FLOAT64, 2, 2), Tensor.zeros(DType.FLOAT64, 2, 2));
        assertArrayEquals(new int[] {2}, z.h().shape());
        assertTrue(z.h().allClose(zb.h().select(0, 1), 0, 1e-12));
        assertTrue(z.c().allClose(zb.c().select(0, 1), 0, 1e-12));
    }

    @Test
    void gruCellEqualsHandFormula() {
        Generator.manualSeed(6);
        GRUCell cell = new GRUCell(3, 2, true, DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 2, 3), h = Tensor.randn(DType.FLOAT64, 2, 2);
        Tensor out = cell.forward(x, h);
        double[][] wi = rows(cell.weightIh), wh = rows(cell.weightHh);
        double[] bi = cell.biasIh.toDoubleArray(), bh = cell.biasHh.toDoubleArray();
        int H = 2;
        for (int b = 0; b < 2; b++) {
            double[] xb = rows(x)[b], hb = rows(h)[b];
            for (int j = 0; j < H; j++) {
                double r = sig(affine(wi, bi, xb, j) + affine(wh, bh, hb, j));
                double z = sig(affine(wi, bi, xb, H + j) + affine(wh, bh, hb, H + j));
                double n = Math.tanh(affine(wi, bi, xb, 2 * H + j) + r * affine(wh, bh, hb, 2 * H + j));
                assertEquals((1 - z) * n + z * hb[j], out.get(b, j), 1e-12);
            }
        }
    }

    @Test
    void rnnCellEqualsHandFormulaTanhAndRelu() {
        for (String nl : new String[] {"tanh", "relu"}) {
            Generator.manualSeed(7);
            RNNCell cell = new RNNCell(3, 4, true, nl, DType.FLOAT64);
            Tensor x = Tensor.randn(DType.FLOAT64, 2, 3), h = Tensor.randn(DType.FLOAT64, 2, 4);
            Tensor out = cell.forward(x, h);
            double[][] wi = rows(cell.weightIh), wh = rows(cell.weightHh);
            double[] bi = cell.biasIh.toDoubleArray(), bh = cell.biasHh.toDoubleArray();
            for (int b = 0; b < 2; b++)
                for (int j = 0; j < 4; j++) {
                    double pre = affine(wi, bi, rows(x)[b], j) + affine(wh, bh, rows(h)[b], j);
                    assertEquals(nl.equals("tanh") ? Math.tanh(pre) : Math.max(0, pre), out.get(b, j), 1e-12, nl);
                }
        }
    }

    @Test
    void layerEqualsItsCellStepByStep() {
        Generator.manualSeed(8);
        LSTM lstm = new LSTM(3, 4, 1, true, false, 0, false, DType.FLOAT64);
        LSTMCell cell = new LSTMCell(3, 4, true, DType.FLOAT64);
        Map<String, Tensor> sd = lstm.stateDict();
        cell.loadStateDict(Map.of("weight_ih", sd.get("weight_ih_l0"), "weight_hh", sd.get("weight_hh_l0"),
            "bias_ih", sd.get("bias_ih_l0"), "bias_hh", sd.get("bias_hh_l0")), true);
        Tensor x = Tensor.randn(DType.FLOAT64, 5, 2, 3);
        LstmOutput o = lstm.forward(x);
        LSTMCell.State s = null;
        for (int t = 0; t < 5; t++) {
            s = cell.forward(x.select(0, t), s);
            assertTrue(o.output().select(0, t).allClose(s.h(), 0, 1e-12), "step " + t);
        }
        assertTrue(o.cn().select(0, 0).allClose(s.c(), 0, 1e-12));
    }

    // ------------------------------------------------------------------ lengths, dropout, gradients, errors

    @Test
    void lengthsEqualRunningEachSequenceAlone() {
        Generator.manualSeed(9);
        GRU gru = new GRU(3, 4, 1, true, true, 0, true, DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 3, 6, 3), h0 = Tensor.randn(DType.FLOAT64, 2, 3, 4);
        long[] len = {4, 6, 2};
        RnnOutput all = gru.forward(x, h0, Tensor.vector(len));
        for (int b = 0; b < 3; b++) {
            int n = (int) len[b];
            RnnOutput one = gru.forward(x.narrow(0, b, 1).narrow(1, 0, n), h0.narrow(1, b, 1));
            assertTrue(all.output().narrow(0, b, 1).narrow(1, 0, n).allClose(one.output(), 0, 1e-12), "sequence " + b);
            assertTrue(all.hn().narrow(1, b, 1).allClose(one.hn(), 0, 1e-12), "final state " + b);
            if (n < 6) assertEquals(0, all.output().narrow(0, b, 1).narrow(1, n, 6 - n).abs().max().item());
        }
    }

    @Test
    void dropoutBetweenLayersOnlyInTraining() {
        Generator.manualSeed(10);
        LSTM drop = new LSTM(3, 8, 2, true, false, 0.5, false);
        Generator.manualSeed(10);
        LSTM plain = new LSTM(3, 8, 2);
        Tensor x = Tensor.randn(4, 2, 3);
        Tensor a = drop.forward(x).output(), b = drop.forward(x).output();
        assertFalse(a.allClose(b, 0, 1e-6), "training mode drops at random");
        drop.eval();
        assertTrue(drop.forward(x).output().equal(plain.forward(x).output()), "eval mode does not drop");
        // one layer: nothing to drop between
        Generator.manualSeed(11);
        GRU one = new GRU(3, 8, 1, true, false, 0.5, false);
        assertTrue(one.forward(x).output().equal(one.forward(x).output()));
    }

    @Test
    void gradcheckLstmWholeLayer() {
        Generator.manualSeed(12);
        LSTM lstm = new LSTM(3, 2, 2, true, false, 0, true, DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 4, 2, 3).requiresGrad(true);
        Tensor h0 = Tensor.randn(DType.FLOAT64, 4, 2, 2).requiresGrad(true), c0 = Tensor.randn(DType.FLOAT64, 4, 2, 2).requiresGrad(true);
        GradCheck.Report r = GradCheck.check(in -> {
            LstmOutput o = lstm.forward(in[0], in[1], in[2]);
            return Tensor.cat(0, o.output().reshape(-1), o.hn().reshape(-1), o.cn().reshape(-1));
        }, x, h0, c0, lstm.weightIh(0, 1), lstm.weightHh(1, 0), lstm.biasHh(0, 0));
        assertTrue(r.passed(), r.toString());
        // and with lengths (the masked path), batch first
        LSTM bf = new LSTM(2, 2, 1, true, true, 0, true, DType.FLOAT64);
        Tensor xb = Tensor.randn(DType.FLOAT64, 3, 4, 2).requiresGrad(true);
        Tensor lens = Tensor.vector(2L, 4L, 1L);
        GradCheck.Report rl = GradCheck.check(in -> {
            LstmOutput o = bf.forward(in[0], null, null, lens);
            return Tensor.cat(0, o.output().reshape(-1), o.hn().reshape(-1), o.cn().reshape(-1));
        }, xb, bf.weightHh(0, 1), bf.weightIh(0, 0));
        assertTrue(rl.passed(), rl.toString());
    }

    @Test
    void gradcheckGruWholeLayer() {
        Generator.manualSeed(13);
        GRU gru = new GRU(3, 2, 2, true, true, 0, true, DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 2, 4, 3).requiresGrad(true);
        Tensor h0 = Tensor.randn(DType.FLOAT64, 4, 2, 2).requiresGrad(true);
        Tensor lens = Tensor.vector(3L, 4L);
        for (Tensor l : new Tensor[] {null, lens}) {
            GradCheck.Report r = GradCheck.check(in -> {
                RnnOutput o = gru.forward(in[0], in[1], l);
                return Tensor.cat(0, o.output().reshape(-1), o.hn().reshape(-1));
            }, x, h0, gru.weightHh(0, 0), gru.biasHh(1, 1), gru.weightIh(1, 0));
            assertTrue(r.passed(), (l == null ? "" : "with lengths: ") + r);
        }
    }

    @Test
    void gradcheckCells() {
        Generator.manualSeed(14);
        LSTMCell lc = new LSTMCell(3, 2, true, DType.FLOAT64);
        GRUCell gc = new GRUCell(3, 2, true, DType.FLOAT64);
        RNNCell rc = new RNNCell(3, 2, true, "tanh", DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 2, 3).requiresGrad(true), h = Tensor.randn(DType.FLOAT64, 2, 2).requiresGrad(true);
        Tensor c = Tensor.randn(DType.FLOAT64, 2, 2).requiresGrad(true);
        GradCheck.Report r1 = GradCheck.check(in -> {
            LSTMCell.State s = lc.forward(in[0], in[1], in[2]);
            return Tensor.cat(0, s.h(), s.c());
        }, x, h, c, lc.weightIh, lc.biasHh);
        GradCheck.Report r2 = GradCheck.check(in -> gc.forward(in[0], in[1]), x, h, gc.weightHh, gc.biasHh);
        GradCheck.Report r3 = GradCheck.check(in -> rc.forward(in[0], in[1]), x, h, rc.weightIh);
        assertTrue(r1.passed(), r1.toString());
        assertTrue(r2.passed(), r2.toString());
        assertTrue(r3.passed(), r3.toString());
    }

    @Test
    void stepGradientsAreGatheredOncePerPassAndSecondOrderWorks() {
        Generator.manualSeed(15);
        LSTM lstm = new LSTM(2, 3, 1, true, false, 0, false, DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 5, 2, 2).requiresGrad(true);
        // only the first steps' outputs feed the loss: later steps' parts get no gradient at all
        Tensor loss = lstm.forward(x).output().narrow(0, 0, 2).pow(2.0).sum();
        loss.backward(Tensor.scalar(1.0), true, false);
        Tensor g1 = x.grad().copy(), w1 = lstm.weightIh(0, 0).grad().copy(), r1 = lstm.weightHh(0, 0).grad().copy();
        assertEquals(0, x.grad().narrow(0, 2, 3).abs().max().item(), "steps after the used outputs get no gradient");
        // a second pass through the retained graph adds the same again (the gathering buffer starts afresh)
        loss.backward(Tensor.scalar(1.0), true, false);
        assertTrue(x.grad().allClose(g1.mul(2.0), 0, 1e-12));
        assertTrue(lstm.weightIh(0, 0).grad().allClose(w1.mul(2.0), 0, 1e-12));
        assertTrue(lstm.weightHh(0, 0).grad().allClose(r1.mul(2.0), 0, 1e-12));
        // the same gradient as plain per-step matrix products
        Tensor[] p = {lstm.weightIh(0, 0), lstm.weightHh(0, 0), lstm.biasIh(0, 0), lstm.biasHh(0, 0)};
        Tensor h = Tensor.zeros(DType.FLOAT64, 2, 3), c = Tensor.zeros(DType.FLOAT64, 2, 3);
        Tensor x2 = x.detach().requiresGrad(true), ref = Tensor.scalar(0.0);
        for (int t = 0; t < 2; t++) {
            Tensor gates = x2.select(0, t).matmul(p[0].t()).add(p[2]).add(h.matmul(p[1].t())).add(p[3]);
            Tensor[] hc = RNNBase.lstmGates(gates, c, 3);
            h = hc[0];
            c = hc[1];
            ref = ref.add(h.pow(2.0).sum());
        }
        Tensor[] refGrads = dev.fathom.autograd.Autograd.grad(ref, new Tensor[] {x2, p[1]}, false);
        assertTrue(refGrads[0].allClose(g1, 0, 1e-12));
        assertTrue(refGrads[1].allClose(r1, 0, 1e-12), "the recurrent weight's gradient, gathered in one product");
        // second order (createGraph) goes through the differentiable fallback
        GRU gru = new GRU(2, 2, 1, true, false, 0, true, DType.FLOAT64);
        Tensor xs = Tensor.randn(DType.FLOAT64, 3, 1, 2).requiresGrad(true);
        GradCheck.Report r = GradCheck.checkSecondOrder(in -> gru.forward(in[0]).output(), xs, gru.weightHh(0, 1));
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void badInputsNameTheLayerTheShapeAndTheExpectedSize() {
        LSTM lstm = new LSTM(10, 20, 2, true, true, 0, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(3, 5, 7)));
        assertEquals("LSTM(inputSize=10, hiddenSize=20, numLayers=2, batchFirst=true, bidirectional=true): expected input with 10 "
            + "features in the last dimension and 2 or 3 dimensions ([batch, seq, features] or unbatched [seq, features]), "
            + "got shape [3, 5, 7]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(3, 5, 10), Tensor.zeros(2, 3, 20), null));
        assertEquals("LSTM(inputSize=10, hiddenSize=20, numLayers=2, batchFirst=true, bidirectional=true): expected h0 of shape "
            + "[4, 3, 20] ([numLayers·directions, batch, hidden]), got shape [2, 3, 20]", e.getMessage());
        GRU gru = new GRU(4, 6);
        e = assertThrows(IllegalArgumentException.class, () -> gru.forward(Tensor.zeros(5, 2, 4), null, Tensor.vector(3L, 9L)));
        assertTrue(e.getMessage().startsWith("GRU(inputSize=4, hiddenSize=6): lengths[1] = 9 is outside 0..5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gru.forward(Tensor.zeros(5, 2, 4), null, Tensor.vector(3L, 2L, 1L)));
        assertTrue(e.getMessage().contains("expected lengths as an integer tensor of shape [2], got int64 of shape [3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RNN(4, 6, 1, "sigmoid", true, false, 0, false));
        assertTrue(e.getMessage().contains("\"tanh\" or \"relu\""));
        GRUCell cell = new GRUCell(4, 6);
        e = assertThrows(IllegalArgumentException.class, () -> cell.forward(Tensor.zeros(2, 5)));
        assertEquals("GRUCell(inputSize=4, hiddenSize=6): expected input with 4 features in the last dimension and 1 or 2 dimensions "
            + "([batch, features] or [features]), got shape [2, 5]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cell.forward(Tensor.zeros(2, 4), Tensor.zeros(3, 6)));
        assertEquals("GRUCell(inputSize=4, hiddenSize=6): expected h of shape [2, 6] for input of shape [2, 4], got shape [3, 6]",
            e.getMessage());
    }
}
