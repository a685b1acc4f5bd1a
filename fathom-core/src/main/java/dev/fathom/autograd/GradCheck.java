package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Checks analytic gradients against central finite differences, the way to test a new op or a
 * custom {@link dev.fathom.autograd.Function}. The whole Jacobian is compared: one backward per
 * output element against two forward evaluations per input element, so keep tensors small.
 * Inputs must be float64 (float32 differences are too coarse); inputs that do not require grad
 * are held constant. Inputs may be strided views of leaves (transposed, sliced): they are
 * perturbed through the view, so the check covers the op's strided paths too.
 *
 * {@snippet :
 * GradCheck.Report r = GradCheck.check(in -> in[0].mul(in[1]).sum(0), a, b);
 * assert r.passed() : r;
 * }
 */
public final class GradCheck {
    private final double eps, atol, rtol;

    private GradCheck(double eps, double atol, double rtol) {
        this.eps = eps;
        this.atol = atol;
        this.rtol = rtol;
    }

    /** Step 1e-6, tolerances atol 1e-5 and rtol 1e-3 (PyTorch's gradcheck defaults). */
    public static GradCheck defaults() { return new GradCheck(1e-6, 1e-5, 1e-3); }

    /** The same check with another finite-difference step. */
    public GradCheck eps(double eps) { return new GradCheck(eps, atol, rtol); }

    /** The same check with other tolerances: an element passes when |analytic - numeric| ≤ atol + rtol·|numeric|. */
    public GradCheck tolerance(double atol, double rtol) { return new GradCheck(eps, atol, rtol); }

    /** The worst element of a check, and whether every element was within tolerance. */
    public record Report(boolean passed, String what, int input, int[] inputIndex, int output, int[] outputIndex,
                         double analytic, double numeric, double error) {
        @Override
        public String toString() {
            if (input < 0) return what + ": passed (no differentiable elements)";
            return what + (passed ? ": passed; worst element" : ": FAILED at") + " d output" + output
                + Arrays.toString(outputIndex) + " / d input" + input + Arrays.toString(inputIndex)
                + ": analytic " + analytic + ", numeric " + numeric + " (difference " + error + ")";
        }
    }

    /** {@code defaults().checkFirst(f, inputs)}. */
    public static Report check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return defaults().checkFirst(f, inputs);
    }

    /** {@code defaults().checkSecond(f, inputs)}. */
    public static Report checkSecondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return defaults().checkSecond(f, inputs);
    }

    /** Compares the Jacobian of {@code f} at {@code inputs} from backward with finite differences. */
    public Report checkFirst(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return compare("gradient check", in -> new Tensor[] {f.apply(in)}, inputs);
    }

    /**
     * Checks second derivatives: the gradient of {@code f} (taken with {@code createGraph},
     * weighted by a random gradient of the output that is itself an input) is checked against
     * finite differences of that gradient, so double backward and Hessian-vector products are
     * covered.
     */
    public Report checkSecond(Function<Tensor[], Tensor> f, Tensor... inputs) {
        checkInputs(inputs);
        Tensor out;
        out = f.apply(inputs);
        Tensor v = Tensor.randn(new dev.fathom.tensor.Generator(1234), DType.FLOAT64, out.shape()).requiresGrad(true);
        List<Integer> diff = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad()) diff.add(i);
        Tensor[] all = Arrays.copyOf(inputs, inputs.length + 1);
        all[inputs.length] = v;
        return compare("second-order gradient check", in -> {
            try (Scope ignored = Autograd.enableGrad()) { // also while the differences are taken under noGrad
                Tensor y = f.apply(Arrays.copyOf(in, inputs.length));
                Tensor[] wrt = diff.stream().map(i -> in[i]).toArray(Tensor[]::new);
                if (!y.requiresGrad()) return Arrays.stream(wrt).map(Tensor::zerosLike).toArray(Tensor[]::new);
                return Autograd.grad(new Tensor[] {y}, wrt, new Tensor[] {in[inputs.length]}, true, true, true);
            }
        }, all);
    }

    private static void checkInputs(Tensor[] inputs) {
        boolean any = false;
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) continue;
            if (inputs[i].requiresGrad() && inputs[i].dtype() != DType.FLOAT64)
                throw new IllegalArgumentException("GradCheck: input " + i + " is " + inputs[i].dtype()
                    + "; finite differences need float64 inputs (x.to(DType.FLOAT64))");
            any |= inputs[i].requiresGrad();
        }
        if (!any) throw new IllegalArgumentException("GradCheck: no input requires grad; call requiresGrad(true) on the "
            + "inputs to differentiate");
    }

    private Report compare(String what, Function<Tensor[], Tensor[]> f, Tensor[] inputs) {
        checkInputs(inputs);
        Tensor[] outs = f.apply(inputs);
        List<Integer> diff = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) if (inputs[i] != null && inputs[i].requiresGrad()) diff.add(i);
        Tensor[] wrt = diff.stream().map(i -> inputs[i]).toArray(Tensor[]::new);

        // analytic Jacobian, one backward per output element: rows[o][e][d] = d out_o[e] / d wrt_d
        double[][][][] analytic = new double[outs.length][][][];
        for (int o = 0; o < outs.length; o++) {
            Tensor y = outs[o];
            if (!y.dtype().isFloatingPoint())
                throw new IllegalArgumentException("GradCheck: output " + o + " is " + y.dtype() + "; it must be floating point");
            int n = y.numel();
            analytic[o] = new double[n][][];
            for (int e = 0; e < n; e++) {
                double[][] row = new double[wrt.length][];
                if (y.requiresGrad()) {
                    double[] onehot = new double[n];
                    onehot[e] = 1;
                    Tensor gy = Tensor.of(onehot, y.shape()).to(y.dtype());
                    Tensor[] g = Autograd.grad(new Tensor[] {y}, wrt, new Tensor[] {gy}, true, false, true);
                    for (int d = 0; d < wrt.length; d++) row[d] = g[d].toDoubleArray();
                } else {
                    for (int d = 0; d < wrt.length; d++) row[d] = new double[wrt[d].numel()];
                }
                analytic[o][e] = row;
            }
        }

        Report worst = null;
        double worstExcess = Double.NEGATIVE_INFINITY;
        try (Scope ignored = Autograd.noGrad()) {
            for (int d = 0; d < wrt.length; d++) {
                Tensor x = wrt[d];
                int[] shape = x.shape();
                int n = x.numel();
                for (int k = 0; k < n; k++) {
                    int[] idx = unravel(k, shape);
                    double orig = x.get(idx);
                    // read the values out at once: an output may share memory with an input (f = x + 0)
                    x.setInPlace(orig + eps, idx);
                    double[][] plus = values(f.apply(inputs));
                    x.setInPlace(orig - eps, idx);
                    double[][] minus = values(f.apply(inputs));
                    x.setInPlace(orig, idx);
                    for (int o = 0; o < outs.length; o++) {
                        double[] p = plus[o], m = minus[o];
                        for (int e = 0; e < p.length; e++) {
                            double num = (p[e] - m[e]) / (2 * eps);
                            double an = analytic[o][e][d][k];
                            double err = Math.abs(an - num);
                            double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - (atol + rtol * Math.abs(num));
                            if (excess > worstExcess) {
                                worstExcess = excess;
                                worst = new Report(excess <= 0, what, diff.get(d), idx, o,
                                    unravel(e, outs[o].shape()), an, num, err);
                            }
                        }
                    }
                }
            }
        }
        return worst != null ? worst : new Report(true, what, -1, new int[0], -1, new int[0], 0, 0, 0);
    }

    private static double[][] values(Tensor[] ts) {
        double[][] v = new double[ts.length][];
        for (int i = 0; i < ts.length; i++) v[i] = ts[i].toDoubleArray();
        return v;
    }

    private static int[] unravel(int k, int[] shape) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = k % shape[i];
            k /= shape[i];
        }
        return idx;
    }
}
