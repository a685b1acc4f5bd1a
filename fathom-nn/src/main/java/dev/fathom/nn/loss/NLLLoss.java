package dev.fathom.nn.loss;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Negative log likelihood of log-probabilities (e.g. the output of {@code logSoftmax(1)}), as
 * PyTorch's {@code nn.NLLLoss}: {@code -weight[t]·input[n, t]} per target, zero for targets equal
 * to {@code ignoreIndex}. Input {@code [C]}, {@code [N, C]} or {@code [N, C, d1, ...]}; target
 * int64 class indices {@code []}, {@code [N]} or {@code [N, d1, ...]}. MEAN divides the sum by the
 * total weight of the targets that are not ignored (their count without weights), so
 * {@code NLLLoss(logSoftmax(x))} equals {@link CrossEntropyLoss} of {@code x}.
 */
public class NLLLoss extends Loss {
    /** One value per class, or null (a buffer named "weight"). */
    public final Tensor weight;
    public final long ignoreIndex;

    public NLLLoss() { this(null, -100, Reduction.MEAN); }

    public NLLLoss(Reduction reduction) { this(null, -100, reduction); }

    public NLLLoss(Tensor weight) { this(weight, -100, Reduction.MEAN); }

    public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
        super(reduction);
        if (weight != null && weight.ndim() != 1)
            throw new IllegalArgumentException("NLLLoss: weight must hold one value per class (1 dimension), got shape "
                + Shapes.format(weight.shape()));
        this.weight = registerBuffer("weight", weight);
        this.ignoreIndex = ignoreIndex;
    }

    /** The loss of log-probabilities {@code input} at the class indices {@code target}. */
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.nll(describe(), input, target, weight, ignoreIndex, reduction);
    }

    @Override
    protected String extraRepr() {
        return (weight == null ? "" : "weight=" + Shapes.format(weight.shape()) + ", ") + "ignoreIndex=" + ignoreIndex
            + ", reduction=" + reduction;
    }
}
