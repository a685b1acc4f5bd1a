package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * PyTorch's {@code nn.MultiheadAttention}: {@code numHeads} scaled dot-product attentions in
 * parallel over {@code embedDim / numHeads} features each,
 * {@code softmax(Q_h K_hᵀ / √d + mask) V_h}, concatenated and projected by {@code out_proj}.
 *
 * <p>Inputs are {@code [L, N, E]} (sequence first, PyTorch's default) or {@code [N, L, E]} with
 * {@code batchFirst}, or unbatched {@code [L, E]}; key and value have the source length
 * {@code S}. Parameters as PyTorch names them: {@code in_proj_weight [3E, E]} (query, key and
 * value projections stacked, Xavier-uniform), {@code in_proj_bias [3E]} (zeros) and
 * {@code out_proj} (a {@link Linear} whose bias is zeroed); when the key or value feature count
 * ({@code kdim}, {@code vdim}) differs from {@code embedDim} the projections are separate:
 * {@code q_proj_weight [E, E]}, {@code k_proj_weight [E, kdim]}, {@code v_proj_weight [E, vdim]}.
 * The random draws follow PyTorch's order ({@code out_proj}'s default init, then the Xavier
 * init of the input projections), so after {@code Generator.manualSeed(s)} the weights equal
 * PyTorch's after {@code torch.manual_seed(s)}.
 *
 * <p>Masks: {@code keyPaddingMask} is bool {@code [N, S]} ({@code [S]} unbatched), true for keys
 * to ignore (padding), or floating and added to the scores. {@code attnMask} is
 * {@code [L, S]} or {@code [N·numHeads, L, S]}: bool with true = not allowed to attend, or
 * floating and added to the scores (use {@code -inf} to forbid). A query whose keys are all
 * masked gets NaN, as in PyTorch. Attention dropout applies to the weights in training mode.
 *
 * {@snippet :
 * var attn = new MultiheadAttention(64, 8, 0.0, true, true);               // batch first
 * Tensor x = Tensor.randn(2, 10, 64);
 * var r = attn.forward(x, x, x, null, MultiheadAttention.causalMask(10), true, true);
 * r.output();    // [2, 10, 64]
 * r.weights();   // [2, 10, 10], averaged over heads; row i is zero after column i
 * }
 */
public class MultiheadAttention extends Module {
    public final int embedDim, numHeads, headDim, kdim, vdim;
    public final double dropout;
    public final boolean batchFirst;
    /** {@code [3E, E]} when key and value have {@code embedDim} features, else null. */
    public final Tensor inProjWeight;
    /** Separate projections ({@code [E, E]}, {@code [E, kdim]}, {@code [E, vdim]}) when kdim or vdim differ, else null. */
    public final Tensor qProjWeight, kProjWeight, vProjWeight;
    /** {@code [3E]}, or null without bias. */
    public final Tensor inProjBias;
    public final Linear outProj;

    /** The attention output ({@code query}'s shape) and the attention weights, or null when not requested. */
    public record Output(Tensor output, Tensor weights) {}

    /** No dropout, with bias, sequence first. */
    public MultiheadAttention(int embedDim, int numHeads) { this(embedDim, numHeads, 0.0, true, false); }

    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
        this(embedDim, numHeads, dropout, bias, embedDim, embedDim, batchFirst, DType.FLOAT32);
    }

    /** With key and value feature counts {@code kdim} and {@code vdim} (PyTorch's {@code kdim}/{@code vdim}). */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, int kdim, int vdim,
                              boolean batchFirst, DType dtype) {
        if (embedDim <= 0 || numHeads <= 0 || kdim <= 0 || vdim <= 0)
            throw new IllegalArgumentException("MultiheadAttention: embedDim, numHeads, kdim and vdim must be positive, got embedDim="
                + embedDim + ", numHeads=" + numHeads + ", kdim=" + kdim + ", vdim=" + vdim);
        if (embedDim % numHeads != 0)
            throw new IllegalArgumentException("MultiheadAttention: embedDim " + embedDim + " must be divisible by numHeads " + numHeads);
        if (!(dropout >= 0 && dropout <= 1))
            throw new IllegalArgumentException("MultiheadAttention: dropout must be between 0 and 1, got " + dropout);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.headDim = embedDim / numHeads;
        this.kdim = kdim;
        this.vdim = vdim;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        boolean packed = kdim == embedDim && vdim == embedDim;
        try (var ignored = Autograd.noGrad()) {
            if (packed) {
                inProjWeight = registerParameter("in_proj_weight", Tensor.zeros(dtype, 3 * embedDim, embedDim));
                qProjWeight = kProjWeight = vProjWeight = null;
            } else {
                qProjWeight = registerParameter("q_proj_weight", Tensor.zeros(dtype, embedDim, embedDim));
                kProjWeight = registerParameter("k_proj_weight", Tensor.zeros(dtype, embedDim, kdim));
                vProjWeight = registerParameter("v_proj_weight", Tensor.zeros(dtype, embedDim, vdim));
                inProjWeight = null;
            }
            inProjBias = registerParameter("in_proj_bias", bias ? Tensor.zeros(dtype, 3 * embedDim) : null);
            outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, dtype));
            // PyTorch's _reset_parameters, after out_proj drew its own default init
            Generator g = Generator.global();
            if (packed) xavierUniform(inProjWeight, embedDim, 3 * embedDim, g);
            else for (Tensor w : new Tensor[] {qProjWeight, kProjWeight, vProjWeight}) xavierUniform(w, w.size(1), w.size(0), g);
            if (bias) outProj.bias.zeroInPlace();
        }
    }

    private static void xavierUniform(Tensor w, int fanIn, int fanOut, Generator g) {
        double a = Math.sqrt(6.0 / (fanIn + fanOut));
        w.uniformInPlace(-a, a, g);
    }

    /**
     * A bool {@code [n, n]} mask for {@code attnMask} that lets position {@code i} attend only
     * to positions {@code ≤ i} (true above the diagonal), as used by autoregressive decoders.
     */
    public static Tensor causalMask(int n) {
        if (n <= 0) throw new IllegalArgumentException("MultiheadAttention.causalMask: size must be positive, got " + n);
        boolean[] m = new boolean[n * n];
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) m[i * n + j] = true;
        return Tensor.of(m, n, n);
    }

    /** Attention without masks, returning the head-averaged weights (PyTorch's defaults). */
    public Output forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, null, null, true, true);
    }

    /** Self-attention of {@code x} with an optional key padding mask and attention mask; the output only. */
    public Tensor selfAttention(Tensor x, Tensor keyPaddingMask, Tensor attnMask) {
        return forward(x, x, x, keyPaddingMask, attnMask, false, true).output();
    }

    /**
     * Attention of {@code query} over {@code key}/{@code value}; see the class comment for shapes
     * and masks (either may be null). With {@code needWeights} the result carries the attention
     * weights (after dropout): {@code [N, L, S]} averaged over heads when
     * {@code averageAttnWeights}, else {@code [N, numHeads, L, S]} (without N when unbatched).
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask,
                          boolean needWeights, boolean averageAttnWeights) {
        if (query == null || key == null || value == null)
            throw new IllegalArgumentException(describe() + ": query, key and value must not be null");
        boolean batched = query.ndim() == 3;
        if (query.ndim() != 2 && !batched)
            throw new IllegalArgumentException(describe() + ": expected query of 3 dimensions (" + layout()
                + ") or 2 (unbatched [L, E]), got shape " + Shapes.format(query.shape()));
        if (key.ndim() != query.ndim() || value.ndim() != query.ndim())
            throw new IllegalArgumentException(describe() + ": query, key and value must have the same number of dimensions, got "
                + Shapes.format(query.shape()) + ", " + Shapes.format(key.shape()) + ", " + Shapes.format(value.shape()));
        // work batch first: [N, L, E]
        Tensor q = batched ? (batchFirst ? query : query.transpose(0, 1)) : query.unsqueeze(0);
        Tensor k = batched ? (batchFirst ? key : key.transpose(0, 1)) : key.unsqueeze(0);
        Tensor v = batched ? (batchFirst ? value : value.transpose(0, 1)) : value.unsqueeze(0);
        int n = q.size(0), tgt = q.size(1), src = k.size(1);
        if (q.size(2) != embedDim) throw badFeatures("query", query, embedDim);
        if (k.size(2) != kdim) throw badFeatures("key", key, kdim);
        if (v.size(2) != vdim) throw badFeatures("value", value, vdim);
        if (k.size(0) != n || v.size(0) != n || v.size(1) != src)
            throw new IllegalArgumentException(describe() + ": key and value must have the query's batch size and the same length, got query "
                + Shapes.format(query.shape()) + ", key " + Shapes.format(key.shape()) + ", value " + Shapes.format(value.shape()));

        q = project(q, 0, qProjWeight);
        k = project(k, 1, kProjWeight);
        v = project(v, 2, vProjWeight);
        // [N, len, E] -> [N, H, len, d]; the query is scaled before the product, as in PyTorch
        q = q.reshape(n, tgt, numHeads, headDim).permute(0, 2, 1, 3).mul(1 / Math.sqrt(headDim));
        k = k.reshape(n, src, numHeads, headDim).permute(0, 2, 1, 3);
        v = v.reshape(n, src, numHeads, headDim).permute(0, 2, 1, 3);
        Tensor scores = q.matmul(k.transpose(2, 3));                          // [N, H, L, S]
        if (attnMask != null) scores = applyMask(scores, attnMask(attnMask, n, tgt, src));
        if (keyPaddingMask != null) scores = applyMask(scores, paddingMask(keyPaddingMask, batched, n, src));
        Tensor weights = Functional.dropout(scores.softmax(3), dropout, isTraining());
        Tensor out = weights.matmul(v).permute(0, 2, 1, 3).reshape(n, tgt, embedDim);
        out = outProj.forward(out);
        out = batched ? (batchFirst ? out : out.transpose(0, 1)) : out.squeeze(0);
        Tensor w = null;
        if (needWeights) {
            w = averageAttnWeights ? weights.sum(1).div(numHeads) : weights;
            if (!batched) w = w.squeeze(0);
        }
        return new Output(out, w);
    }

    /** Input projection {@code which} (0 query, 1 key, 2 value): a slice of the packed weight or its own weight. */
    private Tensor project(Tensor x, int which, Tensor separate) {
        Tensor w = inProjWeight != null ? inProjWeight.narrow(0, which * embedDim, embedDim) : separate;
        Tensor y = x.matmul(w.t());
        return inProjBias == null ? y : y.add(inProjBias.narrow(0, which * embedDim, embedDim));
    }

    private static Tensor applyMask(Tensor scores, Tensor mask) {
        return mask.dtype() == DType.BOOL ? scores.maskedFill(mask, Double.NEGATIVE_INFINITY) : scores.add(mask.to(scores.dtype()));
    }

    /** {@code [L, S]} or {@code [N·H, L, S]} as a mask that broadcasts against {@code [N, H, L, S]}. */
    private Tensor attnMask(Tensor m, int n, int tgt, int src) {
        checkMaskType("attnMask", m);
        if (m.ndim() == 2 && m.size(0) == tgt && m.size(1) == src) return m;
        if (m.ndim() == 3 && m.size(0) == n * numHeads && m.size(1) == tgt && m.size(2) == src) return m.reshape(n, numHeads, tgt, src);
        throw new IllegalArgumentException(describe() + ": attnMask must have shape [" + tgt + ", " + src + "] or ["
            + n * numHeads + ", " + tgt + ", " + src + "] (batch·heads, target, source), got " + Shapes.format(m.shape()));
    }

    /** {@code [N, S]} (or {@code [S]} unbatched) as {@code [N, 1, 1, S]}. */
    private Tensor paddingMask(Tensor m, boolean batched, int n, int src) {
        checkMaskType("keyPaddingMask", m);
        boolean ok = batched ? m.ndim() == 2 && m.size(0) == n && m.size(1) == src : m.ndim() == 1 && m.size(0) == src;
        if (!ok)
            throw new IllegalArgumentException(describe() + ": keyPaddingMask must have shape " + (batched ? "[" + n + ", " + src + "] (batch, source)"
                : "[" + src + "] (source)") + ", got " + Shapes.format(m.shape()));
        return m.reshape(n, 1, 1, src);
    }

    private void checkMaskType(String name, Tensor m) {
        if (m.dtype() != DType.BOOL && m.dtype() != DType.FLOAT32 && m.dtype() != DType.FLOAT64)
            throw new IllegalArgumentException(describe() + ": " + name + " must be bool (true = masked) or floating (added to the scores), got "
                + m.dtype());
    }

    private IllegalArgumentException badFeatures(String what, Tensor t, int expected) {
        return new IllegalArgumentException(describe() + ": expected " + what + " with " + expected + " features in the last dimension ("
            + layout() + "), got shape " + Shapes.format(t.shape()));
    }

    private String layout() { return batchFirst ? "[batch, length, features]" : "[length, batch, features]"; }

    private String describe() { return typeName() + "(" + extraRepr() + ")"; }

    @Override
    protected String extraRepr() {
        return "embedDim=" + embedDim + ", numHeads=" + numHeads + (kdim != embedDim ? ", kdim=" + kdim : "")
            + (vdim != embedDim ? ", vdim=" + vdim : "") + ", dropout=" + dropout + ", bias=" + (inProjBias != null)
            + ", batchFirst=" + batchFirst;
    }
}
