package dev.fathom.ops;

import dev.fathom.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Random shapes, axis sets, keepDim and layouts against a naive multi-index loop. */
class ReductionPropertyTest {

    @Property(tries = 300)
    void reductionsMatchANaiveLoop(@ForAll @IntRange(min = 1, max = 5) int rank, @ForAll long seed) {
        Random rnd = new Random(seed);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) shape[d] = rnd.nextInt(5); // sizes 0..4
        if (rnd.nextInt(4) > 0) for (int d = 0; d < rank; d++) shape[d] = Math.max(1, shape[d]);
        int n = 1;
        for (int s : shape) n *= s;
        double[] data = new double[n];
        for (int i = 0; i < n; i++) data[i] = rnd.nextInt(41) - 20; // small integers: sums are exact
        // random axis subset (possibly empty = all), written with random signs
        List<Integer> dims = new ArrayList<>();
        boolean[] mask = new boolean[rank];
        for (int d = 0; d < rank; d++)
            if (rnd.nextBoolean()) { dims.add(rnd.nextBoolean() ? d : d - rank); mask[d] = true; }
        if (dims.isEmpty()) Arrays.fill(mask, true);
        int[] ax = dims.stream().mapToInt(Integer::intValue).toArray();
        boolean keep = rnd.nextBoolean();

        Tensor x = Tensor.of(data, shape);
        // sometimes the same values through a permuted (non-contiguous) view
        if (rank >= 2 && rnd.nextBoolean()) {
            int[] perm = new int[rank];
            for (int d = 0; d < rank; d++) perm[d] = rank - 1 - d;
            x = x.permute(perm).contiguous().permute(perm); // perm is its own inverse
        }

        int[] expShape = keep ? new int[rank] : null;
        List<Integer> kept = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            if (keep) expShape[d] = mask[d] ? 1 : shape[d];
            if (!mask[d]) kept.add(shape[d]);
        }
        if (!keep) expShape = kept.stream().mapToInt(Integer::intValue).toArray();
        int outN = 1;
        for (int d = 0; d < rank; d++) if (!mask[d]) outN *= shape[d];
        double[] sum = new double[outN], max = new double[outN], prod = new double[outN];
        int[] cnt = new int[outN];
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        Arrays.fill(prod, 1);
        int[] idx = new int[rank];
        for (int i = 0; i < n; i++) {
            int rem = i;
            for (int d = rank - 1; d >= 0; d--) { idx[d] = rem % shape[d]; rem /= shape[d]; }
            int o = 0;
            for (int d = 0; d < rank; d++) if (!mask[d]) o = o * shape[d] + idx[d];
            sum[o] += data[i];
            max[o] = Math.max(max[o], data[i]);
            prod[o] *= Math.signum(data[i]); // product of signs stays exact
            cnt[o]++;
        }
        String what = "shape " + Arrays.toString(shape) + " dims " + Arrays.toString(ax) + " keep " + keep;

        Tensor s = x.sum(ax, keep);
        assertArrayEquals(expShape, s.shape(), what);
        assertArrayEquals(sum, s.toDoubleArray(), 1e-9, what);
        double[] mean = new double[outN];
        for (int o = 0; o < outN; o++) mean[o] = sum[o] / cnt[o];
        assertArrayEquals(mean, x.mean(ax, keep).toDoubleArray(), 1e-9, what);
        Tensor signs = Tensor.of(Arrays.stream(data).map(Math::signum).toArray(), shape);
        assertArrayEquals(prod, signs.prod(ax, keep).toDoubleArray(), 0, what);
        int reduced = 1;
        for (int d = 0; d < rank; d++) if (mask[d]) reduced *= shape[d];
        if (reduced == 0) { // as torch: extrema over a zero-size dimension are an error, even with no outputs
            Tensor fx = x;
            var e = assertThrows(IllegalArgumentException.class, () -> fx.amax(ax, keep), what);
            assertTrue(e.getMessage().startsWith("amax: cannot reduce"), e.getMessage());
        } else {
            assertArrayEquals(max, x.amax(ax, keep).toDoubleArray(), 0, what);
            assertArrayEquals(max, x.to(dev.fathom.tensor.DType.INT32).amax(ax, keep).toDoubleArray(), 0, what);
        }
        // argmax/argmin along one random dim, first occurrence on ties
        int dim = rnd.nextInt(rank);
        if (shape[dim] == 0) {
            Tensor fx = x;
            assertThrows(IllegalArgumentException.class, () -> fx.argmax(dim, keep), what);
        } else {
            int outer = 1, inner = 1;
            for (int d = 0; d < dim; d++) outer *= shape[d];
            for (int d = dim + 1; d < rank; d++) inner *= shape[d];
            long[] amax = new long[outer * inner], amin = new long[outer * inner];
            for (int a = 0; a < outer; a++)
                for (int b = 0; b < inner; b++) {
                    int bx = 0, bn = 0;
                    for (int r = 1; r < shape[dim]; r++) {
                        double v = data[(a * shape[dim] + r) * inner + b];
                        if (v > data[(a * shape[dim] + bx) * inner + b]) bx = r;
                        if (v < data[(a * shape[dim] + bn) * inner + b]) bn = r;
                    }
                    amax[a * inner + b] = bx;
                    amin[a * inner + b] = bn;
                }
            Tensor am = x.argmax(dim, keep);
            int[] argShape = shape.clone();
            if (keep) argShape[dim] = 1;
            else argShape = java.util.stream.IntStream.range(0, rank).filter(d -> d != dim).map(d -> shape[d]).toArray();
            assertArrayEquals(argShape, am.shape(), what);
            assertArrayEquals(amax, am.toLongArray(), what + " argmax dim " + dim);
            assertArrayEquals(amin, x.to(dev.fathom.tensor.DType.FLOAT32).argmin(dim - rank, keep).toLongArray(), what + " argmin dim " + dim);
            assertArrayEquals(amax, x.to(dev.fathom.tensor.DType.INT32).argmax(dim, keep).toLongArray(), what + " int argmax");
        }
        long[] isum = x.to(dev.fathom.tensor.DType.INT32).sum(ax, keep).toLongArray();
        for (int o = 0; o < outN; o++) assertEquals((long) sum[o], isum[o], what);
    }
}
