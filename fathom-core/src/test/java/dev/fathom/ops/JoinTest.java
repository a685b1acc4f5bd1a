package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.assertFails;

class JoinTest {
    private static int[] sizes(List<Tensor> parts, int dim) {
        return parts.stream().mapToInt(t -> t.size(dim)).toArray();
    }

    // ------------------------------------------------------------------ cat

    @Test
    void catAlongEachDim() {
        Tensor a = Tensor.of(new float[][] {{1, 2}});
        Tensor b = Tensor.of(new float[][] {{3, 4}, {5, 6}});
        Tensor c0 = Tensor.cat(0, a, b);
        assertArrayEquals(new int[] {3, 2}, c0.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c0.toFloatArray());
        Tensor l = Tensor.of(new float[][] {{1}, {2}});
        Tensor c1 = Tensor.cat(1, List.of(l, b));
        assertArrayEquals(new int[] {2, 3}, c1.shape());
        assertArrayEquals(new float[] {1, 3, 4, 2, 5, 6}, c1.toFloatArray());
        assertArrayEquals(c1.toFloatArray(), Tensor.cat(-1, l, b).toFloatArray());
        assertSame(DType.FLOAT32, c1.dtype());
    }

    @Test
    void cat3dMiddleDim() {
        Tensor x = Tensor.arange(8).reshape(2, 2, 2);      // 0..7
        Tensor y = Tensor.arange(100, 104, 1).reshape(2, 1, 2); // 100..103
        Tensor c = Tensor.cat(1, x, y);
        assertArrayEquals(new int[] {2, 3, 2}, c.shape());
        assertArrayEquals(new long[] {0, 1, 2, 3, 100, 101, 4, 5, 6, 7, 102, 103}, c.toLongArray());
    }

    @Test
    void catPromotesMixedDtypes() {
        Tensor c = Tensor.cat(0, Tensor.of(new int[] {1, 2}, 2), Tensor.vector(0.5f));
        assertEquals(DType.FLOAT32, c.dtype());
        assertArrayEquals(new float[] {1, 2, 0.5f}, c.toFloatArray());
        Tensor d = Tensor.cat(0, Tensor.vector(3L), Tensor.vector(0.25));
        assertEquals(DType.FLOAT64, d.dtype());
        assertArrayEquals(new double[] {3, 0.25}, d.toDoubleArray());
        Tensor i = Tensor.cat(0, Tensor.of(new boolean[] {true, false}, 2), Tensor.of(new int[] {7}, 1));
        assertEquals(DType.INT32, i.dtype());
        assertArrayEquals(new int[] {1, 0, 7}, i.toIntArray());
    }

    @Test
    void catTransposedAndSlicedInputs() {
        Tensor t = Tensor.of(new float[][] {{1, 2}, {3, 4}}).t(); // [[1,3],[2,4]]
        Tensor b = Tensor.of(new float[][] {{5, 6}});
        assertArrayEquals(new float[] {1, 3, 2, 4, 5, 6}, Tensor.cat(0, t, b).toFloatArray());
        Tensor s = Tensor.arange(12).reshape(3, 4).slice(1, 1, 4, 2); // [[1,3],[5,7],[9,11]]
        Tensor c = Tensor.cat(1, s, Tensor.of(new long[] {0, 0, 0}, 3, 1));
        assertArrayEquals(new long[] {1, 3, 0, 5, 7, 0, 9, 11, 0}, c.toLongArray());
        Tensor e = Tensor.vector(1f).expand(2, 3); // stride-0 input
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 2, 2, 2}, Tensor.cat(0, e, Tensor.full(2, 1, 3)).toFloatArray());
    }

    @Test
    void catSkipsLegacyEmptyAndHandlesEmptyParts() {
        Tensor c = Tensor.cat(0, Tensor.zeros(0), Tensor.of(new float[][] {{1, 2}}));
        assertArrayEquals(new int[] {1, 2}, c.shape());
        assertArrayEquals(new float[] {1, 2}, c.toFloatArray());
        Tensor z = Tensor.cat(1, Tensor.zeros(2, 0), Tensor.ones(2, 1));
        assertArrayEquals(new int[] {2, 1}, z.shape());
        assertArrayEquals(new float[] {1, 1}, z.toFloatArray());
    }

    @Test
    void catLargeMatchesNaive() {
        Random r = new Random(4);
        int rows = 300;
        int[] widths = {70, 1, 129};
        Tensor[] parts = new Tensor[widths.length];
        float[][] raw = new float[widths.length][];
        for (int p = 0; p < widths.length; p++) {
            raw[p] = new float[rows * widths[p]];
            for (int i = 0; i < raw[p].length; i++) raw[p][i] = r.nextFloat();
            parts[p] = Tensor.of(raw[p], rows, widths[p]);
        }
        Tensor c = Tensor.cat(1, parts);
        int total = 200;
        float[] want = new float[rows * total];
        for (int i = 0; i < rows; i++) {
            int col = 0;
            for (int p = 0; p < widths.length; p++)
                for (int j = 0; j < widths[p]; j++) want[i * total + col++] = raw[p][i * widths[p] + j];
        }
        assertArrayEquals(want, c.toFloatArray());
    }

    @Test
    void catErrors() {
        assertFails(IllegalArgumentException.class, () -> Tensor.cat(0), "cat: expected a non-empty list of tensors");
        assertFails(IllegalArgumentException.class, () -> Tensor.cat(0, List.of()), "cat: expected a non-empty list");
        assertFails(IllegalArgumentException.class, () -> Tensor.cat(1, Tensor.zeros(2, 3), Tensor.zeros(3, 3)),
            "cat: tensor 1 has shape [3, 3] but tensor 0 has shape [2, 3]", "except in dimension 1");
        assertFails(IllegalArgumentException.class, () -> Tensor.cat(0, Tensor.zeros(2, 3), Tensor.zeros(2, 3, 1)),
            "cat: tensor 1 has shape [2, 3, 1]", "[2, 3]", "same number of dimensions");
        assertFails(IllegalArgumentException.class, () -> Tensor.cat(0, Tensor.scalar(1f), Tensor.scalar(2f)),
            "cat: tensor 0 is 0-d");
        assertFails(IllegalArgumentException.class, () -> Tensor.cat(2, Tensor.zeros(2, 3), Tensor.zeros(2, 3)),
            "cat: dimension 2 is out of range");
        Tensor huge = Tensor.zeros(1).expand(1 << 30); // a view: no memory behind its elements
        assertFails(IllegalArgumentException.class, () -> Tensor.cat(0, huge, huge, huge),
            "cat: the result would have 3221225472 elements along dimension 0");
        Tensor wide = Tensor.zeros(1, 1).expand(1 << 15, 1 << 15);
        assertFails(IllegalArgumentException.class, () -> Tensor.cat(1, wide, wide, wide),
            "cat: the result shape [32768, 98304] would have 3221225472 elements");
    }

    // ------------------------------------------------------------------ stack

    @Test
    void stackAlongEachDim() {
        Tensor a = Tensor.of(new float[][] {{1, 2}, {3, 4}});
        Tensor b = Tensor.of(new float[][] {{5, 6}, {7, 8}});
        Tensor s0 = Tensor.stack(0, a, b);
        assertArrayEquals(new int[] {2, 2, 2}, s0.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, s0.toFloatArray());
        assertArrayEquals(new float[] {1, 2, 5, 6, 3, 4, 7, 8}, Tensor.stack(1, a, b).toFloatArray());
        assertArrayEquals(new float[] {1, 5, 2, 6, 3, 7, 4, 8}, Tensor.stack(2, List.of(a, b)).toFloatArray());
        assertArrayEquals(new float[] {1, 5, 2, 6, 3, 7, 4, 8}, Tensor.stack(-1, a, b).toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, Tensor.stack(-3, a, b).toFloatArray());
    }

    @Test
    void stackScalarsTransposedAndMixed() {
        Tensor s = Tensor.stack(0, Tensor.scalar(1f), Tensor.scalar(2f), Tensor.scalar(3f));
        assertArrayEquals(new int[] {3}, s.shape());
        assertArrayEquals(new float[] {1, 2, 3}, s.toFloatArray());
        Tensor t = Tensor.of(new float[][] {{1, 2}, {3, 4}}).t(); // [[1,3],[2,4]]
        Tensor st = Tensor.stack(0, t, Tensor.of(new int[][] {{5, 6}, {7, 8}}));
        assertEquals(DType.FLOAT32, st.dtype());
        assertArrayEquals(new float[] {1, 3, 2, 4, 5, 6, 7, 8}, st.toFloatArray());
        Tensor lg = Tensor.stack(1, Tensor.vector(1L, 2L), Tensor.vector(1.5, 2.5));
        assertEquals(DType.FLOAT64, lg.dtype());
        assertArrayEquals(new double[] {1, 1.5, 2, 2.5}, lg.toDoubleArray());
    }

    @Test
    void stackManyMatchesNaive() {
        Random r = new Random(7);
        int count = 20, rows = 40, cols = 100;
        float[][] raw = new float[count][rows * cols];
        List<Tensor> parts = new java.util.ArrayList<>();
        for (int k = 0; k < count; k++) {
            for (int i = 0; i < raw[k].length; i++) raw[k][i] = r.nextFloat();
            parts.add(Tensor.of(raw[k], rows, cols));
        }
        float[] s0 = Tensor.stack(0, parts).toFloatArray();
        float[] s1 = Tensor.stack(1, parts).toFloatArray();
        for (int k = 0; k < count; k++)
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) {
                    float v = raw[k][i * cols + j];
                    assertEquals(v, s0[(k * rows + i) * cols + j]);
                    assertEquals(v, s1[(i * count + k) * cols + j]);
                }
    }

    @Test
    void stackErrors() {
        assertFails(IllegalArgumentException.class, () -> Tensor.stack(0, List.of()), "stack: expected a non-empty list");
        assertFails(IllegalArgumentException.class, () -> Tensor.stack(0, Tensor.zeros(2, 3), Tensor.zeros(3, 2)),
            "stack: tensor 1 has shape [3, 2] but tensor 0 has shape [2, 3]");
        assertFails(IllegalArgumentException.class, () -> Tensor.stack(3, Tensor.zeros(2, 3)),
            "stack: dimension 3 is out of range", "[-3, 2]");
    }

    // ------------------------------------------------------------------ split / chunk

    @Test
    void splitBySizeReturnsViews() {
        Tensor x = Tensor.arange(5);
        List<Tensor> parts = x.split(2, 0);
        assertArrayEquals(new int[] {2, 2, 1}, sizes(parts, 0));
        assertArrayEquals(new long[] {0, 1}, parts.get(0).toLongArray());
        assertArrayEquals(new long[] {2, 3}, parts.get(1).toLongArray());
        assertArrayEquals(new long[] {4}, parts.get(2).toLongArray());
        for (Tensor p : parts) assertSame(x.storage(), p.storage());
        parts.get(1).setInPlace(42, 0);
        assertEquals(42, x.getLong(2), "writes through a split view reach the original");
        assertArrayEquals(new int[] {5}, sizes(x.split(5, 0), 0));
        assertArrayEquals(new int[] {5}, sizes(x.split(7, 0), 0));
        assertArrayEquals(new int[] {0}, sizes(Tensor.zeros(0).split(3, 0), 0));
    }

    @Test
    void splitAlongNegativeDimAndBySizes() {
        Tensor x = Tensor.arange(12).reshape(3, 4);
        List<Tensor> cols = x.split(3, -1);
        assertEquals(2, cols.size());
        assertArrayEquals(new long[] {0, 1, 2, 4, 5, 6, 8, 9, 10}, cols.get(0).toLongArray());
        assertArrayEquals(new long[] {3, 7, 11}, cols.get(1).toLongArray());
        List<Tensor> rows = x.split(new int[] {1, 0, 2}, 0);
        assertArrayEquals(new int[] {1, 0, 2}, sizes(rows, 0));
        assertArrayEquals(new long[] {4, 5, 6, 7, 8, 9, 10, 11}, rows.get(2).toLongArray());
        assertSame(x.storage(), rows.get(2).storage());
        // split of a transposed tensor stays a view
        Tensor t = x.t();
        List<Tensor> tp = t.split(new int[] {3, 1}, 0);
        assertSame(x.storage(), tp.get(1).storage());
        assertArrayEquals(new long[] {3, 7, 11}, tp.get(1).toLongArray());
    }

    @Test
    void chunkSizesMatchTorch() {
        assertArrayEquals(new int[] {2, 2, 1}, sizes(Tensor.arange(5).chunk(3, 0), 0));
        assertArrayEquals(new int[] {2, 2, 2}, sizes(Tensor.arange(6).chunk(4, 0), 0));
        assertArrayEquals(new int[] {3, 3}, sizes(Tensor.arange(6).chunk(2, 0), 0));
        assertArrayEquals(new int[] {1, 1, 1}, sizes(Tensor.arange(3).chunk(5, 0), 0));
        assertArrayEquals(new int[] {0, 0}, sizes(Tensor.zeros(0, 2).chunk(2, 0), 0));
        Tensor x = Tensor.arange(10).reshape(2, 5);
        List<Tensor> c = x.chunk(2, 1);
        assertArrayEquals(new int[] {3, 2}, sizes(c, 1));
        assertArrayEquals(new long[] {3, 4, 8, 9}, c.get(1).toLongArray());
        for (Tensor p : c) assertSame(x.storage(), p.storage());
    }

    @Test
    void splitErrors() {
        Tensor x = Tensor.arange(5);
        assertFails(IllegalArgumentException.class, () -> x.split(0, 0), "split: split size must be positive, got 0");
        assertFails(IllegalArgumentException.class, () -> x.split(new int[] {2, 2}, 0),
            "split: split sizes [2, 2] sum to 4 but dimension 0 has size 5");
        assertFails(IllegalArgumentException.class, () -> x.split(new int[] {6, -1}, 0), "split:", "negative size -1");
        assertFails(IllegalArgumentException.class, () -> x.chunk(0, 0), "chunk: the number of chunks must be positive");
        assertFails(IllegalArgumentException.class, () -> Tensor.scalar(1f).chunk(2, 0), "chunk:", "0-d");
        assertFails(IllegalArgumentException.class, () -> x.split(2, 1), "split: dimension 1 is out of range");
    }
}
