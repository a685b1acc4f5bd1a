package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * LayerNorm's one-pass op against the same normalisation in plain tensor ops, and its backward
 * (taken by a plain backward) against the differentiable rule (taken under createGraph).
 */
class LayerNormFusedTest {
    private static Tensor reference(Tensor x, LayerNorm ln, int k) {
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = x.ndim() - k + i;
        Tensor y = x.sub(x.mean(dims, true)).mul(x.var(dims, 0, true).add(ln.eps).rsqrt());
        return ln.elementwiseAffine ? y.mul(ln.weight).add(ln.bias) : y;
    }

    private static void check(LayerNorm ln, int k, DType dt, double tol, int... shape) {
        Generator g = new Generator(shape.length * 7L + shape[shape.length - 1]);
        if (ln.elementwiseAffine) {
            try (var ignored = Autograd.noGrad()) {
                ln.weight.copyFrom(Tensor.randn(g, dt, ln.weight.shape()));
                ln.bias.copyFrom(Tensor.randn(g, dt, ln.bias.shape()));
            }
        }
        Tensor x0 = Tensor.randn(g, dt, shape).mul(3.0).add(1.5), w = Tensor.randn(g, dt, shape);
        Tensor x = shape.length > 1 ? x0.transpose(0, shape.length - 1).contiguous().transpose(0, shape.length - 1) : x0; // non-contiguous
        Tensor xs = x.detach().requiresGrad(true);
        ln.zeroGrad();
        Tensor y = ln.forward(xs);
        assertTrue(y.allClose(reference(x, ln, k), tol, tol), "forward " + dt);
        y.mul(w).sum().backward();
        Tensor x2 = x.detach().requiresGrad(true);
        Tensor[] in = ln.elementwiseAffine ? new Tensor[] {x2, ln.weight, ln.bias} : new Tensor[] {x2};
        Tensor[] ref = Autograd.grad(ln.forward(x2).mul(w).sum(), in, true);   // createGraph: the tensor-op rule
        assertTrue(xs.grad().allClose(ref[0].detach(), tol, tol), "dx " + dt);
        if (ln.elementwiseAffine) {
            assertTrue(ln.weight.grad().allClose(ref[1].detach(), tol, tol), "dweight " + dt);
            assertTrue(ln.bias.grad().allClose(ref[2].detach(), tol, tol), "dbias " + dt);
        }
    }

    @Test
    void fusedEqualsTensorOpsForwardAndBackward() {
        check(new LayerNorm(new int[] {7}, 1e-5, true, DType.FLOAT64), 1, DType.FLOAT64, 1e-11, 3, 5, 7);
        check(new LayerNorm(new int[] {4, 3}, 1e-3, true, DType.FLOAT64), 2, DType.FLOAT64, 1e-11, 2, 4, 3);
        check(new LayerNorm(new int[] {6}, 1e-5, false, DType.FLOAT64), 1, DType.FLOAT64, 1e-11, 1, 6);
        check(new LayerNorm(128), 1, DType.FLOAT32, 2e-5, 9, 128);
        check(new LayerNorm(new int[] {33}, 1e-5, false, DType.FLOAT32), 1, DType.FLOAT32, 2e-5, 4, 2, 33);
    }

    @Test
    void gradcheckFirstAndSecondOrder() {
        Generator.manualSeed(5);
        LayerNorm ln = new LayerNorm(new int[] {5}, 1e-5, true, DType.FLOAT64);
        try (var ignored = Autograd.noGrad()) {
            ln.weight.copyFrom(Tensor.randn(DType.FLOAT64, 5));
            ln.bias.copyFrom(Tensor.randn(DType.FLOAT64, 5));
        }
        Tensor x = Tensor.randn(DType.FLOAT64, 3, 5).requiresGrad(true);
        GradCheck.Report r = GradCheck.check(in -> ln.forward(in[0]), x, ln.weight, ln.bias);
        assertTrue(r.passed(), r.toString());
        GradCheck.Report r2 = GradCheck.checkSecondOrder(in -> ln.forward(in[0]), x, ln.weight, ln.bias);
        assertTrue(r2.passed(), r2.toString());
    }
}
