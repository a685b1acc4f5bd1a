package dev.fathom.tensor;

import net.jqwik.api.*;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Broadcasting binary ops agree with an independent reference: every output element is computed
 * from the input elements found by NumPy's index rule (a size-1 dimension reads index 0).
 */
class BroadcastPropertyTest {
    @Provide
    Arbitrary<int[][]> broadcastablePair() {
        Arbitrary<Integer> rank = Arbitraries.integers().between(0, 4);
        return rank.flatMap(r -> Arbitraries.integers().between(0, 4).array(int[].class).ofSize(r).flatMap(full ->
            Arbitraries.integers().between(0, 3).array(int[].class).ofSize(2 * r + 2).map(choice -> {
                // each operand drops some leading dims and turns some dims into 1
                int dropA = choice[2 * r] % (r + 1), dropB = choice[2 * r + 1] % (r + 1);
                int[] a = new int[r - dropA], b = new int[r - dropB];
                for (int i = dropA; i < r; i++) a[i - dropA] = choice[i] == 0 ? 1 : full[i];
                for (int i = dropB; i < r; i++) b[i - dropB] = choice[r + i] == 0 ? 1 : full[i];
                return new int[][] {a, b};
            })));
    }

    private static Tensor sequential(int[] shape, double start) {
        int n = Shapes.numel(shape);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = start + i;
        return Tensor.of(d, shape);
    }

    private static double at(Tensor t, int[] outIndex) {
        int[] shape = t.shape();
        int[] idx = new int[shape.length];
        int lead = outIndex.length - shape.length;
        for (int i = 0; i < shape.length; i++) idx[i] = shape[i] == 1 ? 0 : outIndex[i + lead];
        return t.get(idx);
    }

    @Property(tries = 300)
    void binaryOpsFollowNumpyIndexRule(@ForAll("broadcastablePair") int[][] shapes) {
        Tensor a = sequential(shapes[0], 1), b = sequential(shapes[1], 100);
        int[] expectedShape = referenceBroadcast(shapes[0], shapes[1]);
        Tensor sum = a.add(b), prod = a.mul(b), less = a.lt(b);
        assertArrayEquals(expectedShape, sum.shape());
        int n = Shapes.numel(expectedShape);
        int[] idx = new int[expectedShape.length];
        for (int flat = 0; flat < n; flat++) {
            int r = flat;
            for (int d = idx.length - 1; d >= 0; d--) { idx[d] = r % expectedShape[d]; r /= expectedShape[d]; }
            double x = at(a, idx), y = at(b, idx);
            assertEquals(x + y, sum.get(idx), 0, () -> "add at " + Arrays.toString(idx));
            assertEquals(x * y, prod.get(idx), 0, () -> "mul at " + Arrays.toString(idx));
            assertEquals(x < y ? 1.0 : 0.0, less.get(idx), 0);
        }
        // the result of a broadcast equals the result on materialised copies
        Tensor ac = a.broadcastTo(expectedShape).contiguous(), bc = b.broadcastTo(expectedShape).contiguous();
        assertTrue(ac.add(bc).equal(sum));
    }

    /** Broadcast written from the definition, independent of Shapes.broadcast. */
    private static int[] referenceBroadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 1; i <= n; i++) {
            int x = i <= a.length ? a[a.length - i] : 1, y = i <= b.length ? b[b.length - i] : 1;
            out[n - i] = x == 1 ? y : x;
        }
        return out;
    }

    @Property(tries = 100)
    void incompatibleShapesNameBothShapes(@ForAll("broadcastablePair") int[][] shapes) {
        Assume.that(shapes[0].length > 0 && shapes[0][shapes[0].length - 1] > 1);
        int[] bad = shapes[0].clone();
        bad[bad.length - 1] += 1; // sizes k and k+1 (both > 1) can never broadcast
        Tensor a = Tensor.zeros(shapes[0]), b = Tensor.zeros(bad);
        var e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().startsWith("add: shapes " + Shapes.format(shapes[0]) + " and " + Shapes.format(bad)), e.getMessage());
    }
}
