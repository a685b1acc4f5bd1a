package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fused LSTM sequence op ({@link LstmSequence}, used without lengths) against the step-by-step
 * composite of tensor ops (the lengths path with every sequence full length): same outputs, final
 * states and gradients of inputs, initial states and every parameter.
 */
class LstmSequenceTest {
    /** Output, hn, cn and the gradients of x, h0, c0 and all parameters for a fixed weighting of the outputs. */
    private static List<Tensor> run(LSTM lstm, Tensor x, Tensor h0, Tensor c0, Tensor lengths, long seed) {
        lstm.zeroGrad();
        Tensor xs = x.detach().requiresGrad(true), hs = h0.detach().requiresGrad(true), cs = c0.detach().requiresGrad(true);
        LstmOutput o = lstm.forward(xs, hs, cs, lengths);
        Generator g = new Generator(seed);
        Tensor loss = o.output().mul(Tensor.randn(g, x.dtype(), o.output().shape())).sum()
            .add(o.hn().mul(Tensor.randn(g, x.dtype(), o.hn().shape())).sum())
            .add(o.cn().mul(Tensor.randn(g, x.dtype(), o.cn().shape())).sum());
        loss.backward();
        List<Tensor> r = new ArrayList<>(List.of(o.output().detach(), o.hn().detach(), o.cn().detach(), xs.grad(), hs.grad(), cs.grad()));
        for (Tensor p : lstm.parameters()) r.add(p.grad().copy());
        return r;
    }

    private static void sameAsComposite(LSTM lstm, int seq, int batch, DType dt, double tol) {
        int dirs = lstm.directions(), in = lstm.inputSize, hid = lstm.hiddenSize;
        Generator g = new Generator(seq * 100 + batch);
        Tensor x = lstm.batchFirst ? Tensor.randn(g, dt, batch, seq, in) : Tensor.randn(g, dt, seq, batch, in);
        Tensor h0 = Tensor.randn(g, dt, lstm.numLayers * dirs, batch, hid), c0 = Tensor.randn(g, dt, lstm.numLayers * dirs, batch, hid);
        long[] full = new long[batch];
        java.util.Arrays.fill(full, seq);
        List<Tensor> fused = run(lstm, x, h0, c0, null, 7), ref = run(lstm, x, h0, c0, Tensor.of(full, batch), 7);
        for (int i = 0; i < fused.size(); i++)
            assertTrue(fused.get(i).allClose(ref.get(i), tol, tol), "item " + i + " (seq " + seq + ", batch " + batch + ", " + dt + ")");
    }

    @Test
    void fusedEqualsTheStepByStepCompositeInFloat64() {
        Generator.manualSeed(21);
        sameAsComposite(new LSTM(3, 5, 2, true, false, 0, true, DType.FLOAT64), 4, 3, DType.FLOAT64, 1e-12);
        sameAsComposite(new LSTM(2, 3, 1, true, true, 0, false, DType.FLOAT64), 1, 1, DType.FLOAT64, 1e-12);  // one step, batch 1
        sameAsComposite(new LSTM(4, 7, 1, false, true, 0, true, DType.FLOAT64), 6, 2, DType.FLOAT64, 1e-12); // no bias, odd hidden
    }

    @Test
    void fusedEqualsTheStepByStepCompositeInFloat32() {
        Generator.manualSeed(22);
        // hidden sizes around the vector width exercise the vector kernels' tails
        sameAsComposite(new LSTM(5, 9, 1, true, true, 0, true), 7, 3, DType.FLOAT32, 1e-5);
        sameAsComposite(new LSTM(8, 16, 2, true, false, 0, false), 5, 4, DType.FLOAT32, 1e-5);
    }

    @Test
    void transposedProductsAndVectorGatesAtOddSizesBatchOneAndOneStep() {
        Generator.manualSeed(25);
        // hidden 37: vector loops with tails; batch 1 and seq 1 make the transposed products vectors
        sameAsComposite(new LSTM(6, 37, 1, true, true, 0, true), 5, 1, DType.FLOAT32, 1e-5);
        sameAsComposite(new LSTM(6, 37, 1, true, false, 0, false), 1, 5, DType.FLOAT32, 1e-5);
        sameAsComposite(new LSTM(3, 40, 2, true, true, 0, true, DType.FLOAT64), 3, 1, DType.FLOAT64, 1e-12);
        sameAsComposite(new LSTM(3, 33, 1, true, false, 0, true, DType.FLOAT64), 1, 7, DType.FLOAT64, 1e-12);
    }

    @Test
    void vectorGateActivationsMatchSigmoidAndTanhInDouble() {
        int n = 4099;   // not a multiple of any vector width: the scalar tail runs too
        float[] x = new float[n], y = new float[n], t = new float[n];
        for (int i = 0; i < n; i++) x[i] = i < 8 ? new float[] {0f, -0f, 1e-30f, -1e-30f, 100f, -100f, 88f, -88f}[i]
            : (float) ((i - n / 2) * 0.01);   // -20.5 .. 20.5 in steps of 0.01
        LstmGates.sigmoid(x, 0, y, 0, n, 1f, 1f, 0f);
        LstmGates.sigmoid(x, 0, t, 0, n, 2f, 2f, -1f);
        for (int i = 0; i < n; i++) {
            double s = 1 / (1 + Math.exp(-(double) x[i])), th = Math.tanh(x[i]);
            assertEquals(s, y[i], 1e-7 + 2e-7 * s, "sigmoid(" + x[i] + ")");
            assertEquals(th, t[i], 3e-7, "tanh(" + x[i] + ")");
        }
    }

    @Test
    void gradcheckAndSecondOrderThroughTheFusedOp() {
        Generator.manualSeed(23);
        LSTM lstm = new LSTM(2, 3, 1, true, true, 0, true, DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 2, 3, 2).requiresGrad(true);
        Tensor h0 = Tensor.randn(DType.FLOAT64, 2, 2, 3).requiresGrad(true), c0 = Tensor.randn(DType.FLOAT64, 2, 2, 3).requiresGrad(true);
        java.util.function.Function<Tensor[], Tensor> f = in -> {
            LstmOutput o = lstm.forward(in[0], in[1], in[2]);
            return Tensor.cat(0, o.output().reshape(-1), o.hn().reshape(-1), o.cn().reshape(-1));
        };
        Tensor[] args = {x, h0, c0, lstm.weightHh(0, 0), lstm.weightIh(0, 1), lstm.biasHh(0, 1)};
        GradCheck.Report r = GradCheck.check(f, args);
        assertTrue(r.passed(), r.toString());
        // createGraph takes the differentiable recomputation: second-order gradients stay exact
        GradCheck.Report r2 = GradCheck.checkSecondOrder(f, args);
        assertTrue(r2.passed(), r2.toString());
    }

    @Test
    void initialStatesThatDoNotNeedGradAndNoGradMode() {
        Generator.manualSeed(24);
        LSTM lstm = new LSTM(3, 4, 1, true, false, 0, false, DType.FLOAT64);
        Tensor x = Tensor.randn(DType.FLOAT64, 3, 2, 3);
        // only the weights need gradients: h0, c0 and x get none and nothing fails
        Tensor out = lstm.forward(x).output();
        out.sum().backward();
        assertNotNull(lstm.weightHh(0, 0).grad());
        assertNull(x.grad());
        try (var ignored = Autograd.noGrad()) {
            assertTrue(lstm.forward(x).output().allClose(out.detach(), 0, 0));
        }
    }
}
