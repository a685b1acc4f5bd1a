package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** Gradients of matmul in every shape case of its rule, and of dot, outer and mm. */
class LinalgGradTest {
    private static Tensor leaf(Generator g, int... shape) {
        return Tensor.randn(g, DType.FLOAT64, shape).requiresGrad(true);
    }

    /** First and second order. */
    private static void check2(Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.Report r = GradCheck.check(f, in);
        assertTrue(r.passed(), r.toString());
        GradCheck.Report r2 = GradCheck.checkSecondOrder(f, in);
        assertTrue(r2.passed(), r2.toString());
    }

    /** matmul of {@code a} and {@code b} as given, and squared so that second derivatives are not zero. */
    private static void checkMatmul(Tensor a, Tensor b) {
        check2(in -> in[0].matmul(in[1]), a, b);
        check2(in -> in[0].matmul(in[1]).pow(2L), a, b);
    }

    @Test
    void matmulEveryShapeCase() {
        Generator g = new Generator(1);
        checkMatmul(leaf(g, 4), leaf(g, 4));             // 1-D·1-D: dot, 0-d result
        checkMatmul(leaf(g, 3), leaf(g, 3, 2));          // 1-D·2-D: row vector
        checkMatmul(leaf(g, 2, 3), leaf(g, 3));          // 2-D·1-D: column vector
        checkMatmul(leaf(g, 2, 3), leaf(g, 3, 4));       // 2-D·2-D
        checkMatmul(leaf(g, 2, 3, 4), leaf(g, 2, 4, 2)); // batched 3-D·3-D
        checkMatmul(leaf(g, 2, 1, 3, 4), leaf(g, 5, 4, 2)); // batch broadcasting -> [2, 5, 3, 2]
        checkMatmul(leaf(g, 2, 3, 4), leaf(g, 4));       // 3-D·1-D
        checkMatmul(leaf(g, 4), leaf(g, 2, 4, 3));       // 1-D·3-D
        checkMatmul(leaf(g, 2, 3, 4), leaf(g, 4, 2));    // batched · matrix (one GEMM over all rows)
        checkMatmul(leaf(g, 3, 4), leaf(g, 2, 4, 2));    // matrix · batched
        checkMatmul(leaf(g, 1, 3, 4), leaf(g, 3, 4, 2)); // size-1 batch broadcast on the left
    }

    @Test
    void matmulStridedOperands() {
        Generator g = new Generator(2);
        Tensor a = leaf(g, 4, 3), b = leaf(g, 2, 4), c = leaf(g, 2, 4, 3), d = leaf(g, 3, 4), v = leaf(g, 8);
        check2(in -> in[0].t().matmul(in[1].t()).tanh(), a, b);                 // both transposed
        check2(in -> in[0].mT().matmul(in[1].t()), c, b);                      // batched transposed
        check2(in -> in[0].slice(0, 0, 4, 2).matmul(in[0].t().slice(1, 1, 4, 2)), a); // step-2 slices
        check2(in -> in[1].slice(0, 1, 8, 2).matmul(in[0]).pow(2L), a, v);     // strided vector · matrix
        check2(in -> in[0].t().matmul(in[1].narrow(0, 0, 4)).exp(), a, v);     // transposed matrix · vector
        check2(in -> in[0].permute(2, 0, 1).matmul(in[1].t().unsqueeze(0)), c, d); // [3, 2, 4]·[1, 4, 3]
    }

    @Test
    void matmulWithOneDifferentiableOperand() {
        Generator g = new Generator(3);
        Tensor a = leaf(g, 2, 3), b = Tensor.randn(g, DType.FLOAT64, 5, 3, 2);
        check2(in -> in[0].matmul(b).pow(2L), a);
        check2(in -> b.matmul(in[0]).sin(), a);
    }

    @Test
    void dotOuterMm() {
        Generator g = new Generator(4);
        Tensor x = leaf(g, 5), y = leaf(g, 5), m = leaf(g, 3, 5), n = leaf(g, 5, 2);
        check2(in -> in[0].dot(in[1]).pow(2L), x, y);
        check2(in -> in[0].slice(0, 0, 4, 2).dot(in[1].slice(0, 1, 5, 2)).exp(), x, y);
        check2(in -> in[0].outer(in[1]).tanh(), x, y);
        check2(in -> in[0].outer(in[1].slice(0, 0, 5, 2)).pow(2L), x, y);
        check2(in -> in[0].mm(in[1]).pow(2L), m, n);
        check2(in -> in[1].t().mm(in[0].t()).sin(), m, n);
    }

    @Test
    void matmulGradientsByHand() {
        // loss = sum(A·B): dA = 1·Bᵀ (row sums of B), dB = Aᵀ·1 (column sums of A)
        Tensor a = Tensor.of(new double[][] {{1, 2}, {3, 4}}).requiresGrad(true);
        Tensor b = Tensor.of(new double[][] {{5, 6, 7}, {8, 9, 10}}).requiresGrad(true);
        a.matmul(b).sum().backward();
        assertArrayEquals(new double[] {18, 27, 18, 27}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {4, 4, 4, 6, 6, 6}, b.grad().toDoubleArray());

        // batch broadcasting sums the gradient of the broadcast operand over the batch
        Tensor m = Tensor.of(new double[][] {{1, 0}, {0, 2}}).requiresGrad(true);
        Tensor batch = Tensor.ones(DType.FLOAT64, 3, 2, 2);
        m.matmul(batch).sum().backward(); // dM = sum over 3 batches of 1·1ᵀ = 3·[[2, 2], [2, 2]]
        assertArrayEquals(new double[] {6, 6, 6, 6}, m.grad().toDoubleArray());

        // dot: d(x·y)/dx = y; outer: d sum(x yᵀ)/dx = sum(y)
        Tensor x = Tensor.vector(1.0, 2.0, 3.0).requiresGrad(true), y = Tensor.vector(4.0, 5.0, 6.0).requiresGrad(true);
        x.dot(y).backward();
        assertArrayEquals(new double[] {4, 5, 6}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3}, y.grad().toDoubleArray());
        x.setGrad(null);
        x.outer(y).sum().backward();
        assertArrayEquals(new double[] {15, 15, 15}, x.grad().toDoubleArray());

        // second order: d/dx of the gradient of (x·x)² is 8·x xᵀ + 4·(x·x)·I; summed over columns
        Tensor gx = Autograd.grad(x.dot(x).pow(2L), x, true); // 4·(x·x)·x = [56, 112, 168]
        assertArrayEquals(new double[] {56, 112, 168}, gx.toDoubleArray(), 1e-12);
        Tensor h = Autograd.grad(gx.sum(), x, false); // 8·x·sum(x) + 4·(x·x) = [48+56, 96+56, 144+56]
        assertArrayEquals(new double[] {104, 152, 200}, h.toDoubleArray(), 1e-12);
    }
}
