package dev.fathom.nn.loss;

import dev.fathom.tensor.Tensor;

/**
 * Whether pairs are similar (target 1) or dissimilar (-1) by cosine similarity, as PyTorch's
 * {@code nn.CosineEmbeddingLoss}: {@code 1 - cos(x1, x2)} for similar pairs,
 * {@code max(0, cos(x1, x2) - margin)} for dissimilar ones. Inputs {@code [N, D]} with target
 * {@code [N]}, or {@code [D]} with a scalar target. See {@link Losses#cosineEmbeddingLoss}.
 */
public class CosineEmbeddingLoss extends Loss {
    public final double margin;

    public CosineEmbeddingLoss() { this(0, Reduction.MEAN); }

    public CosineEmbeddingLoss(double margin) { this(margin, Reduction.MEAN); }

    public CosineEmbeddingLoss(double margin, Reduction reduction) {
        super(reduction);
        this.margin = margin;
    }

    /** The loss of the pairs {@code (input1[n], input2[n])} labelled by {@code target[n]} (±1). */
    public Tensor forward(Tensor input1, Tensor input2, Tensor target) {
        return Losses.cosineEmbedding(describe(), input1, input2, target, margin, reduction);
    }

    @Override
    protected String extraRepr() { return "margin=" + margin + ", reduction=" + reduction; }
}
