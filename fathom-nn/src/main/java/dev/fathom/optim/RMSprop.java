package dev.fathom.optim;

import dev.fathom.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSprop ({@code torch.optim.RMSprop}). Per step, with {@code g} the gradient:
 * <pre>
 * g = maximize ? -g : g
 * if weight_decay != 0:  g = g + weight_decay * θ
 * v = α v + (1 - α) g²
 * centered:              a = α a + (1 - α) g;   s = sqrt(v - a²) + eps,  else s = sqrt(v) + eps
 * momentum > 0:          b = momentum * b + g / s;   θ = θ - lr * b
 * otherwise:             θ = θ - lr * g / s
 * </pre>
 * Group options: {@code lr, alpha, eps, weight_decay, momentum, centered, maximize}; state:
 * {@code step, square_avg, momentum_buffer, grad_avg}.
 */
public final class RMSprop extends Optimizer {
    /** RMSprop's defaults: lr 1e-2, alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered. */
    public record Options(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered, boolean maximize) {
        public Options() { this(1e-2, 0.99, 1e-8, 0, 0, false, false); }
        public Options lr(double v) { return new Options(v, alpha, eps, weightDecay, momentum, centered, maximize); }
        public Options alpha(double v) { return new Options(lr, v, eps, weightDecay, momentum, centered, maximize); }
        public Options eps(double v) { return new Options(lr, alpha, v, weightDecay, momentum, centered, maximize); }
        public Options weightDecay(double v) { return new Options(lr, alpha, eps, v, momentum, centered, maximize); }
        public Options momentum(double v) { return new Options(lr, alpha, eps, weightDecay, v, centered, maximize); }
        public Options centered(boolean v) { return new Options(lr, alpha, eps, weightDecay, momentum, v, maximize); }
        public Options maximize(boolean v) { return new Options(lr, alpha, eps, weightDecay, momentum, centered, v); }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lr", lr);
            m.put("alpha", alpha);
            m.put("eps", eps);
            m.put("weight_decay", weightDecay);
            m.put("momentum", momentum);
            m.put("centered", centered);
            m.put("maximize", maximize);
            return m;
        }
    }

    /** RMSprop over {@code params} with learning rate {@code lr} and the other defaults. */
    public RMSprop(List<Tensor> params, double lr) { this(params, new Options().lr(lr)); }

    /** RMSprop over {@code params} with {@code options}. */
    public RMSprop(List<Tensor> params, Options options) { this(options, single(params)); }

    /** RMSprop over parameter groups; {@code options} are the defaults for what a group leaves out. */
    public RMSprop(Options options, List<ParamGroup> groups) { super(groups, options.toMap()); }

    @Override
    protected void validate(ParamGroup g) {
        checkLr(g.lr());
        checkNonNegative("eps", g.getDouble("eps"));
        checkNonNegative("momentum", g.getDouble("momentum"));
        checkNonNegative("weight_decay", g.getDouble("weight_decay"));
        checkNonNegative("alpha", g.getDouble("alpha"));
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> state) {
        double lr = g.lr(), alpha = g.getDouble("alpha"), eps = g.getDouble("eps"), wd = g.getDouble("weight_decay");
        double momentum = g.getDouble("momentum");
        if (!state.containsKey("square_avg")) {
            state.put("step", Tensor.scalar(0.0));
            state.put("square_avg", p.zerosLike());
            if (momentum > 0) state.put("momentum_buffer", p.zerosLike());
            if (g.getBoolean("centered")) state.put("grad_avg", p.zerosLike());
        }
        nextStep(state);
        Tensor d = g.getBoolean("maximize") ? grad.neg() : grad;
        if (wd != 0) d = d.add(p, wd);
        Tensor sq = state.get("square_avg");
        sq.mulInPlace(alpha).addInPlace(d.mul(d), 1 - alpha);
        Tensor avg;
        if (g.getBoolean("centered")) {
            Tensor ga = state.computeIfAbsent("grad_avg", k -> p.zerosLike());
            ga.mulInPlace(alpha).addInPlace(d, 1 - alpha);
            avg = sq.sub(ga.mul(ga)).sqrt();
        } else {
            avg = sq.sqrt();
        }
        avg.addInPlace(eps);
        if (momentum > 0) {
            Tensor buf = state.computeIfAbsent("momentum_buffer", k -> p.zerosLike());
            buf.mulInPlace(momentum).addInPlace(d.div(avg));
            p.addInPlace(buf, -lr);
        } else {
            p.addInPlace(d.div(avg), -lr);
        }
    }
}
