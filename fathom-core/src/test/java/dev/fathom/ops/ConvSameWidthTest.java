package dev.fathom.ops;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Stride-1 convolutions whose output is as wide as their input unfold and fold each patch row as
 * one flat run of the plane ({@code Im2col}'s flat case). Forward, input gradient and weight
 * gradient are checked against float64 references taken straight from the definition, in float32
 * and float64, over kernel sizes, dilations, symmetric and asymmetric ("same" with an even
 * kernel) padding, images narrower or shorter than the kernel (patch rows entirely in the
 * padding), batch 1 and non-contiguous inputs; plus shapes next to the flat case (wider padding,
 * stride 2) that take the general path. Patch matrices of at most 9 rows (1×1 and 3×1 kernels on 3
 * channels, the workload's 1-channel first layer) also take the direct float32 weight-gradient
 * kernel ({@code DirectConv.dotRows}), with tails in both its row blocks and its vector loop.
 */
class ConvSameWidthTest {
    /** One configuration: pad4 = {top, left, bottom, right}. */
    private record Cfg(int n, int c, int o, int h, int w, int kh, int kw, int d, int[] pad4, int stride) {
        int oh() { return (h + pad4[0] + pad4[2] - d * (kh - 1) - 1) / stride + 1; }
        int ow() { return (w + pad4[1] + pad4[3] - d * (kw - 1) - 1) / stride + 1; }
        @Override public String toString() {
            return "n" + n + " c" + c + " o" + o + " " + h + "x" + w + " k" + kh + "x" + kw + " d" + d
                + " pad" + java.util.Arrays.toString(pad4) + " s" + stride;
        }
    }

    /** Runs the convolution: symmetric padding as integers, asymmetric as "same". */
    private static Tensor conv(Cfg c, Tensor x, Tensor w, Tensor b) {
        int[] s = {c.stride, c.stride}, dl = {c.d, c.d};
        boolean symmetric = c.pad4[0] == c.pad4[2] && c.pad4[1] == c.pad4[3];
        return symmetric ? Conv.conv2d(x, w, b, s, new int[] {c.pad4[0], c.pad4[1]}, dl, 1) : Conv.conv2d(x, w, b, s, "same", dl, 1);
    }

    /** Input and weight gradients of {@code <conv(x, w), gy>} from the definition. */
    private static double[][] refGrads(Cfg c, double[] x, double[] w, double[] gy) {
        int OH = c.oh(), OW = c.ow();
        double[] gx = new double[x.length], gw = new double[w.length];
        for (int n = 0; n < c.n; n++)
            for (int o = 0; o < c.o; o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        double g = gy[((n * c.o + o) * OH + oh) * OW + ow];
                        for (int ch = 0; ch < c.c; ch++)
                            for (int a = 0; a < c.kh; a++)
                                for (int b = 0; b < c.kw; b++) {
                                    int ih = oh * c.stride - c.pad4[0] + a * c.d, iw = ow * c.stride - c.pad4[1] + b * c.d;
                                    if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
                                    int xi = ((n * c.c + ch) * c.h + ih) * c.w + iw, wi = ((o * c.c + ch) * c.kh + a) * c.kw + b;
                                    gx[xi] += g * w[wi];
                                    gw[wi] += g * x[xi];
                                }
                    }
        return new double[][] {gx, gw};
    }

    private static java.util.List<Cfg> configs() {
        java.util.List<Cfg> out = new java.util.ArrayList<>();
        int[][] images = {{7, 13}, {1, 5}, {2, 2}, {5, 1}, {3, 4}, {14, 14}};
        int[][] kernels = {{3, 3}, {1, 1}, {5, 5}, {3, 1}, {2, 4}};
        for (int[] im : images)
            for (int[] k : kernels)
                for (int d : new int[] {1, 2}) {
                    int th = d * (k[0] - 1), tw = d * (k[1] - 1);
                    // "same": the flat case (even extents pad one more at the bottom/right)
                    out.add(new Cfg(2, 3, 4, im[0], im[1], k[0], k[1], d, new int[] {th / 2, tw / 2, th - th / 2, tw - tw / 2}, 1));
                    // one more column of padding each side (output wider than input) and stride 2: general path
                    if (th % 2 == 0 && tw % 2 == 0) {
                        out.add(new Cfg(1, 2, 3, im[0], im[1], k[0], k[1], d, new int[] {th / 2, tw / 2 + 1, th / 2, tw / 2 + 1}, 1));
                        out.add(new Cfg(1, 2, 3, im[0], im[1], k[0], k[1], d, new int[] {th / 2, tw / 2, th / 2, tw / 2}, 2));
                    }
                }
        // the cnn workload's two layers, batch 1
        out.add(new Cfg(1, 1, 8, 28, 28, 3, 3, 1, new int[] {1, 1, 1, 1}, 1));
        out.add(new Cfg(1, 5, 6, 14, 14, 3, 3, 1, new int[] {1, 1, 1, 1}, 1));
        return out;
    }

    @Test
    void forwardAndGradientsMatchDefinition() {
        Random r = new Random(31);
        int checked = 0;
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = t == DType.FLOAT32 ? 2e-5 : 1e-12;
            for (Cfg c : configs()) {
                if (c.oh() < 1 || c.ow() < 1) continue;
                Tensor x = ConvRef.rand(r, t, c.n, c.c, c.h, c.w).requiresGrad(true);
                Tensor w = ConvRef.rand(r, t, c.o, c.c, c.kh, c.kw).requiresGrad(true);
                Tensor b = ConvRef.rand(r, t, c.o);
                int[] os = new int[4];
                double[] ref = ConvRef.conv2d(x.toDoubleArray(), x.shape(), w.toDoubleArray(), w.shape(), b.toDoubleArray(),
                    new int[] {c.stride, c.stride}, c.pad4, new int[] {c.d, c.d}, 1, os);
                Tensor y = conv(c, x, w, b);
                assertArrayEquals(os, y.shape(), c.toString());
                ConvRef.assertClose(ref, y, tol, c + " " + t + " forward");
                Tensor gy = ConvRef.rand(r, t, y.shape());
                y.backward(gy);
                double[][] g = refGrads(c, x.toDoubleArray(), w.toDoubleArray(), gy.toDoubleArray());
                ConvRef.assertClose(g[0], x.grad(), tol, c + " " + t + " input gradient");
                ConvRef.assertClose(g[1], w.grad(), tol, c + " " + t + " weight gradient");
                checked++;
            }
        }
        assertTrue(checked > 100, "" + checked);
    }

    @Test
    void nonContiguousInputMatchesContiguous() {
        Random r = new Random(32);
        Tensor base = ConvRef.rand(r, DType.FLOAT32, 9, 3, 2, 6);   // [W, C, N, H] permuted to [N, C, H, W]
        Tensor x = base.permute(2, 1, 3, 0), w = ConvRef.rand(r, DType.FLOAT32, 4, 3, 3, 3);
        int[] one = {1, 1};
        Tensor y = Conv.conv2d(x, w, null, one, one, one, 1), yc = Conv.conv2d(x.contiguous(), w, null, one, one, one, 1);
        assertArrayEquals(yc.toFloatArray(), y.toFloatArray());
    }

    @Test
    void float64GradcheckOfFirstAndSecondOrder() {
        Random r = new Random(33);
        Tensor x = ConvRef.rand(r, DType.FLOAT64, 2, 2, 4, 5).requiresGrad(true);
        Tensor w = ConvRef.rand(r, DType.FLOAT64, 3, 2, 3, 3).requiresGrad(true);
        Tensor we = ConvRef.rand(r, DType.FLOAT64, 3, 2, 2, 2).requiresGrad(true);
        int[] one = {1, 1};
        GradCheck.Report a = GradCheck.check(in -> Conv.conv2d(in[0], in[1], null, one, one, one, 1), x, w);
        assertTrue(a.passed(), a.toString());
        GradCheck.Report b = GradCheck.checkSecondOrder(in -> Conv.conv2d(in[0], in[1], null, one, "same", new int[] {2, 2}, 1), x, we);
        assertTrue(b.passed(), b.toString());
    }
}
