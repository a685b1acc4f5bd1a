package dev.fathom.optim;

import dev.fathom.backend.Parallel;
import dev.fathom.backend.Simd;
import dev.fathom.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam ({@code torch.optim.Adam}), optionally AMSGrad. Per step t, with {@code g} the gradient:
 * <pre>
 * g = maximize ? -g : g
 * if weight_decay != 0:  g = g + weight_decay * θ
 * m = β1 m + (1 - β1) g
 * v = β2 v + (1 - β2) g²
 * v̂max = max(v̂max, v)                      (amsgrad; used instead of v below)
 * θ = θ - lr / (1 - β1^t) * m / (sqrt(v) / sqrt(1 - β2^t) + eps)
 * </pre>
 * Group options: {@code lr, betas, eps, weight_decay, amsgrad, maximize}; state: {@code step,
 * exp_avg, exp_avg_sq, max_exp_avg_sq}.
 */
public final class Adam extends Optimizer {
    /** Adam's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay, no amsgrad. */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean maximize) {
        public Options() { this(1e-3, 0.9, 0.999, 1e-8, 0, false, false); }
        public Options lr(double v) { return new Options(v, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
        public Options betas(double b1, double b2) { return new Options(lr, b1, b2, eps, weightDecay, amsgrad, maximize); }
        public Options eps(double v) { return new Options(lr, beta1, beta2, v, weightDecay, amsgrad, maximize); }
        public Options weightDecay(double v) { return new Options(lr, beta1, beta2, eps, v, amsgrad, maximize); }
        public Options amsgrad(boolean v) { return new Options(lr, beta1, beta2, eps, weightDecay, v, maximize); }
        public Options maximize(boolean v) { return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, v); }

        Map<String, Object> toMap() { return map(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    }

    /** Adam over {@code params} with learning rate {@code lr} and the other defaults. */
    public Adam(List<Tensor> params, double lr) { this(params, new Options().lr(lr)); }

    /** Adam over {@code params} with {@code options}. */
    public Adam(List<Tensor> params, Options options) { this(options, single(params)); }

    /** Adam over parameter groups; {@code options} are the defaults for what a group leaves out. */
    public Adam(Options options, List<ParamGroup> groups) { super(groups, options.toMap()); }

    @Override
    protected void validate(ParamGroup g) { validateAdam(this, g); }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> state) { adamStep(g, p, grad, state, false); }

    static Map<String, Object> map(double lr, double b1, double b2, double eps, double wd, boolean amsgrad, boolean maximize) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("betas", new double[] {b1, b2});
        m.put("eps", eps);
        m.put("weight_decay", wd);
        m.put("amsgrad", amsgrad);
        m.put("maximize", maximize);
        return m;
    }

    static void validateAdam(Optimizer o, ParamGroup g) {
        o.checkLr(g.lr());
        o.checkNonNegative("eps", g.getDouble("eps"));
        double[] betas = g.getDoubles("betas");
        if (betas.length != 2)
            throw new IllegalArgumentException(o.typeName() + ": betas must hold two values, got " + java.util.Arrays.toString(betas));
        o.checkUnit("betas[0]", betas[0]);
        o.checkUnit("betas[1]", betas[1]);
        o.checkNonNegative("weight_decay", g.getDouble("weight_decay"));
    }

    /** One Adam/AdamW update as in PyTorch's single-tensor implementation; {@code decoupled} is AdamW's weight decay. */
    static void adamStep(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> state, boolean decoupled) {
        double lr = g.lr(), eps = g.getDouble("eps"), wd = g.getDouble("weight_decay");
        double[] betas = g.getDoubles("betas");
        double b1 = betas[0], b2 = betas[1];
        boolean amsgrad = g.getBoolean("amsgrad");
        if (!state.containsKey("exp_avg")) {
            state.put("step", Tensor.scalar(0.0));
            state.put("exp_avg", p.zerosLike());
            state.put("exp_avg_sq", p.zerosLike());
            if (amsgrad) state.put("max_exp_avg_sq", p.zerosLike());
        }
        long step = nextStep(state);
        double bc1 = 1 - Math.pow(b1, step), bc2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
        if (fused(p, grad, state, amsgrad, g.getBoolean("maximize"), decoupled, lr, b1, b2, eps, wd, lr / bc1, bc2Sqrt)) return;
        Tensor d = g.getBoolean("maximize") ? grad.neg() : grad;
        if (wd != 0) {
            if (decoupled) p.mulInPlace(1 - lr * wd);
            else d = d.add(p, wd);
        }
        Tensor m = state.get("exp_avg"), v = state.get("exp_avg_sq");
        m.mulInPlace(b1).addInPlace(d, 1 - b1);
        v.mulInPlace(b2).addInPlace(d.mul(d), 1 - b2);
        Tensor denom;
        if (amsgrad) {
            Tensor vmax = state.computeIfAbsent("max_exp_avg_sq", k -> p.zerosLike());
            vmax.copyFrom(vmax.maximum(v));
            denom = vmax.sqrt();
        } else {
            denom = v.sqrt();
        }
        denom.divInPlace(bc2Sqrt).addInPlace(eps);
        p.addInPlace(m.div(denom), -lr / bc1);
    }

    /**
     * The same update in one pass over the elements when the parameter, its gradient and its state
     * are contiguous arrays of one floating type (the usual case); false (nothing done) otherwise.
     * Large parameters are split over the worker pool ({@link SGD#GRAIN} elements a task at least).
     * Float32 without amsgrad runs on {@link AdamVec} (the same bits, lanes at a time) up to a tail.
     */
    private static boolean fused(Tensor p, Tensor grad, Map<String, Tensor> state, boolean amsgrad, boolean maximize,
                                 boolean decoupled, double lr, double b1, double b2, double eps, double wd,
                                 double stepSize, double bc2Sqrt) {
        Tensor m = state.get("exp_avg"), v = state.get("exp_avg_sq"), vmax = amsgrad ? state.get("max_exp_avg_sq") : m;
        if (vmax == null) return false;
        for (Tensor t : new Tensor[] {grad, m, v, vmax})
            if (!t.isContiguous() || t.dtype() != p.dtype() || t.numel() != p.numel()) return false;
        if (!p.isContiguous()) return false;
        double sign = maximize ? -1 : 1, decay = decoupled ? 1 - lr * wd : 1, coupled = decoupled ? 0 : wd;
        int n = p.numel(), op = p.offset(), og = grad.offset(), om = m.offset(), ov = v.offset(), ox = vmax.offset();
        if (p.storage().array() instanceof double[] pa) {
            double[] ga = (double[]) grad.storage().array(), ma = (double[]) m.storage().array();
            double[] va = (double[]) v.storage().array(), xa = (double[]) vmax.storage().array();
            Parallel.forRange(n, SGD.GRAIN, (s, e) -> {
                for (int i = s; i < e; i++) {
                    double w = pa[op + i] * decay, gi = sign * ga[og + i] + coupled * pa[op + i];
                    double mi = ma[om + i] * b1 + (1 - b1) * gi, vi = va[ov + i] * b2 + (1 - b2) * (gi * gi);
                    ma[om + i] = mi;
                    va[ov + i] = vi;
                    if (amsgrad) vi = xa[ox + i] = Math.max(xa[ox + i], vi);
                    pa[op + i] = w - stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
                }
            });
        } else if (p.storage().array() instanceof float[] pa) {
            float[] ga = (float[]) grad.storage().array(), ma = (float[]) m.storage().array();
            float[] va = (float[]) v.storage().array(), xa = (float[]) vmax.storage().array();
            boolean vector = Simd.AVAILABLE && !amsgrad;
            Parallel.forRange(n, SGD.GRAIN, (s, e) -> {
                int from = vector ? AdamVec.update(pa, op, ga, og, ma, om, va, ov, s, e, decay, sign, coupled, b1, b2, stepSize,
                    bc2Sqrt, eps) : s;
                for (int i = from; i < e; i++) {
                    double w = pa[op + i] * decay, gi = sign * ga[og + i] + coupled * pa[op + i];
                    float mi = (float) (ma[om + i] * b1 + (1 - b1) * gi), vi = (float) (va[ov + i] * b2 + (1 - b2) * (gi * gi));
                    ma[om + i] = mi;
                    va[ov + i] = vi;
                    if (amsgrad) vi = xa[ox + i] = Math.max(xa[ox + i], vi);
                    pa[op + i] = (float) (w - stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps)));
                }
            });
        } else {
            return false;
        }
        for (Tensor t : new Tensor[] {p, m, v, vmax}) t.storage().bumpVersion();
        return true;
    }
}
