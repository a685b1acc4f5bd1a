package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.backend.Parallel;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * Layer normalisation as PyTorch's {@code nn.LayerNorm}: each input is normalised over its last
 * {@code normalizedShape.length} dimensions (which must equal {@code normalizedShape}),
 * {@code y = (x - mean) / √(var + eps) · weight + bias} with the biased variance; with
 * {@code elementwiseAffine} (the default) {@code weight} (ones) and {@code bias} (zeros) have
 * shape {@code normalizedShape}. The same in training and evaluation.
 */
public class LayerNorm extends Layer {
    private final int[] normalizedShape;
    public final double eps;
    public final boolean elementwiseAffine;
    /** Shape {@code normalizedShape}, or null without {@code elementwiseAffine}. */
    public final Tensor weight, bias;

    public LayerNorm(int... normalizedShape) { this(normalizedShape, 1e-5, true, DType.FLOAT32); }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        this(normalizedShape, eps, elementwiseAffine, DType.FLOAT32);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, DType dtype) {
        if (normalizedShape == null || normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d <= 0))
            throw new IllegalArgumentException("LayerNorm: normalizedShape must be non-empty with positive sizes, got "
                + (normalizedShape == null ? "null" : Arrays.toString(normalizedShape)));
        if (!(eps > 0)) throw new IllegalArgumentException("LayerNorm: eps must be positive, got " + eps);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.elementwiseAffine = elementwiseAffine;
        this.weight = registerParameter("weight", elementwiseAffine ? Tensor.ones(dtype, normalizedShape) : null);
        this.bias = registerParameter("bias", elementwiseAffine ? Tensor.zeros(dtype, normalizedShape) : null);
    }

    public int[] normalizedShape() { return normalizedShape.clone(); }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length, r = x.ndim();
        boolean ok = r >= k;
        for (int i = 0; ok && i < k; i++) ok = x.size(r - k + i) == normalizedShape[i];
        if (!ok)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected input whose last " + k
                + (k == 1 ? " dimension is " : " dimensions are ") + Shapes.format(normalizedShape) + ", got shape " + Shapes.format(x.shape()));
        if (!x.dtype().isFloatingPoint() || x.dtype() != (weight == null ? x.dtype() : weight.dtype()))
            return composite(x, weight, bias, k, eps);
        return normalize(x, weight, bias, k, eps);
    }

    /** The normalisation as differentiable tensor ops over the last {@code k} dimensions (the reference). */
    private static Tensor composite(Tensor x, Tensor weight, Tensor bias, int k, double eps) {
        int[] dims = lastDims(x, k);
        Tensor mean = x.mean(dims, true), var = x.var(dims, 0, true);
        Tensor y = x.sub(mean).mul(var.add(eps).rsqrt());
        return weight != null ? y.mul(weight).add(bias) : y;
    }

    private static int[] lastDims(Tensor x, int k) {
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = x.ndim() - k + i;
        return dims;
    }

    /**
     * The normalisation as one recorded op: one pass per row forward (mean and variance in double,
     * kept for backward) and one backward pass per row, {@code dx = rstd·(gw - mean(gw) - x̂·mean(gw·x̂))}
     * with {@code gw = g·weight}, gathering the weight and bias gradients on the way. Under
     * {@code createGraph} the backward is the same formula in differentiable tensor ops.
     */
    private static Tensor normalize(Tensor x, Tensor weight, Tensor bias, int k, double eps) {
        Tensor xc = x.contiguous();
        int d = 1;
        for (int i = 0; i < k; i++) d *= x.size(x.ndim() - k + i);
        int rows = d == 0 ? 0 : x.numel() / d, xo = xc.offset(), dd = d;
        double[] mean = new double[rows], rstd = new double[rows];
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        Object xa = xc.storage().array(), oa = out.storage().array();
        Object wa = weight == null ? null : weight.contiguous().storage().array(), ba = bias == null ? null : bias.contiguous().storage().array();
        Parallel.forRange(rows, Math.max(1, (1 << 14) / Math.max(d, 1)), (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                int xi = xo + i * dd, oi = i * dd;
                double m = 0, v = 0;
                if (xa instanceof float[] xf) {
                    for (int j = 0; j < dd; j++) m += xf[xi + j];
                    m /= dd;
                    for (int j = 0; j < dd; j++) { double c = xf[xi + j] - m; v += c * c; }
                    float mf = (float) m, rf = (float) (1 / Math.sqrt(v / dd + eps));
                    float[] of = (float[]) oa;
                    if (wa == null) for (int j = 0; j < dd; j++) of[oi + j] = (xf[xi + j] - mf) * rf;
                    else {
                        float[] wf = (float[]) wa, bf = (float[]) ba;
                        for (int j = 0; j < dd; j++) of[oi + j] = (xf[xi + j] - mf) * rf * wf[j] + bf[j];
                    }
                    v = 1 / Math.sqrt(v / dd + eps);
                } else {
                    double[] xd = (double[]) xa, od = (double[]) oa;
                    for (int j = 0; j < dd; j++) m += xd[xi + j];
                    m /= dd;
                    for (int j = 0; j < dd; j++) { double c = xd[xi + j] - m; v += c * c; }
                    v = 1 / Math.sqrt(v / dd + eps);
                    for (int j = 0; j < dd; j++)
                        od[oi + j] = wa == null ? (xd[xi + j] - m) * v : (xd[xi + j] - m) * v * ((double[]) wa)[j] + ((double[]) ba)[j];
                }
                mean[i] = m;
                rstd[i] = v;
            }
        });
        if (!Graph.recording(x, weight, bias)) return out;
        return Graph.record("layerNorm", out, (s, g) -> {
            Tensor xs = s.input(0), w = weight == null ? null : s.input(1);
            if (Autograd.isGradEnabled()) {
                int[] dims = lastDims(xs, k);
                Tensor mu = xs.mean(dims, true), r = xs.var(dims, 0, true).add(eps).rsqrt();
                Tensor xhat = xs.sub(mu).mul(r), gw = w == null ? g : g.mul(w);
                Tensor dx = gw.sub(gw.mean(dims, true)).sub(xhat.mul(gw.mul(xhat).mean(dims, true))).mul(r);
                return new Tensor[] {s.needsGrad(0) ? dx : null,
                    w != null && s.needsGrad(1) ? Graph.sumTo(g.mul(xhat), w.shape()) : null,
                    w != null && s.needsGrad(2) ? Graph.sumTo(g, w.shape()) : null};
            }
            return backward(xs.contiguous(), g.contiguous(), w, mean, rstd, dd, s.needsGrad(0), w != null && s.needsGrad(1),
                w != null && s.needsGrad(2));
        }, Saves.INPUTS, x, weight, bias);
    }

    /** The one-pass backward of {@link #normalize}: {dx, dweight, dbias} (null where not asked for). */
    private static Tensor[] backward(Tensor x, Tensor g, Tensor weight, double[] mean, double[] rstd, int d,
                                     boolean wantX, boolean wantW, boolean wantB) {
        int rows = mean.length, xo = x.offset(), go = g.offset();
        Tensor dx = Tensor.empty(x.dtype(), x.shape());
        double[] dw = new double[d], db = new double[d];
        Object xa = x.storage().array(), ga = g.storage().array(), oa = dx.storage().array();
        Object wa = weight == null ? null : weight.contiguous().storage().array();
        Parallel.forRange(rows, Math.max(1, (1 << 13) / Math.max(d, 1)), (r0, r1) -> {
            double[] pw = new double[d], pb = new double[d];
            for (int i = r0; i < r1; i++) {
                int xi = xo + i * d, gi = go + i * d, oi = i * d;
                double m = mean[i], r = rstd[i], sg = 0, sgx = 0;
                if (xa instanceof float[] xf) {
                    float[] gf = (float[]) ga, of = (float[]) oa, wf = (float[]) wa;
                    for (int j = 0; j < d; j++) {
                        double xh = (xf[xi + j] - m) * r, gw = wf == null ? gf[gi + j] : gf[gi + j] * wf[j];
                        sg += gw;
                        sgx += gw * xh;
                        pw[j] += gf[gi + j] * xh;
                        pb[j] += gf[gi + j];
                    }
                    double a = sg / d, b = sgx / d;
                    if (wantX) for (int j = 0; j < d; j++) {
                        double xh = (xf[xi + j] - m) * r, gw = wf == null ? gf[gi + j] : gf[gi + j] * wf[j];
                        of[oi + j] = (float) (r * (gw - a - xh * b));
                    }
                } else {
                    double[] xd = (double[]) xa, gd = (double[]) ga, od = (double[]) oa, wd = (double[]) wa;
                    for (int j = 0; j < d; j++) {
                        double xh = (xd[xi + j] - m) * r, gw = wd == null ? gd[gi + j] : gd[gi + j] * wd[j];
                        sg += gw;
                        sgx += gw * xh;
                        pw[j] += gd[gi + j] * xh;
                        pb[j] += gd[gi + j];
                    }
                    double a = sg / d, b = sgx / d;
                    if (wantX) for (int j = 0; j < d; j++) {
                        double xh = (xd[xi + j] - m) * r, gw = wd == null ? gd[gi + j] : gd[gi + j] * wd[j];
                        od[oi + j] = r * (gw - a - xh * b);
                    }
                }
            }
            synchronized (dw) {
                for (int j = 0; j < d; j++) { dw[j] += pw[j]; db[j] += pb[j]; }
            }
        });
        Tensor gW = null, gB = null;
        if (wantW || wantB) {
            int[] ws = weight.shape();
            gW = wantW ? Tensor.of(dw, ws).to(x.dtype()) : null;
            gB = wantB ? Tensor.of(db, ws).to(x.dtype()) : null;
        }
        return new Tensor[] {wantX ? dx : null, gW, gB};
    }

    @Override
    protected String extraRepr() {
        return Shapes.format(normalizedShape) + ", eps=" + eps + ", elementwiseAffine=" + elementwiseAffine;
    }
}
