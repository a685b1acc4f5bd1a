package dev.fathom.ops;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.backend.Parallel;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.List;

/**
 * Causal multi-head self-attention from a fused q|k|v projection, in one op:
 * {@code softmax(maskedFill(q·kᵀ/√hd, causal, -inf))·v} for every (batch, head), the heads laid
 * side by side in the result. It computes what the composition
 *
 * {@snippet :
 * var p = qkv.split(c, 2);                                        // q, k, v: [B, T, C] each
 * Tensor q = p.get(0).view(b, t, heads, hd).transpose(1, 2);      // [B, H, T, hd], k and v alike
 * Tensor att = Reductions.maskedSoftmax(q.matmul(k.transpose(-2, -1)), causal, 1 / Math.sqrt(hd));
 * Tensor y = att.matmul(v).transpose(1, 2).contiguous().view(b, t, c);
 * }
 *
 * computes, with the same GEMM calls and the same softmax row kernels, so float32 results are those
 * of the composition; what it saves is memory traffic: no [B, H, T, T] score tensor beside the
 * weights, no head transposes, and a backward that writes q's, k's and v's gradients into one
 * [B, T, 3C] tensor instead of three zero-padded ones that are then summed. The weights
 * ([B, H, T, T]) are kept for the backward. Under {@code createGraph} the backward is the
 * composition's rule in tensor ops, so second derivatives work.
 */
public final class Attention {
    private Attention() {}

    /**
     * {@code qkv} [B, T, 3C] (q, k, v side by side along the last dimension, each {@code heads}
     * heads of C/heads features) → [B, T, C], causal: position i attends to positions 0..i.
     */
    public static Tensor causalSelfAttention(Tensor qkv, int heads) {
        if (!qkv.dtype().isFloatingPoint())
            throw new IllegalArgumentException("causalSelfAttention: expected a floating point tensor (float32 or float64), got "
                + qkv.dtype());
        if (qkv.ndim() != 3)
            throw new IllegalArgumentException("causalSelfAttention: expected qkv of shape [B, T, 3C], got "
                + Shapes.format(qkv.shape()));
        if (heads <= 0 || qkv.size(2) % (3 * heads) != 0 || qkv.size(2) == 0)
            throw new IllegalArgumentException("causalSelfAttention: the last dimension of qkv " + Shapes.format(qkv.shape())
                + " must be a positive multiple of 3·heads (heads = " + heads + ")");
        Tensor x = qkv.contiguous();
        int b = x.size(0), t = x.size(1), c = x.size(2) / 3, hd = c / heads;
        double scale = 1.0 / Math.sqrt(hd);
        Tensor att = Tensor.empty(x.dtype(), b, heads, t, t);
        Tensor mask = causalMask(t);
        return Graph.run("causalSelfAttention", () -> forward(x, att, mask, heads, scale), (s, g) -> {
            if (Autograd.isGradEnabled()) return new Tensor[] {composedBackward(s.input(0), g, mask, heads, scale)};
            return new Tensor[] {backward(x, att, g.contiguous(), mask, heads, scale)};
        }, Saves.INPUTS, qkv);
    }

    /** [T, T] bool, true above the diagonal (masked). */
    private static Tensor causalMask(int t) {
        boolean[] m = new boolean[t * t];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) m[i * t + j] = true;
        return Tensor.of(m, t, t);
    }

    private static Tensor forward(Tensor x, Tensor att, Tensor mask, int heads, double scale) {
        int b = x.size(0), t = x.size(1), c = x.size(2) / 3, hd = c / heads, ld = 3 * c, xo = x.offset();
        Tensor out = Tensor.empty(x.dtype(), b, t, c);
        if (b == 0 || t == 0) return out;
        boolean[] mk = mask.storage().bools();
        Object xa = x.storage().array(), aa = att.storage().array(), oa = out.storage().array();
        boolean f32 = x.dtype() == DType.FLOAT32;
        float sf = (float) scale;
        Parallel.forRange(b * heads, 1, (s, e) -> {
            for (int bh = s; bh < e; bh++) {
                int bi = bh / heads, h = bh % heads;
                int qo = xo + bi * t * ld + h * hd, ko = qo + c, vo = qo + 2 * c, ao = bh * t * t;
                ArrayGemm.gemm(false, true, t, t, hd, xa, qo, ld, xa, ko, ld, false, aa, ao, t);   // scores = q·kᵀ
                for (int i = 0; i < t; i++)
                    if (f32) Reductions.maskedSoftmaxRowF((float[]) aa, ao + i * t, (float[]) aa, ao + i * t, mk, i * t, 1, t, sf);
                    else Reductions.maskedSoftmaxRowD((double[]) aa, ao + i * t, (double[]) aa, ao + i * t, mk, i * t, 1, t, scale);
                ArrayGemm.gemm(false, false, t, hd, t, aa, ao, t, xa, vo, ld, false, oa, bi * t * c + h * hd, c);   // y = att·v
            }
        });
        return out;
    }

    /** Gradient of qkv from the weights and the output's gradient {@code g} (contiguous [B, T, C]). */
    private static Tensor backward(Tensor x, Tensor att, Tensor g, Tensor mask, int heads, double scale) {
        int b = x.size(0), t = x.size(1), c = x.size(2) / 3, hd = c / heads, ld = 3 * c, xo = x.offset(), go = g.offset();
        Tensor dx = Tensor.empty(x.dtype(), b, t, ld);   // every element is written: q, k and v of every head
        if (b == 0 || t == 0) return dx;
        boolean[] mk = mask.storage().bools();
        Object xa = x.storage().array(), aa = att.storage().array(), ga = g.storage().array(), da = dx.storage().array();
        boolean f32 = x.dtype() == DType.FLOAT32;
        float sf = (float) scale;
        Parallel.forRange(b * heads, 1, (s, e) -> {
            Object ds = f32 ? new float[t * t] : new double[t * t], dkt = f32 ? new float[hd * t] : new double[hd * t];
            for (int bh = s; bh < e; bh++) {
                int bi = bh / heads, h = bh % heads;
                int qo = xo + bi * t * ld + h * hd, ko = qo + c, vo = qo + 2 * c, ao = bh * t * t;
                int gyo = go + bi * t * c + h * hd, dq = bi * t * ld + h * hd, dk = dq + c, dv = dq + 2 * c;
                ArrayGemm.gemm(false, true, t, t, hd, ga, gyo, c, xa, vo, ld, false, ds, 0, t);      // d att = gy·vᵀ
                ArrayGemm.gemm(true, false, t, hd, t, aa, ao, t, ga, gyo, c, false, da, dv, ld);     // dv = attᵀ·gy
                for (int i = 0; i < t; i++)                                           // d scores, in place
                    if (f32) Reductions.maskedSoftmaxBackwardRowF((float[]) aa, ao + i * t, (float[]) ds, i * t, (float[]) ds,
                        i * t, mk, i * t, 1, t, sf);
                    else Reductions.maskedSoftmaxBackwardRowD((double[]) aa, ao + i * t, (double[]) ds, i * t, (double[]) ds,
                        i * t, mk, i * t, 1, t, scale);
                ArrayGemm.gemm(false, false, t, hd, t, ds, 0, t, xa, ko, ld, false, da, dq, ld);    // dq = dS·k
                ArrayGemm.gemm(true, false, hd, t, t, xa, qo, ld, ds, 0, t, false, dkt, 0, t);      // dkᵀ = qᵀ·dS (the composition's product)
                for (int j = 0; j < hd; j++)
                    for (int i = 0; i < t; i++)
                        if (f32) ((float[]) da)[dk + i * ld + j] = ((float[]) dkt)[j * t + i];
                        else ((double[]) da)[dk + i * ld + j] = ((double[]) dkt)[j * t + i];
            }
        });
        return dx;
    }

    /** The composition's backward in tensor ops (recorded: for createGraph). */
    private static Tensor composedBackward(Tensor qkv, Tensor g, Tensor mask, int heads, double scale) {
        int b = qkv.size(0), t = qkv.size(1), c = qkv.size(2) / 3, hd = c / heads;
        List<Tensor> p = qkv.split(c, 2);
        Tensor q = p.get(0).view(b, t, heads, hd).transpose(1, 2);
        Tensor k = p.get(1).view(b, t, heads, hd).transpose(1, 2);
        Tensor v = p.get(2).view(b, t, heads, hd).transpose(1, 2);
        Tensor att = Reductions.maskedSoftmax(q.matmul(k.mT()), mask, scale);
        Tensor gy = g.reshape(b, t, heads, hd).transpose(1, 2);
        Tensor dAtt = gy.matmul(v.mT());
        Tensor dS = att.mul(dAtt.sub(dAtt.mul(att).sum(-1, true))).maskedFill(mask, 0.0).mul(scale);
        Tensor dq = dS.matmul(k), dk = dS.mT().matmul(q), dv = att.mT().matmul(gy);
        return Tensor.cat(2, List.of(heads(dq, b, t, c), heads(dk, b, t, c), heads(dv, b, t, c)));
    }

    /** [B, H, T, hd] → [B, T, C]. */
    private static Tensor heads(Tensor y, int b, int t, int c) { return y.transpose(1, 2).reshape(b, t, c); }
}
