package dev.fathom.nn.loss;

import dev.fathom.nn.TorchFixture;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every loss and option combination against PyTorch (tools/fixtures/make_loss_fixture.py, float64):
 * the loss value and the gradient with respect to the input (for reduction none, the gradient of
 * {@code sum(loss * cot)} with the recorded cotangent) agree to 1e-6. The case names are built by
 * the same loops as in the script, and each test checks that it covered every case of its group.
 */
class LossFixtureTest {
    private static final Map<String, Tensor> F = TorchFixture.load("loss");
    private static final Reduction[] R = {Reduction.NONE, Reduction.MEAN, Reduction.SUM};
    private static final double TOL = 1e-6;
    private static final Set<String> checked = new HashSet<>();
    private static double worst;

    private static Tensor f(String key) {
        Tensor t = F.get(key);
        assertNotNull(t, "fixture has no " + key);
        return t;
    }

    private static void check(String name, Function<Tensor[], Tensor> loss, Tensor... inputs) {
        Tensor[] in = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) in[i] = inputs[i].detach().copy().requiresGrad(true);
        Tensor out = loss.apply(in);
        Tensor cot = F.get(name + ".cot");
        if (cot != null) out.mul(cot).sum().backward();
        else out.backward();
        close(name + ".value", out, f(name + ".value"));
        for (int i = 0; i < in.length; i++) close(name + ".grad" + i, in[i].grad(), f(name + ".grad" + i));
        checked.add(name);
    }

    private static void close(String what, Tensor got, Tensor expected) {
        assertNotNull(got, what + ": no gradient");
        assertArrayEquals(expected.shape(), got.shape(), what + ": shape");
        double[] g = got.toDoubleArray(), e = expected.toDoubleArray();
        for (int i = 0; i < g.length; i++) {
            double d = Math.abs(g[i] - e[i]);
            worst = Math.max(worst, d);
            int at = i;
            assertTrue(d <= TOL * Math.max(1, Math.abs(e[i])),
                () -> what + "[" + at + "]: Fathom " + g[at] + ", PyTorch " + e[at] + "\n" + got + "\n" + expected);
        }
    }

    /** Every fixture case whose name starts with one of the prefixes was checked. */
    private static void allChecked(String... prefixes) {
        Set<String> missing = new TreeSet<>();
        for (String k : F.keySet())
            if (k.endsWith(".value")) {
                String name = k.substring(0, k.length() - ".value".length());
                for (String p : prefixes) if (name.startsWith(p) && !checked.contains(name)) missing.add(name);
            }
        assertTrue(missing.isEmpty(), "fixture cases not checked: " + missing);
    }

    private static String r(Reduction red) { return red.toString(); }

    @AfterAll
    static void report() {
        System.out.println("LossFixtureTest: " + checked.size() + " PyTorch cases, largest difference " + worst);
    }

    @Test
    void regressionLosses() {
        Tensor x = f("reg.x"), y = f("reg.y");
        for (Reduction red : R) {
            check("mse." + r(red), in -> new MSELoss(red).forward(in[0], y), x);
            check("l1." + r(red), in -> new L1Loss(red).forward(in[0], y), x);
            for (double beta : new double[] {1.0, 0.5, 0.0})
                check("smoothl1." + beta + "." + r(red), in -> new SmoothL1Loss(red, beta).forward(in[0], y), x);
            for (double delta : new double[] {1.0, 0.7})
                check("huber." + delta + "." + r(red), in -> new HuberLoss(red, delta).forward(in[0], y), x);
        }
        allChecked("mse.", "l1.", "smoothl1.", "huber.");
    }

    @Test
    void crossEntropyAndNllWithClassIndicesWeightsIgnoreIndexAndLabelSmoothing() {
        Tensor w = f("w");
        for (String prefix : new String[] {"ce2", "cek"}) {     // [6, 4] and K-dimensional [2, 4, 3, 3]
            Tensor x = f(prefix + ".x");
            for (String mode : new String[] {"plain", "ign", "ign2"}) {
                Tensor t = f(prefix + ".t_" + mode);
                long ii = mode.equals("ign2") ? 2 : -100;
                for (String wname : new String[] {"now", "w"}) {
                    Tensor wt = wname.equals("w") ? w : null;
                    for (double ls : new double[] {0.0, 0.1})
                        for (Reduction red : R) {
                            check(prefix + "." + mode + "." + wname + "." + ls + "." + r(red),
                                in -> new CrossEntropyLoss(wt, ii, red, ls).forward(in[0], t), x);
                            if (ls == 0.0)
                                check("nll" + prefix.substring(2) + "." + mode + "." + wname + "." + r(red),
                                    in -> new NLLLoss(wt, ii, red).forward(in[0], t), x);
                        }
                }
            }
        }
        allChecked("ce2.plain", "ce2.ign", "cek.plain", "cek.ign", "nll2.", "nllk.");
    }

    @Test
    void crossEntropyWithClassProbabilities() {
        Tensor w = f("w");
        for (String prefix : new String[] {"ce2", "cek"}) {
            Tensor x = f(prefix + ".x"), p = f(prefix + ".p");
            for (String wname : new String[] {"now", "w"}) {
                Tensor wt = wname.equals("w") ? w : null;
                for (double ls : new double[] {0.0, 0.1})
                    for (Reduction red : R)
                        check(prefix + ".prob." + wname + "." + ls + "." + r(red),
                            in -> Losses.crossEntropy(in[0], p, wt, -100, red, ls), x);
            }
        }
        allChecked("ce2.prob", "cek.prob");
    }

    @Test
    void unbatchedCrossEntropyAndNll() {
        Tensor x = f("ceu.x"), t = f("ceu.t"), p = f("ceu.p"), w = f("w");
        assertEquals(0, t.ndim());
        for (Reduction red : R) {
            check("ceu.index." + r(red), in -> new CrossEntropyLoss(w, -100, red, 0.1).forward(in[0], t), x);
            check("ceu.prob." + r(red), in -> new CrossEntropyLoss(red).forward(in[0], p), x);
            check("nllu." + r(red), in -> new NLLLoss(w, -100, red).forward(in[0], t), x);
        }
        allChecked("ceu.", "nllu.");
    }

    @Test
    void binaryCrossEntropyOfProbabilitiesAndOfLogits() {
        Tensor x = f("bce.x"), y = f("bce.y"), w = f("bce.w"), pw = f("bce.pw"), p = f("bce.p");
        for (Reduction red : R)
            for (String wname : new String[] {"now", "w"}) {
                Tensor wt = wname.equals("w") ? w : null;
                check("bce." + wname + "." + r(red), in -> new BCELoss(wt, red).forward(in[0], y), p);
                for (String pname : new String[] {"nopw", "pw"}) {
                    Tensor pwt = pname.equals("pw") ? pw : null;
                    check("bcel." + wname + "." + pname + "." + r(red),
                        in -> new BCEWithLogitsLoss(wt, red, pwt).forward(in[0], y), x);
                }
            }
        allChecked("bce.", "bcel.");
    }

    @Test
    void klDivergenceWithProbabilityAndLogTargetsAndBatchmean() {
        Tensor x = f("kl.x"), p = f("kl.p"), lp = f("kl.logp");
        for (Reduction red : Reduction.values()) {
            check("kl.prob." + r(red), in -> new KLDivLoss(red).forward(in[0], p), x);
            check("kl.log." + r(red), in -> new KLDivLoss(red, true).forward(in[0], lp), x);
        }
        allChecked("kl.");
    }

    @Test
    void cosineEmbeddingWithMarginsGradientsOfBothInputs() {
        Tensor x1 = f("cos.x1"), x2 = f("cos.x2"), t = f("cos.t");
        for (double margin : new double[] {0.0, 0.3, -0.2})
            for (Reduction red : R)
                check("cos." + margin + "." + r(red), in -> new CosineEmbeddingLoss(margin, red).forward(in[0], in[1], t), x1, x2);
        Tensor t0 = Tensor.scalar(-1L);
        for (Reduction red : R)
            check("cos1d." + r(red), in -> new CosineEmbeddingLoss(-0.5, red).forward(in[0], in[1], t0), x1.select(0, 0), x2.select(0, 0));
        allChecked("cos.", "cos1d.");
        assertEquals(Arrays.asList(1L, -1L, -1L, 1L, -1L), Arrays.stream(t.toLongArray()).boxed().toList());
    }
}
