package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Derivatives of derivatives: createGraph, Hessian-vector products, gradient penalties, third order. */
class HigherOrderTest {
    static final double[] XS = {-1.5, -0.25, 0.5, 2};

    static Tensor xs() { return Tensor.vector(XS).requiresGrad(true); }

    static void assertEach(java.util.function.DoubleUnaryOperator f, Tensor t) {
        double[] got = t.toDoubleArray();
        assertEquals(XS.length, got.length);
        for (int i = 0; i < XS.length; i++) assertEquals(f.applyAsDouble(XS[i]), got[i], 1e-12, "at x = " + XS[i]);
    }

    @Test
    void secondDerivativeOfCubeThroughBackwardWithCreateGraph() {
        Tensor x = xs();
        x.pow(3L).sum().backward(null, false, true);     // x.grad = 3x², itself recorded
        Tensor g = x.grad();
        assertEach(v -> 3 * v * v, g);
        assertTrue(g.requiresGrad());
        Tensor[] gg = Autograd.grad(new Tensor[] {g.sum()}, new Tensor[] {x}, null, true, false, false);
        assertEach(v -> 6 * v, gg[0]);                   // (the graph of g is retained for the backward below)

        // a plain backward through the recorded gradient accumulates onto it (out of place): 3x² + 6x
        g.sum().backward();
        assertEach(v -> 3 * v * v + 6 * v, x.grad());
        assertEach(v -> 3 * v * v, g);

        // the same from x·x·x, whose backward is built from mul's rule
        Tensor y = xs();
        Tensor gy = Autograd.grad(y.mul(y).mul(y).sum(), y, true);
        assertEach(v -> 6 * v, Autograd.grad(gy.sum(), y, false));
    }

    @Test
    void hessianVectorProductOfAQuadraticForm() {
        // f(x) = ½ xᵀAx with symmetric A: ∇f = Ax, and the Hessian-vector product ∇(∇f·v) = Av
        double[][] a = {{2, -1, 0.5}, {-1, 3, 1}, {0.5, 1, 4}};
        double[] x0 = {0.3, -1.2, 2}, v0 = {1, 0.5, -2};
        Tensor A = Tensor.of(a), v = Tensor.vector(v0);
        Tensor x = Tensor.vector(x0).requiresGrad(true);
        Tensor f = x.matmul(A).dot(x).mul(0.5);
        Tensor grad = Autograd.grad(f, x, true);
        Tensor hv = Autograd.grad(grad.dot(v), x, false);
        for (int i = 0; i < 3; i++) {
            double ax = 0, av = 0;
            for (int j = 0; j < 3; j++) {
                ax += a[i][j] * x0[j];
                av += a[i][j] * v0[j];
            }
            assertEquals(ax, grad.get(i), 1e-12);
            assertEquals(av, hv.get(i), 1e-12);
        }
        assertNull(x.grad());

        // with a non-symmetric B the Hessian is ½(B + Bᵀ)
        Tensor B = Tensor.of(new double[][] {{1, 2, 0}, {0, 1, -3}, {4, 0, 1}});
        Tensor x2 = Tensor.vector(x0).requiresGrad(true);
        Tensor g2 = Autograd.grad(x2.matmul(B).dot(x2).mul(0.5), x2, true);
        Tensor hv2 = Autograd.grad(g2.dot(v), x2, false);
        Tensor want = B.add(B.t()).mul(0.5).matmul(v);
        assertArrayEquals(want.toDoubleArray(), hv2.toDoubleArray(), 1e-12);
    }

    @Test
    void gradientPenaltyMatchesTheHandDerivation() {
        // y = tanh(u), u = w·x + b; penalty P = ‖∂y/∂x‖² = s²‖w‖² with s = 1 - y²; loss L = y + λP.
        // With ds/du = -2ys: dP/du = -4ys²‖w‖², so dL/dw = s·x + λ(-4ys²‖w‖²·x + 2s²·w),
        // dL/db = s - 4λys²‖w‖², dL/dx = s·w - 4λys²‖w‖²·w.
        double[] x0 = {0.5, -1, 0.25}, w0 = {0.8, 0.3, -0.6};
        double b0 = 0.1, lambda = 0.7;
        Tensor x = Tensor.vector(x0).requiresGrad(true);
        Tensor w = Tensor.vector(w0).requiresGrad(true);
        Tensor b = Tensor.scalar(b0).requiresGrad(true);
        Tensor y = x.dot(w).add(b).tanh();
        Tensor dydx = Autograd.grad(y, x, true);
        Tensor loss = y.add(dydx.mul(dydx).sum().mul(lambda));
        loss.backward();

        double u = b0, ww = 0;
        for (int i = 0; i < 3; i++) {
            u += w0[i] * x0[i];
            ww += w0[i] * w0[i];
        }
        double t = Math.tanh(u), s = 1 - t * t;
        assertEquals(t + lambda * s * s * ww, loss.item(), 1e-12);
        for (int i = 0; i < 3; i++) {
            assertEquals(s * w0[i], dydx.get(i), 1e-12);
            assertEquals(s * x0[i] + lambda * (-4 * t * s * s * ww * x0[i] + 2 * s * s * w0[i]), w.grad().get(i), 1e-12);
            assertEquals(s * w0[i] - 4 * lambda * t * s * s * ww * w0[i], x.grad().get(i), 1e-12);
        }
        assertEquals(s - 4 * lambda * t * s * s * ww, b.grad().item(), 1e-12);
    }

    @Test
    void gradOfGradThroughAutogradGrad() {
        // f(x, y) = x²·y + sin(x·y): mixed second derivatives from two Autograd.grad calls
        Tensor x = Tensor.scalar(0.7).requiresGrad(true), y = Tensor.scalar(-1.3).requiresGrad(true);
        Tensor f = x.mul(x).mul(y).add(x.mul(y).sin());
        Tensor[] g = Autograd.grad(f, new Tensor[] {x, y}, true);
        double xv = 0.7, yv = -1.3, c = Math.cos(xv * yv), sn = Math.sin(xv * yv);
        assertEquals(2 * xv * yv + yv * c, g[0].item(), 1e-12);          // f_x
        assertEquals(xv * xv + xv * c, g[1].item(), 1e-12);              // f_y
        Tensor[] gxx = Autograd.grad(new Tensor[] {g[0]}, new Tensor[] {x, y}, null, true, false, false);
        assertEquals(2 * yv - yv * yv * sn, gxx[0].item(), 1e-12);       // f_xx
        assertEquals(2 * xv + c - xv * yv * sn, gxx[1].item(), 1e-12);   // f_xy
        Tensor fyx = Autograd.grad(g[1], x, false);
        assertEquals(gxx[1].item(), fyx.item(), 1e-12);                  // f_yx = f_xy
        assertNull(x.grad());
        assertNull(y.grad());

        GradCheck.Report r = GradCheck.checkSecondOrder(in -> in[0].mul(in[0]).mul(in[1]).add(in[0].mul(in[1]).sin()),
            Tensor.randn(new Generator(5), DType.FLOAT64, 3).requiresGrad(true),
            Tensor.randn(new Generator(6), DType.FLOAT64, 3).requiresGrad(true));
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void thirdDerivativeOfSin() {
        Tensor x = xs();
        Tensor d1 = Autograd.grad(x.sin().sum(), x, true);
        Tensor d2 = Autograd.grad(d1.sum(), x, true);
        Tensor d3 = Autograd.grad(d2.sum(), x, true);
        Tensor d4 = Autograd.grad(d3.sum(), x, false);
        assertEach(Math::cos, d1);
        assertEach(v -> -Math.sin(v), d2);
        assertEach(v -> -Math.cos(v), d3);
        assertEach(Math::sin, d4);
        assertFalse(d4.requiresGrad());
    }
}
