package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * A lookup table: int64 (or int32) indices of any shape {@code [...]} select rows of
 * {@code weight [num, dim]}, giving {@code [..., dim]}. Initialised as PyTorch's
 * {@code nn.Embedding}: standard normal from the default generator, then the padding row (if any)
 * zeroed. The padding row gets no gradient, so it stays as it is while training.
 *
 * {@snippet :
 * var emb = new Embedding(1000, 64, 0);                    // index 0 is padding
 * Tensor v = emb.forward(Tensor.of(new long[][] {{5, 7, 0}}));   // [1, 3, 64]
 * }
 */
public class Embedding extends Layer {
    public final int numEmbeddings, embeddingDim;
    /** The padding row in {@code [0, num)}, or -1 for none. */
    public final int paddingIdx;
    /** {@code [num, dim]}. */
    public final Tensor weight;

    /** Without padding row. */
    public Embedding(int numEmbeddings, int embeddingDim) { this(numEmbeddings, embeddingDim, null); }

    /** {@code paddingIdx} null for none; negative counts from the end, as in PyTorch. */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        this(numEmbeddings, embeddingDim, paddingIdx, DType.FLOAT32);
    }

    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, DType dtype) {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new IllegalArgumentException("Embedding: num and dim must be positive, got num=" + numEmbeddings + ", dim="
                + embeddingDim);
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings))
            throw new IllegalArgumentException("Embedding: paddingIdx must be within num_embeddings, got " + paddingIdx
                + " for num=" + numEmbeddings);
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        try (var ignored = Autograd.noGrad()) {
            this.weight = registerParameter("weight", Tensor.empty(dtype, numEmbeddings, embeddingDim));
        }
        resetParameters();
    }

    /** PyTorch's {@code reset_parameters}: standard normal, padding row zeroed. */
    public void resetParameters() {
        Init.normal(weight);
        if (paddingIdx >= 0)
            try (var ignored = Autograd.noGrad()) {
                weight.select(0, paddingIdx).zeroInPlace();
            }
    }

    @Override
    public Tensor forward(Tensor indices) {
        if (!indices.dtype().isInteger())
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected int64 or int32 indices, got "
                + indices.dtype() + " of shape " + Shapes.format(indices.shape()));
        Tensor flat = indices.reshape(-1).to(DType.INT64);
        if (flat.numel() > 0) {
            long lo = flat.min().itemLong(), hi = flat.max().itemLong();
            if (lo < 0 || hi >= numEmbeddings)
                throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): index " + (lo < 0 ? lo : hi)
                    + " is out of range [0, " + numEmbeddings + ") in input of shape " + Shapes.format(indices.shape()));
        }
        Tensor rows = weight.indexSelect(0, flat);
        if (paddingIdx >= 0 && rows.requiresGrad()) {
            // the same values, but padding positions read the detached table, so no gradient reaches that row
            Tensor pad = flat.eq((double) paddingIdx).unsqueeze(1);
            rows = Tensor.where(pad, rows.detach(), rows);
        }
        int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.ndim() + 1);
        shape[indices.ndim()] = embeddingDim;
        return rows.reshape(shape);
    }

    @Override
    protected String extraRepr() {
        return "num=" + numEmbeddings + ", dim=" + embeddingDim + (paddingIdx >= 0 ? ", paddingIdx=" + paddingIdx : "");
    }
}
