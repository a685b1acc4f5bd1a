package dev.fathom.nn;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

class ActivationTest {
    private static final double[] XS = {-3, -1, -0.5, 0.5, 1, 3};
    private static final double A = Functional.SELU_ALPHA, L = Functional.SELU_SCALE;

    /** The layer and the function agree with the formula at XS (float64), and the layer passes gradcheck. */
    private static void check(Layer layer, UnaryOperator<Tensor> fn, DoubleUnaryOperator formula) {
        Tensor x = Tensor.vector(XS);
        double[] want = new double[XS.length];
        for (int i = 0; i < XS.length; i++) want[i] = formula.applyAsDouble(XS[i]);
        Tensor expected = Tensor.vector(want);
        assertTrue(layer.forward(x).allClose(expected, 1e-14, 1e-15), layer + ": " + layer.forward(x) + " vs " + expected);
        assertTrue(fn.apply(x).allClose(expected, 1e-14, 1e-15), layer + " (function)");
        Tensor f32 = layer.forward(x.to(DType.FLOAT32));
        assertEquals(DType.FLOAT32, f32.dtype());
        assertTrue(f32.allClose(expected.to(DType.FLOAT32), 1e-6, 1e-6), layer + " float32");
        Tensor r = Tensor.randn(new Generator(7), DType.FLOAT64, 3, 5).mul(2.0).requiresGrad(true);
        GradCheck.Report rep = GradCheck.check(in -> layer.forward(in[0]), r);
        assertTrue(rep.passed(), layer + ": " + rep);
        GradCheck.Report second = GradCheck.checkSecondOrder(in -> layer.forward(in[0]), r);
        assertTrue(second.passed(), layer + " second order: " + second);
    }

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    @Test
    void elementwiseActivationsMatchTheirFormulas() {
        check(new ReLU(), Functional::relu, x -> Math.max(x, 0));
        check(new LeakyReLU(0.2), x -> Functional.leakyRelu(x, 0.2), x -> x > 0 ? x : 0.2 * x);
        check(new LeakyReLU(), Functional::leakyRelu, x -> x > 0 ? x : 0.01 * x);
        check(new ELU(1.5), x -> Functional.elu(x, 1.5), x -> x > 0 ? x : 1.5 * (Math.exp(x) - 1));
        check(new SELU(), Functional::selu, x -> L * (x > 0 ? x : A * (Math.exp(x) - 1)));
        check(new SiLU(), Functional::silu, x -> x * sigmoid(x));
        check(new Sigmoid(), Functional::sigmoid, ActivationTest::sigmoid);
        check(new Tanh(), Functional::tanh, Math::tanh);
        check(new Softplus(2, 3), x -> Functional.softplus(x, 2, 3), x -> 2 * x > 3 ? x : Math.log1p(Math.exp(2 * x)) / 2);
        check(new Softplus(), Functional::softplus, x -> Math.log1p(Math.exp(x)));
        double c = Math.sqrt(2 / Math.PI);
        check(new GELU("tanh"), x -> Functional.gelu(x, "tanh"), x -> 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x))));
        // exact GELU x·Φ(x): Φ from Python's math.erf at XS
        double[] exact = {-0.00404969409489031, -0.15865525393145707, -0.15426876936299344, 0.34573123063700656,
                          0.8413447460685429, 2.99595030590511};
        check(new GELU(), Functional::gelu, x -> exact[java.util.Arrays.binarySearch(XS, x)]);
    }

    @Test
    void seluConstantsAndSelfNormalisation() {
        assertEquals(1.6732632423543772, A, 0);
        assertEquals(1.0507009873554805, L, 0);
        // SELU keeps a standard normal input near mean 0 and variance 1 (its defining property)
        Tensor y = new SELU().forward(Tensor.randn(new Generator(1), DType.FLOAT64, 200_000));
        assertEquals(0, y.mean().item(), 0.01);
        assertEquals(1, y.var().item(), 0.01);
    }

    @Test
    void softmaxAndLogSoftmaxAlongADimension() {
        Tensor x = Tensor.of(new double[][] {{1, 2, 3}, {-1, 0, 5}});
        double s0 = Math.exp(1) + Math.exp(2) + Math.exp(3), s1 = Math.exp(-1) + 1 + Math.exp(5);
        Tensor want = Tensor.of(new double[][] {{Math.exp(1) / s0, Math.exp(2) / s0, Math.exp(3) / s0},
                                                {Math.exp(-1) / s1, 1 / s1, Math.exp(5) / s1}});
        assertTrue(new Softmax(1).forward(x).allClose(want, 1e-14, 0));
        assertTrue(new Softmax(-1).forward(x).allClose(want, 1e-14, 0));
        assertTrue(new LogSoftmax(1).forward(x).allClose(want.log(), 1e-14, 1e-15));
        assertTrue(Functional.logSoftmax(x, 1).allClose(want.log(), 1e-14, 1e-15));
        // along dim 0 each column sums to 1
        assertTrue(new Softmax(0).forward(x).sum(0).allClose(Tensor.ones(DType.FLOAT64, 3), 1e-15, 1e-15));
        assertEquals(1 / (1 + Math.exp(2)), new Softmax(0).forward(x).get(1, 0), 1e-15);
        Tensor r = Tensor.randn(new Generator(3), DType.FLOAT64, 2, 3, 4).requiresGrad(true);
        for (int d = 0; d < 3; d++) {
            Layer s = new Softmax(d), ls = new LogSoftmax(d);
            assertTrue(GradCheck.check(in -> s.forward(in[0]), r).passed(), "softmax dim " + d);
            assertTrue(GradCheck.check(in -> ls.forward(in[0]), r).passed(), "logSoftmax dim " + d);
        }
    }

    @Test
    void printedSettingsAndBadArguments() {
        assertEquals("LeakyReLU(negativeSlope=0.2)", new LeakyReLU(0.2).toString().lines().findFirst().orElseThrow());
        assertEquals("GELU(approximate=tanh)", new GELU("tanh").toString().lines().findFirst().orElseThrow());
        assertEquals("Softplus(beta=1.0, threshold=20.0)", new Softplus().toString().lines().findFirst().orElseThrow());
        var e = assertThrows(IllegalArgumentException.class, () -> new GELU("erf"));
        assertEquals("gelu: approximate must be \"none\" or \"tanh\", got \"erf\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Softmax(2).forward(Tensor.zeros(3, 4)));
        assertEquals("Softmax(dim=2): dimension 2 is out of range for input of shape [3, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LogSoftmax(-3).forward(Tensor.zeros(3, 4)));
        assertEquals("LogSoftmax(dim=-3): dimension -3 is out of range for input of shape [3, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Softplus(0, 20));
        assertEquals("Softplus: beta must be finite and non-zero, got 0.0", e.getMessage());
    }
}
