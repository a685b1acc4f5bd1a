package dev.fathom.nn.loss;

import static org.junit.jupiter.api.Assertions.*;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The one-node cross entropy (class indices, no weights, no smoothing, sum or mean) against the
 * general path, reached with class weights of one (the same loss).
 */
class CrossEntropyFusedTest {
    private static final Generator G = new Generator(11);

    private static void compare(Tensor input, Tensor target, long ignoreIndex, Reduction r, double tol, String what) {
        int classes = input.size(input.ndim() == 1 ? 0 : 1);
        Tensor ones = Tensor.ones(input.dtype(), classes);
        Tensor xf = input.detach().requiresGrad(true), xs = input.detach().requiresGrad(true);
        Tensor lf = Losses.crossEntropy(xf, target, null, ignoreIndex, r, 0);
        Tensor ls = Losses.crossEntropy(xs, target, ones, ignoreIndex, r, 0);
        assertEquals("crossEntropy", lf.gradFn().name(), what);
        assertEquals(ls.dtype(), lf.dtype(), what);
        assertArrayEquals(ls.shape(), lf.shape(), what);
        assertEquals(ls.item(), lf.item(), tol * Math.max(1, Math.abs(ls.item())), what + " loss");
        lf.backward(Tensor.scalar(1.7, lf.dtype()));
        ls.backward(Tensor.scalar(1.7, ls.dtype()));
        assertArrayEquals(xs.grad().toDoubleArray(), xf.grad().toDoubleArray(), tol, what + " gradient");
    }

    @Test
    void matchesTheGeneralPath() {
        long[] t = {3, 0, -100, 4, 1, 4, 2};
        Tensor target = Tensor.of(t, 7);
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32})
            for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM}) {
                double tol = dt == DType.FLOAT64 ? 1e-12 : 1e-5;
                Tensor x = Tensor.randn(G, dt, 7, 5).mul(3);
                compare(x, target, -100, r, tol, dt + " " + r);
                compare(Tensor.randn(G, dt, 5, 7).t(), target, -100, r, tol, dt + " " + r + " transposed");
                Tensor noDefault = Tensor.of(new long[] {3, 0, 4, 4, 1, 4, 2}, 7);
                compare(x, noDefault, 4, r, tol, dt + " " + r + " ignoreIndex 4");
                compare(x, noDefault.to(DType.INT32), 1, r, tol, dt + " " + r + " int32 targets, ignoreIndex 1");
                compare(Tensor.randn(G, dt, 5), Tensor.scalar(2L), -100, r, tol, dt + " " + r + " unbatched");
                compare(Tensor.randn(G, dt, 1, 10), Tensor.of(new long[] {9}, 1), -100, r, tol, dt + " " + r + " batch 1");
            }
    }

    @Test
    void allIgnoredMeanIsNaNWithZeroGradient() {
        Tensor x = Tensor.randn(G, DType.FLOAT64, 3, 4).requiresGrad(true);
        Tensor loss = Losses.crossEntropy(x, Tensor.of(new long[] {-100, -100, -100}, 3));
        assertTrue(Double.isNaN(loss.item()));
        loss.backward();
        for (double v : x.grad().toDoubleArray()) assertEquals(0.0, v);
    }

    @Test
    void firstAndSecondOrderGradcheck() {
        Tensor x = Tensor.randn(G, DType.FLOAT64, 4, 3).requiresGrad(true);
        Tensor t = Tensor.of(new long[] {2, -100, 0, 1}, 4);
        assertTrue(GradCheck.check(in -> Losses.crossEntropy(in[0], t), x).passed());
        assertTrue(GradCheck.checkSecondOrder(in -> Losses.crossEntropy(in[0], t), x).passed());
        assertTrue(GradCheck.checkSecondOrder(in -> Losses.crossEntropy(in[0], t, null, -100, Reduction.SUM, 0), x).passed());
    }
}
