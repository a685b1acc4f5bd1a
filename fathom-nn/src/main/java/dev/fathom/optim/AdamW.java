package dev.fathom.optim;

import dev.fathom.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * AdamW: Adam with decoupled weight decay ({@code torch.optim.AdamW}). The step is Adam's without
 * the decay in the gradient; instead, first {@code θ = θ (1 - lr * weight_decay)}.
 * Group options: {@code lr, betas, eps, weight_decay, amsgrad, maximize}; state as {@link Adam}.
 */
public final class AdamW extends Optimizer {
    /** AdamW's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2, no amsgrad. */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean maximize) {
        public Options() { this(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, false); }
        public Options lr(double v) { return new Options(v, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
        public Options betas(double b1, double b2) { return new Options(lr, b1, b2, eps, weightDecay, amsgrad, maximize); }
        public Options eps(double v) { return new Options(lr, beta1, beta2, v, weightDecay, amsgrad, maximize); }
        public Options weightDecay(double v) { return new Options(lr, beta1, beta2, eps, v, amsgrad, maximize); }
        public Options amsgrad(boolean v) { return new Options(lr, beta1, beta2, eps, weightDecay, v, maximize); }
        public Options maximize(boolean v) { return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, v); }

        Map<String, Object> toMap() { return Adam.map(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    }

    /** AdamW over {@code params} with learning rate {@code lr} and the other defaults. */
    public AdamW(List<Tensor> params, double lr) { this(params, new Options().lr(lr)); }

    /** AdamW over {@code params} with {@code options}. */
    public AdamW(List<Tensor> params, Options options) { this(options, single(params)); }

    /** AdamW over parameter groups; {@code options} are the defaults for what a group leaves out. */
    public AdamW(Options options, List<ParamGroup> groups) { super(groups, options.toMap()); }

    @Override
    protected void validate(ParamGroup g) { Adam.validateAdam(this, g); }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> state) { Adam.adamStep(g, p, grad, state, true); }
}
