package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ConvTransposeTest {
    @Test
    void strideOneSpreadsEachInputOverTheKernelByHand() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = x.convTranspose2d(Tensor.ones(1, 1, 2, 2), null, 1, 0);
        assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
        // each output sums the inputs whose 2x2 footprint covers it
        assertArrayEquals(new float[] {1, 3, 2, 4, 10, 6, 3, 7, 4}, y.toFloatArray());
    }

    @Test
    void strideTwoUpsamplesWithoutOverlapByHand() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = x.convTranspose2d(Tensor.ones(DType.FLOAT64, 1, 1, 2, 2), Tensor.vector(0.5), 2, 0);
        assertArrayEquals(new int[] {1, 1, 4, 4}, y.shape());
        assertArrayEquals(new double[] {
            1.5, 1.5, 2.5, 2.5,
            1.5, 1.5, 2.5, 2.5,
            3.5, 3.5, 4.5, 4.5,
            3.5, 3.5, 4.5, 4.5}, y.toDoubleArray());
        // padding 1 crops one row/column from each side; outputPadding 1 adds one back at the bottom/right
        Tensor z = x.convTranspose2d(Tensor.ones(DType.FLOAT64, 1, 1, 2, 2), null, 2, 1, 1);
        assertArrayEquals(new int[] {1, 1, 3, 3}, z.shape());
        assertArrayEquals(new double[] {1, 2, 2, 3, 4, 4, 3, 4, 4}, z.toDoubleArray());
    }

    @Test
    void adjointOfConv2d() {
        Random r = new Random(11);
        int checked = 0;
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (int s : new int[] {1, 2, 3})
                for (int p : new int[] {0, 1, 2})
                    for (int d : new int[] {1, 2})
                        for (int g : new int[] {1, 2, 4}) {
                            int op = (s + p + d) % s; // any value in [0, stride) keeps the shapes matched
                            int c = 4, o = g == 4 ? 4 : 6;
                            Tensor w = ConvRef.rand(r, t, c, o / g, 3, 2);
                            Tensor y = ConvRef.rand(r, t, 2, c, 4, 5);
                            int[] st = {s, s}, pd = {p, p}, dl = {d, d}, opd = {op, op};
                            Tensor xt = y.convTranspose2d(w, null, st, pd, opd, g, dl);
                            Tensor x = ConvRef.rand(r, t, xt.shape());
                            // w is [C, O/g, kh, kw]: as a conv2d weight it maps O channels to C
                            Tensor cx = x.conv2d(w, null, st, pd, dl, g);
                            assertArrayEquals(y.shape(), cx.shape());
                            double lhs = ConvRef.dot(cx, y), rhs = ConvRef.dot(x, xt);
                            double tol = t == DType.FLOAT32 ? 1e-4 : 1e-11;
                            assertEquals(lhs, rhs, tol * (1 + Math.abs(lhs)), "s" + s + " p" + p + " d" + d + " g" + g + " " + t);
                            checked++;
                        }
        assertEquals(108, checked);
    }

    @Test
    void matchesScatterReference() {
        Random r = new Random(12);
        int[][] cfgs = { // stride, padding, outputPadding, dilation, groups
            {1, 0, 0, 1, 1}, {2, 0, 1, 1, 1}, {2, 1, 1, 1, 2}, {3, 2, 2, 1, 1}, {1, 1, 1, 2, 1}, {2, 2, 0, 3, 4},
            {1, 0, 0, 1, 4}, {3, 0, 1, 2, 2}};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (int[] c : cfgs) {
                for (int[] k : new int[][] {{3, 3}, {1, 1}, {2, 4}}) {
                    Tensor x = ConvRef.rand(r, t, 2, 4, 5, 3);
                    Tensor w = ConvRef.rand(r, t, 4, 2, k[0], k[1]);
                    Tensor b = ConvRef.rand(r, t, 2 * c[4]);
                    int[] st = {c[0], c[0]}, pd = {c[1], c[1]}, op = {c[2], c[2]}, dl = {c[3], c[3]};
                    int[] os = new int[4];
                    long oh = (5 - 1L) * c[0] - 2L * c[1] + (long) c[3] * (k[0] - 1) + c[2] + 1;
                    long ow = (3 - 1L) * c[0] - 2L * c[1] + (long) c[3] * (k[1] - 1) + c[2] + 1;
                    if (oh <= 0 || ow <= 0) continue;
                    double[] ref = ConvRef.convTranspose2d(x.toDoubleArray(), x.shape(), w.toDoubleArray(), w.shape(),
                        b.toDoubleArray(), st, pd, op, dl, c[4], os);
                    Tensor y = x.convTranspose2d(w, b, st, pd, op, c[4], dl);
                    assertArrayEquals(os, y.shape());
                    ConvRef.assertClose(ref, y, t == DType.FLOAT32 ? 1e-5 : 1e-12,
                        java.util.Arrays.toString(c) + " k" + k[0] + "x" + k[1] + " " + t);
                }
            }
    }

    @Test
    void unbatchedNonContiguousAndOneD() {
        Random r = new Random(13);
        Tensor x = ConvRef.rand(r, DType.FLOAT32, 4, 3, 2).permute(2, 0, 1); // [2, 4, 3], not contiguous
        Tensor w = ConvRef.rand(r, DType.FLOAT32, 2, 3, 3, 3);
        Tensor y = x.convTranspose2d(w, null, 2, 1, 1);
        assertArrayEquals(new int[] {3, 8, 6}, y.shape());
        int[] os = new int[4];
        double[] ref = ConvRef.convTranspose2d(x.toDoubleArray(), new int[] {1, 2, 4, 3}, w.toDoubleArray(), w.shape(),
            null, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, os);
        ConvRef.assertClose(ref, y, 1e-5, "unbatched permuted");

        Tensor x1 = ConvRef.rand(r, DType.FLOAT64, 2, 4, 7);
        Tensor w1 = ConvRef.rand(r, DType.FLOAT64, 4, 3, 3);
        Tensor b1 = ConvRef.rand(r, DType.FLOAT64, 6);
        Tensor y1 = x1.convTranspose1d(w1, b1, 2, 1, 1, 2, 2);
        double[] ref1 = ConvRef.convTranspose2d(x1.toDoubleArray(), new int[] {2, 4, 1, 7}, w1.toDoubleArray(),
            new int[] {4, 3, 1, 3}, b1.toDoubleArray(), new int[] {1, 2}, new int[] {0, 1}, new int[] {0, 1},
            new int[] {1, 2}, 2, os);
        assertArrayEquals(new int[] {2, 6, os[3]}, y1.shape());
        ConvRef.assertClose(ref1, y1, 1e-12, "conv1d transposed");
    }

    @Test
    void validationMessages() {
        Tensor x = Tensor.zeros(1, 4, 3, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> x.convTranspose2d(Tensor.zeros(3, 2, 3, 3), null, 1, 0));
        assertTrue(e.getMessage().startsWith("convTranspose2d: input [1, 4, 3, 3] has 4 channels but weight [3, 2, 3, 3] expects 3"),
            e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.convTranspose2d(Tensor.zeros(4, 2, 3, 3), null, 2, 0, 2));
        assertTrue(e.getMessage().contains("convTranspose2d: outputPadding [2, 2] must be smaller than either stride"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.convTranspose2d(Tensor.zeros(4, 2, 1, 1), null, 1, 2));
        assertTrue(e.getMessage().contains("convTranspose2d: output size would be -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> x.convTranspose2d(Tensor.zeros(4, 2, 3, 3), null, new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0}, 3, new int[] {1, 1}));
        assertTrue(e.getMessage().contains("convTranspose2d: in_channels 4 of weight [4, 2, 3, 3] is not divisible by groups 3"),
            e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.convTranspose2d(Tensor.zeros(4, 2, 3, 3), Tensor.zeros(4), 1, 0));
        assertTrue(e.getMessage().contains("convTranspose2d: bias must be 1-d with 2 elements"), e.getMessage());
    }
}
