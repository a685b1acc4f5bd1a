package dev.fathom.optim;

import dev.fathom.backend.Parallel;
import dev.fathom.backend.ScalarMath;
import dev.fathom.backend.Simd;
import dev.fathom.backend.VectorMath;
import dev.fathom.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay
 * and maximisation ({@code torch.optim.SGD}). Per step, with {@code g} the gradient:
 * <pre>
 * g = maximize ? -g : g
 * if weight_decay != 0:  g = g + weight_decay * θ
 * if momentum != 0:      b = (first step) ? g : momentum * b + (1 - dampening) * g
 *                        g = nesterov ? g + momentum * b : b
 * θ = θ - lr * g
 * </pre>
 * Group options: {@code lr, momentum, dampening, weight_decay, nesterov, maximize}; state:
 * {@code momentum_buffer}.
 */
public final class SGD extends Optimizer {
    /** SGD's defaults ({@code new Options()} is lr 1e-3, everything else off, as in PyTorch 2.x). */
    public record Options(double lr, double momentum, double dampening, double weightDecay, boolean nesterov, boolean maximize) {
        public Options() { this(1e-3, 0, 0, 0, false, false); }
        public Options lr(double v) { return new Options(v, momentum, dampening, weightDecay, nesterov, maximize); }
        public Options momentum(double v) { return new Options(lr, v, dampening, weightDecay, nesterov, maximize); }
        public Options dampening(double v) { return new Options(lr, momentum, v, weightDecay, nesterov, maximize); }
        public Options weightDecay(double v) { return new Options(lr, momentum, dampening, v, nesterov, maximize); }
        public Options nesterov(boolean v) { return new Options(lr, momentum, dampening, weightDecay, v, maximize); }
        public Options maximize(boolean v) { return new Options(lr, momentum, dampening, weightDecay, nesterov, v); }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lr", lr);
            m.put("momentum", momentum);
            m.put("dampening", dampening);
            m.put("weight_decay", weightDecay);
            m.put("nesterov", nesterov);
            m.put("maximize", maximize);
            return m;
        }
    }

    /** Plain SGD over {@code params} with learning rate {@code lr}. */
    public SGD(List<Tensor> params, double lr) { this(params, new Options().lr(lr)); }

    /** SGD over {@code params} with {@code options}. */
    public SGD(List<Tensor> params, Options options) { this(options, single(params)); }

    /** SGD over parameter groups; {@code options} are the defaults for what a group leaves out. */
    public SGD(Options options, List<ParamGroup> groups) { super(groups, options.toMap()); }

    @Override
    protected void validate(ParamGroup g) {
        checkLr(g.lr());
        checkNonNegative("momentum", g.getDouble("momentum"));
        checkNonNegative("weight_decay", g.getDouble("weight_decay"));
        if (g.getBoolean("nesterov") && (g.getDouble("momentum") <= 0 || g.getDouble("dampening") != 0))
            throw new IllegalArgumentException(typeName() + ": nesterov momentum requires momentum > 0 and dampening = 0, got momentum="
                + g.getDouble("momentum") + ", dampening=" + g.getDouble("dampening"));
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> state) {
        double lr = g.lr(), momentum = g.getDouble("momentum"), dampening = g.getDouble("dampening");
        double wd = g.getDouble("weight_decay");
        if (fused(p, grad, state, lr, momentum, dampening, wd, g.getBoolean("nesterov"), g.getBoolean("maximize"))) return;
        Tensor d = g.getBoolean("maximize") ? grad.neg() : grad;
        if (wd != 0) d = d.add(p, wd);
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer");
            if (buf == null) {
                buf = d.detach().copy();
                state.put("momentum_buffer", buf);
            } else {
                buf.mulInPlace(momentum).addInPlace(d, 1 - dampening);
            }
            d = g.getBoolean("nesterov") ? d.add(buf, momentum) : buf;
        }
        p.addInPlace(d, -lr);
    }
    /** Elements per task when a one-pass update (SGD's, Adam's) is split over the worker pool. */
    static final int GRAIN = 1 << 15;

    /**
     * The same update in one pass over the elements when the parameter, its gradient and its
     * momentum buffer (if any) are contiguous arrays of one floating type; false (nothing done)
     * otherwise. Each element goes through the very operations of the tensor-op path in the same
     * order and precision (a float32 scalar is rounded to float first, as a Python-float scalar
     * is for a float32 tensor), so both paths give identical bits.
     */
    private static boolean fused(Tensor p, Tensor grad, Map<String, Tensor> state, double lr, double momentum,
                                 double dampening, double wd, boolean nesterov, boolean maximize) {
        Tensor buf = state.get("momentum_buffer");
        boolean first = momentum != 0 && buf == null;
        if (first) buf = Tensor.empty(p.dtype(), p.shape());
        Tensor b = momentum != 0 ? buf : p; // without momentum there is no buffer: b is never read
        for (Tensor t : new Tensor[] {grad, b})
            if (!t.isContiguous() || t.dtype() != p.dtype() || t.numel() != p.numel()) return false;
        if (!p.isContiguous() || !p.dtype().isFloatingPoint()) return false;
        dev.fathom.autograd.Autograd.checkInPlace("SGD.step", p);
        int n = p.numel(), op = p.offset(), og = grad.offset(), ob = b.offset();
        Object pa = p.storage().array(), ga = grad.storage().array(), ba = b.storage().array();
        boolean mom = momentum != 0;
        if (pa instanceof float[] P) {
            float[] G = (float[]) ga, B = (float[]) ba;
            float sign = maximize ? -1f : 1f, decay = (float) wd, m = (float) momentum, keep = (float) (1 - dampening);
            float step = (float) -lr;
            // the Vector API kernel when the module is present, else the same operations in plain Java
            Parallel.forRange(n, GRAIN, (s, e) -> {
                if (Simd.AVAILABLE)
                    VectorMath.sgd(P, op + s, G, og + s, B, ob + s, e - s, sign, wd != 0, decay, mom, first, m, keep, nesterov, step);
                else
                    ScalarMath.sgd(P, op + s, G, og + s, B, ob + s, e - s, sign, wd != 0, decay, mom, first, m, keep, nesterov, step);
            });
        } else {
            double[] P = (double[]) pa, G = (double[]) ga, B = (double[]) ba;
            double sign = maximize ? -1 : 1, keep = 1 - dampening;
            Parallel.forRange(n, GRAIN, (s, e) -> {
                for (int i = s; i < e; i++) {
                    double d = sign * G[og + i];
                    if (wd != 0) d = d + wd * P[op + i];
                    if (mom) {
                        double bi = first ? d : B[ob + i] * momentum + keep * d;
                        B[ob + i] = bi;
                        d = nesterov ? d + momentum * bi : bi;
                    }
                    P[op + i] = P[op + i] + -lr * d;
                }
            });
        }
        if (first) state.put("momentum_buffer", buf);
        p.storage().bumpVersion();
        if (mom && !first) buf.storage().bumpVersion();
        return true;
    }
}
