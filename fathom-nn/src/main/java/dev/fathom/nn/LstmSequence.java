package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saved;
import dev.fathom.autograd.Saves;
import dev.fathom.backend.Gemm;
import dev.fathom.backend.Parallel;
import dev.fathom.backend.Simd;
import dev.fathom.ops.Unary;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * One LSTM layer direction over a whole sequence as a single recorded op with its own backward,
 * for float32 and float64 (what {@link RNNBase} runs when no lengths are given). Per step the
 * forward is one matrix product, then one pass per batch row that adds the step's input
 * projection into a preallocated gate buffer, applies the gate nonlinearities and the cell
 * update. The product is formed transposed, {@code W_hh·hᵀ} ([4H, batch]): OpenBLAS packs the
 * weight as its long left operand and runs it 25-45% faster than {@code h·W_hhᵀ} at [32, 256]·[256,
 * 1024] (one or two workers, busy 2-core machine, interleaved), which outweighs the strided read
 * of the transposed product in the row pass. The backward runs the recurrence in reverse with one
 * elementwise pass and one product {@code W_hhᵀ·dGᵀ} per step (transposed likewise, with a
 * contiguous copy of {@code W_hhᵀ} as the left operand), and forms the recurrent weight's gradient {@code Σ_t dG_tᵀ·h_{t-1}}
 * as one product over all steps at the end. The gradient of the input projections is the gate
 * gradients themselves, so the input weights, biases and inputs get theirs from the product
 * before the loop.
 *
 * <p>Under {@code createGraph} the backward is the same recurrence written with differentiable
 * tensor ops on a recomputed (recorded) forward, so higher-order gradients stay exact.
 */
final class LstmSequence {
    private LstmSequence() {}

    /** Rows of the batch per parallel task of the elementwise passes: at least this many gate values each. */
    private static final int GRAIN_VALUES = 1 << 14;

    /**
     * The layer direction: {@code xp [seq, batch, 4H]} the input projections with both biases,
     * {@code h0}, {@code c0} {@code [batch, H]}, {@code w} the recurrent weight {@code [4H, H]};
     * {@code reverse} runs from the last step to the first. Returns {outputs [seq, batch, H], final h, final c}.
     */
    static Tensor[] run(Tensor xp, Tensor h0, Tensor c0, Tensor w, boolean reverse) {
        int seq = xp.size(0), batch = xp.size(1), g = xp.size(2), hid = g / 4;
        DType dt = xp.dtype();
        Tensor x = xp.contiguous(), h = h0.contiguous(), c = c0.contiguous(), wc = w.contiguous();
        // rows 0..seq-1: the outputs h_t; row seq: the final cell state
        Tensor packed = Tensor.empty(dt, seq + 1, batch, hid);
        Tensor act = Tensor.empty(dt, seq, batch, g), cs = Tensor.empty(dt, seq, batch, hid), tcs = Tensor.empty(dt, seq, batch, hid);
        Object xa = x.storage().array(), aa = act.storage().array(), pa = packed.storage().array(),
            csa = cs.storage().array(), tca = tcs.storage().array(), wa = wc.storage().array();
        // the recurrent product of one step, transposed: [4H, batch]
        Object ra = dt == DType.FLOAT32 ? new float[g * batch] : new double[g * batch];
        int bg = batch * g, bh = batch * hid, xo = x.offset();
        for (int s = 0; s < seq; s++) {
            int t = reverse ? seq - 1 - s : s, prev = reverse ? t + 1 : t - 1;
            Object hp = s == 0 ? h.storage().array() : pa, cp = s == 0 ? c.storage().array() : csa;
            int hpo = s == 0 ? h.offset() : prev * bh, cpo = s == 0 ? c.offset() : prev * bh;
            gemm(dt, false, true, g, batch, hid, wa, wc.offset(), hid, hp, hpo, hid, false, ra, 0, batch);
            int at = t * bg, ht = t * bh;
            Parallel.forRange(batch, Math.max(1, GRAIN_VALUES / g), (b0, b1) -> {
                for (int b = b0; b < b1; b++)
                    if (aa instanceof float[] af) {
                        float[] xf = (float[]) xa, rf = (float[]) ra;
                        for (int j = 0, xj = xo + at + b * g, aj = at + b * g; j < g; j++)
                            af[aj + j] = xf[xj + j] + rf[j * batch + b];
                        forwardRow(af, at + b * g, (float[]) cp, cpo + b * hid, (float[]) csa, (float[]) tca,
                            (float[]) pa, ht + b * hid, hid);
                    } else {
                        double[] ad = (double[]) aa, xd = (double[]) xa, rd = (double[]) ra;
                        for (int j = 0, xj = xo + at + b * g, aj = at + b * g; j < g; j++)
                            ad[aj + j] = xd[xj + j] + rd[j * batch + b];
                        forwardRow(ad, at + b * g, (double[]) cp, cpo + b * hid, (double[]) csa,
                            (double[]) tca, (double[]) pa, ht + b * hid, hid);
                    }
            });
        }
        int last = reverse ? 0 : seq - 1;
        System.arraycopy(csa, last * bh, pa, seq * bh, bh);
        Tensor out = packed;
        if (Graph.recording(xp, h0, c0, w)) {
            out = Graph.record("lstmSequence", packed, (sv, gp) -> Autograd.isGradEnabled()
                ? composite(sv, gp, reverse)
                : backward(sv, gp.contiguous(), act, cs, tcs, packed, reverse), Saves.INPUTS, xp, h0, c0, w);
        }
        return new Tensor[] {out.narrow(0, 0, seq), out.select(0, last), out.select(0, seq)};
    }

    /** The backward of {@link #run}, from the gradient {@code gp} of the packed [outputs; final c]. */
    private static Tensor[] backward(Saved sv, Tensor gp, Tensor act, Tensor cs, Tensor tcs, Tensor packed, boolean reverse) {
        Tensor w = sv.input(3), h0 = sv.input(1).contiguous(), c0 = sv.input(2).contiguous();
        int seq = act.size(0), batch = act.size(1), g = act.size(2), hid = g / 4, bg = batch * g, bh = batch * hid;
        DType dt = act.dtype();
        // dhT: the recurrent gradient of h, transposed [H, batch] as its product W_hhᵀ·dGᵀ gives it (with
        // W_hhᵀ contiguous as the long left operand, 20-25% faster than dG·W_hh at [32, 1024]·[1024, 256]
        // on a busy 2-core machine); d: per row, that plus the output's gradient
        Tensor dG = Tensor.empty(dt, seq, batch, g), dhT = Tensor.empty(dt, hid, batch), d = Tensor.empty(dt, batch, hid);
        Tensor dc = gp.select(0, seq).copy();
        boolean recurrent = seq > 1 || sv.needsGrad(1);
        Tensor wT = recurrent ? w.t().contiguous() : null;
        Object ga = gp.storage().array(), da = dG.storage().array(), dha = dhT.storage().array(), dsa = d.storage().array(),
            dca = dc.storage().array(), aa = act.storage().array(), csa = cs.storage().array(), tca = tcs.storage().array(),
            wta = recurrent ? wT.storage().array() : null;
        int go = gp.offset();
        for (int s = seq - 1; s >= 0; s--) {
            int t = reverse ? seq - 1 - s : s, prev = reverse ? t + 1 : t - 1;
            Object cp = s == 0 ? c0.storage().array() : csa;
            int cpo = s == 0 ? c0.offset() : prev * bh, at = t * bg, ht = t * bh;
            Parallel.forRange(batch, Math.max(1, GRAIN_VALUES / g), (b0, b1) -> {
                for (int b = b0; b < b1; b++)
                    if (aa instanceof float[] af) {
                        float[] df = (float[]) dsa, gf = (float[]) ga, hf = (float[]) dha;
                        for (int j = 0, o = b * hid, go2 = go + ht + b * hid; j < hid; j++)
                            df[o + j] = gf[go2 + j] + hf[j * batch + b];
                        backwardRow(af, at + b * g, (float[]) cp, cpo + b * hid, (float[]) tca, ht + b * hid,
                            df, b * hid, (float[]) dca, (float[]) da, hid);
                    } else {
                        double[] dd = (double[]) dsa, gd = (double[]) ga, hd = (double[]) dha;
                        for (int j = 0, o = b * hid, go2 = go + ht + b * hid; j < hid; j++)
                            dd[o + j] = gd[go2 + j] + hd[j * batch + b];
                        backwardRow((double[]) aa, at + b * g, (double[]) cp, cpo + b * hid, (double[]) tca, ht + b * hid,
                            dd, b * hid, (double[]) dca, (double[]) da, hid);
                    }
            });
            if (s > 0 || sv.needsGrad(1))
                gemm(dt, false, true, hid, batch, g, wta, 0, g, da, at, g, false, dha, 0, batch);
        }
        Tensor dW = null;
        if (sv.needsGrad(3)) {
            dW = Tensor.empty(dt, g, hid);
            Object dwa = dW.storage().array();
            int first = reverse ? seq - 1 : 0;
            // Σ over the steps after the first: their h_{t-1} are outputs, contiguous in the packed buffer
            if (seq > 1)
                gemm(dt, true, false, g, hid, (seq - 1) * batch, da, reverse ? 0 : bg, g,
                    packed.storage().array(), reverse ? bh : 0, hid, false, dwa, 0, hid);
            gemm(dt, true, false, g, hid, batch, da, first * bg, g, h0.storage().array(), h0.offset(), hid, seq > 1,
                dwa, 0, hid);
        }
        return new Tensor[] {sv.needsGrad(0) ? dG : null, sv.needsGrad(1) ? dhT.t().contiguous() : null,
            sv.needsGrad(2) ? dc : null, dW};
    }

    /** {@code C = op(A)·op(B) (+ C when accumulate)} on float[] or double[] arrays. */
    private static void gemm(DType dt, boolean ta, boolean tb, int m, int n, int k, Object a, int ao, int lda,
                             Object b, int bo, int ldb, boolean accumulate, Object c, int co, int ldc) {
        if (dt == DType.FLOAT32)
            Gemm.sgemm(ta, tb, m, n, k, 1f, (float[]) a, ao, lda, (float[]) b, bo, ldb, accumulate ? 1f : 0f, (float[]) c, co, ldc);
        else
            Gemm.dgemm(ta, tb, m, n, k, 1.0, (double[]) a, ao, lda, (double[]) b, bo, ldb, accumulate ? 1.0 : 0.0, (double[]) c, co, ldc);
    }

    // ------------------------------------------------------------------ one batch row of one step

    /**
     * Gates {@code a[ao..ao+4H)} (pre-activations i, f, g, o, replaced by their activations), the
     * previous cell state at {@code cp[cpo..]}; writes c_t to {@code cs[ho..]}, tanh(c_t) to
     * {@code tc[ho..]} and h_t to {@code h[ho..]}.
     */
    private static void forwardRow(float[] a, int ao, float[] cp, int cpo, float[] cs, float[] tc, float[] h, int ho, int hid) {
        if (Simd.AVAILABLE) LstmGates.gates(a, ao, hid);
        else
            for (int j = 0; j < 4 * hid; j++)
                a[ao + j] = (float) (j / hid == 2 ? Math.tanh(a[ao + j]) : Unary.SIGMOID.apply(a[ao + j], 0, 0));
        for (int j = 0; j < hid; j++) cs[ho + j] = a[ao + hid + j] * cp[cpo + j] + a[ao + j] * a[ao + 2 * hid + j];
        if (Simd.AVAILABLE) LstmGates.tanh(cs, ho, tc, ho, hid);
        else for (int j = 0; j < hid; j++) tc[ho + j] = (float) Math.tanh(cs[ho + j]);
        for (int j = 0; j < hid; j++) h[ho + j] = a[ao + 3 * hid + j] * tc[ho + j];
    }

    private static void forwardRow(double[] a, int ao, double[] cp, int cpo, double[] cs, double[] tc, double[] h, int ho, int hid) {
        for (int j = 0; j < 4 * hid; j++)
            a[ao + j] = j / hid == 2 ? Math.tanh(a[ao + j]) : Unary.SIGMOID.apply(a[ao + j], 0, 0);
        for (int j = 0; j < hid; j++) {
            double c = a[ao + hid + j] * cp[cpo + j] + a[ao + j] * a[ao + 2 * hid + j], t = Math.tanh(c);
            cs[ho + j] = c;
            tc[ho + j] = t;
            h[ho + j] = a[ao + 3 * hid + j] * t;
        }
    }

    /**
     * The reverse of {@link #forwardRow}: from the activations {@code a[ao..]}, c_{t-1} at
     * {@code cp[cpo..]}, tanh(c_t) at {@code tc[to..]}, h_t's whole gradient {@code dh[dho..]} (the
     * output's plus the recurrent one) and the cell state's gradient {@code dc[dho..]} (replaced by
     * c_{t-1}'s), writes the pre-activation gate gradients to {@code dg[ao..ao+4H)}.
     */
    private static void backwardRow(float[] a, int ao, float[] cp, int cpo, float[] tc, int to,
                                    float[] dh, int dho, float[] dc, float[] dg, int hid) {
        for (int j = 0; j < hid; j++) {
            float i = a[ao + j], f = a[ao + hid + j], g = a[ao + 2 * hid + j], o = a[ao + 3 * hid + j], t = tc[to + j];
            float d = dh[dho + j];
            float c = dc[dho + j] + d * o * (1f - t * t);
            dg[ao + j] = c * g * i * (1f - i);
            dg[ao + hid + j] = c * cp[cpo + j] * f * (1f - f);
            dg[ao + 2 * hid + j] = c * i * (1f - g * g);
            dg[ao + 3 * hid + j] = d * t * o * (1f - o);
            dc[dho + j] = c * f;
        }
    }

    private static void backwardRow(double[] a, int ao, double[] cp, int cpo, double[] tc, int to,
                                    double[] dh, int dho, double[] dc, double[] dg, int hid) {
        for (int j = 0; j < hid; j++) {
            double i = a[ao + j], f = a[ao + hid + j], g = a[ao + 2 * hid + j], o = a[ao + 3 * hid + j], t = tc[to + j];
            double d = dh[dho + j];
            double c = dc[dho + j] + d * o * (1 - t * t);
            dg[ao + j] = c * g * i * (1 - i);
            dg[ao + hid + j] = c * cp[cpo + j] * f * (1 - f);
            dg[ao + 2 * hid + j] = c * i * (1 - g * g);
            dg[ao + 3 * hid + j] = d * t * o * (1 - o);
            dc[dho + j] = c * f;
        }
    }

    // ------------------------------------------------------------------ createGraph

    /**
     * The backward under {@code createGraph}: the forward recomputed with recorded ops from the
     * saved inputs, then the recurrence of {@link #backwardRow} in differentiable tensor ops.
     */
    private static Tensor[] composite(Saved sv, Tensor gp, boolean reverse) {
        Tensor xp = sv.input(0), h = sv.input(1), c = sv.input(2), w = sv.input(3);
        int seq = xp.size(0), hid = w.size(1);
        Tensor[] hPrev = new Tensor[seq], cPrev = new Tensor[seq], gates = new Tensor[seq], tc = new Tensor[seq];
        for (int s = 0; s < seq; s++) {
            int t = reverse ? seq - 1 - s : s;
            hPrev[t] = h;
            cPrev[t] = c;
            Tensor pre = xp.select(0, t).add(h.matmul(w.t()));
            Tensor i = pre.narrow(1, 0, hid).sigmoid(), f = pre.narrow(1, hid, hid).sigmoid();
            Tensor g = pre.narrow(1, 2 * hid, hid).tanh(), o = pre.narrow(1, 3 * hid, hid).sigmoid();
            gates[t] = Tensor.cat(1, i, f, g, o);
            c = f.mul(c).add(i.mul(g));
            tc[t] = c.tanh();
            h = o.mul(tc[t]);
        }
        Tensor dh = null, dc = gp.select(0, seq), dW = null;
        Tensor[] dG = new Tensor[seq];
        for (int s = seq - 1; s >= 0; s--) {
            int t = reverse ? seq - 1 - s : s;
            Tensor a = gates[t], i = a.narrow(1, 0, hid), f = a.narrow(1, hid, hid), g = a.narrow(1, 2 * hid, hid),
                o = a.narrow(1, 3 * hid, hid), tt = tc[t];
            Tensor d = dh == null ? gp.select(0, t) : gp.select(0, t).add(dh);
            Tensor cg = dc.add(d.mul(o).mul(tt.mul(tt).neg().add(1.0)));
            dG[t] = Tensor.cat(1, cg.mul(g).mul(i.mul(i.neg().add(1.0))), cg.mul(cPrev[t]).mul(f.mul(f.neg().add(1.0))),
                cg.mul(i).mul(g.mul(g).neg().add(1.0)), d.mul(tt).mul(o.mul(o.neg().add(1.0))));
            dc = cg.mul(f);
            dh = dG[t].matmul(w);
            Tensor dWt = dG[t].t().matmul(hPrev[t]);
            dW = dW == null ? dWt : dW.add(dWt);
        }
        return new Tensor[] {Tensor.stack(0, dG), dh, dc, dW};
    }
}
