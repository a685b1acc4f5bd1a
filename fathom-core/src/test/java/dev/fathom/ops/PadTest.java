package dev.fathom.ops;

import dev.fathom.ops.Pad.PadMode;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.assertFails;

class PadTest {
    private static Tensor x113() { return Tensor.of(new float[] {1, 2, 3}, 1, 1, 3); }

    private static Tensor x123() { return Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3); }

    @Test
    void constantPadLastDim() {
        Tensor p = x113().pad(new int[] {1, 2}, 0);
        assertArrayEquals(new int[] {1, 1, 6}, p.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 0, 0}, p.toFloatArray());
        assertArrayEquals(new float[] {9, 9, 1, 2, 3}, x113().pad(new int[] {2, 0}, 9).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 3, 0, 0}, x113().pad(new int[] {1, 2}, "constant").toFloatArray());
    }

    @Test
    void constantPadTwoDims() {
        Tensor p = x123().pad(new int[] {1, 1, 1, 0}, 0);
        assertArrayEquals(new int[] {1, 3, 5}, p.shape());
        assertArrayEquals(new float[] {
            0, 0, 0, 0, 0,
            0, 1, 2, 3, 0,
            0, 4, 5, 6, 0}, p.toFloatArray());
        // all three dims, int64 with a fill value
        Tensor q = Tensor.of(new long[] {5}, 1, 1, 1).pad(new int[] {0, 1, 0, 0, 1, 0}, -1);
        assertEquals(DType.INT64, q.dtype());
        assertArrayEquals(new int[] {2, 1, 2}, q.shape());
        assertArrayEquals(new long[] {-1, -1, 5, -1}, q.toLongArray());
    }

    @Test
    void negativePadsCrop() {
        assertArrayEquals(new float[] {2, 3, 0, 5, 6, 0}, x123().pad(new int[] {-1, 1}, 0).toFloatArray());
        Tensor rowCrop = x123().pad(new int[] {0, 0, -1, 0}, 0);
        assertArrayEquals(new int[] {1, 1, 3}, rowCrop.shape());
        assertArrayEquals(new float[] {4, 5, 6}, rowCrop.toFloatArray());
        // cropping everything of a dim and padding back gives only fill values
        assertArrayEquals(new float[] {7, 7}, x113().pad(new int[] {-3, 2}, 7).toFloatArray());
        assertArrayEquals(new int[] {1, 1, 0}, x113().pad(new int[] {-1, -2}, 0).shape());
    }

    @Test
    void constantPadTransposedInput() {
        Tensor t = Tensor.of(new float[][] {{1, 2}, {3, 4}}).t(); // [[1,3],[2,4]]
        assertArrayEquals(new float[] {0, 1, 3, 0, 2, 4}, t.pad(new int[] {1, 0}, 0).toFloatArray());
    }

    @Test
    void reflectPad() {
        assertArrayEquals(new float[] {3, 2, 1, 2, 3, 2, 1}, x113().pad(new int[] {2, 2}, "reflect").toFloatArray());
        assertArrayEquals(new float[] {3, 2, 1, 2, 3, 2}, x113().pad(new int[] {2, 1}, PadMode.REFLECT).toFloatArray());
        Tensor p = x123().pad(new int[] {1, 1, 1, 1}, PadMode.REFLECT);
        assertArrayEquals(new int[] {1, 4, 5}, p.shape());
        assertArrayEquals(new float[] {
            5, 4, 5, 6, 5,
            2, 1, 2, 3, 2,
            5, 4, 5, 6, 5,
            2, 1, 2, 3, 2}, p.toFloatArray());
        // negative before-pad crops, then the after-pad reflects: [1,2,3,4] by (-1, 2)
        Tensor q = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4).pad(new int[] {-1, 2}, "REFLECT");
        assertArrayEquals(new float[] {2, 3, 4, 3, 2}, q.toFloatArray());
    }

    @Test
    void replicateAndCircularPad() {
        assertArrayEquals(new float[] {1, 1, 1, 2, 3, 3}, x113().pad(new int[] {2, 1}, "replicate").toFloatArray());
        Tensor p = x123().pad(new int[] {1, 1, 1, 1}, PadMode.REPLICATE);
        assertArrayEquals(new int[] {1, 4, 5}, p.shape());
        assertArrayEquals(new float[] {
            1, 1, 2, 3, 3,
            1, 1, 2, 3, 3,
            4, 4, 5, 6, 6,
            4, 4, 5, 6, 6}, p.toFloatArray());
        assertArrayEquals(new float[] {2, 3, 1, 2, 3, 1, 2}, x113().pad(new int[] {2, 2}, PadMode.CIRCULAR).toFloatArray());
        Tensor c = x123().pad(new int[] {0, 0, 1, 0}, "circular");
        assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3, 4, 5, 6}, c.toFloatArray());
        Tensor ints = Tensor.of(new int[] {7, 8}, 2).pad(new int[] {1, 2}, PadMode.REPLICATE);
        assertArrayEquals(new int[] {7, 7, 8, 8, 8}, ints.toIntArray());
    }

    @Test
    void indexedModesOnTransposedInput() {
        Tensor t = Tensor.of(new float[][] {{1, 2}, {3, 4}}).t(); // [[1,3],[2,4]]
        assertArrayEquals(new float[] {3, 1, 3, 1, 4, 2, 4, 2}, t.pad(new int[] {1, 1}, "reflect").toFloatArray());
        Tensor r = t.pad(new int[] {1, 0, 1, 0}, "replicate"); // top row and left column repeated
        assertArrayEquals(new float[] {1, 1, 3, 1, 1, 3, 2, 2, 4}, r.toFloatArray());
    }

    @Test
    void reflectLargeMatchesNaive() {
        Random rnd = new Random(5);
        int n = 4, c = 8, h = 40, w = 40, pl = 3, pr = 2, pt = 2, pb = 1;
        float[] data = new float[n * c * h * w];
        for (int i = 0; i < data.length; i++) data[i] = rnd.nextFloat();
        Tensor p = Tensor.of(data, n, c, h, w).pad(new int[] {pl, pr, pt, pb}, PadMode.REFLECT);
        int oh = h + pt + pb, ow = w + pl + pr;
        assertArrayEquals(new int[] {n, c, oh, ow}, p.shape());
        float[] want = new float[n * c * oh * ow];
        for (int a = 0; a < n * c; a++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    int si = Math.abs(i - pt), sj = Math.abs(j - pl);
                    if (si >= h) si = 2 * (h - 1) - si;
                    if (sj >= w) sj = 2 * (w - 1) - sj;
                    want[(a * oh + i) * ow + j] = data[(a * h + si) * w + sj];
                }
        assertArrayEquals(want, p.toFloatArray());
    }

    @Test
    void constantPadLargeWithCropMatchesNaive() {
        Random rnd = new Random(8);
        int c = 16, h = 50, w = 60;
        double[] data = new double[c * h * w];
        for (int i = 0; i < data.length; i++) data[i] = rnd.nextDouble();
        // last dim: 2 before, crop 3 after; middle dim: crop 1 before, 4 after
        Tensor p = Tensor.of(data, c, h, w).pad(new int[] {2, -3, -1, 4}, 2.5);
        int oh = h - 1 + 4, ow = w + 2 - 3;
        assertArrayEquals(new int[] {c, oh, ow}, p.shape());
        double[] got = p.toDoubleArray();
        for (int a = 0; a < c; a++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    int si = i + 1, sj = j - 2;
                    double want = si < h && sj >= 0 && sj < w ? data[(a * h + si) * w + sj] : 2.5;
                    assertEquals(want, got[(a * oh + i) * ow + j]);
                }
    }

    @Test
    void padErrors() {
        assertFails(IllegalArgumentException.class, () -> x113().pad(new int[] {3, 0}, "reflect"),
            "pad: reflect padding (3, 0) for dimension 2", "[1, 1, 3]", "less than", "size 3");
        assertFails(IllegalArgumentException.class, () -> x123().pad(new int[] {0, 0, 0, 2}, PadMode.REFLECT),
            "pad: reflect padding (0, 2) for dimension 1", "size 2");
        assertFails(IllegalArgumentException.class, () -> x113().pad(new int[] {4, 0}, PadMode.CIRCULAR),
            "pad: circular padding (4, 0) for dimension 2");
        assertFails(IllegalArgumentException.class, () -> Tensor.zeros(1, 0).pad(new int[] {1, 1}, PadMode.REPLICATE),
            "pad: replicate padding (1, 1) for dimension 1", "non-empty");
        assertFails(IllegalArgumentException.class, () -> x113().pad(new int[] {1}, 0), "pad: pads [1] must have an even length");
        assertFails(IllegalArgumentException.class, () -> x113().pad(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, 0),
            "pad: pads", "pad 4 dimensions but the input has shape [1, 1, 3] with 3");
        assertFails(IllegalArgumentException.class, () -> x113().pad(new int[] {-2, -2}, 0),
            "pad: padding (-2, -2) of dimension 2", "invalid size -1");
        assertFails(IllegalArgumentException.class, () -> x113().pad(new int[] {1, 1}, "mirror"),
            "pad: unknown padding mode \"mirror\"");
    }
}
