package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import dev.fathom.tensor.ValuesIndices;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Backward rules of the reductions, softmax and scans (ops/Reductions): gradchecks over the
 * dimension variants, strided inputs and second derivatives, plus hand-computed gradients for
 * ties, zeros and softmax.
 */
class ReductionGradTest {
    /** Reduced dims of a 3-d input: one, negative, several, several negative, all (empty and listed). */
    static final List<int[]> DIMS = List.of(new int[] {1}, new int[] {-1}, new int[] {0, 2}, new int[] {-3, -2},
        new int[0], new int[] {0, 1, 2});

    static Tensor leaf(Generator g, int... shape) { return Tensor.randn(g, DType.FLOAT64, shape).requiresGrad(true); }

    static Tensor leaf(double[] data, int... shape) { return Tensor.of(data, shape).requiresGrad(true); }

    /** A contiguous [2,3,4] leaf, a transposed view of a [4,3,2] leaf and a stepped slice of a [2,6,4] leaf. */
    static List<Tensor> inputs(long seed) {
        Generator g = new Generator(seed);
        return List.of(leaf(g, 2, 3, 4), leaf(g, 4, 3, 2).transpose(0, 2), leaf(g, 2, 6, 4).slice(1, 0, 6, 2));
    }

    static void first(String what, Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.Report r = GradCheck.check(f, in);
        assertTrue(r.passed(), what + ": " + r);
    }

    static void second(String what, Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.Report r = GradCheck.checkSecondOrder(f, in);
        assertTrue(r.passed(), what + ": " + r);
    }

    /** {@code d sum(f(x) * w) / dx} for a leaf x. */
    static double[] gradOf(Function<Tensor, Tensor> f, Tensor x, Tensor w) {
        f.apply(x).mul(w).sum().backward();
        return x.grad().toDoubleArray();
    }

    static void close(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual[i], 1e-12, () -> Arrays.toString(actual) + " vs " + Arrays.toString(expected));
    }

    interface DimsOp { Tensor apply(Tensor x, int[] dims, boolean keepDim); }

    /** Gradchecks {@code op} over every dims variant, keepDim both ways and every input layout. */
    static void overDims(String name, DimsOp op, long seed) {
        for (Tensor x : inputs(seed))
            for (int[] dims : DIMS)
                for (boolean keep : new boolean[] {false, true})
                    first(name + Arrays.toString(dims) + " keepDim " + keep + " strides " + Arrays.toString(x.strides()),
                        in -> op.apply(in[0], dims, keep), x);
    }

    // ------------------------------------------------------------------ sum, mean, prod

    @Test
    void sumAndMeanOverDims() {
        overDims("sum", (x, d, k) -> x.sum(d, k), 1);
        overDims("mean", (x, d, k) -> x.mean(d, k), 2);
        for (Tensor x : inputs(3)) {
            second("mean", in -> in[0].mean(new int[] {0, 2}, false).exp(), x);
            second("mean all", in -> in[0].mean().pow(3L), x);
        }
    }

    @Test
    void prodOverDims() {
        overDims("prod", (x, d, k) -> x.prod(d, k), 4);
        for (Tensor x : inputs(5)) {
            second("prod dim 1", in -> in[0].prod(1), x);
            second("prod dims {0,2} keepDim", in -> in[0].prod(new int[] {0, -1}, true), x);
        }
    }

    @Test
    void prodWithZerosByHand() {
        Tensor w = Tensor.vector(1.0, 1.0);
        // one zero: its gradient is the product of the others, theirs is 0
        close(new double[] {0, 6, 0}, gradOf(x -> x.prod(), leaf(new double[] {2, 0, 3}, 3), Tensor.scalar(1.0)));
        close(new double[] {2, 1, 8}, gradOf(x -> x.prod(), leaf(new double[] {2, 4, 0.5}, 3), Tensor.scalar(1.0)));
        // two zeros in a slice: every gradient of that slice is 0
        close(new double[] {0, 0, 0}, gradOf(x -> x.prod(), leaf(new double[] {0, 2, 0}, 3), Tensor.scalar(1.0)));
        // [[0, 2], [0, 3]] along dim 0: column 0 has two zeros, column 1 none
        close(new double[] {0, 3, 0, 2}, gradOf(x -> x.prod(0), leaf(new double[] {0, 2, 0, 3}, 2, 2), w));
        // [[1, 0, 5], [0, 4, 2]] along dim 1 with weights [1, 10]: each row has a lone zero
        close(new double[] {0, 5, 0, 80, 0, 0},
            gradOf(x -> x.prod(1), leaf(new double[] {1, 0, 5, 0, 4, 2}, 2, 3), Tensor.vector(1.0, 10.0)));
    }

    @Test
    void prodWithZerosGradchecks() {
        // prod is linear in each element, so central differences are exact at zeros too
        Tensor x = leaf(new double[] {0.5, 0, -1.5, 2, 0.7, -0.3, 0, 1.2, 0, 0, 0.9, 1.1}, 3, 4);
        for (int[] dims : List.of(new int[] {1}, new int[] {0}, new int[0]))
            first("prod with zeros " + Arrays.toString(dims), in -> in[0].prod(dims, false), x);
        // at most one zero per row: second derivatives too
        Tensor y = leaf(new double[] {0.5, 0, -1.5, 2, 0.7, -0.3, 1.4, 1.2, 0.8, 0, 0.6, 1.1}, 3, 4);
        second("prod with a zero per row", in -> in[0].prod(1), y);
        second("prod with one zero", in -> in[0].prod(), y.select(0, 2));
    }

    // ------------------------------------------------------------------ amax, amin, max, min

    @Test
    void extremesOverDims() {
        overDims("amax", (x, d, k) -> x.amax(d, k), 6);
        overDims("amin", (x, d, k) -> x.amin(d, k), 7);
        for (Tensor x : inputs(8)) {
            first("max()", in -> in[0].max(), x);
            first("min()", in -> in[0].min(), x);
            second("amax then square", in -> in[0].amax(new int[] {1}, false).pow(2L), x);
        }
    }

    @Test
    void extremeTiesShareTheGradient() {
        close(new double[] {0, .5, .5}, gradOf(x -> x.amax(0), leaf(new double[] {1, 3, 3}, 3), Tensor.scalar(1.0)));
        close(new double[] {.5, 0, .5}, gradOf(x -> x.amin(0), leaf(new double[] {1, 3, 1}, 3), Tensor.scalar(1.0)));
        close(new double[] {1 / 3.0, 0, 1 / 3.0, 1 / 3.0},
            gradOf(Tensor::max, leaf(new double[] {3, 1, 3, 3}, 2, 2), Tensor.scalar(1.0)));
        close(new double[] {0, 0, 0, 1}, gradOf(Tensor::min, leaf(new double[] {3, 1, 3, -2}, 2, 2), Tensor.scalar(1.0)));
        // [[2, 2], [5, 1]] amax over dim 1 keepDim, weights [[10], [7]]
        close(new double[] {5, 5, 7, 0},
            gradOf(x -> x.amax(1, true), leaf(new double[] {2, 2, 5, 1}, 2, 2), Tensor.of(new double[] {10, 7}, 2, 1)));
        // a NaN is the extreme and takes the whole gradient
        close(new double[] {0, 1, 0}, gradOf(x -> x.amax(0), leaf(new double[] {1, Double.NaN, 2}, 3), Tensor.scalar(1.0)));
    }

    @Test
    void maxWithIndicesOverDims() {
        for (Tensor x : inputs(9))
            for (int dim : new int[] {0, 1, 2, -1})
                for (boolean keep : new boolean[] {false, true}) {
                    first("maxWithIndices " + dim + " " + keep, in -> in[0].maxWithIndices(dim, keep).values(), x);
                    first("minWithIndices " + dim + " " + keep, in -> in[0].minWithIndices(dim, keep).values(), x);
                }
        second("maxWithIndices then square", in -> in[0].maxWithIndices(1).values().pow(2L), inputs(10).get(1));
    }

    @Test
    void maxWithIndicesGivesTheIndexTheWholeGradient() {
        Tensor x = leaf(new double[] {1, 3, 3}, 3);
        ValuesIndices r = x.maxWithIndices(0);
        assertTrue(r.values().requiresGrad());
        assertFalse(r.indices().requiresGrad());
        assertEquals(1, r.indices().itemLong());
        r.values().backward();
        close(new double[] {0, 1, 0}, x.grad().toDoubleArray());
        // [[4, 1, 4], [0, 0, 2]] min along dim 1 (indices [1, 0]), weights [10, 7]
        Tensor y = leaf(new double[] {4, 1, 4, 0, 0, 2}, 2, 3);
        y.minWithIndices(1).values().mul(Tensor.vector(10.0, 7.0)).sum().backward();
        close(new double[] {0, 10, 0, 7, 0, 0}, y.grad().toDoubleArray());
        // along dim 0 with keepDim: [[1, 5], [3, 2]] -> indices [[1, 0]]
        Tensor z = leaf(new double[] {1, 5, 3, 2}, 2, 2);
        z.maxWithIndices(0, true).values().mul(Tensor.of(new double[] {10, 7}, 1, 2)).sum().backward();
        close(new double[] {0, 7, 10, 0}, z.grad().toDoubleArray());
    }

    // ------------------------------------------------------------------ logsumexp, var, std

    @Test
    void logsumexpOverDims() {
        overDims("logsumexp", (x, d, k) -> x.logsumexp(d, k), 11);
        for (Tensor x : inputs(12)) {
            second("logsumexp dim 1", in -> in[0].logsumexp(1), x);
            second("logsumexp all", in -> in[0].logsumexp(), x);
            second("logsumexp {0,2} keepDim", in -> in[0].logsumexp(new int[] {0, 2}, true), x);
        }
        // the gradient is the softmax of the slice
        double e = Math.exp(1) + Math.exp(2) + Math.exp(4);
        close(new double[] {Math.exp(1) / e, Math.exp(2) / e, Math.exp(4) / e},
            gradOf(x -> x.logsumexp(0), leaf(new double[] {1, 2, 4}, 3), Tensor.scalar(1.0)));
    }

    @Test
    void varAndStdOverDims() {
        for (int correction : new int[] {0, 1}) {
            overDims("var c" + correction, (x, d, k) -> x.var(d, correction, k), 13);
            overDims("std c" + correction, (x, d, k) -> x.std(d, correction, k), 14);
        }
        for (Tensor x : inputs(15)) {
            first("var c2 dim 1", in -> in[0].var(new int[] {1}, 2, false), x);
            first("std c3 dims {1,2}", in -> in[0].std(new int[] {1, 2}, 3, true), x);
            second("var dim 1", in -> in[0].var(1), x);
            second("var all c0", in -> in[0].var(new int[0], 0, false), x);
            second("std {0,2} keepDim", in -> in[0].std(new int[] {0, 2}, true), x);
            second("std all c0", in -> in[0].std(new int[0], 0, false), x);
        }
    }

    @Test
    void varAndStdByHand() {
        // var([1, 2, 3, 6]) with correction 1: mean 3, gradient 2 (x - 3) / 3
        close(new double[] {-4 / 3.0, -2 / 3.0, 0, 2}, gradOf(Tensor::var, leaf(new double[] {1, 2, 3, 6}, 4), Tensor.scalar(1.0)));
        // std = sqrt(var): divide by 2 std = 2 sqrt(14/3)
        double s2 = 2 * Math.sqrt(14 / 3.0);
        close(new double[] {-4 / 3.0 / s2, -2 / 3.0 / s2, 0, 2 / s2},
            gradOf(Tensor::std, leaf(new double[] {1, 2, 3, 6}, 4), Tensor.scalar(1.0)));
        // a zero deviation gives a zero gradient, as PyTorch (not NaN); row [1, 0, 0]: (x - 1/3) / (2 std), std = 1/sqrt(3)
        double r3 = Math.sqrt(3);
        close(new double[] {0, 0, 0, r3 / 3, -r3 / 6, -r3 / 6},
            gradOf(x -> x.std(1, true), leaf(new double[] {2, 2, 2, 1, 0, 0}, 2, 3), Tensor.of(new double[] {1, 1}, 2, 1)));
    }

    // ------------------------------------------------------------------ softmax, logSoftmax

    @Test
    void softmaxFamilyGradchecks() {
        for (Tensor x : inputs(16))
            for (int dim : new int[] {0, 1, 2, -1, -3}) {
                first("softmax " + dim, in -> in[0].softmax(dim), x);
                first("logSoftmax " + dim, in -> in[0].logSoftmax(dim), x);
                second("softmax " + dim, in -> in[0].softmax(dim), x);
                second("logSoftmax " + dim, in -> in[0].logSoftmax(dim), x);
            }
        Tensor v = leaf(new Generator(17), 5);
        first("softmax 1-d", in -> in[0].softmax(0), v);
        second("logSoftmax 1-d", in -> in[0].logSoftmax(-1), v);
        close(new double[] {0}, gradOf(x -> x.softmax(0), Tensor.scalar(0.3).requiresGrad(true), Tensor.scalar(2.0)));
    }

    @Test
    void softmaxGradientByHand() {
        // d/dx sum(softmax(x) * w) = p * (w - sum(p * w))
        double[] x = {1, 2, 3}, w = {1, 0, -1};
        double s = Math.exp(1) + Math.exp(2) + Math.exp(3), pw = 0;
        double[] p = new double[3], expected = new double[3], expectedLog = new double[3];
        for (int i = 0; i < 3; i++) {
            p[i] = Math.exp(x[i]) / s;
            pw += p[i] * w[i];
        }
        for (int i = 0; i < 3; i++) {
            expected[i] = p[i] * (w[i] - pw);
            expectedLog[i] = w[i] - p[i] * (w[0] + w[1] + w[2]); // d/dx sum(logSoftmax(x) * w)
        }
        close(expected, gradOf(t -> t.softmax(0), leaf(x, 3), Tensor.of(w, 3)));
        close(expectedLog, gradOf(t -> t.logSoftmax(0), leaf(x, 3), Tensor.of(w, 3)));
        close(logSoftmaxByHand(x, new double[] {1, 0, 2}), gradOf(t -> t.logSoftmax(0), leaf(x, 3), Tensor.vector(1.0, 0.0, 2.0)));
        // rows of a matrix are independent: row 1 of [[1, 2, 3], [0, 0, 0]] gets (w - mean(w)) / 3
        double[] g = gradOf(t -> t.softmax(1), leaf(new double[] {1, 2, 3, 0, 0, 0}, 2, 3), Tensor.of(new double[] {1, 0, -1, 3, 0, 0}, 2, 3));
        close(new double[] {expected[0], expected[1], expected[2], 2 / 3.0, -1 / 3.0, -1 / 3.0}, g);
    }

    static double[] logSoftmaxByHand(double[] x, double[] w) {
        double s = 0, sw = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.exp(x[i]);
            sw += w[i];
        }
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) r[i] = w[i] - Math.exp(x[i]) / s * sw;
        return r;
    }

    // ------------------------------------------------------------------ cumsum, cumprod

    @Test
    void cumsumGradchecks() {
        for (Tensor x : inputs(18))
            for (int dim : new int[] {0, 1, 2, -1, -2}) {
                first("cumsum " + dim, in -> in[0].cumsum(dim), x);
                second("cumsum " + dim + " squared", in -> in[0].cumsum(dim).pow(2L), x);
            }
        // the reverse running sum's own gradient (a third derivative through cumsum)
        Tensor x = leaf(new Generator(19), 4, 3);
        first("d cumsum / dx as a function of the weights", in -> {
            try (Scope ignored = Autograd.enableGrad()) { // also while the differences are taken
                Tensor y = in[0].cumsum(0);
                return Autograd.grad(new Tensor[] {y}, new Tensor[] {in[0]}, new Tensor[] {in[1]}, true, true, false)[0];
            }
        }, x, leaf(new Generator(20), 4, 3));
    }

    @Test
    void cumsumByHand() {
        // d/dx sum(cumsum(x) * w) = reverse running sum of w
        close(new double[] {111, 110, 100}, gradOf(t -> t.cumsum(0), leaf(new double[] {1, 2, 3}, 3), Tensor.vector(1.0, 10.0, 100.0)));
        // along dim 0 of [3, 2]: columns independent
        close(new double[] {111, 222, 110, 220, 100, 200},
            gradOf(t -> t.cumsum(0), leaf(new double[6], 3, 2), Tensor.of(new double[] {1, 2, 10, 20, 100, 200}, 3, 2)));
    }

    @Test
    void cumsumBackwardFloat32ColumnChunks() {
        // [3, 2049] along dim 0: a full 2048-column chunk and a one-column chunk, reversed
        int n = 2049;
        float[] w = new float[3 * n];
        for (int i = 0; i < w.length; i++) w[i] = (i % 7) - 3;
        Tensor x = Tensor.zeros(3, n).requiresGrad(true);
        x.cumsum(0).mul(Tensor.of(w, 3, n)).sum().backward();
        float[] g = x.grad().toFloatArray();
        for (int c = 0; c < n; c++) {
            float acc = 0;
            for (int r = 2; r >= 0; r--) {
                acc += w[r * n + c];
                assertEquals(acc, g[r * n + c], 0f, "row " + r + " column " + c);
            }
        }
    }

    @Test
    void cumprodGradchecks() {
        for (Tensor x : inputs(21))
            for (int dim : new int[] {0, 1, 2, -1}) {
                first("cumprod " + dim, in -> in[0].cumprod(dim), x);
                second("cumprod " + dim, in -> in[0].cumprod(dim), x);
            }
        // with zeros (cumprod is linear in each element, so differences are exact)
        Tensor z = leaf(new double[] {0.5, 0, -1.5, 2, 0.7, -0.3, 0, 1.2, 0, 0, 0.9, 0}, 3, 4);
        first("cumprod with zeros dim 1", in -> in[0].cumprod(1), z);
        first("cumprod with zeros dim 0", in -> in[0].cumprod(0), z);
        Tensor one = leaf(new double[] {0.5, 0, -1.5, 2, 0.7, -0.3, 1.3, 1.2, 0, 0.8, 0.9, 1.1}, 3, 4);
        second("cumprod with a zero per row", in -> in[0].cumprod(1), one);
    }

    @Test
    void cumprodByHand() {
        // [2, 0, 3]: d/dx0 = 1 + x1 + x1 x2 = 1, d/dx1 = x0 + x0 x2 = 8, d/dx2 = x0 x1 = 0
        close(new double[] {1, 8, 0}, gradOf(t -> t.cumprod(0), leaf(new double[] {2, 0, 3}, 3), Tensor.vector(1.0, 1.0, 1.0)));
        // [2, 0, 0, 3]: only x0 and the first zero get a gradient
        close(new double[] {1, 2, 0, 0}, gradOf(t -> t.cumprod(0), leaf(new double[] {2, 0, 0, 3}, 4), Tensor.vector(1.0, 1.0, 1.0, 1.0)));
        // no zeros, weights [1, 10, 100] on [2, 3, 4]: [1 + 30 + 1200, 20 + 800, 600]
        close(new double[] {1231, 820, 600}, gradOf(t -> t.cumprod(0), leaf(new double[] {2, 3, 4}, 3), Tensor.vector(1.0, 10.0, 100.0)));
    }

    // ------------------------------------------------------------------ recording

    @Test
    void recordsOnlyWhenNeeded() {
        Tensor x = Tensor.randn(new Generator(22), DType.FLOAT64, 3, 4);
        for (Tensor y : List.of(x.prod(1), x.amax(1), x.max(), x.logsumexp(1), x.var(1), x.std(1), x.softmax(1),
                x.logSoftmax(1), x.cumsum(1), x.cumprod(1), x.maxWithIndices(1).values()))
            assertFalse(y.requiresGrad());
        Tensor r = x.requiresGrad(true);
        assertEquals("prod", r.prod(1).gradFn().name());
        assertEquals("amax", r.amax(1).gradFn().name());
        assertEquals("max", r.maxWithIndices(1).values().gradFn().name());
        assertEquals("cumsum", r.cumsum(0).gradFn().name());
        try (Scope ignored = Autograd.noGrad()) {
            assertFalse(r.softmax(1).requiresGrad());
            assertFalse(r.minWithIndices(0).values().requiresGrad());
        }
        // integer results are never recorded
        assertFalse(Tensor.vector(1L, 2L).cumsum(0).requiresGrad());
    }
}
