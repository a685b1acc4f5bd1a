package dev.fathom.nn;

import dev.fathom.ops.PoolResult;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.fathom.nn.ConvTest.assertClose;
import static dev.fathom.nn.ConvTest.gradcheck;
import static dev.fathom.nn.ConvTest.input;
import static org.junit.jupiter.api.Assertions.*;

/** Pooling, adaptive average pooling and Upsample. */
class PoolTest {
    @Test
    void outputsEqualPyTorch() {
        Map<String, Tensor> f = TorchFixture.load("pool");
        Tensor x = f.get("x"), s = f.get("s"), u = f.get("u"), l = f.get("l");
        Map<String, Tensor> got = new java.util.LinkedHashMap<>();
        got.put("maxpool2d", new MaxPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, true).forward(x));
        got.put("maxpool2d_dil", new MaxPool2d(new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 0}, new int[] {2, 1}, false).forward(x));
        got.put("avgpool2d", new AvgPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true, false, 0).forward(x));
        got.put("avgpool2d_inc", new AvgPool2d(new int[] {2, 3}, null, new int[] {1, 1}, false, true, 0).forward(x));
        got.put("maxpool1d", new MaxPool1d(3, 2, 1, 1, false).forward(s));
        got.put("avgpool1d", new AvgPool1d(4, 3, 2, true, false).forward(s));
        got.put("adaptive_3x4", new AdaptiveAvgPool2d(3, 4).forward(x));
        got.put("adaptive_5x2", new AdaptiveAvgPool2d(5, 2).forward(x));
        got.put("adaptive_7x3", new AdaptiveAvgPool2d(7, 3).forward(x));
        got.put("adaptive_1", new AdaptiveAvgPool2d(1).forward(x));
        got.put("up_nearest2", new Upsample(2).forward(u));
        got.put("up_nearest_size", new Upsample(new int[] {5, 7}, "nearest", false).forward(u));
        got.put("up_nearest_1_7", new Upsample(1.7).forward(u));
        got.put("up_bilinear2", new Upsample(2, "bilinear").forward(u));
        got.put("up_bilinear_ac", new Upsample(new int[] {5, 7}, "bilinear", true).forward(u));
        got.put("up_bilinear_1_5", new Upsample(1.5, "bilinear", false).forward(u));
        got.put("up_bilinear_down", new Upsample(new int[] {2, 3}, "bilinear", false).forward(u));
        got.put("up_linear3", new Upsample(3, "linear").forward(l));
        got.put("up_nearest1d", new Upsample(new int[] {8}, "nearest", false).forward(l));
        for (var e : got.entrySet()) assertClose(f.get(e.getKey()), e.getValue(), 1e-6, e.getKey());
    }

    @Test
    void handComputedValuesAndShapes() {
        Tensor x = Tensor.arange(0, 16, 1).reshape(1, 1, 4, 4).to(DType.FLOAT32);
        assertArrayEquals(new float[] {5, 7, 13, 15}, new MaxPool2d(2).forward(x).toFloatArray());
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, new AvgPool2d(2).forward(x).toFloatArray());
        PoolResult r = new MaxPool2d(2).forwardWithIndices(x);
        assertArrayEquals(new long[] {5, 7, 13, 15}, r.indices().toLongArray());
        // the corner window with padding 1 holds x[0..1, 0..1] and 5 padded cells: divisor 9 when padding counts, else 4
        assertEquals((0 + 1 + 4 + 5) / 9.0, new AvgPool2d(3, 2, 1).forward(x).get(0, 0, 0, 0), 1e-6);
        assertEquals((0 + 1 + 4 + 5) / 4.0,
            new AvgPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, false, false, 0).forward(x).get(0, 0, 0, 0), 1e-6);
        Tensor s = Tensor.of(new float[] {1, 5, 2, 4, 3}, 1, 5);
        assertArrayEquals(new float[] {5, 4}, new MaxPool1d(2).forward(s).toFloatArray());
        assertArrayEquals(new float[] {5, 4, 3}, new MaxPool1d(2, 2, 0, 1, true).forward(s).toFloatArray());
        assertArrayEquals(new float[] {3, 3}, new AvgPool1d(2).forward(s).toFloatArray());
        // 5 -> 3 windows: [0, 2), [1, 4), [3, 5); 1 -> 1 row
        Tensor row = Tensor.of(new float[] {1, 2, 3, 4, 6}, 1, 1, 1, 5);
        assertArrayEquals(new float[] {1.5f, 3, 5}, new AdaptiveAvgPool2d(1, 3).forward(row).toFloatArray(), 1e-6f);
        assertArrayEquals(new int[] {2, 3, 1, 1}, new AdaptiveAvgPool2d(1).forward(Tensor.zeros(2, 3, 7, 5)).shape());
        assertArrayEquals(new int[] {3, 4, 2}, new AdaptiveAvgPool2d(4, 2).forward(Tensor.zeros(3, 9, 5)).shape());
        assertArrayEquals(new int[] {2, 3, 8, 10}, new Upsample(2).forward(Tensor.zeros(2, 3, 4, 5)).shape());
        assertArrayEquals(new int[] {2, 3, 6, 7}, new Upsample(1.5, "bilinear").forward(Tensor.zeros(2, 3, 4, 5)).shape());
        assertArrayEquals(new int[] {2, 3, 12, 10},
            new Upsample(new double[] {3, 2}, "nearest", false).forward(Tensor.zeros(2, 3, 4, 5)).shape());
        // nearest doubling repeats each pixel in a 2x2 block
        Tensor q = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, new Upsample(2).forward(q).toFloatArray());
        assertArrayEquals(new int[] {4, 3, 3, 4}, new MaxPool2d(new int[] {3, 2}, new int[] {3, 2}, new int[] {1, 0},
            new int[] {1, 1}, false).forward(Tensor.zeros(4, 3, 7, 8)).shape());
    }

    @Test
    void gradcheckOfEachLayerInFloat64() {
        Tensor x = input(11, 2, 2, 5, 7), s = input(12, 2, 3, 9);
        gradcheck("MaxPool2d", in -> new MaxPool2d(new int[] {3, 2}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 2}, true)
            .forward(in[0]), x);
        gradcheck("AvgPool2d", in -> new AvgPool2d(new int[] {3, 3}, new int[] {2, 1}, new int[] {1, 1}, true, false, 0)
            .forward(in[0]), x);
        gradcheck("MaxPool1d", in -> new MaxPool1d(3, 2, 1, 1, false).forward(in[0]), s);
        gradcheck("AvgPool1d", in -> new AvgPool1d(4, 2, 2, true, true).forward(in[0]), s);
        gradcheck("AdaptiveAvgPool2d tiled", in -> new AdaptiveAvgPool2d(5, 7).forward(in[0]), x);
        gradcheck("AdaptiveAvgPool2d overlapping", in -> new AdaptiveAvgPool2d(3, 4).forward(in[0]), x);
        gradcheck("Upsample nearest", in -> new Upsample(1.5).forward(in[0]), x);
        gradcheck("Upsample bilinear", in -> new Upsample(new int[] {7, 9}, "bilinear", false).forward(in[0]), x);
        gradcheck("Upsample bilinear aligned", in -> new Upsample(2, "bilinear", true).forward(in[0]), x);
        gradcheck("Upsample linear", in -> new Upsample(new int[] {4}, "linear", true).forward(in[0]), s);
    }

    @Test
    void badInputNamesTheLayerAndShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2).forward(Tensor.zeros(4, 4)));
        assertEquals("MaxPool2d(kernelSize=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1], ceilMode=false): "
            + "expected input [N, C, H, W] or [C, H, W], got shape [4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Upsample(2, "bilinear").forward(Tensor.zeros(1, 2, 5)));
        assertEquals("Upsample(scaleFactor=2.0, mode=bilinear): expected input with 4 dimensions for mode bilinear, got shape [1, 2, 5]",
            e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool1d(2).forward(Tensor.zeros(1, 2, 3, 4)));
        assertTrue(e.getMessage().startsWith("AvgPool1d(kernelSize=2") && e.getMessage().endsWith("got shape [1, 2, 3, 4]"));
        assertThrows(IllegalArgumentException.class, () -> new Upsample(2, "nearest", true));
        assertThrows(IllegalArgumentException.class, () -> new Upsample(2, "bicubic"));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0));
    }
}
