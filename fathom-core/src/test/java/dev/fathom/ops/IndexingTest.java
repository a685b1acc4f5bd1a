package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.m23;
import static dev.fathom.ops.OpsTestSupport.assertFails;

class IndexingTest {
    // ------------------------------------------------------------------ gather

    @Test
    void gatherAlongLastDim() {
        Tensor idx = Tensor.of(new long[][] {{2, 0}, {1, 1}});
        Tensor g = m23().gather(1, idx);
        assertArrayEquals(new int[] {2, 2}, g.shape());
        assertEquals(DType.FLOAT32, g.dtype());
        assertArrayEquals(new float[] {3, 1, 5, 5}, g.toFloatArray());
        assertArrayEquals(new float[] {3, 1, 5, 5}, m23().gather(-1, idx).toFloatArray());
    }

    @Test
    void gatherAlongFirstDimWithSmallerIndexAndInt32() {
        Tensor idx = Tensor.of(new int[] {1, 0, 1}, 1, 3);
        assertArrayEquals(new float[] {4, 2, 6}, m23().gather(0, idx).toFloatArray());
        // index narrower than the input outside dim: only the first 2 columns are read
        Tensor idx2 = Tensor.of(new long[] {1, 1}, 1, 2);
        assertArrayEquals(new float[] {4, 5}, m23().gather(-2, idx2).toFloatArray());
    }

    @Test
    void gather3dMiddleDim() {
        Tensor x = Tensor.arange(24).reshape(2, 3, 4); // x[i][j][k] = 12i + 4j + k
        Tensor idx = Tensor.of(new long[] {2, 0, 1, 2}, 2, 1, 2);
        Tensor g = x.gather(1, idx);
        assertArrayEquals(new int[] {2, 1, 2}, g.shape());
        assertEquals(DType.INT64, g.dtype());
        assertArrayEquals(new long[] {8, 1, 16, 21}, g.toLongArray());
    }

    @Test
    void gatherTransposedInputAndOtherDtypes() {
        Tensor xt = m23().t(); // [[1,4],[2,5],[3,6]]
        Tensor idx = Tensor.of(new long[] {1, 0, 1}, 3, 1);
        assertArrayEquals(new float[] {4, 2, 6}, xt.gather(1, idx).toFloatArray());
        Tensor d = Tensor.of(new double[] {0.5, 1.5, 2.5}, 3);
        assertArrayEquals(new double[] {2.5, 0.5, 0.5}, d.gather(0, Tensor.vector(2, 0, 0)).toDoubleArray());
        Tensor b = Tensor.of(new boolean[] {true, false}, 2);
        assertArrayEquals(new boolean[] {false, true, false}, b.gather(0, Tensor.vector(1, 0, 1)).toBoolArray());
        Tensor i = Tensor.of(new int[] {7, 8, 9}, 3);
        assertArrayEquals(new int[] {9, 7}, i.gather(0, Tensor.vector(2, 0)).toIntArray());
        // 0-d input and index behave as 1-element 1-d tensors, as in PyTorch
        Tensor s = Tensor.scalar(5f).gather(0, Tensor.scalar(0L));
        assertArrayEquals(new int[0], s.shape());
        assertEquals(5.0, s.item());
    }

    @Test
    void gatherLargeMatchesNaiveLoop() {
        Random r = new Random(1);
        int n = 512, c = 1000, k = 700;
        float[] xs = new float[n * c];
        for (int i = 0; i < xs.length; i++) xs[i] = r.nextFloat();
        long[] ix = new long[n * k];
        for (int i = 0; i < ix.length; i++) ix[i] = r.nextInt(c);
        Tensor g = Tensor.of(xs, n, c).gather(1, Tensor.of(ix, n, k));
        float[] want = new float[n * k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) want[i * k + j] = xs[i * c + (int) ix[i * k + j]];
        assertArrayEquals(want, g.toFloatArray());
    }

    @Test
    void gatherErrors() {
        Tensor x = m23();
        assertFails(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new float[] {0, 1}, 2, 1)),
            "gather: index must be an int64 or int32 tensor, got float32");
        assertFails(IndexOutOfBoundsException.class, () -> x.gather(1, Tensor.of(new long[] {0, 3}, 2, 1)),
            "gather: index 3 is out of range for dimension 1 of size 3");
        assertFails(IndexOutOfBoundsException.class, () -> x.gather(1, Tensor.of(new long[] {-1, 0}, 2, 1)),
            "gather: index -1", "negative");
        assertFails(IllegalArgumentException.class, () -> x.gather(1, Tensor.vector(0L, 1L)),
            "gather:", "[2]", "[2, 3]", "same number of dimensions");
        assertFails(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new long[] {0, 0, 0}, 3, 1)),
            "gather:", "[3, 1]", "[2, 3]", "dimension 0");
        assertFails(IllegalArgumentException.class, () -> x.gather(2, Tensor.of(new long[] {0, 0}, 2, 1)),
            "gather: dimension 2 is out of range");
    }

    // ------------------------------------------------------------------ scatter

    @Test
    void scatterAlongDim0AsTorchDocs() {
        Tensor src = Tensor.arange(1, 11, 1).reshape(2, 5).to(DType.FLOAT32);
        Tensor idx = Tensor.of(new long[] {0, 1, 2, 0}, 1, 4);
        Tensor self = Tensor.zeros(3, 5);
        Tensor out = self.scatter(0, idx, src);
        assertArrayEquals(new float[] {1, 0, 0, 4, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0}, out.toFloatArray());
        assertArrayEquals(new float[15], self.toFloatArray(), "out-of-place scatter must not touch self");
    }

    @Test
    void scatterAlongDim1AsTorchDocs() {
        Tensor src = Tensor.arange(1, 11, 1).reshape(2, 5).to(DType.FLOAT32);
        Tensor idx = Tensor.of(new long[][] {{0, 1, 2}, {0, 1, 4}});
        Tensor out = Tensor.zeros(3, 5).scatter(1, idx, src);
        assertArrayEquals(new float[] {1, 2, 3, 0, 0, 6, 7, 0, 0, 8, 0, 0, 0, 0, 0}, out.toFloatArray());
        assertArrayEquals(out.toFloatArray(), Tensor.zeros(3, 5).scatter(-1, idx, src).toFloatArray());
    }

    @Test
    void scatterScalarValue() {
        Tensor out = Tensor.full(2.0, 2, 4).scatter(1, Tensor.of(new long[] {2, 3}, 2, 1), 1.25);
        assertArrayEquals(new float[] {2, 2, 1.25f, 2, 2, 2, 2, 1.25f}, out.toFloatArray());
        Tensor ints = Tensor.zeros(DType.INT64, 3).scatter(0, Tensor.vector(1L), 7);
        assertArrayEquals(new long[] {0, 7, 0}, ints.toLongArray());
    }

    @Test
    void scatterInPlaceWritesSelfAndBumpsVersion() {
        Tensor self = Tensor.zeros(2, 3);
        int v = self.storage().version();
        Tensor r = self.scatterInPlace(1, Tensor.of(new long[] {2, 0}, 2, 1), Tensor.of(new float[] {5, 6}, 2, 1));
        assertSame(self, r);
        assertTrue(self.storage().version() > v);
        assertArrayEquals(new float[] {0, 0, 5, 6, 0, 0}, self.toFloatArray());
        int v2 = self.storage().version();
        self.scatterInPlace(0, Tensor.of(new long[] {1}, 1, 1), -1);
        assertTrue(self.storage().version() > v2);
        assertArrayEquals(new float[] {0, 0, 5, -1, 0, 0}, self.toFloatArray());
    }

    @Test
    void scatterInPlaceIntoStridedView() {
        Tensor base = Tensor.zeros(4, 4);
        Tensor view = base.slice(1, 0, 4, 2); // columns 0 and 2 of each row
        view.scatterInPlace(1, Tensor.of(new long[] {1, 0, 1, 0}, 4, 1), 7);
        assertArrayEquals(new float[] {
            0, 0, 7, 0,
            7, 0, 0, 0,
            0, 0, 7, 0,
            7, 0, 0, 0}, base.toFloatArray());
        // a transposed source is read through its strides
        Tensor src = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t(); // [[1,3],[2,4]]
        Tensor out = Tensor.zeros(2, 2).scatter(1, Tensor.of(new long[][] {{1, 0}, {0, 1}}), src);
        assertArrayEquals(new float[] {3, 1, 2, 4}, out.toFloatArray());
    }

    @Test
    void scatterAddAccumulatesDuplicates() {
        Tensor src = Tensor.ones(2, 5);
        Tensor one = Tensor.zeros(3, 5).scatterAdd(0, Tensor.of(new long[] {0, 1, 2, 0, 0}, 1, 5), src);
        assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0}, one.toFloatArray());
        Tensor two = Tensor.zeros(3, 5).scatterAdd(0, Tensor.of(new long[][] {{0, 1, 2, 0, 0}, {0, 1, 2, 2, 2}}), src);
        assertArrayEquals(new float[] {2, 0, 0, 1, 1, 0, 2, 0, 0, 0, 0, 0, 2, 1, 1}, two.toFloatArray());
        // 1-d with repeats, int64, on top of existing values
        Tensor acc = Tensor.vector(10L, 20L, 30L).scatterAdd(0, Tensor.vector(0, 1, 0, 1, 2, 1),
            Tensor.vector(1L, 2L, 3L, 4L, 5L, 6L));
        assertArrayEquals(new long[] {14, 32, 35}, acc.toLongArray());
        // dim 1 with repeats, double
        Tensor d = Tensor.zeros(DType.FLOAT64, 2, 2).scatterAdd(1, Tensor.of(new long[][] {{1, 1, 1}, {0, 1, 0}}),
            Tensor.of(new double[][] {{0.5, 0.25, 0.125}, {1, 2, 4}}));
        assertArrayEquals(new double[] {0, 0.875, 5, 2}, d.toDoubleArray());
    }

    @Test
    void scatterAddInPlaceAndBool() {
        Tensor self = Tensor.ones(DType.INT32, 3);
        int v = self.storage().version();
        self.scatterAddInPlace(0, Tensor.vector(2, 2), Tensor.of(new int[] {5, 6}, 2));
        assertTrue(self.storage().version() > v);
        assertArrayEquals(new int[] {1, 1, 12}, self.toIntArray());
        Tensor b = Tensor.of(new boolean[] {false, false, true}, 3)
            .scatterAdd(0, Tensor.vector(0, 0, 1), Tensor.of(new boolean[] {false, true, false}, 3));
        assertArrayEquals(new boolean[] {true, false, true}, b.toBoolArray());
    }

    @Test
    void scatterAddLargeMatchesNaiveLoop() {
        // big enough to be split across threads; the float sums accumulate in the same order as the loop
        Random r = new Random(2);
        int n = 600, c = 150, targets = 40;
        float[] src = new float[n * c];
        long[] ix0 = new long[n * c], ix1 = new long[n * c];
        for (int i = 0; i < src.length; i++) {
            src[i] = r.nextFloat();
            ix0[i] = r.nextInt(targets);
            ix1[i] = r.nextInt(targets);
        }
        Tensor along0 = Tensor.zeros(targets, c).scatterAdd(0, Tensor.of(ix0, n, c), Tensor.of(src, n, c));
        float[] want0 = new float[targets * c];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++) want0[(int) ix0[i * c + j] * c + j] += src[i * c + j];
        assertArrayEquals(want0, along0.toFloatArray());
        Tensor along1 = Tensor.zeros(n, targets).scatterAdd(1, Tensor.of(ix1, n, c), Tensor.of(src, n, c));
        float[] want1 = new float[n * targets];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++) want1[i * targets + (int) ix1[i * c + j]] += src[i * c + j];
        assertArrayEquals(want1, along1.toFloatArray());
        // plain scatter with duplicates: the last write in row-major index order wins
        Tensor last = Tensor.zeros(targets, c).scatter(0, Tensor.of(ix0, n, c), Tensor.of(src, n, c));
        float[] wantLast = new float[targets * c];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++) wantLast[(int) ix0[i * c + j] * c + j] = src[i * c + j];
        assertArrayEquals(wantLast, last.toFloatArray());
    }

    @Test
    void scatterErrors() {
        Tensor self = Tensor.zeros(2, 3);
        Tensor src = Tensor.ones(2, 3);
        assertFails(IllegalArgumentException.class, () -> self.scatter(1, Tensor.of(new int[] {0, 1}, 2, 1).to(DType.FLOAT64), src),
            "scatter: index must be an int64 or int32 tensor, got float64");
        assertFails(IndexOutOfBoundsException.class, () -> self.scatter(1, Tensor.of(new long[] {0, 3}, 2, 1), src),
            "scatter: index 3 is out of range for dimension 1 of size 3");
        assertFails(IndexOutOfBoundsException.class, () -> self.scatterAdd(0, Tensor.of(new long[] {-2}, 1, 1), src),
            "scatterAdd: index -2", "negative");
        assertFails(IllegalArgumentException.class, () -> self.scatter(1, Tensor.of(new long[] {0, 0, 0}, 1, 3), Tensor.ones(1, 2)),
            "scatter:", "index shape [1, 3]", "src shape [1, 2]");
        assertFails(IllegalArgumentException.class, () -> self.scatter(1, Tensor.of(new long[] {0, 0, 0}, 3, 1), 1.0),
            "scatter:", "[3, 1]", "self shape [2, 3]");
        assertFails(IllegalArgumentException.class, () -> self.scatter(1, Tensor.of(new long[] {0}, 1, 1), Tensor.ones(DType.FLOAT64, 2, 3)),
            "scatter: src dtype float64 does not match self dtype float32");
        assertFails(IllegalArgumentException.class, () -> self.scatter(0, Tensor.vector(0L), src),
            "scatter:", "[1]", "[2, 3]");
        Tensor expanded = Tensor.zeros(1, 3).expand(2, 3);
        assertFails(IllegalArgumentException.class, () -> expanded.scatterInPlace(1, Tensor.of(new long[] {0}, 1, 1), 1.0),
            "scatterInPlace:", "stride 0");
    }

    // ------------------------------------------------------------------ indexSelect

    @Test
    void indexSelectRowsAndColumns() {
        Tensor x = Tensor.arange(12).reshape(3, 4).to(DType.FLOAT32);
        Tensor rows = x.indexSelect(0, Tensor.vector(2L, 0L, 2L));
        assertArrayEquals(new int[] {3, 4}, rows.shape());
        assertArrayEquals(new float[] {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, rows.toFloatArray());
        Tensor cols = x.indexSelect(1, Tensor.of(new int[] {3, 0}, 2));
        assertArrayEquals(new float[] {3, 0, 7, 4, 11, 8}, cols.toFloatArray());
        assertArrayEquals(cols.toFloatArray(), x.indexSelect(-1, Tensor.vector(3L, 0L)).toFloatArray());
        assertEquals(0, x.indexSelect(0, Tensor.of(new long[0], 0)).numel());
    }

    @Test
    void indexSelect3dAndTransposed() {
        Tensor x = Tensor.arange(24).reshape(2, 3, 4);
        Tensor mid = x.indexSelect(1, Tensor.vector(2L));
        assertArrayEquals(new int[] {2, 1, 4}, mid.shape());
        assertArrayEquals(new long[] {8, 9, 10, 11, 20, 21, 22, 23}, mid.toLongArray());
        Tensor xt = Tensor.arange(12).reshape(3, 4).t(); // [4, 3], row i of xt = column i of x
        assertArrayEquals(new long[] {1, 5, 9, 3, 7, 11}, xt.indexSelect(0, Tensor.vector(1L, 3L)).toLongArray());
    }

    @Test
    void indexSelectWideRowsUseBlockCopies() {
        Random r = new Random(3);
        int rowsN = 1000, dim = 64, k = 5000;
        float[] table = new float[rowsN * dim];
        for (int i = 0; i < table.length; i++) table[i] = r.nextFloat();
        long[] ix = new long[k];
        for (int i = 0; i < k; i++) ix[i] = r.nextInt(rowsN);
        Tensor e = Tensor.of(table, rowsN, dim).indexSelect(0, Tensor.of(ix, k));
        float[] want = new float[k * dim];
        for (int i = 0; i < k; i++) System.arraycopy(table, (int) ix[i] * dim, want, i * dim, dim);
        assertArrayEquals(want, e.toFloatArray());
        // a middle dim with a wide inner block, on a tensor with an offset
        Tensor x = Tensor.arange(2 * 3 * 20 + 5).narrow(0, 5, 120).reshape(2, 3, 20);
        Tensor sel = x.indexSelect(1, Tensor.vector(2L, 2L));
        long[] got = sel.toLongArray();
        for (int a = 0; a < 2; a++)
            for (int j = 0; j < 2; j++)
                for (int c = 0; c < 20; c++) assertEquals(5 + a * 60 + 2 * 20 + c, got[(a * 2 + j) * 20 + c]);
    }

    @Test
    void indexSelectErrors() {
        Tensor x = m23();
        assertFails(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.vector(0f)),
            "indexSelect: index must be an int64 or int32 tensor, got float32");
        assertFails(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.of(new long[] {0, 1}, 1, 2)),
            "indexSelect: index must be 1-d, got shape [1, 2]");
        assertFails(IndexOutOfBoundsException.class, () -> x.indexSelect(0, Tensor.vector(0L, 2L)),
            "indexSelect: index 2 is out of range for dimension 0 of size 2");
        assertFails(IndexOutOfBoundsException.class, () -> x.indexSelect(1, Tensor.vector(-1L)),
            "indexSelect: index -1", "negative");
        assertFails(IllegalArgumentException.class, () -> x.indexSelect(-3, Tensor.vector(0L)),
            "indexSelect: dimension -3 is out of range");
    }

    // ------------------------------------------------------------------ masks

    private static Tensor mask(boolean... v) { return Tensor.of(v, v.length); }

    @Test
    void maskedFillSameShapeAndBroadcast() {
        Tensor m = Tensor.of(new boolean[][] {{true, false, true}, {false, false, true}});
        assertArrayEquals(new float[] {-1, 2, -1, 4, 5, -1}, m23().maskedFill(m, -1).toFloatArray());
        assertArrayEquals(new float[] {1, -1, 3, 4, -1, 6}, m23().maskedFill(mask(false, true, false), -1).toFloatArray());
        // both operands broadcast: [3] with [2, 1] -> [2, 3]
        Tensor out = Tensor.vector(1f, 2f, 3f).maskedFill(Tensor.of(new boolean[] {true, false}, 2, 1), 9);
        assertArrayEquals(new int[] {2, 3}, out.shape());
        assertArrayEquals(new float[] {9, 9, 9, 1, 2, 3}, out.toFloatArray());
    }

    @Test
    void maskedFillDtypesAndTransposed() {
        Tensor ints = Tensor.of(new long[] {1, 2, 3}, 3).maskedFill(mask(true, false, true), 7.9);
        assertArrayEquals(new long[] {7, 2, 7}, ints.toLongArray());
        Tensor bools = Tensor.of(new boolean[] {false, false}, 2).maskedFill(mask(false, true), 1);
        assertArrayEquals(new boolean[] {false, true}, bools.toBoolArray());
        Tensor d = Tensor.of(new double[] {1, 2}, 2).maskedFill(mask(true, false), Double.NEGATIVE_INFINITY);
        assertArrayEquals(new double[] {Double.NEGATIVE_INFINITY, 2}, d.toDoubleArray());
        // transposed input [[1,4],[2,5],[3,6]] with a column mask
        Tensor t = m23().t().maskedFill(mask(false, true), 0);
        assertArrayEquals(new float[] {1, 0, 2, 0, 3, 0}, t.toFloatArray());
    }

    @Test
    void maskedFillLargeBroadcastMatchesNaive() {
        Random r = new Random(6);
        int b = 4, t = 128, u = 256;
        float[] x = new float[b * t * u];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        boolean[] m = new boolean[t * u];
        for (int i = 0; i < m.length; i++) m[i] = r.nextBoolean();
        Tensor out = Tensor.of(x, b, t, u).maskedFill(Tensor.of(m, t, u), -5);
        float[] want = new float[x.length];
        for (int i = 0; i < x.length; i++) want[i] = m[i % (t * u)] ? -5 : x[i];
        assertArrayEquals(want, out.toFloatArray());
    }

    @Test
    void maskedFillInPlace() {
        Tensor x = m23();
        int v = x.storage().version();
        assertSame(x, x.maskedFillInPlace(mask(true, false, false), 0));
        assertTrue(x.storage().version() > v);
        assertArrayEquals(new float[] {0, 2, 3, 0, 5, 6}, x.toFloatArray());
        assertFails(IllegalArgumentException.class,
            () -> Tensor.zeros(3).maskedFillInPlace(Tensor.of(new boolean[6], 2, 3), 1),
            "maskedFillInPlace:", "[2, 3]", "[3]");
        assertFails(IllegalArgumentException.class,
            () -> Tensor.zeros(1, 3).expand(2, 3).maskedFillInPlace(mask(true, false, false), 1),
            "maskedFillInPlace:", "stride 0");
    }

    @Test
    void maskedSelectInRowMajorOrder() {
        Tensor m = Tensor.of(new boolean[][] {{true, false, true}, {false, false, true}});
        Tensor s = m23().maskedSelect(m);
        assertArrayEquals(new int[] {3}, s.shape());
        assertArrayEquals(new float[] {1, 3, 6}, s.toFloatArray());
        assertArrayEquals(new float[] {2, 3, 5, 6}, m23().maskedSelect(mask(false, true, true)).toFloatArray());
        // transposed [[1,4],[2,5],[3,6]]
        assertArrayEquals(new float[] {4, 5, 6}, m23().t().maskedSelect(mask(false, true)).toFloatArray());
        assertArrayEquals(new int[] {0}, m23().maskedSelect(mask(false, false, false)).shape());
        // the input broadcasts against a bigger mask
        Tensor ints = Tensor.vector(10L, 20L).maskedSelect(Tensor.of(new boolean[][] {{true, true}, {false, true}}));
        assertArrayEquals(new long[] {10, 20, 20}, ints.toLongArray());
    }

    @Test
    void maskErrors() {
        assertFails(IllegalArgumentException.class, () -> m23().maskedFill(Tensor.vector(1L, 0L, 1L), 0),
            "maskedFill: mask must be a bool tensor, got int64");
        assertFails(IllegalArgumentException.class, () -> m23().maskedFill(mask(true, false), 0),
            "maskedFill:", "[2, 3]", "[2]");
        assertFails(IllegalArgumentException.class, () -> m23().maskedSelect(Tensor.vector(1f)),
            "maskedSelect: mask must be a bool tensor, got float32");
        assertFails(IllegalArgumentException.class, () -> m23().maskedSelect(mask(true, true, true, true)),
            "maskedSelect:", "[2, 3]", "[4]");
    }

    // ------------------------------------------------------------------ oneHot

    @Test
    void oneHotEncodes() {
        Tensor h = Tensor.vector(0L, 2L, 1L).oneHot(3);
        assertEquals(DType.INT64, h.dtype());
        assertArrayEquals(new int[] {3, 3}, h.shape());
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 1, 0, 1, 0}, h.toLongArray());
        Tensor inferred = Tensor.of(new int[] {0, 3}, 2).oneHot(-1);
        assertArrayEquals(new int[] {2, 4}, inferred.shape());
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0, 0, 1}, inferred.toLongArray());
        Tensor two = Tensor.of(new long[][] {{1, 0}, {2, 2}}).t().oneHot(3); // [[1,2],[0,2]]
        assertArrayEquals(new int[] {2, 2, 3}, two.shape());
        assertArrayEquals(new long[] {0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1}, two.toLongArray());
    }

    @Test
    void oneHotErrors() {
        assertFails(IndexOutOfBoundsException.class, () -> Tensor.vector(0L, 3L).oneHot(3),
            "oneHot: class value 3 at flat position 1 is out of range for 3 classes");
        assertFails(IndexOutOfBoundsException.class, () -> Tensor.vector(-1L).oneHot(-1), "oneHot: class value -1");
        assertFails(IllegalArgumentException.class, () -> Tensor.vector(1f).oneHot(2),
            "oneHot: expects an int64 or int32 tensor", "float32");
        assertFails(IllegalArgumentException.class, () -> Tensor.of(new long[0], 0).oneHot(-1),
            "oneHot: cannot infer the number of classes from an empty tensor");
        assertFails(IllegalArgumentException.class, () -> Tensor.vector(0L).oneHot(-2), "oneHot: numClasses");
        assertFails(IllegalArgumentException.class, () -> Tensor.zeros(DType.INT64, 5000).oneHot(1_000_000),
            "oneHot: the result shape [5000, 1000000] would have 5000000000 elements");
    }
}
