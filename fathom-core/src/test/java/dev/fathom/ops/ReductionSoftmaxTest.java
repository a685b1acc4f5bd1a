package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** softmax / logSoftmax against the formula exp(x - max) / sum, evaluated by hand in the test. */
class ReductionSoftmaxTest {
    private static double[] softmaxRef(double[] row) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : row) m = Math.max(m, v);
        double s = 0;
        double[] e = new double[row.length];
        for (int i = 0; i < row.length; i++) s += e[i] = Math.exp(row[i] - m);
        for (int i = 0; i < row.length; i++) e[i] /= s;
        return e;
    }

    @Test
    void smallRowMatchesTheFormula() {
        Tensor x = Tensor.vector(1f, 2f, 3f);
        double s = Math.exp(-2) + Math.exp(-1) + 1;
        float[] expected = {(float) (Math.exp(-2) / s), (float) (Math.exp(-1) / s), (float) (1 / s)};
        assertArrayEquals(expected, x.softmax(0).toFloatArray(), 1e-6f);
        assertArrayEquals(expected, x.softmax(-1).toFloatArray(), 1e-6f);
        float[] log = {(float) (-2 - Math.log(s)), (float) (-1 - Math.log(s)), (float) -Math.log(s)};
        assertArrayEquals(log, x.logSoftmax(0).toFloatArray(), 1e-6f);
    }

    @Test
    void hugeValuesDoNotOverflow() {
        assertArrayEquals(new float[] {1, 0}, Tensor.vector(1000f, -1000f).softmax(0).toFloatArray(), 0f);
        assertArrayEquals(new float[] {0.5f, 0.5f}, Tensor.vector(1000f, 1000f).softmax(0).toFloatArray(), 1e-7f);
        assertArrayEquals(new double[] {0, -2000}, Tensor.vector(1000.0, -1000.0).logSoftmax(0).toDoubleArray(), 1e-9);
        float[] ls = Tensor.vector(1000f, 1000f).logSoftmax(0).toFloatArray();
        assertArrayEquals(new float[] {(float) -Math.log(2), (float) -Math.log(2)}, ls, 1e-6f);
        // a 2-d column case with huge values too
        Tensor c = Tensor.of(new float[] {1000, -1000, -1000, 1000}, 2, 2).softmax(0);
        assertArrayEquals(new float[] {1, 0, 0, 1}, c.toFloatArray(), 0f);
    }

    @Test
    void softmaxOverEveryAxisOf3dTensorMatchesReference() {
        Random rnd = new Random(7);
        int[] shape = {3, 4, 5};
        double[] data = new double[60];
        for (int i = 0; i < 60; i++) data[i] = rnd.nextGaussian() * 3;
        Tensor x = Tensor.of(data, shape);
        Tensor xf = x.to(dev.fathom.tensor.DType.FLOAT32);
        for (int dim = 0; dim < 3; dim++) {
            double[] got = x.softmax(dim).toDoubleArray();
            float[] gotF = xf.softmax(dim).toFloatArray();
            double[] gotLog = x.logSoftmax(dim).toDoubleArray();
            int n = shape[dim];
            int stride = dim == 0 ? 20 : dim == 1 ? 5 : 1;
            // visit every line along dim
            for (int base = 0; base < 60; base++) {
                if ((base / stride) % n != 0) continue;
                double[] row = new double[n];
                for (int r = 0; r < n; r++) row[r] = data[base + r * stride];
                double[] ref = softmaxRef(row);
                for (int r = 0; r < n; r++) {
                    int at = base + r * stride;
                    assertEquals(ref[r], got[at], 1e-12, "dim " + dim + " at " + at);
                    assertEquals(ref[r], gotF[at], 1e-6, "float32 dim " + dim + " at " + at);
                    assertEquals(Math.log(ref[r]), gotLog[at], 1e-10, "log dim " + dim + " at " + at);
                }
            }
        }
    }

    @Test
    void transposedInputGivesTheTransposedResult() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        float[] a = x.t().softmax(1).toFloatArray();  // rows of x.t() are columns of x
        float[] b = x.softmax(0).t().toFloatArray();
        assertArrayEquals(b, a, 1e-7f);
        float[] sl = x.slice(1, 0, 3, 2).softmax(1).toFloatArray(); // [[1,3],[4,6]]
        double s = 1 + Math.exp(2);
        assertArrayEquals(new float[] {(float) (1 / s), (float) (Math.exp(2) / s), (float) (1 / s), (float) (Math.exp(2) / s)}, sl, 1e-6f);
    }

    @Test
    void wideRowsSumToOneAndLogSoftmaxIsLogOfSoftmax() {
        Random rnd = new Random(1);
        int rows = 64, cols = 1000;
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = (float) (rnd.nextGaussian() * 10);
        Tensor x = Tensor.of(d, rows, cols);
        float[] sm = x.softmax(1).toFloatArray();
        float[] lsm = x.logSoftmax(-1).toFloatArray();
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += sm[r * cols + c];
            assertEquals(1.0, s, 1e-5, "row " + r);
            for (int c = 0; c < cols; c++) {
                float p = sm[r * cols + c];
                if (p > 1e-30f) assertEquals(Math.log(p), lsm[r * cols + c], 1e-4 + 1e-5 * Math.abs(lsm[r * cols + c]));
            }
        }
    }

    @Test
    void vectorAndPlainPathsAgree() {
        Random rnd = new Random(3);
        float[] d = new float[37 * 301];
        for (int i = 0; i < d.length; i++) d[i] = (float) (rnd.nextGaussian() * 5);
        Tensor x = Tensor.of(d, 37, 301);
        boolean saved = Reductions.useVector;
        try {
            Reductions.useVector = false;
            float[] plain = x.softmax(1).toFloatArray(), plainLog = x.logSoftmax(1).toFloatArray();
            float[] plainCol = x.softmax(0).toFloatArray();
            Reductions.useVector = Reductions.VECTOR_AVAILABLE;
            assertArrayEquals(plain, x.softmax(1).toFloatArray(), 1e-6f);
            assertArrayEquals(plainLog, x.logSoftmax(1).toFloatArray(), 1e-5f);
            assertArrayEquals(plainCol, x.softmax(0).toFloatArray(), 1e-6f);
        } finally {
            Reductions.useVector = saved;
        }
    }

    @Test
    void vectorExpIsAccurateOverTheWholeRange() {
        if (!Reductions.VECTOR_AVAILABLE) return;
        int n = 200_003;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -110f + 200f * i / (n - 1);
        x[0] = Float.NEGATIVE_INFINITY; x[1] = Float.POSITIVE_INFINITY; x[2] = Float.NaN; x[3] = 0f; x[4] = 88.7f;
        float[] e = ReduceVec.expArray(x);
        for (int i = 0; i < n; i++) {
            float ref = (float) Math.exp(x[i]);
            if (Float.isNaN(ref) || Float.isInfinite(ref) || ref == 0f) assertEquals(ref, e[i], "x = " + x[i]);
            else if (ref < 1e-37f) assertEquals(ref, e[i], 2e-44f, "x = " + x[i]); // subnormal: absolute
            else assertEquals(ref, e[i], 2.5e-7f * ref, "x = " + x[i]);
        }
    }

    @Test
    void nanAndInfinityRowsFollowIeee() {
        float[] r = Tensor.vector(1f, Float.NaN, 2f).softmax(0).toFloatArray();
        for (float v : r) assertTrue(Float.isNaN(v));
        float[] ninf = Tensor.vector(Float.NEGATIVE_INFINITY, 0f).softmax(0).toFloatArray();
        assertArrayEquals(new float[] {0, 1}, ninf, 0f);
    }

    @Test
    void fusedLastDimBackwardEqualsTheDifferentiableRule() {
        // backward without createGraph takes the one-pass kernel; Autograd.grad with createGraph the tensor-op rule
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            for (int[] shape : new int[][] {{1, 1}, {3, 7}, {2, 4, 33}, {5}}) {
                Generator gen = new Generator(shape.length * 31L + shape[shape.length - 1]);
                Tensor x = Tensor.randn(gen, dt, shape), w = Tensor.randn(gen, dt, shape);
                if (shape.length == 3) { // masked entries (y = 0) and a non-contiguous row layout
                    x = x.maskedFill(Tensor.rand(gen, shape).lt(0.3), Double.NEGATIVE_INFINITY).narrow(2, 0, 32);
                    w = w.narrow(2, 0, 32);
                }
                Tensor xs = x.detach().requiresGrad(true);
                xs.softmax(-1).mul(w).sum().backward();
                Tensor x2 = x.detach().requiresGrad(true);
                Tensor ref = dev.fathom.autograd.Autograd.grad(x2.softmax(-1).mul(w).sum(), new Tensor[] {x2}, true)[0];
                double tol = dt == DType.FLOAT64 ? 1e-12 : 1e-6;
                assertTrue(xs.grad().allClose(ref.detach(), tol, tol), dt + " " + java.util.Arrays.toString(shape));
            }
        }
    }
}
