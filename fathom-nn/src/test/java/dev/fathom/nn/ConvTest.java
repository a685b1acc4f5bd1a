package dev.fathom.nn;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

class ConvTest {
    static final DType F64 = DType.FLOAT64;

    static void assertClose(Tensor expected, Tensor got, double tol, String what) {
        assertArrayEquals(expected.shape(), got.shape(), what + " shape");
        assertTrue(got.allClose(expected, tol, tol), what + "\nexpected " + expected + "\ngot " + got);
    }

    static void gradcheck(String what, Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.Report r = GradCheck.check(f, in);
        assertTrue(r.passed(), what + ": " + r);
    }

    /** Overwrites a parameter outside the graph. */
    static void set(Tensor parameter, Tensor value) {
        try (var ignored = dev.fathom.autograd.Autograd.noGrad()) {
            parameter.copyFrom(value);
        }
    }

    static Tensor input(long seed, int... shape) { return Tensor.randn(new Generator(seed), F64, shape).requiresGrad(true); }

    @Test
    void initialisationAndOutputsEqualPyTorchAfterTheSameSeed() {
        Map<String, Tensor> f = TorchFixture.load("conv");
        Generator.manualSeed(0);
        Conv1d c1 = new Conv1d(3, 4, 3, 2, 1);
        Conv2d c2 = new Conv2d(4, 6, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2, true, "zeros",
            DType.FLOAT32);
        Conv2d same = new Conv2d(3, 4, new int[] {4, 4}, new int[] {1, 1}, "same", new int[] {1, 1}, 1, false, "zeros",
            DType.FLOAT32);
        Conv2d refl = new Conv2d(2, 3, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, true, "reflect",
            DType.FLOAT32);
        ConvTranspose2d ct = new ConvTranspose2d(4, 6, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 2,
            true, new int[] {1, 1}, DType.FLOAT32);
        Tensor[] xs = {Tensor.randn(2, 3, 7), Tensor.randn(2, 4, 6, 7), Tensor.randn(1, 3, 5, 6), Tensor.randn(2, 2, 4, 5),
            Tensor.randn(2, 4, 3, 4)};
        String[] names = {"c1", "c2", "same", "refl", "ct"};
        ConvNd[] layers = {c1, c2, same, refl, ct};
        for (int i = 0; i < layers.length; i++) {
            String n = names[i];
            assertTrue(layers[i].weight.equal(f.get(n + ".weight")), n + ".weight\n" + layers[i].weight + "\n" + f.get(n + ".weight"));
            if (layers[i].bias != null) assertTrue(layers[i].bias.equal(f.get(n + ".bias")), n + ".bias");
            else assertFalse(f.containsKey(n + ".bias"));
            assertTrue(xs[i].equal(f.get(n + ".x")), n + ".x");
            assertClose(f.get(n + ".y"), layers[i].forward(xs[i]), 1e-5, n + ".y");
        }
    }

    @Test
    void outputShapesFollowPyTorchsFormulas() {
        Tensor x = Tensor.zeros(2, 4, 11, 9);
        assertArrayEquals(new int[] {2, 8, 9, 7}, new Conv2d(4, 8, 3).forward(x).shape());
        assertArrayEquals(new int[] {2, 8, 6, 5}, new Conv2d(4, 8, 3, 2, 1).forward(x).shape());
        assertArrayEquals(new int[] {2, 8, 7, 5}, new Conv2d(4, 8, 3, 1, 0, 2, 4, true).forward(x).shape());
        assertArrayEquals(new int[] {2, 6, 11, 9}, new Conv2d(4, 6, 4, "same").forward(x).shape());
        assertArrayEquals(new int[] {2, 6, 8, 6}, new Conv2d(4, 6, 4, "valid").forward(x).shape());
        assertArrayEquals(new int[] {6, 11, 9}, new Conv2d(4, 6, 3, 1, 1).forward(Tensor.zeros(4, 11, 9)).shape());
        assertArrayEquals(new int[] {2, 5, 4}, new Conv1d(3, 5, 3, 3, 1).forward(Tensor.zeros(2, 3, 10)).shape());
        assertArrayEquals(new int[] {2, 5, 10}, new Conv1d(3, 5, 5, "same").forward(Tensor.zeros(2, 3, 10)).shape());
        // (in-1)·stride - 2·padding + dilation·(k-1) + outputPadding + 1 = 10·2 - 2 + 2 + 1 + 1 = 22 rows, 8·2 - 2 + 3 = 17 columns
        ConvTranspose2d up = new ConvTranspose2d(4, 3, 3, 2, 1, 1);
        assertArrayEquals(new int[] {2, 3, 22, 18}, up.forward(x).shape());
        assertArrayEquals(new int[] {2, 3, 21, 17}, up.forward(x, new int[] {21, 17}).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> up.forward(x, new int[] {25, 17}));
        assertTrue(e.getMessage().contains("between 21 and 22"), e.getMessage());
    }

    @Test
    void weightShapesNamesAndFanIn() {
        Conv2d c = new Conv2d(6, 8, new int[] {3, 5}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2, true, "zeros",
            DType.FLOAT32);
        assertArrayEquals(new int[] {8, 3, 3, 5}, c.weight.shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(c.stateDict().keySet()));
        double bound = 1 / Math.sqrt(3 * 15);
        assertTrue(c.weight.abs().max().item() <= bound && c.bias.abs().max().item() <= bound);
        assertTrue(c.weight.abs().max().item() > 0.8 * bound, "weights spread over the range");
        ConvTranspose2d t = new ConvTranspose2d(6, 4, new int[] {2, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0}, 2,
            false, new int[] {1, 1}, DType.FLOAT32);
        assertArrayEquals(new int[] {6, 2, 2, 3}, t.weight.shape());
        assertNull(t.bias);
        assertEquals(List.of("weight"), List.copyOf(t.stateDict().keySet()));
        assertTrue(t.weight.abs().max().item() <= 1 / Math.sqrt(2 * 6.0));
        assertArrayEquals(new int[] {6, 2, 3}, new Conv1d(4, 6, 3, 1, 0, 1, 2, true, "zeros", DType.FLOAT32).weight.shape());
        assertEquals(1 / Math.sqrt(27), ConvNd.kaimingUniformBound(27), 1e-16);
        assertEquals("Conv2d(in=6, out=8, kernelSize=[3, 5], stride=[1, 1], groups=2)  # 368 parameters", c.toString().split("\n")[0]);
    }

    @Test
    void handComputedValues() {
        // 3x3 image, 2x2 kernel of ones with bias 1: window sums + 1
        Conv2d c = new Conv2d(1, 1, 2);
        set(c.weight, Tensor.ones(1, 1, 2, 2));
        set(c.bias, Tensor.vector(1f));
        Tensor x = Tensor.arange(0, 9, 1).reshape(1, 1, 3, 3).to(DType.FLOAT32);
        assertArrayEquals(new float[] {9, 13, 21, 25}, c.forward(x).toFloatArray());
        // circular padding of [1, 2, 3] by one: [3, 1, 2, 3, 1]; kernel [1, 0, -1] gives x[i-1] - x[i+1]
        Conv1d d = new Conv1d(1, 1, 3, 1, 1, 1, 1, false, "circular", DType.FLOAT32);
        set(d.weight, Tensor.of(new float[] {1, 0, -1}, 1, 1, 3));
        assertArrayEquals(new float[] {1, -2, 1}, d.forward(Tensor.of(new float[] {1, 2, 3}, 1, 1, 3)).toFloatArray());
        // replicate padding [1, 1, 2, 3, 3]
        Conv1d r = new Conv1d(1, 1, 3, 1, 1, 1, 1, false, "replicate", DType.FLOAT32);
        set(r.weight, Tensor.of(new float[] {1, 0, -1}, 1, 1, 3));
        assertArrayEquals(new float[] {-1, -2, -1}, r.forward(Tensor.of(new float[] {1, 2, 3}, 1, 1, 3)).toFloatArray());
        // transposed convolution of a single 1 with stride 2 places the kernel, plus bias
        ConvTranspose2d t = new ConvTranspose2d(1, 1, 2, 2, 0, 0);
        set(t.weight, Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        set(t.bias, Tensor.vector(0.5f));
        Tensor one = Tensor.of(new float[] {0, 1}, 1, 1, 1, 2);
        assertArrayEquals(new float[] {0.5f, 0.5f, 1.5f, 2.5f, 0.5f, 0.5f, 3.5f, 4.5f}, t.forward(one).toFloatArray());
    }

    @Test
    void gradcheckOfEachLayerInFloat64() {
        Conv1d c1 = new Conv1d(4, 6, 3, 2, 1, 1, 2, true, "zeros", F64);
        gradcheck("Conv1d", in -> c1.forward(in[0]), input(1, 2, 4, 7), c1.weight, c1.bias);
        Conv1d c1s = new Conv1d(3, 2, 4, 1, "same", 2, 1, true, "reflect", F64);
        gradcheck("Conv1d same reflect", in -> c1s.forward(in[0]), input(2, 2, 3, 8), c1s.weight, c1s.bias);
        Conv2d c2 = new Conv2d(4, 6, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}, 2, true, "zeros", F64);
        gradcheck("Conv2d", in -> c2.forward(in[0]), input(3, 2, 4, 5, 6), c2.weight, c2.bias);
        Conv2d c2s = new Conv2d(2, 3, new int[] {2, 3}, new int[] {1, 1}, "same", new int[] {1, 1}, 1, false, "circular", F64);
        gradcheck("Conv2d same circular", in -> c2s.forward(in[0]), input(4, 1, 2, 4, 5), c2s.weight);
        Conv2d c2r = new Conv2d(2, 2, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 2}, new int[] {1, 1}, 1, true, "replicate", F64);
        gradcheck("Conv2d replicate", in -> c2r.forward(in[0]), input(5, 1, 2, 5, 5), c2r.weight, c2r.bias);
        ConvTranspose2d ct = new ConvTranspose2d(4, 6, new int[] {3, 2}, new int[] {2, 2}, new int[] {1, 0}, new int[] {1, 0}, 2,
            true, new int[] {1, 2}, F64);
        gradcheck("ConvTranspose2d", in -> ct.forward(in[0]), input(6, 2, 4, 3, 3), ct.weight, ct.bias);
    }

    @Test
    void wrongChannelCountNamesTheLayerAndShapes() {
        Conv2d c = new Conv2d(3, 8, 3, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(2, 4, 8, 8)));
        assertEquals("Conv2d(in=3, out=8, kernelSize=[3, 3], stride=[1, 1], padding=[1, 1]): expected input with 3 channels "
            + "and 3 or 4 dimensions, got shape [2, 4, 8, 8]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(3, 8)));
        assertTrue(e.getMessage().contains("got shape [3, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 4, 3).forward(Tensor.zeros(2, 5, 9)));
        assertEquals("Conv1d(in=3, out=4, kernelSize=[3], stride=[1]): expected input with 3 channels and 2 or 3 dimensions, "
            + "got shape [2, 5, 9]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(4, 2, 3).forward(Tensor.zeros(1, 2, 5, 5)));
        assertTrue(e.getMessage().startsWith("ConvTranspose2d(in=4, out=2") && e.getMessage().endsWith("got shape [1, 2, 5, 5]"),
            e.getMessage());
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, 1, 0, 1, 2, true));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 3, 3, 1, 0, 1, 2, true));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 4, new int[] {3, 3}, new int[] {2, 2}, "same",
            new int[] {1, 1}, 1, true, "zeros", DType.FLOAT32));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 4, 3, "full"));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 4, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0},
            new int[] {1, 1}, 1, true, "mirror", DType.FLOAT32));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(2, 2, 3, 2, 0, 2));
        assertTrue(e.getMessage().contains("outputPadding"), e.getMessage());
    }
}
