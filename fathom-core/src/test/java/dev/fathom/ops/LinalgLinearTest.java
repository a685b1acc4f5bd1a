package dev.fathom.ops;

import static org.junit.jupiter.api.Assertions.*;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@link Linalg#linear} (one GEMM with the bias as addend, one node) against the general {@code x·wᵀ + b}. */
class LinalgLinearTest {

    private static final Generator G = new Generator(7);

    /** A tensor of {@code shape} holding random values, laid out transposed in its last two dims when asked. */
    private static Tensor rand(DType dt, boolean transposed, int... shape) {
        if (!transposed || shape.length < 2) return Tensor.randn(G, dt, shape);
        int[] s = shape.clone();
        int n = s.length;
        s[n - 1] = shape[n - 2];
        s[n - 2] = shape[n - 1];
        Tensor t = Tensor.randn(G, dt, s).mT();
        assertTrue(!t.isContiguous() || shape[n - 1] == 1 || shape[n - 2] == 1); // size-1 dims leave it contiguous
        return t;
    }

    /** Forward and the three gradients of the fused op equal those of matmul + add, for one upstream gradient. */
    private static void compare(DType dt, int[] xShape, int out, boolean bias, boolean xT, boolean wT, double tol) {
        int in = xShape[xShape.length - 1];
        Tensor x = rand(dt, xT, xShape).detach(), w = rand(dt, wT, out, in).detach();
        Tensor b = bias ? Tensor.randn(G, dt, out) : null;
        Tensor[] fast = {x.detach().requiresGrad(true), w.detach().requiresGrad(true), bias ? b.detach().requiresGrad(true) : null};
        Tensor[] slow = {x.detach().requiresGrad(true), w.detach().requiresGrad(true), bias ? b.detach().requiresGrad(true) : null};
        Tensor yf = Linalg.linear(fast[0], fast[1], fast[2]);
        Tensor ys = slow[0].matmul(slow[1].t());
        if (bias) ys = ys.add(slow[2]);
        String what = dt + " x" + java.util.Arrays.toString(xShape) + (xT ? "ᵀ" : "") + " w[" + out + "," + in + "]"
            + (wT ? "ᵀ" : "") + (bias ? " +b" : "");
        assertArrayEquals(ys.shape(), yf.shape(), what);
        assertArrayEquals(ys.toDoubleArray(), yf.toDoubleArray(), tol, what + " forward");
        assertEquals("linear", yf.gradFn().name(), what);
        Tensor g = Tensor.randn(G, dt, ys.shape());
        yf.backward(g);
        ys.backward(g);
        for (int i = 0; i < 3; i++) {
            if (slow[i] == null) continue;
            assertArrayEquals(slow[i].shape(), fast[i].grad().shape(), what + " grad " + i);
            assertArrayEquals(slow[i].grad().toDoubleArray(), fast[i].grad().toDoubleArray(), tol, what + " grad " + i);
        }
    }

    @Test
    void matchesMatmulPlusBiasOverShapesAndLayouts() {
        int[][] xShapes = {{5, 7}, {1, 7}, {7}, {2, 3, 7}, {1, 1}, {13, 33}};
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32})
            for (int[] xs : xShapes)
                for (int out : new int[] {1, 4, 17})
                    for (int t = 0; t < 8; t++) {
                        boolean bias = (t & 1) != 0, xT = (t & 2) != 0 && xs.length >= 2, wT = (t & 4) != 0;
                        compare(dt, xs, out, bias, xT, wT, dt == DType.FLOAT64 ? 1e-12 : 2e-5);
                    }
    }

    /**
     * Backward products of at least 96³ multiply-adds, where dx and dw run side by side on the pool
     * (Gemm.concurrently, each unsplit) or, with one of them wanted, alone and split: float32 results
     * against the general matmul + add path in float64 on the same values, over operand layouts, a
     * transposed upstream gradient, batch dims and every subset of inputs that want a gradient.
     */
    @Test
    void bigBackwardMatchesFloat64General() {
        int[][] xShapes = {{97, 131}, {3, 41, 131}};
        int out = 103;
        for (int[] xs : xShapes)
            for (int t = 0; t < 8; t++)
                for (int want = 1; want < 8; want++) {
                    boolean xT = (t & 1) != 0, wT = (t & 2) != 0, gT = (t & 4) != 0;
                    Tensor x = rand(DType.FLOAT32, xT, xs), w = rand(DType.FLOAT32, wT, out, 131);
                    Tensor b = Tensor.randn(G, DType.FLOAT32, out);
                    int[] ys = xs.clone();
                    ys[ys.length - 1] = out;
                    Tensor g = rand(DType.FLOAT32, gT, ys);
                    Tensor[] in32 = {x.detach(), w.detach(), b.detach()}, in64 = new Tensor[3];
                    for (int i = 0; i < 3; i++) {
                        in64[i] = in32[i].to(DType.FLOAT64).detach();
                        if ((want & (1 << i)) != 0) {
                            in32[i].requiresGrad(true);
                            in64[i].requiresGrad(true);
                        }
                    }
                    Linalg.linear(in32[0], in32[1], in32[2]).backward(g);
                    in64[0].matmul(in64[1].t()).add(in64[2]).backward(g.to(DType.FLOAT64));
                    String what = java.util.Arrays.toString(xs) + (xT ? " xᵀ" : "") + (wT ? " wᵀ" : "") + (gT ? " gᵀ" : "")
                        + " want " + want;
                    for (int i = 0; i < 3; i++) {
                        if ((want & (1 << i)) == 0) {
                            assertNull(in32[i].grad(), what);
                            continue;
                        }
                        assertEquals(DType.FLOAT32, in32[i].grad().dtype(), what);
                        assertArrayEquals(in64[i].shape(), in32[i].grad().shape(), what + " grad " + i);
                        assertArrayEquals(in64[i].grad().toDoubleArray(), in32[i].grad().toDoubleArray(), 2e-3,
                            what + " grad " + i);
                    }
                }
    }

    @Test
    void emptyExtents() {
        // in = 0: the output is the bias on every row; rows = 0: an empty output
        Tensor b = Tensor.of(new double[] {1, 2, 3}, 3);
        Tensor y = Linalg.linear(Tensor.empty(DType.FLOAT64, 2, 0), Tensor.empty(DType.FLOAT64, 3, 0), b);
        assertArrayEquals(new double[] {1, 2, 3, 1, 2, 3}, y.toDoubleArray());
        Tensor e = Linalg.linear(Tensor.empty(DType.FLOAT64, 0, 4), Tensor.randn(G, DType.FLOAT64, 3, 4), b);
        assertArrayEquals(new int[] {0, 3}, e.shape());
    }

    @Test
    void firstAndSecondOrderGradcheck() {
        Tensor x = Tensor.randn(G, DType.FLOAT64, 3, 4).requiresGrad(true);
        Tensor w = Tensor.randn(G, DType.FLOAT64, 5, 4).requiresGrad(true);
        Tensor b = Tensor.randn(G, DType.FLOAT64, 5).requiresGrad(true);
        assertTrue(GradCheck.check(in -> Linalg.linear(in[0], in[1], in[2]), x, w, b).passed());
        assertTrue(GradCheck.checkSecondOrder(in -> Linalg.linear(in[0], in[1], in[2]).tanh(), x, w, b).passed());
    }

    @Test
    void noGradRecordsNothingAndMixedTypesTakeTheGeneralPath() {
        Tensor x = Tensor.randn(G, DType.FLOAT32, 2, 3), w = Tensor.randn(G, DType.FLOAT32, 4, 3).requiresGrad(true);
        try (var ignored = Autograd.noGrad()) {
            assertNull(Linalg.linear(x, w, null).gradFn());
        }
        Tensor xd = x.to(DType.FLOAT64);
        Tensor mixed = Linalg.linear(xd, w, null), general = xd.matmul(w.t());
        assertEquals(general.dtype(), mixed.dtype());
        assertArrayEquals(general.toDoubleArray(), mixed.toDoubleArray(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Linalg.linear(x, Tensor.randn(G, 4, 5), null));
    }
}
