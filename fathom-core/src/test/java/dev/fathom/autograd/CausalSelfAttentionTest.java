package dev.fathom.autograd;

import dev.fathom.ops.Attention;
import dev.fathom.ops.Reductions;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Attention.causalSelfAttention against the composition it fuses (split, per-head views, q·kᵀ,
 * masked softmax, ·v, heads back side by side): values and gradients in float32 (same GEMM calls and
 * row kernels: equal up to GEMM rounding) and float64, with and without createGraph, batch 1, odd
 * lengths and head sizes, a non-contiguous input, grad off; first- and second-order gradchecks.
 */
class CausalSelfAttentionTest {

    static Tensor composed(Tensor qkv, int heads) {
        int b = qkv.size(0), t = qkv.size(1), c = qkv.size(2) / 3, hd = c / heads;
        List<Tensor> p = qkv.split(c, 2);
        Tensor q = p.get(0).view(b, t, heads, hd).transpose(1, 2);
        Tensor k = p.get(1).view(b, t, heads, hd).transpose(1, 2);
        Tensor v = p.get(2).view(b, t, heads, hd).transpose(1, 2);
        boolean[] m = new boolean[t * t];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) m[i * t + j] = true;
        Tensor att = Reductions.maskedSoftmax(q.matmul(k.transpose(-2, -1)), Tensor.of(m, t, t), 1.0 / Math.sqrt(hd));
        return att.matmul(v).transpose(1, 2).contiguous().view(b, t, c);
    }

    static void close(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), what + " at " + i);
    }

    static double[] grad(Function<Tensor, Tensor> f, Tensor x, Tensor w, boolean createGraph) {
        Tensor leaf = x.detach().requiresGrad(true);
        Tensor y = f.apply(leaf);
        return Autograd.grad(new Tensor[] {y}, new Tensor[] {leaf}, new Tensor[] {w}, false, createGraph, false)[0]
            .toDoubleArray();
    }

    /** [B, T, 3C] inputs: contiguous, and a strided view (every other row of the time axis). */
    static List<Tensor> inputs(Generator g, DType dt, int b, int t, int c3) {
        return List.of(Tensor.randn(g, dt, b, t, c3), Tensor.randn(g, dt, b, 2 * t, c3).slice(1, 0, 2 * t, 2));
    }

    @Test
    void matchesTheCompositionInValuesAndGradients() {
        Generator gen = new Generator(21);
        int[][] shapes = {{1, 1, 1, 1}, {2, 5, 2, 3}, {1, 17, 3, 5}, {3, 33, 4, 8}, {2, 128, 4, 32}};   // b, t, heads, hd
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double tol = dt == DType.FLOAT64 ? 1e-12 : 2e-6;
            for (int[] s : shapes) {
                int b = s[0], t = s[1], heads = s[2], c = heads * s[3];
                for (Tensor x : inputs(gen, dt, b, t, 3 * c)) {
                    String what = dt + " " + java.util.Arrays.toString(s) + (x.isContiguous() ? "" : " strided");
                    close(composed(x, heads).toDoubleArray(), Attention.causalSelfAttention(x, heads).toDoubleArray(), tol,
                        what);
                    Tensor w = Tensor.randn(gen, dt, b, t, c);
                    for (boolean cg : new boolean[] {false, true}) {
                        double[] e = grad(a -> composed(a, heads), x, w, cg);
                        double[] a = grad(in -> Attention.causalSelfAttention(in, heads), x, w, cg);
                        close(e, a, dt == DType.FLOAT64 ? 1e-11 : 1e-5, what + " grad createGraph=" + cg);
                    }
                }
            }
        }
    }

    /** The gpt workload's shape in float32: forward and gradient equal to the composition's bit for bit. */
    @Test
    void float32AtTheGptShapeIsTheComposition() {
        Generator gen = new Generator(22);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 2, 128, 384);
        assertArrayEquals(composed(x, 4).toFloatArray(), Attention.causalSelfAttention(x, 4).toFloatArray());
        Tensor w = Tensor.randn(gen, DType.FLOAT32, 2, 128, 128);
        assertArrayEquals(grad(a -> composed(a, 4), x, w, false), grad(a -> Attention.causalSelfAttention(a, 4), x, w, false));
    }

    @Test
    void withoutGradItRecordsNothing() {
        Tensor x = Tensor.randn(new Generator(23), DType.FLOAT32, 2, 9, 12).requiresGrad(true);
        try (var ignored = Autograd.noGrad()) {
            Tensor y = Attention.causalSelfAttention(x, 2);
            assertFalse(y.requiresGrad());
            assertArrayEquals(composed(x.detach(), 2).toFloatArray(), y.toFloatArray(), 2e-6f);
        }
    }

    @Test
    void gradchecksFirstAndSecondOrder() {
        Generator gen = new Generator(24);
        for (Tensor x : inputs(gen, DType.FLOAT64, 2, 5, 12)) {
            Tensor leaf = x.detach().requiresGrad(true);
            Function<Tensor[], Tensor> f = in -> Attention.causalSelfAttention(in[0], 2);
            ReductionGradTest.first("causalSelfAttention", f, leaf);
            ReductionGradTest.second("causalSelfAttention", f, leaf);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Attention.causalSelfAttention(Tensor.randn(2, 3, 12), 3));
        assertThrows(IllegalArgumentException.class, () -> Attention.causalSelfAttention(Tensor.randn(3, 12), 2));
        assertThrows(IllegalArgumentException.class,
            () -> Attention.causalSelfAttention(Tensor.zeros(2, 3, 12).to(DType.INT64), 2));
        assertThrows(IllegalArgumentException.class, () -> Attention.causalSelfAttention(Tensor.randn(2, 3, 12), 0));
    }
}
