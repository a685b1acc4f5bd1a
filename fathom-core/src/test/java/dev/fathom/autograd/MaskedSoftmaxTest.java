package dev.fathom.autograd;

import dev.fathom.ops.Reductions;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Reductions.maskedSoftmax against the composition it fuses,
 * {@code softmax(maskedFill(x·scale, mask, -inf), -1)}: values and gradients (fast path and createGraph),
 * fully masked rows (NaN outputs, zero gradients, as in the composition), broadcast and strided
 * masks, non-contiguous inputs, gradchecks of first and second order.
 */
class MaskedSoftmaxTest {
    static final double SCALE = 0.35;

    static Tensor composed(Tensor x, Tensor mask, double scale) {
        return x.mul(scale).maskedFill(mask, Double.NEGATIVE_INFINITY).softmax(-1);
    }

    /** A [T, T] causal mask with its first {@code fullRows} rows masked entirely. */
    static Tensor causal(int t, int fullRows) {
        boolean[] m = new boolean[t * t];
        for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) m[i * t + j] = j > i || i < fullRows;
        return Tensor.of(m, t, t);
    }

    /** Inputs [2, 3, T, T] of every layout: contiguous, transposed view, stepped slice. */
    static List<Tensor> inputs(Generator g, DType dt, int t) {
        return List.of(Tensor.randn(g, dt, 2, 3, t, t),
            Tensor.randn(g, dt, 2, 3, t, t).transpose(2, 3),
            Tensor.randn(g, dt, 2, 6, t, 2 * t).slice(1, 1, 6, 2).slice(3, 0, 2 * t, 2));
    }

    static void sameValues(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i])) assertTrue(Double.isNaN(actual[i]), "NaN expected at " + i + ", got " + actual[i]);
            else assertEquals(expected[i], actual[i], tol, "at " + i);
        }
    }

    /** d sum(f(x)·w)/dx, NaN-free weights; fully masked rows give NaN outputs but zero gradients. */
    static double[] grad(Function<Tensor, Tensor> f, Tensor x, Tensor w, boolean createGraph) {
        Tensor leaf = x.detach().requiresGrad(true);
        Tensor y = f.apply(leaf);
        Tensor g = Autograd.grad(new Tensor[] {y}, new Tensor[] {leaf}, new Tensor[] {w}, false, createGraph, false)[0];
        return g.toDoubleArray();
    }

    @Test
    void matchesTheCompositionInValuesAndGradients() {
        Generator gen = new Generator(11);
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double tol = dt == DType.FLOAT64 ? 1e-14 : 0;   // float32: same kernels, same roundings
            for (int t : new int[] {1, 5, 17}) {
                List<Tensor> masks = List.of(causal(t, 0), causal(t, Math.min(2, t)),
                    causal(t, 1).expand(3, t, t), causal(t, 0).t(),
                    Tensor.rand(gen, DType.FLOAT32, 2, 1, t, t).gt(0.6));
                for (Tensor x : inputs(gen, dt, t)) {
                    for (Tensor mask : masks) {
                        String what = dt + " t=" + t + " mask " + java.util.Arrays.toString(mask.shape());
                        sameValues(composed(x, mask, SCALE).toDoubleArray(),
                            Reductions.maskedSoftmax(x, mask, SCALE).toDoubleArray(), tol);
                        Tensor w = Tensor.randn(gen, dt, x.shape());
                        for (boolean cg : new boolean[] {false, true}) {
                            double[] e = grad(a -> composed(a, mask, SCALE), x, w, cg);
                            double[] a = grad(a2 -> Reductions.maskedSoftmax(a2, mask, SCALE), x, w, cg);
                            sameValues(e, a, dt == DType.FLOAT64 ? 1e-12 : 1e-6);
                            for (double v : a) assertFalse(Double.isNaN(v), what + ": NaN gradient");
                        }
                    }
                }
            }
        }
    }

    /**
     * Causal rows take a shorter path (softmax over the vectors holding the unmasked prefix, the
     * dot of the backward over the prefix only): rows longer than a few vectors, where whole
     * vectors are skipped, and lengths with a scalar tail must still give the composition's float32
     * values exactly and its gradients, next to rows the path must leave alone (a hole in the
     * mask, a masked prefix, fully masked rows).
     */
    @Test
    void causalRowsMatchTheCompositionAtLongLengths() {
        Generator gen = new Generator(13);
        for (int t : new int[] {16, 33, 64, 77, 128}) {
            boolean[] holes = new boolean[t * t];
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++) holes[i * t + j] = j > i || (i > 3 && j == i / 2) || (i % 5 == 1 && j < i / 3);
            List<Tensor> masks = List.of(causal(t, 0), causal(t, 3), Tensor.of(holes, t, t));
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor x = Tensor.randn(gen, dt, 2, 2, t, t).mul(3.0);
                for (Tensor mask : masks) {
                    String what = dt + " t=" + t;
                    sameValues(composed(x, mask, SCALE).toDoubleArray(),
                        Reductions.maskedSoftmax(x, mask, SCALE).toDoubleArray(), dt == DType.FLOAT32 ? 0 : 1e-14);
                    Tensor w = Tensor.randn(gen, dt, x.shape());
                    double[] e = grad(a -> composed(a, mask, SCALE), x, w, false);
                    double[] a = grad(a2 -> Reductions.maskedSoftmax(a2, mask, SCALE), x, w, false);
                    sameValues(e, a, dt == DType.FLOAT64 ? 1e-12 : 1e-6);
                    for (double v : a) assertFalse(Double.isNaN(v), what + ": NaN gradient");
                }
            }
        }
    }

    @Test
    void fullyMaskedRowsAreNaNWithZeroGradient() {
        Tensor x = Tensor.randn(new Generator(3), DType.FLOAT64, 4, 4);
        Tensor y = Reductions.maskedSoftmax(x, causal(4, 2), 1.0);
        double[] v = y.toDoubleArray();
        for (int j = 0; j < 8; j++) assertTrue(Double.isNaN(v[j]));
        assertEquals(1.0, v[8] + v[9] + v[10] + v[11], 1e-15);
        assertEquals(0.0, v[11], 0.0);   // row 2 sees columns 0..2
        double[] g = grad(a -> Reductions.maskedSoftmax(a, causal(4, 2), 1.0), x, Tensor.ones(DType.FLOAT64, 4, 4), false);
        for (int j = 0; j < 8; j++) assertEquals(0.0, g[j], 0.0);
    }

    @Test
    void gradchecksFirstAndSecondOrder() {
        Generator gen = new Generator(5);
        Tensor mask = causal(5, 0);
        for (Tensor x : inputs(gen, DType.FLOAT64, 5)) {
            Tensor leaf = x.detach().requiresGrad(true);
            Function<Tensor[], Tensor> f = in -> Reductions.maskedSoftmax(in[0], mask, SCALE);
            ReductionGradTest.first("maskedSoftmax", f, leaf);
            ReductionGradTest.second("maskedSoftmax", f, leaf);
        }
    }

    @Test
    void rejectsBadArguments() {
        Tensor x = Tensor.randn(2, 3);
        assertThrows(IllegalArgumentException.class, () -> Reductions.maskedSoftmax(x, Tensor.zeros(2, 3), 1.0));
        assertThrows(IllegalArgumentException.class, () -> Reductions.maskedSoftmax(x.to(DType.INT64), causal(3, 0).slice(0, 0, 2), 1.0));
        assertThrows(IllegalArgumentException.class, () -> Reductions.maskedSoftmax(Tensor.scalar(1.0), Tensor.of(new boolean[] {false}), 1.0));
    }
}
