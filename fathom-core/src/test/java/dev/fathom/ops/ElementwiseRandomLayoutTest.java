package dev.fathom.ops;

import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random shapes, broadcasts and memory layouts (permuted, sliced, expanded) against a naive
 * per-index reference built from {@link Tensor#get}: exercises every path of the binary driver.
 */
class ElementwiseRandomLayoutTest {
    private final Random rnd = new Random(11);

    /** A float32 tensor of {@code shape} with random values and a random layout. */
    private Tensor randomLayout(int[] shape) {
        int nd = shape.length;
        int[] perm = new int[nd];
        for (int i = 0; i < nd; i++) perm[i] = i;
        for (int i = nd - 1; i > 0; i--) { int j = rnd.nextInt(i + 1); int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
        // storage shape: the permuted shape, with every dimension padded so we can slice with a step
        int[] stored = new int[nd];
        boolean stepped = rnd.nextBoolean();
        for (int i = 0; i < nd; i++) stored[i] = shape[perm[i]] * (stepped ? 2 : 1);
        int n = 1;
        for (int s : stored) n *= s;
        float[] data = new float[n];
        for (int i = 0; i < n; i++) data[i] = rnd.nextInt(2000) / 8f - 125;
        Tensor t = Tensor.of(data, stored);
        if (stepped) for (int i = 0; i < nd; i++) t = t.slice(i, 1, stored[i], 2);
        int[] inverse = new int[nd];
        for (int i = 0; i < nd; i++) inverse[perm[i]] = i;
        t = t.permute(inverse);
        assertArrayEquals(shape, t.shape());
        return t;
    }

    private int[] randomShape(int nd, int maxDim) {
        int[] s = new int[nd];
        for (int i = 0; i < nd; i++) s[i] = 1 + rnd.nextInt(maxDim);
        return s;
    }

    /** Drops leading dimensions and sets some dimensions to 1, so the result broadcasts to {@code s}. */
    private int[] broadcastable(int[] s) {
        int drop = rnd.nextInt(s.length + 1);
        int[] r = new int[s.length - drop];
        for (int i = 0; i < r.length; i++) r[i] = rnd.nextInt(3) == 0 ? 1 : s[i + drop];
        return r;
    }

    private static float at(Tensor t, int[] outIdx) {
        int nd = t.ndim(), lead = outIdx.length - nd;
        int[] idx = new int[nd];
        for (int i = 0; i < nd; i++) idx[i] = t.size(i) == 1 ? 0 : outIdx[i + lead];
        return (float) t.get(idx);
    }

    private void check(Tensor a, Tensor b) {
        Tensor sum = a.add(b), prod = a.mul(b), mx = a.maximum(b), lt = a.lt(b), ax = a.add(b, -2);
        int[] shape = sum.shape();
        int n = sum.numel();
        float[] s = sum.toFloatArray(), p = prod.toFloatArray(), m = mx.toFloatArray(), x = ax.toFloatArray();
        boolean[] l = lt.toBoolArray();
        int[] idx = new int[shape.length];
        for (int k = 0; k < n; k++) {
            float u = at(a, idx), v = at(b, idx);
            assertEquals(u + v, s[k], 0f);
            assertEquals(u * v, p[k], 0f);
            assertEquals(Math.max(u, v), m[k], 0f);
            assertEquals(u < v, l[k]);
            assertEquals(u + (-2f) * v, x[k], 0f);
            for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
        }
        // in place: write into a fresh random layout of the broadcast shape
        Tensor target = randomLayout(shape);
        float[] before = target.toFloatArray();
        target.subInPlace(b);
        float[] after = target.toFloatArray();
        java.util.Arrays.fill(idx, 0);
        for (int k = 0; k < n; k++) {
            assertEquals(before[k] - at(b, idx), after[k], 0f);
            for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
        }
    }

    @Test
    void smallRandomLayouts() {
        for (int trial = 0; trial < 300; trial++) {
            int[] shape = randomShape(1 + rnd.nextInt(4), 6);
            Tensor a = randomLayout(shape);
            Tensor b = randomLayout(broadcastable(shape));
            if (rnd.nextBoolean()) check(a, b); else check(b, a);
        }
    }

    @Test
    void largeRandomLayoutsCrossTheTileAndParallelThresholds() {
        for (int trial = 0; trial < 6; trial++) {
            int[] shape = trial % 2 == 0 ? new int[] {130 + rnd.nextInt(80), 130 + rnd.nextInt(80)}
                : new int[] {1 + rnd.nextInt(3), 128 + rnd.nextInt(60), 128 + rnd.nextInt(60)};
            check(randomLayout(shape), randomLayout(broadcastable(shape)));
        }
    }
}
