package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.f;

class ElementwiseBinaryTest {
    @Test
    void arithmeticOnFloat32() {
        Tensor a = f(1, 2, 3, -4), b = f(4, 5, 6, 8);
        assertArrayEquals(new float[] {5, 7, 9, 4}, a.add(b).toFloatArray());
        assertArrayEquals(new float[] {-3, -3, -3, -12}, a.sub(b).toFloatArray());
        assertArrayEquals(new float[] {4, 10, 18, -32}, a.mul(b).toFloatArray());
        assertArrayEquals(new float[] {0.25f, 0.4f, 0.5f, -0.5f}, a.div(b).toFloatArray());
        assertArrayEquals(new float[] {1, 32, 729, 65536}, a.pow(b).toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, -4}, a.minimum(b).toFloatArray());
        assertArrayEquals(new float[] {4, 5, 6, 8}, a.maximum(b).toFloatArray());
        assertEquals(DType.FLOAT32, a.add(b).dtype());
    }

    @Test
    void addWithAlphaComputesAPlusAlphaTimesB() {
        Tensor a = f(1, 2, 3), b = f(10, 20, 30);
        assertArrayEquals(new float[] {-4, -8, -12}, a.add(b, -0.5).toFloatArray());
        assertArrayEquals(new float[] {21, 42, 63}, a.add(b, 2).toFloatArray());
        // broadcast b with alpha
        assertArrayEquals(new float[] {4, 5, 6}, a.add(Tensor.scalar(1.5f), 2).toFloatArray());
        Tensor i = Tensor.vector(1L, 2L);
        assertArrayEquals(new long[] {7, 8}, i.add(Tensor.vector(2L, 2L), 3).toLongArray());
        var e = assertThrows(IllegalArgumentException.class, () -> i.add(Tensor.vector(2L, 2L), 0.5));
        assertTrue(e.getMessage().startsWith("add: alpha must be an integer"), e.getMessage());
    }

    @Test
    void divisionByZeroFollowsIeee() {
        float[] r = f(1, -1, 0).div(f(0, 0, 0)).toFloatArray();
        assertEquals(Float.POSITIVE_INFINITY, r[0]);
        assertEquals(Float.NEGATIVE_INFINITY, r[1]);
        assertTrue(Float.isNaN(r[2]));
        // integer true division gives float32 and also infinities
        Tensor q = Tensor.vector(7L, 1L).div(Tensor.vector(2L, 0L));
        assertEquals(DType.FLOAT32, q.dtype());
        assertArrayEquals(new float[] {3.5f, Float.POSITIVE_INFINITY}, q.toFloatArray());
    }

    @Test
    void minimumAndMaximumPropagateNaN() {
        Tensor a = f(Float.NaN, 1, 2), b = f(0, Float.NaN, 3);
        float[] mn = a.minimum(b).toFloatArray(), mx = a.maximum(b).toFloatArray();
        assertTrue(Float.isNaN(mn[0]) && Float.isNaN(mn[1]));
        assertTrue(Float.isNaN(mx[0]) && Float.isNaN(mx[1]));
        assertEquals(2f, mn[2]);
        assertEquals(3f, mx[2]);
    }

    @Test
    void typePromotionFollowsPyTorch() {
        Tensor i32 = Tensor.of(new int[] {1, 2}, 2), i64 = Tensor.vector(10L, 20L);
        Tensor s = i32.add(i64);
        assertEquals(DType.INT64, s.dtype());
        assertArrayEquals(new long[] {11, 22}, s.toLongArray());
        // int tensor + python float -> float32
        Tensor g = i32.add(2.5);
        assertEquals(DType.FLOAT32, g.dtype());
        assertArrayEquals(new float[] {3.5f, 4.5f}, g.toFloatArray());
        // int tensor + python int keeps int32
        Tensor h = i32.mul(3L);
        assertEquals(DType.INT32, h.dtype());
        assertArrayEquals(new int[] {3, 6}, h.toIntArray());
        // float32 + float64 -> float64
        assertEquals(DType.FLOAT64, f(1).add(Tensor.vector(1.0)).dtype());
        // int64 + float32 tensor -> float32
        assertEquals(DType.FLOAT32, i64.add(f(0.5f, 0.5f)).dtype());
        // float32 tensor + python float stays float32
        assertEquals(DType.FLOAT32, f(1).mul(0.1).dtype());
        // bool + python int -> int64
        Tensor bl = Tensor.of(new boolean[] {true, false}, 2);
        Tensor bi = bl.add(1L);
        assertEquals(DType.INT64, bi.dtype());
        assertArrayEquals(new long[] {2, 1}, bi.toLongArray());
        // int64 with a long scalar is exact beyond 2^53
        long big = (1L << 60) + 1;
        assertEquals(big + 1, Tensor.vector(big).add(1L).getLong(0));
    }

    @Test
    void boolArithmeticIsLogicalLikePyTorch() {
        Tensor a = Tensor.of(new boolean[] {true, true, false, false}, 4);
        Tensor b = Tensor.of(new boolean[] {true, false, true, false}, 4);
        Tensor s = a.add(b);
        assertEquals(DType.BOOL, s.dtype());
        assertArrayEquals(new boolean[] {true, true, true, false}, s.toBoolArray());
        assertArrayEquals(new boolean[] {true, false, false, false}, a.mul(b).toBoolArray());
        assertArrayEquals(new boolean[] {true, true, true, false}, a.maximum(b).toBoolArray());
        assertArrayEquals(new boolean[] {true, false, false, false}, a.minimum(b).toBoolArray());
        var e = assertThrows(IllegalArgumentException.class, () -> a.sub(b));
        assertTrue(e.getMessage().startsWith("sub:") && e.getMessage().contains("logicalXor"), e.getMessage());
        Tensor d = a.div(b);
        assertEquals(DType.FLOAT32, d.dtype());
        assertEquals(1f, d.toFloatArray()[0]);
    }

    @Test
    void integerArithmeticAndPow() {
        Tensor a = Tensor.vector(2L, -3L, 5L, 1L, -1L, 4L);
        Tensor b = Tensor.vector(10L, 3L, 0L, -5L, -3L, -1L);
        assertArrayEquals(new long[] {1024, -27, 1, 1, -1, 0}, a.pow(b).toLongArray());
        assertArrayEquals(new long[] {4, 9, 25, 1, 1, 16}, a.pow(2L).toLongArray());
        var e = assertThrows(IllegalArgumentException.class, () -> a.pow(-1L));
        assertTrue(e.getMessage().startsWith("pow: integers to negative integer powers"), e.getMessage());
        Tensor fp = a.pow(0.5);
        assertEquals(DType.FLOAT32, fp.dtype());
        assertEquals((float) Math.sqrt(2), fp.toFloatArray()[0], 1e-7f);
        // int32 arithmetic wraps like Java int
        Tensor m = Tensor.of(new int[] {Integer.MAX_VALUE}, 1).add(Tensor.of(new int[] {1}, 1));
        assertEquals(Integer.MIN_VALUE, m.toIntArray()[0]);
        assertArrayEquals(new int[] {-7, 3}, Tensor.of(new int[] {-7, 9}, 2).minimum(Tensor.of(new int[] {0, 3}, 2)).toIntArray());
    }

    @Test
    void scalarOverloadsOnFloat64() {
        Tensor d = Tensor.vector(1.0, 2.0, 4.0);
        assertArrayEquals(new double[] {0.5, 1.0, 2.0}, d.div(2.0).toDoubleArray());
        assertArrayEquals(new double[] {-1, 0, 2}, d.sub(2L).toDoubleArray());
        assertArrayEquals(new double[] {1, 4, 16}, d.pow(2.0).toDoubleArray());
        assertArrayEquals(new double[] {2, 2, 4}, d.maximum(2.0).toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3}, d.minimum(3L).toDoubleArray());
        assertEquals(DType.FLOAT64, d.mul(0.1).dtype());
    }

    @Test
    void broadcastingShapes() {
        Tensor a = Tensor.arange(0, 6, 1).to(DType.FLOAT32).reshape(2, 1, 3);   // [[[0,1,2]],[[3,4,5]]]
        Tensor b = Tensor.of(new float[] {0, 10, 20, 30}, 4, 1);
        Tensor c = a.add(b);
        assertArrayEquals(new int[] {2, 4, 3}, c.shape());
        float[] got = c.toFloatArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 3; k++)
                    assertEquals(i * 3 + k + j * 10, got[(i * 4 + j) * 3 + k], 0f);
        // 0-d tensors broadcast against anything, in either position
        Tensor s = Tensor.scalar(2f);
        assertArrayEquals(new float[] {2, 4, 6}, s.mul(f(1, 2, 3)).toFloatArray());
        assertArrayEquals(new float[] {-1, 0, 1}, f(1, 2, 3).sub(s).toFloatArray());
        assertArrayEquals(new float[] {1, 0, -1}, s.sub(f(1, 2, 3)).toFloatArray());
        assertEquals(0, s.add(s).ndim());
        assertEquals(4f, s.add(s).item());
        // an empty dimension broadcasts to an empty result
        assertArrayEquals(new int[] {0, 3}, Tensor.zeros(0, 1).add(f(1, 2, 3)).shape());
    }

    @Test
    void incompatibleShapesNameTheOpAndBothShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4);
        for (var call : new java.util.function.Supplier<?>[] {() -> a.add(b), () -> a.mul(b), () -> a.lt(b)}) {
            var e = assertThrows(IllegalArgumentException.class, call::get);
            assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> a.sub(b));
        assertTrue(e.getMessage().startsWith("sub: shapes [2, 3] and [4] cannot be broadcast"), e.getMessage());
    }

    @Test
    void stridedInputs() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = m.t();                                    // [3,2]: [[1,4],[2,5],[3,6]]
        Tensor o = Tensor.of(new float[] {10, 20, 30, 40, 50, 60}, 3, 2);
        assertArrayEquals(new float[] {11, 24, 32, 45, 53, 66}, t.add(o).toFloatArray());
        // transposed op transposed: both strided the same way
        assertArrayEquals(new float[] {1, 16, 4, 25, 9, 36}, t.mul(t).toFloatArray());
        // sliced with a step: columns 0 and 2
        Tensor sl = m.slice(1, 0, 3, 2);                     // [[1,3],[4,6]]
        assertArrayEquals(new float[] {2, 6, 8, 12}, sl.add(sl).toFloatArray());
        assertArrayEquals(new float[] {0, 2, 3, 5}, sl.sub(f(1, 1)).toFloatArray());
        // expanded (stride 0) operand
        Tensor ex = f(1, 2, 3).reshape(1, 3).expand(2, 3);
        assertArrayEquals(new float[] {2, 4, 6, 5, 7, 9}, m.add(ex).toFloatArray());
        // strided int and double operands
        Tensor li = Tensor.of(new long[] {1, 2, 3, 4}, 2, 2).t();
        assertArrayEquals(new long[] {1, 6, 2, 8}, li.mul(Tensor.of(new long[] {1, 2}, 1, 2)).toLongArray());
        Tensor dd = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).t();
        assertArrayEquals(new double[] {0.5, 1.5, 1, 2}, dd.div(2.0).toDoubleArray());
    }

    @Test
    void largeOpsMatchNaiveLoops() {
        Random r = new Random(1);
        int rows = 300, cols = 1001; // above the parallel threshold, odd row length
        float[] x = new float[rows * cols], y = new float[cols], z = new float[rows];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 4 - 2;
        for (int i = 0; i < cols; i++) y[i] = r.nextFloat() + 0.5f;
        for (int i = 0; i < rows; i++) z[i] = r.nextFloat();
        Tensor X = Tensor.of(x, rows, cols), Y = Tensor.of(y, cols), Z = Tensor.of(z, rows, 1);
        float[] sum = X.add(X).toFloatArray(), quo = X.div(Y).toFloatArray(), dif = X.sub(Z).toFloatArray();
        float[] xt = X.t().mul(2.0).toFloatArray(), mx = X.maximum(Z).toFloatArray(), ax = X.add(Y, 3).toFloatArray();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                int k = i * cols + j;
                assertEquals(x[k] + x[k], sum[k], 0f);
                assertEquals(x[k] / y[j], quo[k], 0f);
                assertEquals(x[k] - z[i], dif[k], 0f);
                assertEquals(x[k] * 2f, xt[j * rows + i], 0f);
                assertEquals(Math.max(x[k], z[i]), mx[k], 0f);
                assertEquals(x[k] + y[j] * 3f, ax[k], 0f);
            }
        // float64 and int64 big contiguous paths
        double[] xd = new double[100_000];
        long[] xl = new long[100_000];
        for (int i = 0; i < xd.length; i++) { xd[i] = r.nextGaussian(); xl[i] = r.nextInt(1000) - 500; }
        double[] pd = Tensor.of(xd, xd.length).mul(Tensor.of(xd, xd.length)).toDoubleArray();
        long[] pl = Tensor.of(xl, xl.length).sub(7L).toLongArray();
        for (int i = 0; i < xd.length; i++) {
            assertEquals(xd[i] * xd[i], pd[i], 0);
            assertEquals(xl[i] - 7, pl[i]);
        }
    }

    @Test
    void batchedTransposedOperandsAreTiledCorrectly() {
        // [3, 150, 140] against a permuted [3, 140, 150] view and a broadcast row: exercises the tiled path
        int B = 3, R = 150, C = 140;
        float[] x = new float[B * R * C], y = new float[B * C * R], z = new float[C];
        Random r = new Random(3);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        for (int i = 0; i < y.length; i++) y[i] = r.nextFloat();
        for (int i = 0; i < C; i++) z[i] = r.nextFloat();
        Tensor X = Tensor.of(x, B, R, C), Y = Tensor.of(y, B, C, R).transpose(1, 2), Z = Tensor.of(z, C);
        float[] got = X.sub(Y).toFloatArray();
        float[] got2 = Y.mul(Z).toFloatArray();
        for (int b = 0; b < B; b++)
            for (int i = 0; i < R; i++)
                for (int j = 0; j < C; j++) {
                    float yv = y[(b * C + j) * R + i];
                    assertEquals(x[(b * R + i) * C + j] - yv, got[(b * R + i) * C + j], 0f);
                    assertEquals(yv * z[j], got2[(b * R + i) * C + j], 0f);
                }
        // in place into the transposed view, reading a row-major operand
        Tensor target = Tensor.of(y.clone(), B, C, R);
        target.transpose(1, 2).addInPlace(X);
        float[] t = target.toFloatArray();
        for (int b = 0; b < B; b++)
            for (int i = 0; i < R; i++)
                for (int j = 0; j < C; j++)
                    assertEquals(y[(b * C + j) * R + i] + x[(b * R + i) * C + j], t[(b * C + j) * R + i], 0f);
    }
}
