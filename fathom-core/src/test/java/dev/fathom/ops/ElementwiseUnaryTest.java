package dev.fathom.ops;

import dev.fathom.backend.ScalarMath;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.f;

class ElementwiseUnaryTest {
    private static void close(double expected, double actual, double rel) {
        assertEquals(expected, actual, rel * Math.abs(expected) + 1e-30, "expected " + expected + " got " + actual);
    }

    @Test
    void simpleOpsOnFloat32() {
        Tensor x = f(-2, -0.5f, 0, 3);
        assertArrayEquals(new float[] {2, 0.5f, -0f, -3}, x.neg().toFloatArray());
        assertArrayEquals(new float[] {2, 0.5f, 0, 3}, x.abs().toFloatArray());
        assertArrayEquals(new float[] {-1, -1, 0, 1}, x.sign().toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0, 3}, x.relu().toFloatArray());
        assertArrayEquals(new float[] {-0.02f, -0.005f, 0, 3}, x.leakyRelu().toFloatArray(), 1e-9f);
        assertArrayEquals(new float[] {-0.4f, -0.1f, 0, 3}, x.leakyRelu(0.2).toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {-1, -0.5f, 0, 1}, x.clamp(-1, 1).toFloatArray());
        assertArrayEquals(new float[] {-0.5f, -0.5f, 0, 3}, x.clampMin(-0.5).toFloatArray());
        assertArrayEquals(new float[] {-2, -0.5f, 0, 1}, x.clampMax(1).toFloatArray());
        // min > max clamps everything to max, as torch
        assertArrayEquals(new float[] {1, 1, 1, 1}, x.clamp(2, 1).toFloatArray());
        assertArrayEquals(new float[] {2, 3, 0.5f}, f(4, 9, 0.25f).sqrt().toFloatArray());
        assertArrayEquals(new float[] {0.5f, 1f / 3, 2}, f(4, 9, 0.25f).rsqrt().toFloatArray(), 1e-7f);
    }

    @Test
    void nanAndSignedZeroEdgeCases() {
        Tensor n = f(Float.NaN);
        assertTrue(Float.isNaN(n.relu().toFloatArray()[0]));
        assertTrue(Float.isNaN(n.clamp(0, 1).toFloatArray()[0]));
        assertTrue(Float.isNaN(n.sign().toFloatArray()[0]));
        assertTrue(Float.isNaN(n.leakyRelu().toFloatArray()[0]));
        assertTrue(Float.isNaN(f(-1).sqrt().toFloatArray()[0]), "sqrt of a negative is NaN");
        assertEquals(Float.NEGATIVE_INFINITY, f(0).log().toFloatArray()[0], "log 0 = -inf");
        assertTrue(Float.isNaN(f(-1).log().toFloatArray()[0]));
        assertEquals(Float.POSITIVE_INFINITY, f(0).rsqrt().toFloatArray()[0]);
    }

    @Test
    void transcendentalsMatchMath() {
        float[] xs = {-3, -1, -0.25f, 0, 0.5f, 1, 2.5f};
        float[] exp = f(xs).exp().toFloatArray(), tanh = f(xs).tanh().toFloatArray(), sin = f(xs).sin().toFloatArray(),
            cos = f(xs).cos().toFloatArray(), em1 = f(xs).expm1().toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            close(Math.exp(xs[i]), exp[i], 1e-6);
            close(Math.tanh(xs[i]), tanh[i], 1e-6);
            close(Math.sin(xs[i]), sin[i], 1e-6);
            close(Math.cos(xs[i]), cos[i], 1e-6);
            close(Math.expm1(xs[i]), em1[i], 1e-6);
        }
        close(1.0, f((float) Math.E).log().toFloatArray()[0], 1e-6);
        close(Math.log(1e-30), f(1e-30f).log().toFloatArray()[0], 1e-6);
        close(1e-10 - 5e-21, f(1e-10f).log1p().toFloatArray()[0], 1e-6);
        close(1e-10, f(1e-10f).expm1().toFloatArray()[0], 1e-6);
        assertEquals(Float.POSITIVE_INFINITY, f(100).exp().toFloatArray()[0]);
        assertEquals(0f, f(-200).exp().toFloatArray()[0]);
        assertEquals(1f, f(20).tanh().toFloatArray()[0]);
        assertEquals(-1f, f(-20).tanh().toFloatArray()[0]);
    }

    @Test
    void sigmoidStaysFiniteAtExtremes() {
        float[] s = f(-1000, -100, -1, 0, 2, 1000).sigmoid().toFloatArray();
        assertEquals(0f, s[0]);
        close(Math.exp(-100), s[1], 1e-5);   // 3.7e-44 is subnormal in float32: only a few bits
        close(1 / (1 + Math.E), s[2], 1e-6);
        assertEquals(0.5f, s[3]);
        close(0.8807970779778823, s[4], 1e-6);
        assertEquals(1f, s[5]);
        double[] d = Tensor.vector(-800.0, 800.0).sigmoid().toDoubleArray();
        assertEquals(0.0, d[0]);
        assertEquals(1.0, d[1]);
        assertTrue(Double.isFinite(Tensor.vector(-745.0).sigmoid().item()));
    }

    @Test
    void geluMatchesNormalCdf() {
        // x * Phi(x) with Phi from tables: Phi(1)=0.8413447460685429, Phi(2)=0.9772498680518208,
        // Phi(0.5)=0.6914624612740131, Phi(-3)=0.0013498980316301
        double[] xs = {1, -1, 2, 0.5, -3, 0};
        double[] want = {0.8413447460685429, -0.15865525393145707, 1.9544997361036416, 0.34573123063700655,
            -0.0040496940948903, 0};
        float[] g = Tensor.of(new float[] {1, -1, 2, 0.5f, -3, 0}, 6).gelu().toFloatArray();
        double[] gd = Tensor.of(xs, 6).gelu().toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(want[i], g[i], 1e-6 * Math.abs(want[i]) + 1e-7);
            assertEquals(want[i], gd[i], 1e-13 * Math.abs(want[i]) + 1e-16);
        }
        // deep negative tail: x Phi(x) is tiny but its relative accuracy survives
        double phiMinus5 = 2.866515718791939e-7;
        close(-5 * phiMinus5, Tensor.vector(-5.0).gelu().item(), 1e-12);
        close(-5 * phiMinus5, f(-5).gelu().toFloatArray()[0], 2e-6);
        assertFalse(f(Float.NaN).gelu().isFinite().toBoolArray()[0]);
        assertEquals(0f, f(Float.NEGATIVE_INFINITY).gelu().abs().toFloatArray()[0]);
    }

    @Test
    void geluTanhApproximation() {
        float[] xs = {-4, -1, -0.1f, 0, 0.7f, 3};
        float[] g = f(xs).gelu(true).toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            double x = xs[i];
            double ref = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            assertEquals(ref, g[i], 1e-6 * Math.abs(ref) + 1e-7);
        }
        assertArrayEquals(f(xs).gelu().toFloatArray(), f(xs).gelu(false).toFloatArray());
    }

    @Test
    void softplusAndElu() {
        float[] s = f(0, 25, -30, 1).softplus().toFloatArray();
        close(Math.log(2), s[0], 1e-6);
        assertEquals(25f, s[1], "above the threshold softplus is the identity");
        close(9.357622968840175e-14, s[2], 1e-5);
        close(Math.log1p(Math.E), s[3], 1e-6);
        // beta and threshold: beta*x = 2*3 = 6 > 5 -> identity; else log1p(exp(2x))/2
        float[] sb = f(3, 1).softplus(2, 5).toFloatArray();
        assertEquals(3f, sb[0]);
        close(Math.log1p(Math.exp(2)) / 2, sb[1], 1e-6);
        var e = assertThrows(IllegalArgumentException.class, () -> f(1).softplus(0, 20));
        assertTrue(e.getMessage().startsWith("softplus: beta"), e.getMessage());
        float[] el = f(-1, 0, 2).elu().toFloatArray();
        close(Math.exp(-1) - 1, el[0], 1e-6);
        assertEquals(0f, el[1]);
        assertEquals(2f, el[2]);
        close(0.5 * (Math.exp(-1) - 1), f(-1).elu(0.5).toFloatArray()[0], 1e-6);
    }

    @Test
    void integerInputs() {
        Tensor i = Tensor.vector(-3L, 0L, 2L);
        // float ops promote to float32
        Tensor e = i.exp();
        assertEquals(DType.FLOAT32, e.dtype());
        close(Math.exp(2), e.toFloatArray()[2], 1e-6);
        assertEquals(DType.FLOAT32, i.sqrt().dtype());
        assertEquals(DType.FLOAT32, i.sigmoid().dtype());
        assertEquals(DType.FLOAT32, Tensor.of(new boolean[] {true}, 1).exp().dtype());
        // keep-type ops stay int64
        assertEquals(DType.INT64, i.neg().dtype());
        assertArrayEquals(new long[] {3, 0, -2}, i.neg().toLongArray());
        assertArrayEquals(new long[] {3, 0, 2}, i.abs().toLongArray());
        assertArrayEquals(new long[] {-1, 0, 1}, i.sign().toLongArray());
        assertArrayEquals(new long[] {0, 0, 2}, i.relu().toLongArray());
        assertArrayEquals(new long[] {-1, 0, 1}, i.clamp(-1, 1).toLongArray());
        assertArrayEquals(new long[] {-3, 0, 1}, i.clampMax(1).toLongArray());
        // a fractional bound makes the result floating, like a Python float bound in torch
        Tensor cf = i.clamp(-0.5, 10);
        assertEquals(DType.FLOAT32, cf.dtype());
        assertArrayEquals(new float[] {-0.5f, 0, 2}, cf.toFloatArray());
        Tensor i32 = Tensor.of(new int[] {-5, 7}, 2);
        assertArrayEquals(new int[] {-5, 7}, i32.clampMin(-1e12).toIntArray());
        assertArrayEquals(new int[] {5, -7}, i32.neg().toIntArray());
        // bool: sign is the identity, neg is refused with a hint
        Tensor b = Tensor.of(new boolean[] {true, false}, 2);
        assertArrayEquals(new boolean[] {true, false}, b.sign().toBoolArray());
        var ex = assertThrows(IllegalArgumentException.class, b::neg);
        assertTrue(ex.getMessage().startsWith("neg: bool") && ex.getMessage().contains("logicalNot"), ex.getMessage());
        var ex2 = assertThrows(IllegalArgumentException.class, () -> f(1).clamp(Double.NaN, 1));
        assertTrue(ex2.getMessage().startsWith("clamp: bounds must not be NaN"), ex2.getMessage());
    }

    @Test
    void float64Ops() {
        Tensor d = Tensor.vector(-2.0, 0.5, 4.0);
        assertArrayEquals(new double[] {2, -0.5, -4}, d.neg().toDoubleArray());
        assertArrayEquals(new double[] {0, 0.5, 4}, d.relu().toDoubleArray());
        assertArrayEquals(new double[] {Math.exp(-2), Math.exp(0.5), Math.exp(4)}, d.exp().toDoubleArray(), 0);
        assertArrayEquals(new double[] {Math.tanh(-2), Math.tanh(0.5), Math.tanh(4)}, d.tanh().toDoubleArray(), 0);
        assertArrayEquals(new double[] {-1, 0.5, 1}, d.clamp(-1, 1).toDoubleArray());
        assertEquals(DType.FLOAT64, d.sigmoid().dtype());
    }

    @Test
    void stridedAndEmptyInputs() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {-1, -4, -2, -5, -3, -6}, m.t().neg().toFloatArray());
        float[] e = m.t().exp().toFloatArray();
        float[] order = {1, 4, 2, 5, 3, 6};
        for (int i = 0; i < 6; i++) close(Math.exp(order[i]), e[i], 1e-6);
        assertArrayEquals(new float[] {1, 3, 4, 6}, m.slice(1, 0, 3, 2).relu().toFloatArray());
        Tensor ex = f(-1, 2).reshape(2, 1).expand(2, 3);
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2}, ex.abs().toFloatArray());
        Tensor li = Tensor.of(new long[] {1, -2, 3, -4}, 2, 2).t();
        assertArrayEquals(new long[] {1, 3, 2, 4}, li.abs().toLongArray());
        assertArrayEquals(new int[] {0, 4}, Tensor.zeros(0, 4).exp().shape());
        assertEquals(0, Tensor.scalar(0f).exp().ndim());
        assertEquals(1f, Tensor.scalar(0f).exp().item());
    }

    @Test
    void largeTensorsMatchNaiveLoops() {
        Random r = new Random(7);
        int n = 200_003; // above every parallel threshold, odd length
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 5);
        Tensor t = Tensor.of(x, n);
        float[] relu = t.relu().toFloatArray(), sig = t.sigmoid().toFloatArray(), ab = t.abs().toFloatArray(),
            sn = t.sin().toFloatArray();
        for (int i = 0; i < n; i++) {
            assertEquals(Math.max(x[i], 0f), relu[i], 0f);
            assertEquals(Math.abs(x[i]), ab[i], 0f);
            close(1 / (1 + Math.exp(-x[i])), sig[i], 1e-6);
            close(Math.sin(x[i]), sn[i], 1e-6);
        }
        // strided large input (transpose of a 400 x 499 matrix)
        Tensor m = Tensor.of(java.util.Arrays.copyOf(x, 400 * 499), 400, 499);
        float[] tt = m.t().tanh().toFloatArray();
        for (int i = 0; i < 400; i++)
            for (int j = 0; j < 499; j++)
                close(Math.tanh(x[i * 499 + j]), tt[j * 400 + i], 1e-6);
    }

    @Test
    void scalarErfIsAccurate() {
        // reference values of erf/erfc (Abramowitz & Stegun tables, extended)
        close(0.5204998778130465, ScalarMath.erf(0.5), 1e-15);
        close(0.8427007929497149, ScalarMath.erf(1), 1e-15);
        close(0.9953222650189527, ScalarMath.erf(2), 1e-15);
        close(2.209049699858544e-05, ScalarMath.erfc(3), 1e-13);
        close(1.5374597944280349e-12, ScalarMath.erfc(5), 1e-13);
        close(2.088487583762545e-45, ScalarMath.erfc(10), 1e-12);
        close(-0.8427007929497149, ScalarMath.erf(-1), 1e-15);
        close(1.8427007929497148, ScalarMath.erfc(-1), 1e-15);
        assertEquals(0.0, ScalarMath.erf(0));
        assertEquals(1.0, ScalarMath.erf(30));
        // identities across the series / continued-fraction boundary at 2.5
        for (double x = 0; x < 6; x += 0.0625) {
            assertEquals(1.0, ScalarMath.erf(x) + ScalarMath.erfc(x), 2e-16);
            close(ScalarMath.erfc(x), ScalarMath.erfcFast(x), 1.2e-7);
        }
        close(ScalarMath.erfc(2.5 - 1e-12), ScalarMath.erfc(2.5), 1e-10);
    }
}
