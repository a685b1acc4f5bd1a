package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

import java.util.Random;

/** Obviously-correct reference loops (double precision) and helpers shared by the convolution and pooling tests. */
final class ConvRef {
    private ConvRef() {}

    static Tensor rand(Random r, DType t, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = r.nextDouble() * 2 - 1;
        return Tensor.of(d, shape).to(t);
    }

    /**
     * Direct 2-d cross-correlation of {@code x [N, C, H, W]} with {@code w [O, C/groups, kH, kW]},
     * padding {@code (top, left, bottom, right)}: 7 nested loops over the definition.
     */
    static double[] conv2d(double[] x, int[] xs, double[] w, int[] ws, double[] bias, int[] stride, int[] pad4,
                           int[] dil, int groups, int[] outShapeOut) {
        int N = xs[0], C = xs[1], H = xs[2], W = xs[3], O = ws[0], cg = ws[1], kH = ws[2], kW = ws[3];
        int OH = (H + pad4[0] + pad4[2] - dil[0] * (kH - 1) - 1) / stride[0] + 1;
        int OW = (W + pad4[1] + pad4[3] - dil[1] * (kW - 1) - 1) / stride[1] + 1;
        int og = O / groups;
        outShapeOut[0] = N; outShapeOut[1] = O; outShapeOut[2] = OH; outShapeOut[3] = OW;
        double[] y = new double[N * O * OH * OW];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        double acc = bias == null ? 0 : bias[o];
                        int g = o / og;
                        for (int c = 0; c < cg; c++)
                            for (int kh = 0; kh < kH; kh++)
                                for (int kw = 0; kw < kW; kw++) {
                                    int ih = oh * stride[0] - pad4[0] + kh * dil[0];
                                    int iw = ow * stride[1] - pad4[1] + kw * dil[1];
                                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                    int ci = g * cg + c;
                                    acc += x[((n * C + ci) * H + ih) * W + iw] * w[((o * cg + c) * kH + kh) * kW + kw];
                                }
                        y[((n * O + o) * OH + oh) * OW + ow] = acc;
                    }
        return y;
    }

    /**
     * Scatter-style transposed convolution: every input element adds {@code x * w} to each output
     * position its kernel touches. {@code w [C, O/groups, kH, kW]}.
     */
    static double[] convTranspose2d(double[] x, int[] xs, double[] w, int[] ws, double[] bias, int[] stride, int[] pad,
                                    int[] outPad, int[] dil, int groups, int[] outShapeOut) {
        int N = xs[0], C = xs[1], H = xs[2], W = xs[3], og = ws[1], kH = ws[2], kW = ws[3];
        int O = og * groups, cg = C / groups;
        int OH = (H - 1) * stride[0] - 2 * pad[0] + dil[0] * (kH - 1) + outPad[0] + 1;
        int OW = (W - 1) * stride[1] - 2 * pad[1] + dil[1] * (kW - 1) + outPad[1] + 1;
        outShapeOut[0] = N; outShapeOut[1] = O; outShapeOut[2] = OH; outShapeOut[3] = OW;
        double[] y = new double[N * O * OH * OW];
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
                for (int ih = 0; ih < H; ih++)
                    for (int iw = 0; iw < W; iw++) {
                        double v = x[((n * C + c) * H + ih) * W + iw];
                        int g = c / cg;
                        for (int oc = 0; oc < og; oc++)
                            for (int kh = 0; kh < kH; kh++)
                                for (int kw = 0; kw < kW; kw++) {
                                    int oh = ih * stride[0] - pad[0] + kh * dil[0];
                                    int ow = iw * stride[1] - pad[1] + kw * dil[1];
                                    if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                                    y[((n * O + g * og + oc) * OH + oh) * OW + ow] += v * w[((c * og + oc) * kH + kh) * kW + kw];
                                }
                    }
        if (bias != null)
            for (int n = 0; n < N; n++)
                for (int o = 0; o < O; o++)
                    for (int i = 0; i < OH * OW; i++) y[(n * O + o) * OH * OW + i] += bias[o];
        return y;
    }

    static void assertClose(double[] expected, Tensor actual, double tol, String what) {
        double[] a = actual.toDoubleArray();
        if (a.length != expected.length)
            throw new AssertionError(what + ": length " + a.length + " != expected " + expected.length);
        for (int i = 0; i < a.length; i++) {
            double e = expected[i];
            if (!(Math.abs(a[i] - e) <= tol * (1 + Math.abs(e))))
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + e);
        }
    }

    static double dot(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        double s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }
}
