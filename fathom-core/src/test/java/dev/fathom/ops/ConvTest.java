package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.assertMessage;

class ConvTest {
    private static Tensor arange16() { return Tensor.arange(16).to(DType.FLOAT32).reshape(1, 1, 4, 4); }

    @Test
    void allOnesKernelSumsEachWindow() {
        Tensor y = arange16().conv2d(Tensor.ones(1, 1, 3, 3), null);
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        // windows of arange(16) as 4x4: 0+1+2+4+5+6+8+9+10 = 45, then +9 per column step, +36 per row step
        assertArrayEquals(new float[] {45, 54, 81, 90}, y.toFloatArray());
    }

    @Test
    void paddingStrideAndBiasByHand() {
        Tensor y = arange16().conv2d(Tensor.ones(1, 1, 3, 3), Tensor.vector(1f), 2, 1);
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        // top-left window sees only 0,1,4,5 (10); top-right 1,2,3,5,6,7 (24); bottom-left 4,5,8,9,12,13 (51);
        // bottom-right 5,6,7,9,10,11,13,14,15 (90); plus bias 1
        assertArrayEquals(new float[] {11, 25, 52, 91}, y.toFloatArray());
    }

    @Test
    void crossCorrelationNotConvolution() {
        // a kernel [[1, 0], [0, 0]] picks the top-left element of each window (no flipping)
        Tensor w = Tensor.of(new float[] {1, 0, 0, 0}, 1, 1, 2, 2);
        Tensor y = arange16().conv2d(w, null, 2, 0);
        assertArrayEquals(new float[] {0, 2, 8, 10}, y.toFloatArray());
    }

    @Test
    void twoChannelsTwoOutputsFloat64() {
        // channel 0 = arange(4) as 2x2, channel 1 = all 10; 1x1 kernels mix them
        Tensor x = Tensor.of(new double[] {0, 1, 2, 3, 10, 10, 10, 10}, 1, 2, 2, 2);
        Tensor w = Tensor.of(new double[] {1, 0, 2, -1}, 2, 2, 1, 1);
        Tensor y = x.conv2d(w, Tensor.vector(0.5, 0.0));
        assertEquals(DType.FLOAT64, y.dtype());
        assertArrayEquals(new double[] {0.5, 1.5, 2.5, 3.5, -10, -8, -6, -4}, y.toDoubleArray());
    }

    @Test
    void conv1dByHand() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 4);
        assertArrayEquals(new float[] {-2, -2}, x.conv1d(Tensor.of(new float[] {1, 0, -1}, 1, 1, 3), null).toFloatArray());
        // dilation 2: x[i] + x[i+2]
        Tensor y = x.conv1d(Tensor.of(new float[] {1, 1}, 1, 1, 2), null, 1, 0, 2, 1);
        assertArrayEquals(new float[] {4, 6}, y.toFloatArray());
        // padding 1, stride 2, kernel [1, 1]: windows (pad,1) (2,3) (4,pad)
        Tensor z = x.conv1d(Tensor.of(new float[] {1, 1}, 1, 1, 2), null, 2, 1);
        assertArrayEquals(new float[] {1, 5, 4}, z.toFloatArray());
    }

    private record Cfg(int n, int c, int h, int w, int o, int kh, int kw, int s, int p, int d, int groups) {}

    private static List<Cfg> sweep() {
        List<Cfg> out = new ArrayList<>();
        int c = 4;
        for (int s : new int[] {1, 2})
            for (int p : new int[] {0, 1, 2})
                for (int d : new int[] {1, 2})
                    for (int g : new int[] {1, 2, c}) {
                        int o = g == c ? c * 2 : 6;
                        out.add(new Cfg(2, c, 7, 6, o, 3, 2, s, p, d, g));
                        out.add(new Cfg(1, c, 5, 9, o, 1, 1, s, p, d, g));
                    }
        out.add(new Cfg(3, 3, 11, 13, 5, 5, 5, 2, 2, 1, 1));
        out.add(new Cfg(2, 6, 4, 4, 3, 4, 4, 1, 0, 1, 3));
        return out;
    }

    @Test
    void matchesDirectReferenceOverSweep() {
        Random r = new Random(1);
        int checked = 0;
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (Cfg c : sweep()) {
                Tensor x = ConvRef.rand(r, t, c.n, c.c, c.h, c.w);
                Tensor w = ConvRef.rand(r, t, c.o, c.c / c.groups, c.kh, c.kw);
                Tensor b = (checked & 1) == 0 ? ConvRef.rand(r, t, c.o) : null;
                int[] st = {c.s, c.s}, pd = {c.p, c.p}, dl = {c.d, c.d};
                int[] os = new int[4];
                double[] ref = ConvRef.conv2d(x.toDoubleArray(), x.shape(), w.toDoubleArray(), w.shape(),
                    b == null ? null : b.toDoubleArray(), st, new int[] {c.p, c.p, c.p, c.p}, dl, c.groups, os);
                Tensor y = x.conv2d(w, b, st, pd, dl, c.groups);
                assertArrayEquals(os, y.shape(), c.toString());
                ConvRef.assertClose(ref, y, t == DType.FLOAT32 ? 1e-5 : 1e-12, c + " " + t);
                checked++;
            }
        }
        assertTrue(checked > 100);
    }

    @Test
    void depthwiseWithChannelMultiplierOnWideRows() {
        // wide rows exercise the full-width vector steps, the narrow step and the padded edges
        Random r = new Random(8);
        for (int w : new int[] {37, 20, 3})
            for (int[] pd : new int[][] {{1, 1, 1}, {2, 2, 1}, {0, 1, 2}, {3, 1, 1}}) { // padding, dilation, row stride
                Tensor x = ConvRef.rand(r, DType.FLOAT32, 2, 6, 5, w);
                Tensor k = ConvRef.rand(r, DType.FLOAT32, 12, 1, 3, 3);
                Tensor b = ConvRef.rand(r, DType.FLOAT32, 12);
                int[] st = {pd[2], 1}, pad = {pd[0], pd[0]}, dl = {pd[1], pd[1]};
                if (w + 2 * pd[0] < pd[1] * 2 + 1) continue;
                int[] os = new int[4];
                double[] ref = ConvRef.conv2d(x.toDoubleArray(), x.shape(), k.toDoubleArray(), k.shape(), b.toDoubleArray(),
                    st, new int[] {pd[0], pd[0], pd[0], pd[0]}, dl, 6, os);
                Tensor y = x.conv2d(k, b, st, pad, dl, 6);
                assertArrayEquals(os, y.shape());
                ConvRef.assertClose(ref, y, 1e-5, "depthwise w" + w + " " + java.util.Arrays.toString(pd));
            }
    }

    @Test
    void nonSquareStrideAndDilationPairs() {
        Random r = new Random(2);
        Tensor x = ConvRef.rand(r, DType.FLOAT32, 2, 3, 9, 8);
        Tensor w = ConvRef.rand(r, DType.FLOAT32, 4, 3, 3, 2);
        int[] st = {2, 1}, pd = {0, 2}, dl = {1, 3};
        int[] os = new int[4];
        double[] ref = ConvRef.conv2d(x.toDoubleArray(), x.shape(), w.toDoubleArray(), w.shape(), null, st,
            new int[] {0, 2, 0, 2}, dl, 1, os);
        Tensor y = x.conv2d(w, null, st, pd, dl, 1);
        assertArrayEquals(os, y.shape());
        ConvRef.assertClose(ref, y, 1e-5, "pairs");
    }

    @Test
    void unbatchedInputGivesUnbatchedOutput() {
        Random r = new Random(3);
        Tensor x = ConvRef.rand(r, DType.FLOAT32, 3, 6, 5);
        Tensor w = ConvRef.rand(r, DType.FLOAT32, 2, 3, 3, 3);
        Tensor b = ConvRef.rand(r, DType.FLOAT32, 2);
        Tensor y = x.conv2d(w, b, 1, 1);
        assertArrayEquals(new int[] {2, 6, 5}, y.shape());
        assertArrayEquals(x.unsqueeze(0).conv2d(w, b, 1, 1).squeeze(0).toFloatArray(), y.toFloatArray());
        int[] os = new int[4];
        double[] ref = ConvRef.conv2d(x.toDoubleArray(), new int[] {1, 3, 6, 5}, w.toDoubleArray(), w.shape(),
            b.toDoubleArray(), new int[] {1, 1}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 1, os);
        ConvRef.assertClose(ref, y, 1e-5, "unbatched");
    }

    @Test
    void samePaddingKeepsSizeAndPadsExtraAtBottomRight() {
        Random r = new Random(4);
        for (int[] k : new int[][] {{3, 3}, {4, 2}, {2, 5}}) {
            for (int d : new int[] {1, 2}) {
                Tensor x = ConvRef.rand(r, DType.FLOAT64, 2, 2, 7, 6);
                Tensor w = ConvRef.rand(r, DType.FLOAT64, 3, 2, k[0], k[1]);
                Tensor y = x.conv2d(w, null, new int[] {1, 1}, "same", new int[] {d, d}, 1);
                assertArrayEquals(new int[] {2, 3, 7, 6}, y.shape());
                int th = d * (k[0] - 1), tw = d * (k[1] - 1);
                int[] pad4 = {th / 2, tw / 2, th - th / 2, tw - tw / 2};
                int[] os = new int[4];
                double[] ref = ConvRef.conv2d(x.toDoubleArray(), x.shape(), w.toDoubleArray(), w.shape(), null,
                    new int[] {1, 1}, pad4, new int[] {d, d}, 1, os);
                ConvRef.assertClose(ref, y, 1e-12, "same " + k[0] + "x" + k[1] + " d" + d);
            }
        }
        // 'same' by hand in 1-d: kernel [1, 1] pads one zero on the right: [1+2, 2+3, 3+0]
        Tensor y = Tensor.of(new float[] {1, 2, 3}, 1, 1, 3).conv1d(Tensor.of(new float[] {1, 1}, 1, 1, 2), null, 1, "same", 1, 1);
        assertArrayEquals(new float[] {3, 5, 3}, y.toFloatArray());
        Tensor v = arange16().conv2d(Tensor.ones(1, 1, 3, 3), null, "valid");
        assertArrayEquals(new float[] {45, 54, 81, 90}, v.toFloatArray());
    }

    @Test
    void conv1dMatchesReference() {
        Random r = new Random(5);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (int s : new int[] {1, 2})
                for (int p : new int[] {0, 1, 3})
                    for (int d : new int[] {1, 2})
                        for (int g : new int[] {1, 2, 4}) {
                            Tensor x = ConvRef.rand(r, t, 3, 4, 13);
                            Tensor w = ConvRef.rand(r, t, 8, 4 / g, 3);
                            Tensor b = ConvRef.rand(r, t, 8);
                            int[] os = new int[4];
                            double[] ref = ConvRef.conv2d(x.toDoubleArray(), new int[] {3, 4, 1, 13}, w.toDoubleArray(),
                                new int[] {8, 4 / g, 1, 3}, b.toDoubleArray(), new int[] {1, s}, new int[] {0, p, 0, p},
                                new int[] {1, d}, g, os);
                            Tensor y = x.conv1d(w, b, s, p, d, g);
                            assertArrayEquals(new int[] {3, 8, os[3]}, y.shape());
                            ConvRef.assertClose(ref, y, t == DType.FLOAT32 ? 1e-5 : 1e-12, "conv1d s" + s + " p" + p + " d" + d + " g" + g);
                        }
        // unbatched conv1d
        Tensor x = ConvRef.rand(r, DType.FLOAT32, 2, 5);
        Tensor w = ConvRef.rand(r, DType.FLOAT32, 3, 2, 2);
        Tensor y = x.conv1d(w, null);
        assertArrayEquals(new int[] {3, 4}, y.shape());
        assertArrayEquals(x.unsqueeze(0).conv1d(w, null).squeeze(0).toFloatArray(), y.toFloatArray());
    }

    @Test
    void nonContiguousInputsAndWeights() {
        Random r = new Random(6);
        // NHWC-backed input viewed as NCHW, and a weight stored [O, kH, kW, C] viewed as [O, C, kH, kW]
        Tensor nhwc = ConvRef.rand(r, DType.FLOAT32, 2, 6, 5, 3);
        Tensor x = nhwc.permute(0, 3, 1, 2);
        assertFalse(x.isContiguous());
        Tensor w = ConvRef.rand(r, DType.FLOAT32, 4, 3, 3, 3).permute(0, 3, 1, 2);
        Tensor b = ConvRef.rand(r, DType.FLOAT32, 8).slice(0, 0, 8, 2);
        Tensor y = x.conv2d(w, b, 1, 1);
        Tensor yc = x.contiguous().conv2d(w.contiguous(), b.contiguous(), 1, 1);
        assertArrayEquals(yc.toFloatArray(), y.toFloatArray());
        int[] os = new int[4];
        double[] ref = ConvRef.conv2d(x.toDoubleArray(), x.shape(), w.toDoubleArray(), w.shape(), b.toDoubleArray(),
            new int[] {1, 1}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 1, os);
        ConvRef.assertClose(ref, y, 1e-5, "permuted");
        // a sliced (offset, strided) batch
        Tensor big = ConvRef.rand(r, DType.FLOAT64, 5, 3, 8, 8);
        Tensor xs = big.slice(0, 1, 5, 2).slice(3, 1, 8, 1);
        Tensor ws = ConvRef.rand(r, DType.FLOAT64, 2, 3, 2, 2);
        double[] ref2 = ConvRef.conv2d(xs.toDoubleArray(), xs.shape(), ws.toDoubleArray(), ws.shape(), null,
            new int[] {2, 2}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1, os);
        ConvRef.assertClose(ref2, xs.conv2d(ws, null, 2, 0), 1e-12, "sliced");
    }

    @Test
    void largerBatchRunsInParallelConsistently() {
        Random r = new Random(7);
        Tensor x = ConvRef.rand(r, DType.FLOAT32, 9, 3, 12, 12);
        Tensor w = ConvRef.rand(r, DType.FLOAT32, 8, 3, 3, 3);
        Tensor b = ConvRef.rand(r, DType.FLOAT32, 8);
        Tensor y = x.conv2d(w, b, 1, 1);
        for (int n = 0; n < 9; n++)
            assertArrayEquals(x.select(0, n).conv2d(w, b, 1, 1).toFloatArray(), y.select(0, n).toFloatArray(), "image " + n);
    }

    @Test
    void emptyBatchGivesEmptyOutput() {
        Tensor y = Tensor.zeros(0, 2, 5, 5).conv2d(Tensor.ones(3, 2, 3, 3), null);
        assertArrayEquals(new int[] {0, 3, 3, 3}, y.shape());
    }

    @Test
    void channelMismatchMessage() {
        assertMessage(() -> Tensor.zeros(1, 3, 5, 5).conv2d(Tensor.zeros(16, 1, 3, 3), null),
            "conv2d: input [1, 3, 5, 5] has 3 channels but weight [16, 1, 3, 3] expects 1 (in_channels / groups = 1 with groups 1)");
        assertMessage(() -> Tensor.zeros(1, 3, 5, 5).conv2d(Tensor.zeros(4, 1, 3, 3), null, 1, 0, 1, 2),
            "conv2d", "expects 2", "groups 2");
    }

    @Test
    void validationMessages() {
        Tensor x = Tensor.zeros(1, 4, 5, 5);
        assertMessage(() -> x.conv2d(Tensor.zeros(6, 1, 3, 3), null, 1, 0, 1, 4), "conv2d", "out_channels 6", "groups 4");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 7, 7), null), "conv2d", "kernel [7, 7]", "larger than the padded input",
            "[1, 4, 5, 5]");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 3, 3), null, 0, 0), "conv2d: stride must be positive", "[0, 0]");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 3, 3), null, 1, -1), "conv2d: padding must be non-negative");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 3, 3), null, 1, 0, 0, 1), "conv2d: dilation must be positive");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 3, 3), null, 1, 0, 1, 0), "conv2d: groups must be positive");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 3, 3), Tensor.zeros(3)), "conv2d: bias must be 1-d with 4 elements", "[3]");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 3), null), "conv2d: weight must be 4-d", "[4, 4, 3]");
        assertMessage(() -> Tensor.zeros(5, 5).conv2d(Tensor.zeros(4, 4, 3, 3), null), "conv2d: expected a 3-d (unbatched) or 4-d",
            "[5, 5]");
        assertMessage(() -> x.conv2d(Tensor.zeros(DType.FLOAT64, 4, 4, 3, 3), null), "conv2d: input is float32 but weight is float64");
        assertMessage(() -> x.to(DType.INT64).conv2d(Tensor.zeros(4, 4, 3, 3), null), "conv2d: expected a float32 or float64 input",
            "int64");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 3, 3), null, new int[] {2, 2}, "same", new int[] {1, 1}, 1),
            "conv2d: padding='same' is not supported for strided convolutions");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 3, 3), null, "full"), "conv2d: padding must be \"same\" or \"valid\"");
        assertMessage(() -> x.conv2d(Tensor.zeros(4, 4, 3, 3), null, new int[] {1}, new int[] {0, 0}, new int[] {1, 1}, 1),
            "conv2d: stride must have 2 value(s)");
        assertMessage(() -> Tensor.zeros(1, 2, 3).conv1d(Tensor.zeros(1, 2, 5), null), "conv1d", "kernel [5]", "larger than the padded input");
        // kernel 5 fits once padded: 3 + 2*1 = 5
        assertArrayEquals(new int[] {1, 1, 1}, Tensor.zeros(1, 2, 3).conv1d(Tensor.zeros(1, 2, 5), null, 1, 1).shape());
    }
}
