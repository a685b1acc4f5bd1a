package dev.fathom.autograd;

import dev.fathom.ops.Resize;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Interpolation (ops/Resize): hand-computed values, shapes, and first and second order gradchecks of every mode. */
class ResizeGradTest {
    static Tensor leaf(Generator g, int... shape) { return Tensor.randn(g, DType.FLOAT64, shape).requiresGrad(true); }

    static void check(String what, java.util.function.Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.Report r = GradCheck.check(f, in);
        assertTrue(r.passed(), what + ": " + r);
        GradCheck.Report r2 = GradCheck.checkSecondOrder(f, in);
        assertTrue(r2.passed(), what + " (second order): " + r2);
    }

    @Test
    void nearestAndLinearValuesByHand() {
        Tensor x = Tensor.of(new double[] {0, 1}, 1, 1, 2);
        assertArrayEquals(new double[] {0, 0, 1, 1},
            Resize.interpolate(x, null, new double[] {2}, "nearest", false).toDoubleArray());
        // unaligned: source positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (last index)
        assertArrayEquals(new double[] {0, 0.25, 0.75, 1},
            Resize.interpolate(x, new int[] {4}, null, "linear", false).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0, 1 / 3.0, 2 / 3.0, 1},
            Resize.interpolate(x, new int[] {4}, null, "linear", true).toDoubleArray(), 1e-15);
        // nearest down-sampling 5 -> 3: floor(i * 5/3) = 0, 1, 3
        Tensor y = Tensor.of(new double[] {10, 11, 12, 13, 14}, 1, 1, 5);
        assertArrayEquals(new double[] {10, 11, 13}, Resize.interpolate(y, new int[] {3}, null, "nearest", false).toDoubleArray());
        // bilinear 2x2 -> 3x3 with aligned corners: the centre is the mean of the four corners
        Tensor q = Tensor.of(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor b = Resize.interpolate(q, new int[] {3, 3}, null, "bilinear", true);
        assertArrayEquals(new double[] {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}, b.toDoubleArray(), 1e-15);
        assertArrayEquals(new int[] {1, 1, 6, 9}, Resize.interpolate(q.to(DType.FLOAT32), null, new double[] {3, 4.5},
            "nearest", false).shape());
    }

    @Test
    void gradchecksOfEveryMode() {
        Generator g = new Generator(5);
        Tensor x1 = leaf(g, 2, 2, 5), x2 = leaf(g, 1, 2, 3, 4), x3 = leaf(g, 1, 1, 2, 3, 2);
        check("nearest 1d up", in -> Resize.interpolate(in[0], new int[] {8}, null, "nearest", false), x1);
        check("nearest 2d mixed", in -> Resize.interpolate(in[0], new int[] {5, 3}, null, "nearest", false), x2);
        check("nearest 3d", in -> Resize.interpolate(in[0], null, new double[] {2, 1.5, 2}, "nearest", false), x3);
        check("linear", in -> Resize.interpolate(in[0], new int[] {7}, null, "linear", false), x1);
        check("linear aligned down", in -> Resize.interpolate(in[0], new int[] {3}, null, "linear", true), x1);
        for (boolean ac : new boolean[] {false, true}) {
            check("bilinear up " + ac, in -> Resize.interpolate(in[0], new int[] {5, 7}, null, "bilinear", ac), x2);
            check("bilinear down " + ac, in -> Resize.interpolate(in[0], new int[] {2, 3}, null, "bilinear", ac), x2);
            check("bilinear scale " + ac, in -> Resize.interpolate(in[0], null, new double[] {1.5, 2}, "bilinear", ac), x2);
        }
        check("trilinear", in -> Resize.interpolate(in[0], new int[] {3, 4, 3}, null, "trilinear", false), x3);
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = Tensor.zeros(1, 1, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> Resize.interpolate(x, new int[] {2, 2}, null, "linear", false));
        assertThrows(IllegalArgumentException.class, () -> Resize.interpolate(x, new int[] {2, 2}, null, "nearest", true));
        assertThrows(IllegalArgumentException.class, () -> Resize.interpolate(x, new int[] {2}, null, "bilinear", false));
        assertThrows(IllegalArgumentException.class, () -> Resize.interpolate(x, null, null, "bilinear", false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Resize.interpolate(x, new int[] {2, 2}, null, "bicubic", false));
        assertTrue(e.getMessage().contains("bicubic"), e.getMessage());
    }
}
