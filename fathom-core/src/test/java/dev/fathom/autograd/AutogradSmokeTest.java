package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class AutogradSmokeTest {
    static Tensor leaf(Generator g, int... shape) { return Tensor.randn(g, DType.FLOAT64, shape).requiresGrad(true); }

    @Test
    void mulAddBackwardByHand() {
        Tensor x = Tensor.vector(1.0, 2.0, 3.0).requiresGrad(true);
        Tensor w = Tensor.vector(4.0, 5.0, 6.0).requiresGrad(true);
        Tensor loss = x.mul(w).add(x).sum();   // d/dx = w + 1, d/dw = x
        loss.backward();
        assertArrayEquals(new double[] {5, 6, 7}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3}, w.grad().toDoubleArray());
    }

    @Test
    void gradchecksOfCoreOps() {
        Generator g = new Generator(1);
        Tensor a = leaf(g, 3, 4), b = leaf(g, 4), m = leaf(g, 4, 2);
        for (var f : java.util.List.<java.util.function.Function<Tensor[], Tensor>>of(
                in -> in[0].mul(in[1]).exp().sum(1),
                in -> in[0].div(in[1].abs().add(1.0)).tanh(),
                in -> in[0].sigmoid().matmul(in[2]),
                in -> in[0].t().reshape(2, 6).mean(0),
                in -> in[0].narrow(1, 1, 2).mul(in[0].select(0, 2).slice(0, 0, 4, 2)).sum(),
                in -> in[0].maximum(in[1]).pow(2L),
                in -> in[0].gelu().add(in[0].softplus()).sub(in[0].elu())
        )) {
            GradCheck.Report r = GradCheck.check(f, a, b, m);
            assertTrue(r.passed(), r.toString());
            GradCheck.Report r2 = GradCheck.checkSecondOrder(f, a, b, m);
            assertTrue(r2.passed(), r2.toString());
        }
    }
}
