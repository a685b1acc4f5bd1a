package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One LSTM step built from primitive ops, differentiated by the engine and by hand:
 * gates = x·Wᵀ + h·Uᵀ + b split into i, f, g, o; c = f⊙c₀ + i⊙g; h₁ = o⊙tanh(c);
 * loss = Σ h₁·w + Σ c·v.
 */
class LstmStepGradTest {
    static final int B = 3, IN = 4, H = 5;

    static Tensor param(Generator gen, double scale, int... shape) {
        return Tensor.randn(gen, DType.FLOAT64, shape).mul(scale).requiresGrad(true);
    }

    static void assertClose(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        double[] w = want.toDoubleArray(), g = got.toDoubleArray();
        for (int i = 0; i < w.length; i++) assertEquals(w[i], g[i], 1e-10, what + " element " + i);
    }

    @Test
    void autogradMatchesTheHandDerivedLstmGradients() {
        Generator gen = new Generator(42);
        Tensor W = param(gen, 0.5, 4 * H, IN), U = param(gen, 0.5, 4 * H, H), b = param(gen, 0.5, 4 * H);
        Tensor x = param(gen, 1, B, IN), h0 = param(gen, 1, B, H), c0 = param(gen, 1, B, H);
        Tensor w = Tensor.randn(gen, DType.FLOAT64, H), v = Tensor.randn(gen, DType.FLOAT64, B, H);

        Tensor gates = x.matmul(W.t()).add(h0.matmul(U.t())).add(b);
        Tensor i = gates.narrow(1, 0, H).sigmoid();
        Tensor f = gates.narrow(1, H, H).sigmoid();
        Tensor g = gates.narrow(1, 2 * H, H).tanh();
        Tensor o = gates.narrow(1, 3 * H, H).sigmoid();
        Tensor c = f.mul(c0).add(i.mul(g));
        Tensor h = o.mul(c.tanh());
        Tensor loss = h.mul(w).sum().add(c.mul(v).sum());
        loss.backward();

        try (var ignored = Autograd.noGrad()) {
            Tensor tc = c.tanh();
            Tensor dh = w.expand(B, H);
            Tensor dO = dh.mul(tc).mul(o.mul(o.neg().add(1.0)));
            Tensor dc = dh.mul(o).mul(tc.mul(tc).neg().add(1.0)).add(v);
            Tensor dI = dc.mul(g).mul(i.mul(i.neg().add(1.0)));
            Tensor dF = dc.mul(c0).mul(f.mul(f.neg().add(1.0)));
            Tensor dG = dc.mul(i).mul(g.mul(g).neg().add(1.0));
            Tensor dc0 = dc.mul(f);
            Tensor dGates = Tensor.cat(1, dI, dF, dG, dO);      // [B, 4H]

            assertClose(dGates.t().matmul(x), W.grad(), "dW");
            assertClose(dGates.t().matmul(h0), U.grad(), "dU");
            assertClose(dGates.sum(0), b.grad(), "db");
            assertClose(dGates.matmul(W), x.grad(), "dx");
            assertClose(dGates.matmul(U), h0.grad(), "dh0");
            assertClose(dc0, c0.grad(), "dc0");
            assertFalse(dGates.requiresGrad());
        }
        // the intermediates are non-leaves: backward left no grad on them
        assertNull(gates.grad());
        assertNull(c.grad());
    }

    @Test
    void lstmStepPassesGradCheck() {
        Generator gen = new Generator(7);
        Tensor W = param(gen, 0.5, 4 * 2, 3), U = param(gen, 0.5, 4 * 2, 2), b = param(gen, 0.5, 4 * 2);
        Tensor x = param(gen, 1, 2, 3), h0 = param(gen, 1, 2, 2), c0 = param(gen, 1, 2, 2);
        GradCheck.Report r = GradCheck.check(in -> {
            Tensor gates = in[3].matmul(in[0].t()).add(in[4].matmul(in[1].t())).add(in[2]);
            Tensor c = gates.narrow(1, 2, 2).sigmoid().mul(in[5]).add(gates.narrow(1, 0, 2).sigmoid().mul(gates.narrow(1, 4, 2).tanh()));
            return gates.narrow(1, 6, 2).sigmoid().mul(c.tanh()).add(c.mul(0.5)); // h₁ and c together
        }, W, U, b, x, h0, c0);
        assertTrue(r.passed(), r.toString());
    }
}
