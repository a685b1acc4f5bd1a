package dev.fathom.optim;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each optimiser and option combination against its documented algorithm (PyTorch's pseudo-code),
 * written out here in plain double arithmetic: a 3-element parameter on the quadratic
 * {@code f(θ) = ½ Σ a_i (θ_i - c_i)²}, whose gradient {@code a (θ - c)} is set by hand each step.
 */
class OptimizerFormulaTest {
    static final double[] A = {1.0, 4.0, 0.5}, C = {0.3, -1.2, 2.0}, THETA0 = {1.5, 0.7, -0.4};
    static final int STEPS = 7;

    /** One step of the reference: new θ from θ and the gradient (state kept by the implementation). */
    interface Reference { double[] step(double[] theta, double[] g); }

    static double[] grad(double[] theta) {
        double[] g = new double[theta.length];
        for (int i = 0; i < g.length; i++) g[i] = A[i] * (theta[i] - C[i]);
        return g;
    }

    /** Runs the optimiser and the reference side by side for STEPS steps; every step must agree to 1e-12. */
    static void check(Function<List<Tensor>, Optimizer> make, Reference ref) {
        Tensor p = Tensor.of(THETA0.clone(), 3).requiresGrad(true);
        Optimizer opt = make.apply(List.of(p));
        double[] theta = THETA0.clone();
        for (int t = 1; t <= STEPS; t++) {
            p.setGrad(Tensor.of(grad(p.toDoubleArray()), 3));
            opt.step();
            theta = ref.step(theta, grad(theta));
            assertArrayEquals(theta, p.toDoubleArray(), 1e-12, opt.typeName() + " step " + t);
        }
        assertTrue(p.requiresGrad() && p.isLeaf(), "the parameter stays a leaf that requires grad");
    }

    // ------------------------------------------------------------------ SGD

    static Reference sgd(double lr, double mu, double tau, double wd, boolean nesterov, boolean maximize) {
        return new Reference() {
            double[] b;
            public double[] step(double[] th, double[] grad) {
                double[] out = new double[th.length], g = new double[th.length];
                for (int i = 0; i < th.length; i++) g[i] = (maximize ? -grad[i] : grad[i]) + wd * th[i];
                if (mu != 0) {
                    if (b == null) b = g.clone();
                    else for (int i = 0; i < th.length; i++) b[i] = mu * b[i] + (1 - tau) * g[i];
                    for (int i = 0; i < th.length; i++) g[i] = nesterov ? g[i] + mu * b[i] : b[i];
                }
                for (int i = 0; i < th.length; i++) out[i] = th[i] - lr * g[i];
                return out;
            }
        };
    }

    @Test
    void sgdPlain() { check(ps -> new SGD(ps, 0.1), sgd(0.1, 0, 0, 0, false, false)); }

    @Test
    void sgdMomentum() { check(ps -> new SGD(ps, new SGD.Options().lr(0.1).momentum(0.9)), sgd(0.1, 0.9, 0, 0, false, false)); }

    @Test
    void sgdMomentumDampeningWeightDecay() {
        check(ps -> new SGD(ps, new SGD.Options().lr(0.05).momentum(0.8).dampening(0.3).weightDecay(0.1)),
            sgd(0.05, 0.8, 0.3, 0.1, false, false));
    }

    @Test
    void sgdNesterovWeightDecay() {
        check(ps -> new SGD(ps, new SGD.Options().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01)),
            sgd(0.05, 0.9, 0, 0.01, true, false));
    }

    @Test
    void sgdMaximize() {
        check(ps -> new SGD(ps, new SGD.Options().lr(0.02).momentum(0.5).weightDecay(0.1).maximize(true)),
            sgd(0.02, 0.5, 0, 0.1, false, true));
    }

    // ------------------------------------------------------------------ Adam / AdamW

    /** Adam as documented (with AMSGrad taking the maximum of the raw second moments, as PyTorch's code does). */
    static Reference adam(double lr, double b1, double b2, double eps, double wd, boolean amsgrad, boolean maximize, boolean decoupled) {
        return new Reference() {
            double[] m = new double[3], v = new double[3], vmax = new double[3];
            int t;
            public double[] step(double[] th, double[] grad) {
                t++;
                double[] out = th.clone();
                for (int i = 0; i < 3; i++) {
                    double g = maximize ? -grad[i] : grad[i];
                    if (decoupled) out[i] = th[i] - lr * wd * th[i];
                    else g += wd * th[i];
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    double mHat = m[i] / (1 - Math.pow(b1, t));
                    vmax[i] = Math.max(vmax[i], v[i]);
                    double vHat = (amsgrad ? vmax[i] : v[i]) / (1 - Math.pow(b2, t));
                    out[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
                return out;
            }
        };
    }

    @Test
    void adamDefaults() { check(ps -> new Adam(ps, 0.1), adam(0.1, 0.9, 0.999, 1e-8, 0, false, false, false)); }

    @Test
    void adamBetasEpsWeightDecay() {
        check(ps -> new Adam(ps, new Adam.Options().lr(0.05).betas(0.8, 0.95).eps(1e-3).weightDecay(0.2)),
            adam(0.05, 0.8, 0.95, 1e-3, 0.2, false, false, false));
    }

    @Test
    void adamAmsgradMaximize() {
        check(ps -> new Adam(ps, new Adam.Options().lr(0.05).betas(0.5, 0.9).amsgrad(true).maximize(true)),
            adam(0.05, 0.5, 0.9, 1e-8, 0, true, true, false));
    }

    @Test
    void adamAmsgradTakesTheMaximumWhenTheGradientShrinks() {
        // a gradient that shrinks makes v fall below its past maximum, so AMSGrad differs from Adam here
        check(ps -> new Adam(ps, new Adam.Options().lr(0.3).betas(0.9, 0.5).amsgrad(true)),
            adam(0.3, 0.9, 0.5, 1e-8, 0, true, false, false));
    }

    @Test
    void adamWDecoupledWeightDecay() {
        check(ps -> new AdamW(ps, 0.1), adam(0.1, 0.9, 0.999, 1e-8, 0.01, false, false, true));
        check(ps -> new AdamW(ps, new AdamW.Options().lr(0.05).betas(0.7, 0.9).weightDecay(0.5).amsgrad(true)),
            adam(0.05, 0.7, 0.9, 1e-8, 0.5, true, false, true));
    }

    // ------------------------------------------------------------------ RMSprop

    static Reference rmsprop(double lr, double alpha, double eps, double wd, double mu, boolean centered, boolean maximize) {
        return new Reference() {
            double[] v = new double[3], gAvg = new double[3], b = new double[3];
            public double[] step(double[] th, double[] grad) {
                double[] out = th.clone();
                for (int i = 0; i < 3; i++) {
                    double g = (maximize ? -grad[i] : grad[i]) + wd * th[i];
                    v[i] = alpha * v[i] + (1 - alpha) * g * g;
                    double vt = v[i];
                    if (centered) {
                        gAvg[i] = alpha * gAvg[i] + (1 - alpha) * g;
                        vt = v[i] - gAvg[i] * gAvg[i];
                    }
                    if (mu > 0) {
                        b[i] = mu * b[i] + g / (Math.sqrt(vt) + eps);
                        out[i] = th[i] - lr * b[i];
                    } else {
                        out[i] = th[i] - lr * g / (Math.sqrt(vt) + eps);
                    }
                }
                return out;
            }
        };
    }

    @Test
    void rmspropDefaults() { check(ps -> new RMSprop(ps, 0.01), rmsprop(0.01, 0.99, 1e-8, 0, 0, false, false)); }

    @Test
    void rmspropMomentum() {
        check(ps -> new RMSprop(ps, new RMSprop.Options().lr(0.01).momentum(0.9).alpha(0.9)), rmsprop(0.01, 0.9, 1e-8, 0, 0.9, false, false));
    }

    @Test
    void rmspropCenteredWeightDecayEps() {
        check(ps -> new RMSprop(ps, new RMSprop.Options().lr(0.02).alpha(0.8).eps(1e-4).weightDecay(0.1).centered(true)),
            rmsprop(0.02, 0.8, 1e-4, 0.1, 0, true, false));
    }

    @Test
    void rmspropEverythingMaximize() {
        check(ps -> new RMSprop(ps, new RMSprop.Options().lr(0.01).alpha(0.9).eps(1e-6).weightDecay(0.1).momentum(0.5).centered(true).maximize(true)),
            rmsprop(0.01, 0.9, 1e-6, 0.1, 0.5, true, true));
    }

    // ------------------------------------------------------------------ Adagrad

    static Reference adagrad(double lr, double lrDecay, double wd, double init, double eps, boolean maximize) {
        return new Reference() {
            double[] s = {init, init, init};
            int t;
            public double[] step(double[] th, double[] grad) {
                t++;
                double[] out = th.clone();
                double clr = lr / (1 + (t - 1) * lrDecay);
                for (int i = 0; i < 3; i++) {
                    double g = (maximize ? -grad[i] : grad[i]) + wd * th[i];
                    s[i] += g * g;
                    out[i] = th[i] - clr * g / (Math.sqrt(s[i]) + eps);
                }
                return out;
            }
        };
    }

    @Test
    void adagradDefaults() { check(ps -> new Adagrad(ps, 0.1), adagrad(0.1, 0, 0, 0, 1e-10, false)); }

    @Test
    void adagradDecayWeightDecayAccumulator() {
        check(ps -> new Adagrad(ps, new Adagrad.Options().lr(0.2).lrDecay(0.3).weightDecay(0.05).initialAccumulatorValue(0.5).eps(1e-6)),
            adagrad(0.2, 0.3, 0.05, 0.5, 1e-6, false));
    }

    @Test
    void adagradMaximize() {
        check(ps -> new Adagrad(ps, new Adagrad.Options().lr(0.1).maximize(true)), adagrad(0.1, 0, 0, 0, 1e-10, true));
    }

    @Test
    void adamOnePassAndTensorOpPathsAgree() {
        // a transposed (non-contiguous) gradient takes the tensor-op path; a contiguous one the fused loop
        for (boolean decoupled : new boolean[] {false, true}) {
            Tensor fast = Tensor.of(new double[] {0.5, -1, 2, 0.1, 0.3, -0.7}, 2, 3).requiresGrad(true);
            Tensor slow = fast.detach().copy().requiresGrad(true);
            Function<List<Tensor>, Optimizer> make = ps -> decoupled
                ? new AdamW(ps, new AdamW.Options().lr(0.05).weightDecay(0.3).amsgrad(true).maximize(true))
                : new Adam(ps, new Adam.Options().lr(0.05).weightDecay(0.3).amsgrad(true).maximize(true));
            Optimizer a = make.apply(List.of(fast)), b = make.apply(List.of(slow));
            for (int t = 0; t < 6; t++) {
                double[] g = fast.toDoubleArray();
                double[] gt = new double[6];
                for (int i = 0; i < 6; i++) g[i] = Math.sin(3 * g[i] + t);
                for (int r = 0; r < 2; r++) for (int c = 0; c < 3; c++) gt[c * 2 + r] = g[r * 3 + c];
                fast.setGrad(Tensor.of(g, 2, 3));
                Tensor transposed = Tensor.of(gt, 3, 2).t();
                assertFalse(transposed.isContiguous());
                slow.setGrad(transposed);
                a.step();
                b.step();
                assertArrayEquals(fast.toDoubleArray(), slow.toDoubleArray(), 1e-14, "step " + t);
            }
        }
    }

    @Test
    void sgdOnePassAndTensorOpPathsAgreeBitForBit() {
        // contiguous gradients take the one-pass loop, transposed ones the tensor ops; both must give the
        // same bits, in float64 and float32, for every option, with two groups of different options
        SGD.Options[] options = {
            new SGD.Options().lr(0.05),
            new SGD.Options().lr(0.05).momentum(0.9),
            new SGD.Options().lr(0.1).momentum(0.8).dampening(0.3).weightDecay(0.2).maximize(true),
            new SGD.Options().lr(0.07).momentum(0.9).nesterov(true).weightDecay(0.01),
            new SGD.Options().lr(0.03).weightDecay(0.5).maximize(true)};
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32})
            for (SGD.Options o : options) {
                // 2 x 19 elements: float32 runs the vector kernel over whole vectors and its scalar tail
                double[] init = new double[38];
                for (int i = 0; i < init.length; i++) init[i] = Math.cos(1.7 * i) * (1 + i % 3);
                Tensor fast = Tensor.of(init, 2, 19).to(dt).requiresGrad(true), fast2 = Tensor.of(init, 19, 2).to(dt).requiresGrad(true);
                Tensor slow = fast.detach().copy().requiresGrad(true), slow2 = fast2.detach().copy().requiresGrad(true);
                java.util.Map<String, Object> other = java.util.Map.of("lr", 0.02, "momentum", 0.5, "nesterov", false,
                    "dampening", 0.1);
                SGD a = new SGD(o, List.of(new ParamGroup(List.of(fast)), new ParamGroup(List.of(fast2), other)));
                SGD b = new SGD(o, List.of(new ParamGroup(List.of(slow)), new ParamGroup(List.of(slow2), other)));
                for (int t = 0; t < 5; t++) {
                    for (Tensor[] pair : new Tensor[][] {{fast, slow}, {fast2, slow2}}) {
                        int r = pair[0].size(0), c = pair[0].size(1);
                        double[] g = pair[0].toDoubleArray(), gt = new double[g.length];
                        for (int i = 0; i < g.length; i++) g[i] = Math.sin(3 * g[i] + t);
                        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) gt[j * r + i] = g[i * c + j];
                        pair[0].setGrad(Tensor.of(g, r, c).to(dt));
                        Tensor transposed = Tensor.of(gt, c, r).to(dt).t();
                        assertFalse(transposed.isContiguous());
                        pair[1].setGrad(transposed);
                    }
                    a.step();
                    b.step();
                    String what = dt + " " + o + " step " + t;
                    assertArrayEquals(slow.toDoubleArray(), fast.toDoubleArray(), 0, what);
                    assertArrayEquals(slow2.toDoubleArray(), fast2.toDoubleArray(), 0, what + " (group 1)");
                    Tensor bufA = a.state(fast).get("momentum_buffer"), bufB = b.state(slow).get("momentum_buffer");
                    assertEquals(bufB == null, bufA == null, what);
                    if (bufA != null) {
                        assertEquals(dt, bufA.dtype());
                        assertArrayEquals(bufB.toDoubleArray(), bufA.toDoubleArray(), 0, what + " momentum buffer");
                    }
                }
            }
    }

    @Test
    void largeParametersSplitOverThePoolAgreeWithTensorOps() {
        // 300 x 401 elements: the one-pass loops run in several tasks over the worker pool
        int r = 300, c = 401;
        List<Function<List<Tensor>, Optimizer>> makers = List.of(
            ps -> new SGD(ps, new SGD.Options().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01)),
            ps -> new Adam(ps, new Adam.Options().lr(0.01).weightDecay(0.1).amsgrad(true)),
            ps -> new AdamW(ps, new AdamW.Options().lr(0.01).maximize(true)));
        for (Function<List<Tensor>, Optimizer> make : makers) {
            Tensor fast = Tensor.randn(new dev.fathom.tensor.Generator(3), DType.FLOAT64, r, c).requiresGrad(true);
            Tensor slow = fast.detach().copy().requiresGrad(true);
            Optimizer a = make.apply(List.of(fast)), b = make.apply(List.of(slow));
            for (int t = 0; t < 3; t++) {
                Tensor g = fast.detach().mul(3).add((double) t).sin();
                fast.setGrad(g.copy());
                Tensor transposed = g.t().contiguous().t();
                assertFalse(transposed.isContiguous());
                slow.setGrad(transposed);
                a.step();
                b.step();
                assertArrayEquals(slow.toDoubleArray(), fast.toDoubleArray(), 1e-14, a.typeName() + " step " + t);
            }
        }
    }

    // ------------------------------------------------------------------ float32

    @Test
    void float32ParametersStayFloat32AndFollowTheFormula() {
        Tensor p = Tensor.of(THETA0.clone(), 3).to(DType.FLOAT32).requiresGrad(true);
        Adam opt = new Adam(List.of(p), new Adam.Options().lr(0.05).weightDecay(0.1).amsgrad(true));
        Reference ref = adam(0.05, 0.9, 0.999, 1e-8, 0.1, true, false, false);
        double[] theta = THETA0.clone();
        for (int t = 0; t < 5; t++) {
            p.setGrad(Tensor.of(grad(p.toDoubleArray()), 3).to(DType.FLOAT32));
            opt.step();
            theta = ref.step(theta, grad(theta));
        }
        assertEquals(DType.FLOAT32, p.dtype());
        assertEquals(DType.FLOAT32, opt.state(p).get("exp_avg").dtype());
        assertArrayEquals(theta, p.toDoubleArray(), 1e-5);
    }
}
