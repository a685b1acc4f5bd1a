package dev.fathom.ops;

import dev.fathom.ops.Pad.PadMode;
import dev.fathom.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Round-trip identities between the indexing, joining and padding ops. */
class IndexingPropertiesTest {
    /** A float tensor of 1-4 dims with sizes 1..5, values 0..n-1 so every element is distinct. */
    private static Tensor distinct(Random r, int nd) {
        int[] shape = new int[nd];
        for (int i = 0; i < nd; i++) shape[i] = 1 + r.nextInt(5);
        return Tensor.arange(Tensor.zeros(shape).numel()).to(dev.fathom.tensor.DType.FLOAT32).reshape(shape);
    }

    @Property(tries = 200)
    void catOfSplitIsIdentity(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int nd,
                              @ForAll @IntRange(min = 1, max = 6) int splitSize, @ForAll boolean transpose) {
        Random r = new Random(seed);
        Tensor x = distinct(r, nd);
        if (transpose && nd >= 2) x = x.transpose(0, nd - 1);
        int dim = r.nextInt(nd) - (r.nextBoolean() ? nd : 0);
        List<Tensor> parts = x.split(splitSize, dim);
        int n = x.size(dim);
        assertEquals(Math.max(1, (n + splitSize - 1) / splitSize), parts.size());
        for (Tensor p : parts) assertSame(x.storage(), p.storage());
        assertArrayEquals(x.shape(), Tensor.cat(dim, parts).shape());
        assertArrayEquals(x.toFloatArray(), Tensor.cat(dim, parts).toFloatArray());
        List<Tensor> chunks = x.chunk(splitSize, dim);
        assertTrue(chunks.size() <= splitSize);
        assertArrayEquals(x.toFloatArray(), Tensor.cat(dim, chunks).toFloatArray());
    }

    @Property(tries = 200)
    void stackThenSelectGivesBackEachInput(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int nd,
                                           @ForAll @IntRange(min = 1, max = 4) int count) {
        Random r = new Random(seed);
        int[] shape = new int[nd];
        for (int i = 0; i < nd; i++) shape[i] = 1 + r.nextInt(4);
        List<Tensor> inputs = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            float[] v = new float[Tensor.zeros(shape).numel()];
            for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
            inputs.add(Tensor.of(v, shape));
        }
        int dim = r.nextInt(nd + 1) - (r.nextBoolean() ? nd + 1 : 0);
        Tensor s = Tensor.stack(dim, inputs);
        assertEquals(nd + 1, s.ndim());
        assertEquals(count, s.size(dim));
        for (int k = 0; k < count; k++) assertArrayEquals(inputs.get(k).toFloatArray(), s.select(dim, k).toFloatArray());
    }

    @Property(tries = 200)
    void gatherByPermutationRoundTripsThroughScatter(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int rows,
                                                     @ForAll @IntRange(min = 1, max = 8) int cols, @ForAll boolean alongRows) {
        Random r = new Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
        Tensor x = Tensor.of(v, rows, cols);
        int dim = alongRows ? 0 : 1, n = x.size(dim), other = x.size(1 - dim);
        // an independent random permutation (like argsort) for each line along dim
        long[] perm = new long[rows * cols];
        for (int o = 0; o < other; o++) {
            List<Long> p = new ArrayList<>();
            for (long i = 0; i < n; i++) p.add(i);
            java.util.Collections.shuffle(p, r);
            for (int i = 0; i < n; i++) perm[dim == 1 ? o * cols + i : i * cols + o] = p.get(i);
        }
        Tensor idx = Tensor.of(perm, rows, cols);
        Tensor g = x.gather(dim, idx);
        Tensor back = Tensor.zeros(rows, cols).scatter(dim, idx, g);
        assertArrayEquals(v, back.toFloatArray());
        // scatterAdd into zeros with a permutation has no duplicates, so it equals scatter
        assertArrayEquals(v, Tensor.zeros(rows, cols).scatterAdd(dim, idx, g).toFloatArray());
        // indexSelect with every position in order is the identity
        Tensor all = x.indexSelect(dim, Tensor.arange(n));
        assertArrayEquals(v, all.toFloatArray());
    }

    @Property(tries = 200)
    void padThenNegativePadCropsBack(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int nd) {
        Random r = new Random(seed);
        Tensor x = distinct(r, nd);
        int np = 1 + r.nextInt(nd);
        int[] pads = new int[2 * np], crop = new int[2 * np];
        for (int i = 0; i < 2 * np; i++) {
            int dimSize = x.size(nd - 1 - i / 2);
            pads[i] = r.nextInt(Math.min(3, dimSize)); // < size, so reflect is legal too
            crop[i] = -pads[i];
        }
        for (PadMode mode : PadMode.values()) {
            Tensor p = x.pad(pads, mode);
            for (int i = 0; i < np; i++) {
                int d = nd - 1 - i;
                assertEquals(x.size(d) + pads[2 * i] + pads[2 * i + 1], p.size(d));
            }
            assertArrayEquals(x.toFloatArray(), p.pad(crop, 0).toFloatArray(), mode.name());
        }
    }

    @Property(tries = 100)
    void maskedSelectCountsAndOneHotRowsSumToOne(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int n,
                                                 @ForAll @IntRange(min = 1, max = 6) int classes) {
        Random r = new Random(seed);
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) labels[i] = r.nextInt(classes);
        Tensor h = Tensor.of(labels, n).oneHot(classes);
        // selecting row i's entries where the one-hot is 1 picks exactly its label position
        Tensor pos = Tensor.arange(classes).expand(n, classes);
        long[] picked = pos.maskedSelect(h.to(dev.fathom.tensor.DType.BOOL)).toLongArray();
        assertArrayEquals(labels, picked);
        // masked fill of the hot positions with 0 leaves an all-zero tensor
        assertArrayEquals(new long[n * classes], h.maskedFill(h.to(dev.fathom.tensor.DType.BOOL), 0).toLongArray());
    }
}
