package dev.fathom.autograd;

import dev.fathom.ops.Conv;
import dev.fathom.ops.Pool;
import dev.fathom.ops.PoolResult;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** Gradients of convolution and pooling: gradchecks over the option variants, second order, and hand-computed values. */
class ConvPoolGradTest {
    static Tensor leaf(Generator g, int... shape) { return Tensor.randn(g, DType.FLOAT64, shape).requiresGrad(true); }

    static void check(String what, Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.Report r = GradCheck.check(f, in);
        assertTrue(r.passed(), what + ": " + r);
    }

    static void checkSecond(String what, Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.Report r = GradCheck.checkSecondOrder(f, in);
        assertTrue(r.passed(), what + ": " + r);
    }

    static int[] p2(int v) { return new int[] {v, v}; }

    // ------------------------------------------------------------------ convolution

    @Test
    void conv2dStridePaddingBias() {
        Generator g = new Generator(1);
        Tensor x = leaf(g, 2, 3, 5, 5), w = leaf(g, 4, 3, 3, 3), b = leaf(g, 4);
        for (int s : new int[] {1, 2})
            for (int p : new int[] {0, 1}) {
                check("conv2d stride " + s + " padding " + p + " bias",
                    in -> Conv.conv2d(in[0], in[1], in[2], p2(s), p2(p), p2(1), 1), x, w, b);
                check("conv2d stride " + s + " padding " + p + " no bias",
                    in -> Conv.conv2d(in[0], in[1], null, p2(s), p2(p), p2(1), 1), x, w);
            }
    }

    @Test
    void conv2dDilationGroupsSameValid() {
        Generator g = new Generator(2);
        Tensor x = leaf(g, 2, 4, 6, 5), b = leaf(g, 4);
        Tensor w = leaf(g, 4, 4, 3, 2), wg = leaf(g, 4, 2, 3, 3), we = leaf(g, 2, 4, 2, 4);
        check("conv2d dilation 2", in -> Conv.conv2d(in[0], in[1], in[2], new int[] {1, 2}, p2(1), p2(2), 1), x, w, b);
        check("conv2d groups 2", in -> Conv.conv2d(in[0], in[1], in[2], p2(2), p2(1), p2(1), 2), x, wg, b);
        // even kernels under "same" pad one more row/column at the bottom/right: asymmetric padding
        check("conv2d same, even kernel", in -> Conv.conv2d(in[0], in[1], null, p2(1), "same", p2(1), 1), x, we);
        check("conv2d same, dilation 2", in -> Conv.conv2d(in[0], in[1], in[2], p2(1), "same", p2(2), 1), x, w, b);
        check("conv2d valid", in -> Conv.conv2d(in[0], in[1], null, p2(1), "valid", p2(1), 2), x, wg);
    }

    @Test
    void conv2dStridedInputsAndUnbatched() {
        Generator g = new Generator(3);
        Tensor xt = leaf(g, 5, 3, 2, 4), w = leaf(g, 2, 3, 2, 2), wt = leaf(g, 3, 2, 2, 2), b = leaf(g, 2);
        // [2, 3, 4, 5] from a transposed leaf, and a transposed weight
        check("conv2d transposed input", in -> Conv.conv2d(in[0].permute(2, 1, 3, 0), in[1], in[2], p2(2), p2(1), p2(1), 1),
            xt, w, b);
        check("conv2d transposed weight", in -> Conv.conv2d(in[0].permute(2, 1, 3, 0), in[1].transpose(0, 1), null, p2(1),
            p2(0), p2(1), 1), xt, wt);
        Tensor xu = leaf(g, 3, 4, 4);
        check("conv2d unbatched", in -> Conv.conv2d(in[0], in[1], in[2], p2(1), "same", p2(1), 1), xu, w, b);
    }

    @Test
    void conv1dVariants() {
        Generator g = new Generator(4);
        Tensor x = leaf(g, 2, 4, 7), w = leaf(g, 4, 4, 3), wg = leaf(g, 6, 2, 3), we = leaf(g, 3, 4, 4), b = leaf(g, 4);
        Tensor b6 = leaf(g, 6);
        for (int s : new int[] {1, 2})
            for (int p : new int[] {0, 1}) {
                check("conv1d stride " + s + " padding " + p, in -> Conv.conv1d(in[0], in[1], in[2], s, p, 1, 1), x, w, b);
                check("conv1d stride " + s + " padding " + p + " no bias",
                    in -> Conv.conv1d(in[0], in[1], null, s, p, 1, 1), x, w);
            }
        check("conv1d dilation 2", in -> Conv.conv1d(in[0], in[1], in[2], 1, 2, 2, 1), x, w, b);
        check("conv1d groups 2", in -> Conv.conv1d(in[0], in[1], in[2], 2, 1, 1, 2), x, wg, b6);
        check("conv1d same, even kernel", in -> Conv.conv1d(in[0], in[1], null, 1, "same", 1, 1), x, we);
        check("conv1d same, dilation 2", in -> Conv.conv1d(in[0], in[1], in[2], 1, "same", 2, 1), x, w, b);
        check("conv1d valid", in -> Conv.conv1d(in[0], in[1], null, 1, "valid", 2, 1), x, w);
        Tensor xt = leaf(g, 7, 4, 2);
        check("conv1d transposed input", in -> Conv.conv1d(in[0].permute(2, 1, 0), in[1], in[2], 2, 1, 1, 1), xt, w, b);
        check("conv1d unbatched", in -> Conv.conv1d(in[0].select(0, 1), in[1], in[2], 1, 1, 1, 1), x, w, b);
    }

    @Test
    void convTransposeVariants() {
        Generator g = new Generator(5);
        Tensor x = leaf(g, 2, 4, 3, 3), w = leaf(g, 4, 3, 3, 3), wg = leaf(g, 4, 2, 3, 2), b = leaf(g, 3), b4 = leaf(g, 4);
        check("convTranspose2d stride 2 outputPadding 1",
            in -> Conv.convTranspose2d(in[0], in[1], in[2], p2(2), p2(1), p2(1), 1, p2(1)), x, w, b);
        check("convTranspose2d groups 2 no bias",
            in -> Conv.convTranspose2d(in[0], in[1], null, new int[] {2, 1}, new int[] {0, 1}, new int[] {1, 0}, 2, p2(1)),
            x, wg);
        check("convTranspose2d groups 2 dilation 2",
            in -> Conv.convTranspose2d(in[0], in[1], in[2], p2(2), p2(1), p2(1), 2, p2(2)), x, wg, b4);
        check("convTranspose2d transposed input",
            in -> Conv.convTranspose2d(in[0].transpose(2, 3), in[1], in[2], p2(1), p2(0), p2(0), 1, p2(1)), x, w, b);

        Tensor x1 = leaf(g, 2, 4, 4), w1 = leaf(g, 4, 3, 3), w1g = leaf(g, 4, 1, 3), b1 = leaf(g, 3), b2 = leaf(g, 2);
        check("convTranspose1d stride 2 outputPadding 1",
            in -> Conv.convTranspose1d(in[0], in[1], in[2], 2, 1, 1, 1, 1), x1, w1, b1);
        check("convTranspose1d groups 2 dilation 2",
            in -> Conv.convTranspose1d(in[0], in[1], in[2], 2, 0, 1, 2, 2), x1, w1g, b2);
        check("convTranspose1d unbatched", in -> Conv.convTranspose1d(in[0].select(0, 0), in[1], null, 1, 1, 0, 1, 1), x1, w1);
    }

    @Test
    void secondOrderConv() {
        Generator g = new Generator(6);
        Tensor x = leaf(g, 1, 2, 4, 4), w = leaf(g, 2, 2, 3, 3), wg = leaf(g, 4, 1, 2, 2), b = leaf(g, 2), b4 = leaf(g, 4);
        checkSecond("conv2d", in -> Conv.conv2d(in[0], in[1], in[2], p2(2), p2(1), p2(1), 1), x, w, b);
        checkSecond("conv2d groups 2 dilation 2 same",
            in -> Conv.conv2d(in[0], in[1], in[2], p2(1), "same", p2(2), 2), x, wg, b4);
        checkSecond("conv2d then tanh", in -> Conv.conv2d(in[0], in[1], null, p2(1), p2(1), p2(1), 1).tanh(), x, w);
        Tensor xt = leaf(g, 1, 2, 3, 3), wt = leaf(g, 2, 2, 3, 3);
        checkSecond("convTranspose2d", in -> Conv.convTranspose2d(in[0], in[1], in[2], p2(2), p2(1), p2(1), 1, p2(1)),
            xt, wt, b);
        checkSecond("convTranspose2d groups 2 then square",
            in -> Conv.convTranspose2d(in[0], in[1], null, p2(2), p2(0), p2(1), 2, p2(1)).pow(2L), xt, wt);
        // a gradient penalty: the norm of d(sum(conv(x)²))/dx, differentiated again through the weight
        check("gradient penalty", in -> {
            try (Scope ignored = Autograd.enableGrad()) { // also while the differences are taken under noGrad
                Tensor y = Conv.conv2d(in[0], in[1], null, p2(1), p2(1), p2(1), 1);
                return Autograd.grad(y.pow(2L).sum(), in[0], true).pow(2L).sum();
            }
        }, x, w);
    }

    @Test
    void conv1dByHand() {
        // y = [x0 - x1, x1 - x2, x2 - x3] + b; loss = y · [1, 2, 3]
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 1, 1, 4).requiresGrad(true);
        Tensor w = Tensor.of(new double[] {1, -1}, 1, 1, 2).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {0.5}, 1).requiresGrad(true);
        Tensor y = Conv.conv1d(x, w, b, 1, 0, 1, 1);
        assertArrayEquals(new double[] {-0.5, -0.5, -0.5}, y.toDoubleArray());
        y.mul(Tensor.of(new double[] {1, 2, 3}, 1, 1, 3)).sum().backward();
        assertArrayEquals(new double[] {1, 1, 1, -3}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {1 + 4 + 9, 2 + 6 + 12}, w.grad().toDoubleArray()); // Σ g_i x_i, Σ g_i x_{i+1}
        assertArrayEquals(new double[] {6}, b.grad().toDoubleArray());
    }

    @Test
    void weightGradientOverASplitBatchEqualsTheSumOverImages() {
        // batch 8 takes the batch-parallel path with one partial weight gradient per chunk
        Generator g = new Generator(7);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 8, 8, 16, 16), w = leaf(g, 8, 8, 3, 3);
        Tensor gy = Tensor.randn(g, DType.FLOAT64, 8, 8, 16, 16);
        Tensor whole = Autograd.grad(new Tensor[] {Conv.conv2d(x, w, null, p2(1), p2(1), p2(1), 1)},
            new Tensor[] {w}, new Tensor[] {gy}, false, false, false)[0];
        Tensor sum = Tensor.zeros(DType.FLOAT64, 8, 8, 3, 3);
        for (int n = 0; n < 8; n++)
            sum = sum.add(Autograd.grad(new Tensor[] {Conv.conv2d(x.narrow(0, n, 1), w, null, p2(1), p2(1), p2(1), 1)},
                new Tensor[] {w}, new Tensor[] {gy.narrow(0, n, 1)}, false, false, false)[0]);
        double[] a = whole.toDoubleArray(), e = sum.toDoubleArray();
        for (int i = 0; i < a.length; i++) assertEquals(e[i], a[i], 1e-9, "element " + i);
    }

    @Test
    void float32GradientsMatchFloat64() {
        // float32 takes the vector paths (depthwise direct kernel forward, float GEMMs); compare with float64
        Generator g = new Generator(8);
        for (int groups : new int[] {1, 4}) {
            Tensor x64 = Tensor.randn(g, DType.FLOAT64, 3, 4, 9, 9), w64 = Tensor.randn(g, DType.FLOAT64, 4, 4 / groups, 3, 3);
            Tensor b64 = Tensor.randn(g, DType.FLOAT64, 4), gy = Tensor.randn(g, DType.FLOAT64, 3, 4, 5, 5);
            Tensor[] d64 = grads(x64, w64, b64, gy, groups), d32 = grads(x64.to(DType.FLOAT32), w64.to(DType.FLOAT32),
                b64.to(DType.FLOAT32), gy.to(DType.FLOAT32), groups);
            for (int i = 0; i < 3; i++) {
                double[] e = d64[i].toDoubleArray(), a = d32[i].toDoubleArray();
                for (int k = 0; k < e.length; k++) assertEquals(e[k], a[k], 1e-3 * (1 + Math.abs(e[k])), "groups " + groups + " grad " + i);
            }
        }
    }

    private static Tensor[] grads(Tensor x, Tensor w, Tensor b, Tensor gy, int groups) {
        Tensor[] in = {x.detach().requiresGrad(true), w.detach().requiresGrad(true), b.detach().requiresGrad(true)};
        Tensor y = Conv.conv2d(in[0], in[1], in[2], p2(2), p2(1), p2(1), groups);
        return Autograd.grad(new Tensor[] {y}, in, new Tensor[] {gy}, false, false, false);
    }

    // ------------------------------------------------------------------ pooling

    @Test
    void maxPoolGradchecks() {
        Generator g = new Generator(9);
        Tensor x = leaf(g, 2, 2, 7, 6), xt = leaf(g, 6, 2, 7);
        check("maxPool2d 2x2", in -> Pool.maxPool2d(in[0], p2(2), null, p2(0), p2(1), false), x);
        check("maxPool2d overlapping, padding", in -> Pool.maxPool2d(in[0], p2(3), p2(2), p2(1), p2(1), false), x);
        check("maxPool2d stride 1", in -> Pool.maxPool2d(in[0], new int[] {3, 2}, p2(1), new int[] {1, 0}, p2(1), false), x);
        check("maxPool2d ceilMode", in -> Pool.maxPool2d(in[0], p2(2), p2(2), p2(0), p2(1), true), x);
        check("maxPool2d dilation 2 ceilMode", in -> Pool.maxPool2d(in[0], p2(2), p2(2), p2(1), p2(2), true), x);
        check("maxPool2d with indices", in -> Pool.maxPool2dWithIndices(in[0], p2(3), p2(2), p2(1), p2(1), true).values(), x);
        check("maxPool2d transposed input", in -> Pool.maxPool2d(in[0].transpose(2, 3), p2(2), p2(1), p2(1), p2(1), false), x);
        check("maxPool1d", in -> Pool.maxPool1d(in[0], 3, 2, 1, 1, true), xt);
        check("maxPool1d strided input", in -> Pool.maxPool1d(in[0].permute(2, 1, 0), 2, 1, 1, 2, false), xt);
        check("maxPool1d with indices", in -> Pool.maxPool1dWithIndices(in[0], 3, 1, 1, 1, false).values(), xt);
        check("maxPool1d unbatched", in -> Pool.maxPool1d(in[0].select(0, 2), 2, 2, 0, 1, true), xt);
    }

    @Test
    void avgPoolGradchecks() {
        Generator g = new Generator(10);
        Tensor x = leaf(g, 2, 2, 7, 6), xt = leaf(g, 6, 2, 7);
        for (boolean ceil : new boolean[] {false, true})
            for (boolean incl : new boolean[] {false, true}) {
                String v = " ceilMode " + ceil + " countIncludePad " + incl;
                check("avgPool2d overlapping, padding" + v,
                    in -> Pool.avgPool2d(in[0], p2(3), p2(2), p2(1), ceil, incl, 0), x);
                check("avgPool2d stride 1" + v,
                    in -> Pool.avgPool2d(in[0], new int[] {2, 3}, p2(1), new int[] {1, 0}, ceil, incl, 0), x);
                check("avgPool1d" + v, in -> Pool.avgPool1d(in[0], 3, 2, 1, ceil, incl), xt);
            }
        check("avgPool2d 2x2", in -> Pool.avgPool2d(in[0], p2(2), null, p2(0), false, true, 0), x);
        check("avgPool2d divisorOverride", in -> Pool.avgPool2d(in[0], p2(3), p2(2), p2(1), true, false, 5), x);
        check("avgPool2d transposed input", in -> Pool.avgPool2d(in[0].transpose(2, 3), p2(2), p2(1), p2(1), false, false, 0), x);
        check("avgPool1d strided input", in -> Pool.avgPool1d(in[0].permute(2, 1, 0), 2, 1, 1, false, true), xt);
    }

    @Test
    void secondOrderPooling() {
        Generator g = new Generator(11);
        Tensor x = leaf(g, 1, 2, 5, 5), x1 = leaf(g, 2, 6);
        checkSecond("maxPool2d", in -> Pool.maxPool2d(in[0], p2(3), p2(2), p2(1), p2(1), true), x);
        checkSecond("maxPool2d then square", in -> Pool.maxPool2d(in[0], p2(2), p2(1), p2(0), p2(1), false).pow(2L), x);
        checkSecond("maxPool1d", in -> Pool.maxPool1d(in[0], 3, 1, 1, 1, false), x1);
        checkSecond("avgPool2d", in -> Pool.avgPool2d(in[0], p2(3), p2(2), p2(1), true, false, 0), x);
        checkSecond("avgPool2d then square", in -> Pool.avgPool2d(in[0], p2(2), p2(1), p2(1), false, true, 3).pow(2L), x);
        checkSecond("avgPool1d", in -> Pool.avgPool1d(in[0], 2, 1, 1, true, false), x1);
    }

    @Test
    void maxPoolTiesGoToTheReturnedIndex() {
        // 2x2 windows: the first has a four-way tie of 1s, the second a tie of 2s in its second row
        Tensor x = Tensor.of(new double[] {1, 1, 0, 0, 1, 1, 2, 2}, 1, 1, 2, 4).requiresGrad(true);
        PoolResult r = Pool.maxPool2dWithIndices(x, p2(2), null, p2(0), p2(1), false);
        assertArrayEquals(new long[] {0, 6}, r.indices().toLongArray());
        r.values().mul(Tensor.of(new double[] {3, 5}, 1, 1, 1, 2)).sum().backward();
        assertArrayEquals(new double[] {3, 0, 0, 0, 0, 0, 5, 0}, x.grad().toDoubleArray());

        // overlapping 1-d windows over a plateau: each window takes its own first element, and an
        // element chosen by several windows collects all their gradients
        Tensor y = Tensor.of(new double[] {3, 3, 3, 1, 4}, 1, 5).requiresGrad(true);
        PoolResult q = Pool.maxPool1dWithIndices(y, 3, 1, 1, 1, false);
        assertArrayEquals(new long[] {0, 0, 1, 4, 4}, q.indices().toLongArray());
        q.values().mul(Tensor.of(new double[] {1, 10, 100, 1000, 10000}, 1, 5)).sum().backward();
        assertArrayEquals(new double[] {11, 100, 0, 0, 11000}, y.grad().toDoubleArray());
    }

    @Test
    void avgPoolByHand() {
        // windows of 2 with stride 1 and padding 1 over [a, b, c]: [pad, a], [a, b], [b, c], [c, pad]
        Tensor x = Tensor.of(new double[] {2, 4, 8}, 1, 3).requiresGrad(true);
        Tensor g = Tensor.of(new double[] {1, 2, 3, 4}, 1, 4);
        Tensor excl = Pool.avgPool1d(x, 2, 1, 1, false, false);
        assertArrayEquals(new double[] {2, 3, 6, 8}, excl.toDoubleArray());
        excl.mul(g).sum().backward();
        assertArrayEquals(new double[] {1 + 1, 1 + 1.5, 1.5 + 4}, x.grad().toDoubleArray());
        Tensor z = Tensor.of(new double[] {2, 4, 8}, 1, 3).requiresGrad(true);
        Pool.avgPool1d(z, 2, 1, 1, false, true).mul(g).sum().backward(); // every divisor 2
        assertArrayEquals(new double[] {0.5 + 1, 1 + 1.5, 1.5 + 2}, z.grad().toDoubleArray());
    }

    @Test
    void noGradLeavesNoGraph() {
        Generator g = new Generator(12);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 1, 2, 4, 4), w = leaf(g, 2, 2, 3, 3);
        try (Scope ignored = Autograd.noGrad()) {
            assertFalse(Conv.conv2d(x, w, null, p2(1), p2(1), p2(1), 1).requiresGrad());
        }
        assertFalse(Pool.maxPool2d(x, p2(2), null, p2(0), p2(1), false).requiresGrad());
        Tensor y = Conv.conv2d(x, w, null, p2(1), p2(1), p2(1), 1);
        assertTrue(y.requiresGrad());
        assertTrue(Pool.maxPool2d(y, p2(2), null, p2(0), p2(1), false).requiresGrad());
    }
}
