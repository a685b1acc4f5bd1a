package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * PyTorch's {@code nn.TransformerDecoderLayer}: masked self-attention over the target,
 * attention over the encoder's output ({@code memory}), and a feed-forward block, each with a
 * residual connection and layer normalisation. Post-norm (the default):
 * {@code x = norm1(x + sa(x)); x = norm2(x + mha(x, memory)); x = norm3(x + ff(x))}; with
 * {@code normFirst} each block reads {@code normK(x)} and adds to {@code x}. Submodule names as
 * PyTorch's ({@code self_attn, multihead_attn, linear1, dropout, linear2, norm1..3,
 * dropout1..3}).
 *
 * {@snippet :
 * var layer = new TransformerDecoderLayer(64, 4, 256, 0.1, "relu", 1e-5, true, false);
 * Tensor y = layer.forward(tgt, memory, MultiheadAttention.causalMask(tgtLen), null, null, memoryPadding);
 * }
 */
public class TransformerDecoderLayer extends Module {
    public final int dModel, nhead, dimFeedforward;
    public final String activation;
    public final boolean batchFirst, normFirst;
    public final MultiheadAttention selfAttn, multiheadAttn;
    public final Linear linear1, linear2;
    public final Dropout dropout, dropout1, dropout2, dropout3;
    public final LayerNorm norm1, norm2, norm3;

    /** {@code dimFeedforward = 2048, dropout = 0.1, relu, eps = 1e-5}, sequence first, post-norm (PyTorch's defaults). */
    public TransformerDecoderLayer(int dModel, int nhead) { this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, false); }

    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst) {
        this(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, DType.FLOAT32);
    }

    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst, DType dtype) {
        if (dimFeedforward <= 0)
            throw new IllegalArgumentException("TransformerDecoderLayer: dimFeedforward must be positive, got " + dimFeedforward);
        this.dModel = dModel;
        this.nhead = nhead;
        this.dimFeedforward = dimFeedforward;
        this.activation = TransformerEncoderLayer.checkActivation("TransformerDecoderLayer", activation);
        this.batchFirst = batchFirst;
        this.normFirst = normFirst;
        selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, dModel, dModel, batchFirst, dtype));
        multiheadAttn = registerModule("multihead_attn",
            new MultiheadAttention(dModel, nhead, dropout, true, dModel, dModel, batchFirst, dtype));
        linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, true, dtype));
        this.dropout = registerModule("dropout", new Dropout(dropout));
        linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, true, dtype));
        norm1 = registerModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true, dtype));
        norm2 = registerModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true, dtype));
        norm3 = registerModule("norm3", new LayerNorm(new int[] {dModel}, layerNormEps, true, dtype));
        dropout1 = registerModule("dropout1", new Dropout(dropout));
        dropout2 = registerModule("dropout2", new Dropout(dropout));
        dropout3 = registerModule("dropout3", new Dropout(dropout));
    }

    /** The layer without masks. */
    public Tensor forward(Tensor tgt, Tensor memory) { return forward(tgt, memory, null, null, null, null); }

    /**
     * {@code tgt} is {@code [T, N, E]} and {@code memory} {@code [S, N, E]} (batch first with
     * batchFirst, or unbatched). {@code tgtMask [T, T]} (typically
     * {@link MultiheadAttention#causalMask}) and {@code tgtKeyPaddingMask [N, T]} mask the
     * self-attention; {@code memoryMask [T, S]} and {@code memoryKeyPaddingMask [N, S]} the
     * attention over memory. Any mask may be null.
     */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask) {
        Tensor x = tgt;
        if (normFirst) {
            x = x.add(selfAttentionBlock(norm1.forward(x), tgtMask, tgtKeyPaddingMask));
            x = x.add(memoryAttentionBlock(norm2.forward(x), memory, memoryMask, memoryKeyPaddingMask));
            x = x.add(feedForwardBlock(norm3.forward(x)));
        } else {
            x = norm1.forward(x.add(selfAttentionBlock(x, tgtMask, tgtKeyPaddingMask)));
            x = norm2.forward(x.add(memoryAttentionBlock(x, memory, memoryMask, memoryKeyPaddingMask)));
            x = norm3.forward(x.add(feedForwardBlock(x)));
        }
        return x;
    }

    private Tensor selfAttentionBlock(Tensor x, Tensor mask, Tensor padding) {
        return dropout1.forward(selfAttn.forward(x, x, x, padding, mask, false, true).output());
    }

    private Tensor memoryAttentionBlock(Tensor x, Tensor memory, Tensor mask, Tensor padding) {
        return dropout2.forward(multiheadAttn.forward(x, memory, memory, padding, mask, false, true).output());
    }

    private Tensor feedForwardBlock(Tensor x) {
        return dropout3.forward(linear2.forward(dropout.forward(TransformerEncoderLayer.activate(activation, linear1.forward(x)))));
    }

    @Override
    protected String extraRepr() {
        return "dModel=" + dModel + ", nhead=" + nhead + ", dimFeedforward=" + dimFeedforward + ", activation=" + activation
            + ", batchFirst=" + batchFirst + ", normFirst=" + normFirst;
    }
}
