package dev.fathom.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class RandomSamplingTest {
    private static double mean(double[] a) { return Arrays.stream(a).sum() / a.length; }

    private static double var(double[] a) {
        double m = mean(a), s = 0;
        for (double v : a) s += (v - m) * (v - m);
        return s / a.length;
    }

    private static void assertMessage(Executable body, String start) {
        var e = assertThrows(IllegalArgumentException.class, body);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void randIsUniformOnTheUnitInterval() {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor t = Tensor.rand(new Generator(1), dt, 200, 500);
            assertEquals(dt, t.dtype());
            assertArrayEquals(new int[] {200, 500}, t.shape());
            double[] a = t.toDoubleArray();
            for (double v : a) assertTrue(v >= 0 && v < 1);
            // 100000 samples: standard error of the mean is 0.0009
            assertEquals(0.5, mean(a), 0.005);
            assertEquals(1.0 / 12, var(a), 0.002);
        }
    }

    @Test
    void uniformCoversLowToHigh() {
        double[] a = Tensor.uniform(new Generator(2), -2, 3, 100_000).toDoubleArray();
        for (double v : a) assertTrue(v >= -2 && v < 3);
        assertEquals(0.5, mean(a), 0.03);
        assertEquals(25.0 / 12, var(a), 0.05);
        assertEquals(DType.FLOAT64, Tensor.uniform(new Generator(2), 0, 1, DType.FLOAT64, 3).dtype());
        // a degenerate range gives the single value
        for (double v : Tensor.uniform(new Generator(2), 4, 4, 10).toDoubleArray()) assertEquals(4, v);
    }

    @Test
    void randnAndNormalHaveTheRightMoments() {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double[] a = Tensor.randn(new Generator(3), dt, 100_000).toDoubleArray();
            assertEquals(0, mean(a), 0.015);
            assertEquals(1, var(a), 0.02);
            double[] b = Tensor.normal(new Generator(4), 5, 2, dt, 100_000).toDoubleArray();
            assertEquals(5, mean(b), 0.03);
            assertEquals(4, var(b), 0.08);
        }
        // small sizes take the per-element path; it must be normal too (many separate draws)
        Generator g = new Generator(6);
        double[] s = new double[30_000];
        for (int i = 0; i < s.length; i += 3) System.arraycopy(Tensor.randn(g, DType.FLOAT64, 3).toDoubleArray(), 0, s, i, 3);
        assertEquals(0, mean(s), 0.03);
        assertEquals(1, var(s), 0.04);
    }

    @Test
    void normalWithZeroStdIsTheMean() {
        for (double v : Tensor.normal(new Generator(1), 1.5, 0, 40).toDoubleArray()) assertEquals(1.5, v);
        for (double v : Tensor.normal(new Generator(1), 1.5, 0, 4).toDoubleArray()) assertEquals(1.5, v);
    }

    /**
     * A scalar-p Bernoulli draws its raw numbers a batch at a time: over several batches (3,001
     * elements, 6,002 draws) every element is still "the element's 53-bit uniform double is below
     * p", drawn in order, and the generator ends where element-by-element drawing leaves it.
     */
    @Test
    void scalarBernoulliDrawsInBatchesAsElementByElement() {
        Generator batched = new Generator(11), single = new Generator(11);
        double[] got = Tensor.bernoulli(batched, 0.4, DType.FLOAT64, 3001).toDoubleArray();
        for (int i = 0; i < got.length; i++) assertEquals(single.uniformDouble() < 0.4 ? 1.0 : 0.0, got[i], "element " + i);
        assertEquals(single.nextUnsignedInt(), batched.nextUnsignedInt());
    }

    @Test
    void bernoulliFrequenciesAndTypes() {
        Tensor b = Tensor.bernoulli(new Generator(5), 0.3, 100_000);
        assertEquals(DType.FLOAT32, b.dtype());
        double[] a = b.toDoubleArray();
        for (double v : a) assertTrue(v == 0 || v == 1);
        assertEquals(0.3, mean(a), 0.006);
        // other dtypes draw the same way
        assertArrayEquals(b.toDoubleArray(), Tensor.bernoulli(new Generator(5), 0.3, DType.INT64, 100_000).toDoubleArray());
        assertArrayEquals(b.toBoolArray(), Tensor.bernoulli(new Generator(5), 0.3, DType.BOOL, 100_000).toBoolArray());
        // probabilities 0 and 1 are certain; the result takes p's shape and dtype
        Tensor p = Tensor.of(new double[] {0, 1, 0, 1, 1, 0}, 2, 3);
        Tensor r = Tensor.bernoulli(new Generator(9), p);
        assertEquals(DType.FLOAT64, r.dtype());
        assertArrayEquals(new double[] {0, 1, 0, 1, 1, 0}, r.toDoubleArray());
        // a transposed p is read in logical order
        Tensor rt = Tensor.bernoulli(new Generator(9), p.t());
        assertArrayEquals(new double[] {0, 1, 1, 1, 0, 0}, rt.toDoubleArray());
        // per-element probabilities are respected
        Tensor half = Tensor.full(0.25, 50_000);
        assertEquals(0.25, mean(Tensor.bernoulli(new Generator(1), half).toDoubleArray()), 0.01);
    }

    @Test
    void randintIsInt64AndCoversTheRange() {
        Tensor t = Tensor.randint(new Generator(7), -3, 4, 10_000);
        assertEquals(DType.INT64, t.dtype());
        int[] counts = new int[7];
        for (long v : t.toLongArray()) {
            assertTrue(v >= -3 && v < 4, "value " + v);
            counts[(int) (v + 3)]++;
        }
        for (int c : counts) assertEquals(10_000 / 7.0, c, 150);
        // ranges of 2^32 and more draw 64 bits
        for (long v : Tensor.randint(new Generator(7), 0, 1L << 40, 1000).toLongArray())
            assertTrue(v >= 0 && v < (1L << 40));
        long[] big = Tensor.randint(new Generator(7), Long.MIN_VALUE / 2, Long.MAX_VALUE / 2, 1000).toLongArray();
        assertTrue(Arrays.stream(big).anyMatch(v -> v < -(1L << 60)) && Arrays.stream(big).anyMatch(v -> v > (1L << 60)));
    }

    @Test
    void randpermIsAPermutation() {
        for (int n : new int[] {0, 1, 2, 10, 1000}) {
            long[] p = Tensor.randperm(new Generator(n), n).toLongArray();
            long[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) assertEquals(i, sorted[i]);
            assertEquals(DType.INT64, Tensor.randperm(new Generator(1), n).dtype());
        }
        assertFalse(Arrays.equals(Tensor.randperm(new Generator(1), 50).toLongArray(),
            Tensor.arange(50).toLongArray()));
    }

    @Test
    void validationMessages() {
        assertMessage(() -> Tensor.randint(5, 3, 2), "randint: low 5 must be less than high 3");
        assertMessage(() -> Tensor.randint(4, 4, 2), "randint: low 4 must be less than high 4");
        assertMessage(() -> Tensor.uniform(2, 1, 3), "uniform: low 2.0 must not exceed high 1.0");
        assertMessage(() -> Tensor.uniform(0, Double.POSITIVE_INFINITY, 3), "uniform: low and high must be finite");
        assertMessage(() -> Tensor.normal(0, -1, 3), "normal: std must be finite and non-negative, got -1.0");
        assertMessage(() -> Tensor.bernoulli(1.5, 3), "bernoulli: probability p must be in [0, 1], got 1.5");
        assertMessage(() -> Tensor.bernoulli(Tensor.vector(0.5f, 2f)), "bernoulli: every probability must be in [0, 1], got 2.0");
        assertMessage(() -> Tensor.bernoulli(Tensor.vector(1L, 0L)), "bernoulli: expects a floating-point dtype");
        assertMessage(() -> Tensor.rand(DType.INT64, 3), "uniform: expects a floating-point dtype (float32 or float64), got int64");
        assertMessage(() -> Tensor.randn(DType.BOOL, 3), "normal: expects a floating-point dtype");
        assertMessage(() -> Tensor.randperm(-1), "randperm: n must be non-negative, got -1");
        assertMessage(() -> Tensor.rand(2, -1), "Tensor.empty: invalid shape [2, -1]");
        assertMessage(() -> Tensor.zeros(DType.INT32, 3).uniformInPlace(0, 1), "uniformInPlace: expects a floating-point dtype");
        assertMessage(() -> Tensor.zeros(3, 1).expand(3, 4).normalInPlace(0, 1), "normalInPlace: cannot write random values into a tensor whose elements share memory");
        assertMessage(() -> Tensor.zeros(1, 5).expand(2, 5).uniformInPlace(0, 1), "uniformInPlace: cannot write random values");
    }

    @Test
    void inPlaceInitialisersBumpTheVersionAndMatchTheFactories() {
        Tensor w = Tensor.zeros(8, 16);
        int v0 = w.storage().version();
        assertSame(w, w.uniformInPlace(-1, 1, new Generator(10)));
        assertEquals(v0 + 1, w.storage().version());
        assertArrayEquals(Tensor.uniform(new Generator(10), -1, 1, 8, 16).toFloatArray(), w.toFloatArray());
        w.normalInPlace(0, 0.02, new Generator(11));
        assertEquals(v0 + 2, w.storage().version());
        assertArrayEquals(Tensor.normal(new Generator(11), 0, 0.02, 8, 16).toFloatArray(), w.toFloatArray());
        w.bernoulliInPlace(0.5, new Generator(12));
        assertEquals(v0 + 3, w.storage().version());
        assertArrayEquals(Tensor.bernoulli(new Generator(12), 0.5, 8, 16).toFloatArray(), w.toFloatArray());
        Tensor bools = Tensor.zeros(DType.BOOL, 100).bernoulliInPlace(1.0, null);
        for (boolean b : bools.toBoolArray()) assertTrue(b);
    }

    @Test
    void inPlaceOnViewsWritesOnlyTheViewInMemoryOrder() {
        // every other column of a 4x6 matrix: a strided, non-contiguous view
        Tensor base = Tensor.zeros(4, 6);
        Tensor cols = base.slice(1, 0, 6, 2);
        cols.uniformInPlace(1, 2, new Generator(3));
        float[] ref = Tensor.uniform(new Generator(3), 1, 2, 12).toFloatArray();
        float[] all = base.toFloatArray();
        int k = 0;
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 6; c++) {
                if (c % 2 == 0) assertEquals(ref[k++], all[r * 6 + c]);
                else assertEquals(0f, all[r * 6 + c]);
            }
        // a transposed view is filled in storage order, as PyTorch's TensorIterator does
        Tensor t = Tensor.zeros(DType.FLOAT64, 5, 4);
        t.t().normalInPlace(0, 1, new Generator(4));
        Generator g = new Generator(4);
        double[] storage = t.storage().doubles();
        for (int i = 0; i < 20; i++) assertEquals(g.nextGaussian(), storage[i], 0);
        // a contiguous narrow of rows is filled in place without touching the other rows
        Tensor m = Tensor.zeros(6, 8);
        m.narrow(0, 2, 3).normalInPlace(0, 1, new Generator(5));
        float[] n = Tensor.randn(new Generator(5), 24).toFloatArray();
        float[] mm = m.toFloatArray();
        for (int i = 0; i < 48; i++) assertEquals(i >= 16 && i < 40 ? n[i - 16] : 0f, mm[i]);
    }

    @Test
    void emptyAndScalarShapes() {
        assertEquals(0, Tensor.rand(0).numel());
        assertEquals(0, Tensor.randn(3, 0).numel());
        assertEquals(0, Tensor.randint(0, 5, 0).numel());
        Tensor s = Tensor.rand(new Generator(42));
        assertEquals(0, s.ndim());
        assertEquals(0.8822692632675171, s.item(), 0);
    }
}
