package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * PyTorch's {@code nn.TransformerEncoderLayer}: self-attention and a feed-forward block
 * ({@code linear2(dropout(activation(linear1(x))))}), each with a residual connection and layer
 * normalisation. Post-norm (the default, "Attention Is All You Need"):
 * {@code x = norm1(x + sa(x)); x = norm2(x + ff(x))}; with {@code normFirst}:
 * {@code x = x + sa(norm1(x)); x = x + ff(norm2(x))}. Submodule names as PyTorch's
 * ({@code self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2}), so state
 * dicts exchange with PyTorch.
 *
 * {@snippet :
 * var layer = new TransformerEncoderLayer(64, 4, 256, 0.1, "gelu", 1e-5, true, true);
 * Tensor y = layer.forward(x, MultiheadAttention.causalMask(seq), padding);   // x: [batch, seq, 64]
 * }
 */
public class TransformerEncoderLayer extends Module {
    public final int dModel, nhead, dimFeedforward;
    public final String activation;
    public final boolean batchFirst, normFirst;
    public final MultiheadAttention selfAttn;
    public final Linear linear1, linear2;
    public final Dropout dropout, dropout1, dropout2;
    public final LayerNorm norm1, norm2;

    /** {@code dimFeedforward = 2048, dropout = 0.1, relu, eps = 1e-5}, sequence first, post-norm (PyTorch's defaults). */
    public TransformerEncoderLayer(int dModel, int nhead) { this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, false); }

    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst) {
        this(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, DType.FLOAT32);
    }

    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst, DType dtype) {
        if (dimFeedforward <= 0)
            throw new IllegalArgumentException("TransformerEncoderLayer: dimFeedforward must be positive, got " + dimFeedforward);
        this.dModel = dModel;
        this.nhead = nhead;
        this.dimFeedforward = dimFeedforward;
        this.activation = checkActivation("TransformerEncoderLayer", activation);
        this.batchFirst = batchFirst;
        this.normFirst = normFirst;
        selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, dModel, dModel, batchFirst, dtype));
        linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, true, dtype));
        this.dropout = registerModule("dropout", new Dropout(dropout));
        linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, true, dtype));
        norm1 = registerModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true, dtype));
        norm2 = registerModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true, dtype));
        dropout1 = registerModule("dropout1", new Dropout(dropout));
        dropout2 = registerModule("dropout2", new Dropout(dropout));
    }

    /** The layer without masks. */
    public Tensor forward(Tensor src) { return forward(src, null, null); }

    /**
     * {@code src} is {@code [S, N, E]} ({@code [N, S, E]} with batchFirst, or {@code [S, E]});
     * {@code srcMask} and {@code srcKeyPaddingMask} (either may be null) are
     * {@link MultiheadAttention}'s {@code attnMask} and {@code keyPaddingMask}.
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttentionBlock(norm1.forward(x), srcMask, srcKeyPaddingMask));
            x = x.add(feedForwardBlock(norm2.forward(x)));
        } else {
            x = norm1.forward(x.add(selfAttentionBlock(x, srcMask, srcKeyPaddingMask)));
            x = norm2.forward(x.add(feedForwardBlock(x)));
        }
        return x;
    }

    private Tensor selfAttentionBlock(Tensor x, Tensor mask, Tensor padding) {
        return dropout1.forward(selfAttn.forward(x, x, x, padding, mask, false, true).output());
    }

    private Tensor feedForwardBlock(Tensor x) {
        return dropout2.forward(linear2.forward(dropout.forward(activate(activation, linear1.forward(x)))));
    }

    /** "relu" or "gelu" (exact, erf-based), as PyTorch's transformer layers accept by name. */
    static String checkActivation(String layer, String activation) {
        if (!"relu".equals(activation) && !"gelu".equals(activation))
            throw new IllegalArgumentException(layer + ": activation must be \"relu\" or \"gelu\", got " + activation);
        return activation;
    }

    static Tensor activate(String activation, Tensor x) { return "relu".equals(activation) ? x.relu() : x.gelu(); }

    @Override
    protected String extraRepr() {
        return "dModel=" + dModel + ", nhead=" + nhead + ", dimFeedforward=" + dimFeedforward + ", activation=" + activation
            + ", batchFirst=" + batchFirst + ", normFirst=" + normFirst;
    }
}
