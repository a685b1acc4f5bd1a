package dev.fathom.nn.loss;

import dev.fathom.tensor.Tensor;

/**
 * Kullback-Leibler divergence, as PyTorch's {@code nn.KLDivLoss}: the input holds
 * log-probabilities, the target probabilities (or, with {@code logTarget}, log-probabilities);
 * pointwise {@code t·(log t - x)}. Reduction {@link Reduction#BATCHMEAN} (sum / batch size) gives
 * the true KL divergence per sample; MEAN (PyTorch's default) divides by every element.
 * See {@link Losses#klDiv}.
 */
public class KLDivLoss extends Loss {
    public final boolean logTarget;

    public KLDivLoss() { this(Reduction.MEAN, false); }

    public KLDivLoss(Reduction reduction) { this(reduction, false); }

    public KLDivLoss(Reduction reduction, boolean logTarget) {
        super(reduction);
        this.logTarget = logTarget;
    }

    /** The divergence of log-probabilities {@code input} from {@code target} (same shape). */
    public Tensor forward(Tensor input, Tensor target) { return Losses.kl(describe(), input, target, reduction, logTarget); }

    @Override
    protected String extraRepr() { return "reduction=" + reduction + (logTarget ? ", logTarget=true" : ""); }
}
