package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The engine's behaviour as a user meets it: backward, accumulation, modes, graph lifetime, hooks, checks, custom functions. */
class AutogradEngineTest {
    static Tensor vec(double... v) { return Tensor.vector(v).requiresGrad(true); }

    static void assertValues(double[] expected, Tensor t) { assertArrayEquals(expected, t.toDoubleArray(), 1e-12); }

    static String message(Runnable r) {
        return assertThrows(RuntimeException.class, r::run).getMessage();
    }

    // ------------------------------------------------------------------ backward and accumulation

    @Test
    void backwardOnScalarAndWithGradient() {
        Tensor x = vec(1, 2, 3);
        x.mul(x).sum().backward();                       // d/dx sum(x²) = 2x
        assertValues(new double[] {2, 4, 6}, x.grad());
        assertTrue(x.grad().isLeaf() && !x.grad().requiresGrad());

        Tensor y = vec(1, 2, 3);
        Tensor z = y.mul(3.0);                           // a vector: backward needs its gradient
        z.backward(Tensor.vector(1.0, 10.0, 100.0));
        assertValues(new double[] {3, 30, 300}, y.grad());
        assertEquals("mul", z.gradFn().name());
        assertTrue(y.isLeaf() && !z.isLeaf());
    }

    @Test
    void gradientsAccumulateOverBackwardsUntilZeroGrad() {
        Tensor x = vec(1, 2);
        x.mul(x).sum().backward();
        x.mul(3.0).sum().backward();                     // 2x + 3
        assertValues(new double[] {5, 7}, x.grad());
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(x).mul(x).sum().backward();                // 3x², afresh
        assertValues(new double[] {3, 12}, x.grad());
    }

    @Test
    void detachSharesValuesWithoutGrad() {
        Tensor x = vec(1, 2, 3);
        Tensor y = x.mul(2.0);
        Tensor d = y.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertNull(d.gradFn());
        assertSame(y.storage(), d.storage());
        try (var ignored = Autograd.noGrad()) {
            d.addInPlace(1.0);                           // visible through y: the values are shared
        }
        assertValues(new double[] {3, 5, 7}, y);
        Tensor loss = x.mul(d).sum();                    // d is a constant for backward
        loss.backward();
        assertValues(new double[] {3, 5, 7}, x.grad());
    }

    @Test
    void requiresGradErrors() {
        String m = message(() -> Tensor.vector(1L, 2L).requiresGrad(true));
        assertTrue(m.contains("floating-point") && m.contains("int64"), m);
        Tensor x = vec(1, 2);
        Tensor y = x.mul(2.0);
        m = message(() -> y.requiresGrad(false));
        assertTrue(m.contains("leaf") && m.contains("mul") && m.contains("detach"), m);
        y.detach().requiresGrad(true);                   // a detached copy is a leaf and may
        x.requiresGrad(false);
        assertFalse(x.requiresGrad());
    }

    @Test
    void backwardErrorsExplainWhatIsWrong() {
        Tensor c = Tensor.vector(1.0, 2.0);
        String m = message(() -> c.sum().backward());
        assertTrue(m.contains("does not require grad") && m.contains("requiresGrad(true)"), m);

        Tensor x = vec(1, 2);
        m = message(() -> x.mul(2.0).backward());
        assertTrue(m.contains("one element") && m.contains("[2]"), m);

        m = message(() -> x.mul(2.0).backward(Tensor.vector(1.0, 2.0, 3.0)));
        assertTrue(m.contains("[3]") && m.contains("[2]"), m);
    }

    @Test
    void backwardOfSeveralOutputsSumsTheirGradients() {
        Tensor x = vec(1, 2);
        Tensor y1 = x.mul(x);                            // y2 depends on y1: y1 must wait for both contributions
        Tensor y2 = y1.mul(3.0).sum();
        Autograd.backward(new Tensor[] {y2, y1}, new Tensor[] {null, Tensor.vector(1.0, -1.0)}, false, false);
        assertValues(new double[] {2 * 1 * (3 + 1), 2 * 2 * (3 - 1)}, x.grad());
        String m = message(() -> Autograd.backward(new Tensor[] {x.sum()}, new Tensor[2], false, false));
        assertTrue(m.contains("2 gradients for 1 outputs"), m);
    }

    // ------------------------------------------------------------------ modes

    @Test
    void noGradEnableGradAndSetGradEnabledNest() {
        Tensor x = vec(1, 2);
        assertTrue(Autograd.isGradEnabled());
        try (var a = Autograd.noGrad()) {
            assertFalse(Autograd.isGradEnabled());
            assertFalse(x.mul(2.0).requiresGrad());
            try (var b = Autograd.enableGrad()) {
                assertTrue(Autograd.isGradEnabled());
                Tensor y = x.mul(2.0);
                assertTrue(y.requiresGrad());
                assertEquals("mul", y.gradFn().name());
                try (var c = Autograd.setGradEnabled(false)) {
                    assertFalse(x.exp().requiresGrad());
                }
                assertTrue(x.exp().requiresGrad());
            }
            assertFalse(Autograd.isGradEnabled());
        }
        assertTrue(Autograd.isGradEnabled());
        try (var s = Autograd.setGradEnabled(false)) {
            assertFalse(x.add(x).requiresGrad());
        }
        assertTrue(x.add(x).requiresGrad());

        Autograd.noGrad().close(); // closing restores, and closing twice does nothing
        Scope s = Autograd.noGrad();
        s.close();
        s.close();
        assertTrue(Autograd.isGradEnabled());
    }

    @Test
    void inferenceModeWinsOverEnableGrad() {
        Tensor x = vec(1, 2);
        try (var inf = Autograd.inferenceMode()) {
            assertTrue(Autograd.isInferenceMode());
            assertFalse(x.mul(x).requiresGrad());
            try (var en = Autograd.enableGrad()) {
                assertFalse(Autograd.isGradEnabled());
                Tensor y = x.mul(x);
                assertFalse(y.requiresGrad());
                assertNull(y.gradFn());
            }
            x.addInPlace(1.0);                           // updates of parameters are allowed
        }
        assertFalse(Autograd.isInferenceMode());
        assertValues(new double[] {2, 3}, x);
        assertTrue(x.mul(x).requiresGrad());
    }

    // ------------------------------------------------------------------ graph lifetime

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = vec(1, 2), w = vec(3, 4);
        Tensor loss = x.mul(w).sum();
        loss.backward(null, true, false);
        loss.backward();                                 // the graph was kept
        assertValues(new double[] {6, 8}, x.grad());
        assertValues(new double[] {2, 4}, w.grad());

        Tensor loss2 = x.mul(w).sum();
        loss2.backward();
        String m = message(loss2::backward);
        assertTrue(m.contains("retainGraph") && m.contains("mul") && m.contains("second time"), m);
    }

    @Test
    void autogradGradLeavesGradUntouched() {
        Tensor x = vec(1, 2), w = vec(3, 4), unused = vec(5);
        Tensor loss = x.mul(w).sum();
        Tensor[] g = Autograd.grad(new Tensor[] {loss}, new Tensor[] {x, w, unused}, null, true, false, true);
        assertValues(new double[] {3, 4}, g[0]);
        assertValues(new double[] {1, 2}, g[1]);
        assertValues(new double[] {0}, g[2]);
        assertNull(x.grad());
        assertNull(w.grad());
        assertNull(unused.grad());

        String m = message(() -> Autograd.grad(loss, new Tensor[] {x, unused}, false));
        assertTrue(m.contains("allowUnused") && m.contains("input 1"), m);

        // the gradient at a non-leaf: the graph below it is not run, so it is not freed either
        Tensor y = x.exp();
        Tensor gy = Autograd.grad(y.mul(w).sum(), y, false);
        assertValues(new double[] {3, 4}, gy);
        y.sum().backward();
        assertArrayEquals(new double[] {Math.exp(1), Math.exp(2)}, x.grad().toDoubleArray(), 1e-12);
        x.zeroGrad();

        // only the gradient with respect to x is asked for: w's accumulator is not reached
        Tensor gx = Autograd.grad(x.mul(w).mul(x).sum(), x, false);
        assertValues(new double[] {6, 16}, gx);
        assertNull(w.grad());
    }

    @Test
    void diamondGraphSumsBothBranches() {
        Tensor x = vec(1, 2, 3);
        Tensor a = x.mul(2.0), b = x.exp();
        Tensor loss = a.mul(b).sum();                    // d/dx (2x·eˣ) = 2eˣ + 2x·eˣ
        loss.backward();
        double[] xs = {1, 2, 3}, want = new double[3];
        for (int i = 0; i < 3; i++) want[i] = 2 * Math.exp(xs[i]) * (1 + xs[i]);
        assertArrayEquals(want, x.grad().toDoubleArray(), 1e-12);

        Tensor y = vec(0.5, -1);
        Tensor s = y.sin();
        s.add(s.mul(s)).add(y).sum().backward();         // shared intermediate and a direct edge: cos·(1 + 2 sin) + 1
        double[] ys = {0.5, -1};
        for (int i = 0; i < 2; i++)
            assertEquals(Math.cos(ys[i]) * (1 + 2 * Math.sin(ys[i])) + 1, y.grad().get(i), 1e-12);
    }

    @Test
    void sameLeafTwiceInOneOp() {
        Tensor x = vec(-1, 3);
        x.mul(x).sum().backward();
        assertValues(new double[] {-2, 6}, x.grad());
        Tensor y = vec(2);
        y.div(y).sum().backward();                       // x/x is constant
        assertValues(new double[] {0}, y.grad());
    }

    @Test
    void leavesGivenTheSameGradientGetIndependentGrads() {
        for (boolean explicit : new boolean[] {false, true}) {
            Tensor a = vec(1, 2), b = vec(3, 4), g = Tensor.vector(1.0, 1.0);
            Tensor c = a.add(b);                         // add hands the same gradient tensor to both inputs
            if (explicit) c.backward(g); else c.sum().backward();
            assertNotSame(a.grad().storage(), b.grad().storage());
            a.grad().mulInPlace(10.0);
            assertValues(new double[] {10, 10}, a.grad());
            assertValues(new double[] {1, 1}, b.grad());
            assertValues(new double[] {1, 1}, g);       // the caller's gradient is not adopted as a grad
            // a second backward accumulates in place without touching the other leaf
            a.add(b).sum().backward();
            assertValues(new double[] {11, 11}, a.grad());
            assertValues(new double[] {2, 2}, b.grad());
        }
        // with createGraph the gradients are kept as computed; constant ones must still not be shared
        Tensor a = vec(1, 2), b = vec(3, 4);
        a.add(b).sum().backward(null, true, true);
        assertNotSame(a.grad().storage(), b.grad().storage());
        a.add(b).sum().backward();
        assertValues(new double[] {2, 2}, a.grad());
        a.grad().mulInPlace(10.0);
        assertValues(new double[] {2, 2}, b.grad());
        // a hook may keep the gradient it is shown: later accumulation must not write into it
        Tensor h = vec(1, 2);
        List<Tensor> kept = new ArrayList<>();
        h.registerHook(gr -> { kept.add(gr); return null; });
        h.mul(3.0).sum().backward();
        h.mul(3.0).sum().backward();
        assertValues(new double[] {6, 6}, h.grad());
        assertValues(new double[] {3, 3}, kept.get(0));
        // backward on a leaf itself: the caller's gradient is copied, not kept
        Tensor x = vec(1, 2), g = Tensor.vector(1.0, 1.0);
        x.backward(g);
        assertNotSame(g.storage(), x.grad().storage());
        x.grad().addInPlace(1.0);
        assertValues(new double[] {1, 1}, g);
        // leaves behind views of one gradient (reshape on both sides of an add)
        Tensor p = vec(1, 2, 3, 4), q = vec(5, 6, 7, 8);
        p.reshape(2, 2).add(q.reshape(2, 2)).sum().backward();
        p.grad().zeroInPlace();
        assertValues(new double[] {1, 1, 1, 1}, q.grad());
    }

    // ------------------------------------------------------------------ hooks and retainGrad

    @Test
    void hooksSeeAndReplaceGradients() {
        Tensor x = vec(1, 2);
        List<double[]> seen = new ArrayList<>();
        Hook h = x.registerHook(g -> { seen.add(g.toDoubleArray()); return null; });
        x.mul(3.0).sum().backward();
        assertEquals(1, seen.size());
        assertArrayEquals(new double[] {3, 3}, seen.get(0));
        assertValues(new double[] {3, 3}, x.grad());

        Hook doubler = x.registerHook(g -> g.mul(2.0));
        x.zeroGrad();
        x.mul(3.0).sum().backward();
        assertValues(new double[] {6, 6}, x.grad());
        h.remove();
        h.remove();                                      // twice does nothing
        doubler.remove();
        x.zeroGrad();
        x.mul(3.0).sum().backward();
        assertValues(new double[] {3, 3}, x.grad());
        assertEquals(2, seen.size());

        // on a non-leaf: the hook sees the gradient at y and its replacement flows on to x
        Tensor y = x.mul(x);                             // dy/dx = 2x
        List<double[]> atY = new ArrayList<>();
        y.registerHook(g -> { atY.add(g.toDoubleArray()); return g.mul(Tensor.vector(1.0, -1.0)); });
        x.zeroGrad();
        y.mul(5.0).sum().backward();
        assertArrayEquals(new double[] {5, 5}, atY.get(0));
        assertValues(new double[] {10, -20}, x.grad());
        assertNull(y.grad());                            // non-leaves keep no grad unless asked

        String m = message(() -> Tensor.vector(1.0).registerHook(g -> g));
        assertTrue(m.contains("does not require grad"), m);
        Tensor z = vec(1, 2);
        z.registerHook(g -> Tensor.vector(1.0, 2.0, 3.0));
        m = message(() -> z.mul(2.0).sum().backward());
        assertTrue(m.contains("hook") && m.contains("[3]") && m.contains("[2]"), m);
    }

    @Test
    void retainGradKeepsANonLeafGradient() {
        Tensor x = vec(1, 2);
        Tensor y = x.mul(x).retainGrad();
        Tensor loss = y.mul(Tensor.vector(3.0, 4.0)).sum();
        loss.backward(null, true, false);
        assertValues(new double[] {3, 4}, y.grad());
        assertValues(new double[] {6, 16}, x.grad());
        loss.backward();                                 // accumulates like a leaf's
        assertValues(new double[] {6, 8}, y.grad());
        // as in PyTorch, the retained gradient is the one after the tensor's hooks, whatever the order of registration
        Tensor z = x.mul(2.0).retainGrad();
        z.registerHook(g -> g.mul(10.0));
        x.zeroGrad();
        z.sum().backward();
        assertValues(new double[] {10, 10}, z.grad());
        assertValues(new double[] {20, 20}, x.grad());
        String m = message(() -> Tensor.vector(1.0).retainGrad());
        assertTrue(m.contains("retainGrad"), m);
    }

    // ------------------------------------------------------------------ in-place changes

    @Test
    void modifyingASavedInputInPlaceIsReported() {
        Tensor a = vec(1, 2), b = vec(3, 4);
        Tensor loss = a.mul(b).sum();
        try (var ignored = Autograd.noGrad()) {
            b.addInPlace(1.0);                           // mul needs b for a's gradient
        }
        String m = message(loss::backward);
        assertTrue(m.contains("mul") && m.contains("modified in place"), m);

        // add's backward does not read its operands: changing them is harmless
        Tensor p = vec(1, 2), q = Tensor.vector(3.0, 4.0);
        Tensor sum = p.add(q).sum();
        q.mulInPlace(10.0);
        sum.backward();
        assertValues(new double[] {1, 1}, p.grad());

        // a detached alias shares the version counter
        Tensor u = vec(1, 2);
        Tensor e = u.exp();
        Tensor l2 = e.mul(2.0).sum().add(e.mul(e).sum());
        e.detach().zeroInPlace();
        m = message(l2::backward);
        assertTrue(m.contains("mul") && m.contains("modified in place"), m);
    }

    @Test
    void inPlaceOnALeafThatRequiresGradIsRefusedWhileRecording() {
        Tensor w = vec(1, 2);
        String m = message(() -> w.addInPlace(1.0));
        assertTrue(m.contains("addInPlace") && m.contains("noGrad"), m);
        m = message(() -> w.mulInPlace(Tensor.vector(2.0, 2.0)));
        assertTrue(m.contains("mulInPlace"), m);
        m = message(() -> w.setInPlace(5, 0));
        assertTrue(m.contains("setInPlace"), m);
        assertValues(new double[] {1, 2}, w);
        try (var ignored = Autograd.noGrad()) {
            w.subInPlace(Tensor.vector(0.5, 0.5));
        }
        assertValues(new double[] {0.5, 1.5}, w);
        assertTrue(w.requiresGrad() && w.isLeaf());
    }

    // ------------------------------------------------------------------ anomaly mode

    @Test
    void anomalyModeNamesTheOpWhoseBackwardProducedNaN() {
        // sqrt at 0: its backward divides by 2·sqrt(0)
        Tensor x = vec(0, 4);
        try (var ignored = Autograd.detectAnomaly()) {
            assertTrue(Autograd.isAnomalyEnabled());
            Tensor loss = x.sqrt().mul(3.0).sum();
            IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(e.getMessage().contains("anomaly") && e.getMessage().contains("backward of sqrt"), e.getMessage());
            assertNotNull(e.getCause());
            assertTrue(e.getCause().getMessage().contains("sqrt"), e.getCause().getMessage());
        }
        assertFalse(Autograd.isAnomalyEnabled());

        // log of sqrt(0) = log 0: the first non-finite gradient comes from log's backward (1/0)
        Tensor y = vec(0, 4);
        try (var ignored = Autograd.detectAnomaly()) {
            Tensor loss = y.sqrt().log().sum();
            String m = message(loss::backward);
            assertTrue(m.contains("backward of log") && m.contains("input 0"), m);
        }

        // without anomaly mode the same backward runs through and leaves non-finite values
        Tensor z = vec(0, 4);
        z.sqrt().log().sum().backward();
        assertTrue(Double.isNaN(z.grad().get(0)) || Double.isInfinite(z.grad().get(0)));
        assertEquals(1 / (2 * 4.0), z.grad().get(1), 1e-12); // d/dz log √z = 1/(2z)
    }

    // ------------------------------------------------------------------ custom functions

    /** x³ with a hand-written backward built from Tensor ops. */
    static final class Cube extends Function {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            return in[0].mul(in[0]).mul(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            Tensor x = ctx.saved(0);
            return new Tensor[] {grad.mul(x.mul(x).mul(3.0))};
        }
    }

    /** a·b + scale·b with a value kept through the context; a gradient only where asked. */
    static final class ScaledMul extends Function {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0], in[1]);
            ctx.put("scale", 2.0);
            return in[0].mul(in[1]).add(in[1].mul(2.0));
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            double scale = ctx.get("scale");
            Tensor a = ctx.saved(0), b = ctx.saved(1);
            return new Tensor[] {
                ctx.needsInputGrad(0) ? Graph.sumTo(grad.mul(b), a.shape()) : null,
                ctx.needsInputGrad(1) ? grad.mul(a.add(scale)) : null};
        }
    }

    @Test
    void customFunctionGivesItsGradient() {
        Tensor x = vec(1, -2, 0.5);
        Tensor y = new Cube().apply(x);
        assertEquals("Cube", y.gradFn().name());
        assertValues(new double[] {1, -8, 0.125}, y);
        y.sum().backward();
        assertValues(new double[] {3, 12, 0.75}, x.grad());

        Tensor a = vec(1, 2), b = vec(3, 4);
        new ScaledMul().apply(a, b).sum().backward();
        assertValues(new double[] {3, 4}, a.grad());
        assertValues(new double[] {3, 4}, b.grad());

        Tensor c = Tensor.vector(1.0, 2.0), d = vec(3, 4); // c needs no gradient
        new ScaledMul().apply(c, d).sum().backward();
        assertNull(c.grad());
        assertValues(new double[] {3, 4}, d.grad());

        Tensor plain = new Cube().apply(Tensor.vector(2.0));       // no input requires grad: nothing recorded
        assertFalse(plain.requiresGrad());

        // its saved tensors are version-checked and freed by backward like an op's
        Tensor p = vec(1, 2);
        Tensor q = new Cube().apply(p).sum();
        try (var ignored = Autograd.noGrad()) { p.addInPlace(1.0); }
        String m = message(q::backward);
        assertTrue(m.contains("Cube") && m.contains("modified in place"), m);
        Tensor r = vec(1, 2);
        Tensor loss = new Cube().apply(r).sum();
        loss.backward();
        m = message(loss::backward);
        assertTrue(m.contains("Cube") && m.contains("retainGraph"), m);
    }

    @Test
    void customFunctionMayReturnATensorItKeeps() {
        // d/dx Σ x⊙c = c: a backward that returns its saved constant (the output gradient is 1) must not
        // let a leaf adopt c as its grad, or the next accumulation would write into c
        class DotConst extends Function {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                ctx.saveForBackward(in[1]);
                return in[0].mul(in[1]).sum();
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) { return new Tensor[] {ctx.saved(0), null}; }
        }
        Tensor x = vec(1, 2), c = Tensor.vector(3.0, 4.0);
        new DotConst().apply(x, c).backward();
        new DotConst().apply(x, c).backward();
        assertValues(new double[] {6, 8}, x.grad());
        assertValues(new double[] {3, 4}, c);
    }

    @Test
    void customFunctionPassesGradCheckAndDifferentiatesTwice() {
        Generator gen = new Generator(3);
        Tensor a = Tensor.randn(gen, DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor b = Tensor.randn(gen, DType.FLOAT64, 3).requiresGrad(true);
        GradCheck.Report r = GradCheck.check(in -> new ScaledMul().apply(in[0], in[1]), b, a);
        assertTrue(r.passed(), r.toString());
        r = GradCheck.check(in -> new Cube().apply(in[0].t()), a);
        assertTrue(r.passed(), r.toString());
        r = GradCheck.checkSecondOrder(in -> new Cube().apply(in[0]).mul(in[1]), a, b);
        assertTrue(r.passed(), r.toString());

        // createGraph through the custom backward: d²/dx² x³ = 6x
        Tensor x = vec(1, -2, 0.5);
        Tensor g = Autograd.grad(new Cube().apply(x).sum(), x, true);
        assertValues(new double[] {3, 12, 0.75}, g);
        assertTrue(g.requiresGrad());
        Tensor gg = Autograd.grad(g.sum(), x, false);
        assertValues(new double[] {6, -12, 3}, gg);
    }

    @Test
    void customFunctionWithAWrongShapedGradientIsNamed() {
        class BadShape extends Function {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) { return in[0].mul(2.0); }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) { return new Tensor[] {grad.sum()}; }
        }
        class TooMany extends Function {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) { return in[0].mul(2.0); }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) { return new Tensor[] {grad, grad}; }
        }
        Tensor x = vec(1, 2);
        String m = message(() -> new BadShape().apply(x).sum().backward());
        assertTrue(m.contains("BadShape") && m.contains("input 0") && m.contains("[2]"), m);
        m = message(() -> new TooMany().apply(x).sum().backward());
        assertTrue(m.contains("TooMany") && m.contains("2 gradients") && m.contains("1 inputs"), m);

        // a function returning its input unchanged still gets its own node
        class Identity extends Function {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) { return in[0]; }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) { return new Tensor[] {grad.mul(5.0)}; }
        }
        Tensor y = new Identity().apply(x);
        assertNotSame(x, y);
        assertEquals("Identity", y.gradFn().name());
        y.sum().backward();
        assertValues(new double[] {5, 5}, x.grad());
    }
    // ------------------------------------------------------------------ gradients summed in place

    /**
     * A node reached by several paths sums their gradients into the first buffer it got when that
     * buffer is held by nobody else; a gradient one backward handed to two nodes (add's), a captured
     * result, a hook's argument and the caller's gradient must stay untouched.
     */
    @Test
    void summingInPlaceLeavesSharedGradientsAlone() {
        Tensor x = vec(1, 2, 3);
        Tensor u = x.mul(2.0), v = x.mul(3.0);
        Tensor out = u.add(v).add(v.mul(5.0)).add(u.mul(v));      // d/du = 1 + v, d/dv = 6 + u
        Tensor[] g = Autograd.grad(new Tensor[] {out}, new Tensor[] {u, v}, new Tensor[] {Tensor.vector(1.0, 1.0, 1.0)},
            true, false, false);
        assertValues(new double[] {4, 7, 10}, g[0]);
        assertValues(new double[] {8, 10, 12}, g[1]);
        out.backward(Tensor.vector(1.0, 10.0, 100.0));             // x: 2(1 + v) + 3(6 + u) = 20 + 12x
        assertValues(new double[] {32, 440, 5600}, x.grad());
        // add's gradient (a fresh g·x) reaches p (captured first) and q, whose buffer then takes 5·g·x: p's result must stay x
        Tensor p = x.mul(2.0), q = x.mul(3.0);
        Tensor[] h = Autograd.grad(new Tensor[] {q.mul(5.0).add(p.add(q)).mul(x)}, new Tensor[] {p, q},
            new Tensor[] {Tensor.vector(1.0, 1.0, 1.0)}, false, false, false);
        assertValues(new double[] {1, 2, 3}, h[0]);   // (5q + p + q)·x: d/dp = x, d/dq = 6x
        assertValues(new double[] {6, 12, 18}, h[1]);

        List<double[]> seen = new ArrayList<>();
        Tensor a = vec(1, 2), b = a.mul(2.0);
        b.registerHook(t -> { seen.add(t.toDoubleArray()); return t; });
        Tensor caller = Tensor.vector(1.0, 1.0);
        Tensor y = b.add(b.mul(b)).add(b);                          // d/db = 2 + 2b
        y.backward(caller);
        assertValues(new double[] {1, 1}, caller);
        assertArrayEquals(new double[] {6, 10}, seen.get(0), 0);
        assertValues(new double[] {12, 20}, a.grad());
    }

    @Test
    void residualStreamGradientsMatchTheSumOfTheirPaths() {
        Generator gen = new Generator(3);
        Tensor w = Tensor.randn(gen, DType.FLOAT32, 4, 4).requiresGrad(true);
        Tensor x0 = Tensor.randn(gen, DType.FLOAT32, 3, 4).requiresGrad(true);
        Tensor x = x0;
        for (int i = 0; i < 3; i++) x = x.add(x.matmul(w).tanh());  // each x feeds the next add and the branch
        x.sum().backward();
        double[] inPlace = x0.grad().toDoubleArray(), wGrad = w.grad().toDoubleArray();
        Tensor x0b = x0.detach().to(DType.FLOAT64).requiresGrad(true), wb = w.detach().to(DType.FLOAT64).requiresGrad(true);
        Tensor y = x0b;
        for (int i = 0; i < 3; i++) y = y.add(y.matmul(wb).tanh());
        y.sum().backward();
        assertArrayEquals(x0b.grad().toDoubleArray(), inPlace, 1e-5);
        assertArrayEquals(wb.grad().toDoubleArray(), wGrad, 1e-5);
    }
}
