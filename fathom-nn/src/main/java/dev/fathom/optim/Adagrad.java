package dev.fathom.optim;

import dev.fathom.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adagrad ({@code torch.optim.Adagrad}). Per step t, with {@code g} the gradient:
 * <pre>
 * g = maximize ? -g : g
 * lr_t = lr / (1 + (t - 1) * lr_decay)
 * if weight_decay != 0:  g = g + weight_decay * θ
 * s = s + g²                                 (s starts at initial_accumulator_value)
 * θ = θ - lr_t * g / (sqrt(s) + eps)
 * </pre>
 * Group options: {@code lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize};
 * state: {@code step, sum}.
 */
public final class Adagrad extends Optimizer {
    /** Adagrad's defaults: lr 1e-2, no lr decay, no weight decay, accumulator 0, eps 1e-10. */
    public record Options(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps, boolean maximize) {
        public Options() { this(1e-2, 0, 0, 0, 1e-10, false); }
        public Options lr(double v) { return new Options(v, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize); }
        public Options lrDecay(double v) { return new Options(lr, v, weightDecay, initialAccumulatorValue, eps, maximize); }
        public Options weightDecay(double v) { return new Options(lr, lrDecay, v, initialAccumulatorValue, eps, maximize); }
        public Options initialAccumulatorValue(double v) { return new Options(lr, lrDecay, weightDecay, v, eps, maximize); }
        public Options eps(double v) { return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, v, maximize); }
        public Options maximize(boolean v) { return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, v); }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lr", lr);
            m.put("lr_decay", lrDecay);
            m.put("weight_decay", weightDecay);
            m.put("initial_accumulator_value", initialAccumulatorValue);
            m.put("eps", eps);
            m.put("maximize", maximize);
            return m;
        }
    }

    /** Adagrad over {@code params} with learning rate {@code lr} and the other defaults. */
    public Adagrad(List<Tensor> params, double lr) { this(params, new Options().lr(lr)); }

    /** Adagrad over {@code params} with {@code options}. */
    public Adagrad(List<Tensor> params, Options options) { this(options, single(params)); }

    /** Adagrad over parameter groups; {@code options} are the defaults for what a group leaves out. */
    public Adagrad(Options options, List<ParamGroup> groups) { super(groups, options.toMap()); }

    @Override
    protected void validate(ParamGroup g) {
        checkLr(g.lr());
        checkNonNegative("lr_decay", g.getDouble("lr_decay"));
        checkNonNegative("weight_decay", g.getDouble("weight_decay"));
        checkNonNegative("initial_accumulator_value", g.getDouble("initial_accumulator_value"));
        checkNonNegative("eps", g.getDouble("eps"));
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> state) {
        if (!state.containsKey("sum")) {
            state.put("step", Tensor.scalar(0.0));
            state.put("sum", p.fullLike(g.getDouble("initial_accumulator_value")));
        }
        long step = nextStep(state);
        double wd = g.getDouble("weight_decay");
        Tensor d = g.getBoolean("maximize") ? grad.neg() : grad;
        if (wd != 0) d = d.add(p, wd);
        double clr = g.lr() / (1 + (step - 1) * g.getDouble("lr_decay"));
        Tensor sum = state.get("sum");
        sum.addInPlace(d.mul(d));
        Tensor std = sum.sqrt().addInPlace(g.getDouble("eps"));
        p.addInPlace(d.div(std), -clr);
    }
}
