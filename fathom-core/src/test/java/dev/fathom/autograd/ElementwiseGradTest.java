package dev.fathom.autograd;

import dev.fathom.backend.ScalarMath;
import dev.fathom.ops.Binary;
import dev.fathom.ops.Unary;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Gradients of every elementwise op, of casts and copies, and of every view: first and second
 * order against finite differences, on contiguous, transposed and sliced inputs, with
 * broadcasting for the binary ops; plus hand-computed cases for the kinks (ties, zero, clamp bounds).
 */
class ElementwiseGradTest {
    static Tensor leaf(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), DType.FLOAT64, shape).requiresGrad(true);
    }

    /** Positive values in [0.5, 2.5), for log, sqrt, pow bases. */
    static Tensor positive(long seed, int... shape) {
        Tensor t;
        try (var ignored = Autograd.noGrad()) {
            t = Tensor.rand(new Generator(seed), DType.FLOAT64, shape).mul(2.0).add(0.5);
        }
        return t.requiresGrad(true);
    }

    /** The same values as a contiguous [3, 4] leaf, a transposed view and a stepped slice. */
    static Tensor[] layouts(boolean positive, long seed) {
        Tensor a = positive ? positive(seed, 3, 4) : leaf(seed, 3, 4);
        Tensor b = positive ? positive(seed + 1, 4, 3) : leaf(seed + 1, 4, 3);
        Tensor c = positive ? positive(seed + 2, 3, 8) : leaf(seed + 2, 3, 8);
        return new Tensor[] {a, b.t(), c.slice(1, 0, 8, 2)};
    }

    static void both(String what, Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.Report r = GradCheck.check(f, in);
        assertTrue(r.passed(), what + ": " + r);
        GradCheck.Report r2 = GradCheck.checkSecondOrder(f, in);
        assertTrue(r2.passed(), what + ": " + r2);
    }

    @Test
    void everyUnaryOpFirstAndSecondOrder() {
        Map<String, Function<Tensor, Tensor>> ops = new LinkedHashMap<>();
        ops.put("neg", Tensor::neg);
        ops.put("abs", Tensor::abs);
        ops.put("sign", t -> t.sign().add(t));
        ops.put("exp", Tensor::exp);
        ops.put("expm1", Tensor::expm1);
        ops.put("sin", Tensor::sin);
        ops.put("cos", Tensor::cos);
        ops.put("tanh", Tensor::tanh);
        ops.put("sigmoid", Tensor::sigmoid);
        ops.put("relu", Tensor::relu);
        ops.put("leakyRelu", t -> t.leakyRelu(0.2));
        ops.put("elu", t -> t.elu(1.5));
        ops.put("gelu", Tensor::gelu);
        ops.put("geluTanh", t -> t.gelu(true));
        ops.put("erf", Tensor::erf);
        ops.put("softplus", t -> t.softplus(2.0, 1.0));   // both sides of the threshold
        ops.put("clamp", t -> t.clamp(-0.5, 0.7));
        ops.put("clampMin", t -> t.clampMin(0.1));
        Map<String, Function<Tensor, Tensor>> positiveOps = new LinkedHashMap<>();
        positiveOps.put("sqrt", Tensor::sqrt);
        positiveOps.put("rsqrt", Tensor::rsqrt);
        positiveOps.put("log", Tensor::log);
        positiveOps.put("log1p", Tensor::log1p);
        long seed = 10;
        for (var e : ops.entrySet())
            for (Tensor x : layouts(false, seed += 3)) both(e.getKey(), in -> e.getValue().apply(in[0]), x);
        for (var e : positiveOps.entrySet())
            for (Tensor x : layouts(true, seed += 3)) both(e.getKey(), in -> e.getValue().apply(in[0]), x);
    }

    @Test
    void everyBinaryOpWithBroadcastingAndLayouts() {
        Map<String, Function<Tensor[], Tensor>> ops = new LinkedHashMap<>();
        ops.put("add", in -> in[0].add(in[1]));
        ops.put("addAlpha", in -> in[0].add(in[1], -2.5));
        ops.put("sub", in -> in[0].sub(in[1]));
        ops.put("mul", in -> in[0].mul(in[1]));
        ops.put("div", in -> in[0].div(in[1].abs().add(0.5)));
        ops.put("minimum", in -> in[0].minimum(in[1]));
        ops.put("maximum", in -> in[0].maximum(in[1]));
        ops.put("where", in -> Tensor.where(in[0].gt(0.0), in[0].mul(in[1]), in[1]));
        long seed = 100;
        for (var e : ops.entrySet()) {
            for (Tensor a : layouts(false, seed += 3)) {
                both(e.getKey() + " same shape", e.getValue(), a, leaf(seed + 5, 3, 4));
                both(e.getKey() + " row broadcast", e.getValue(), a, leaf(seed + 6, 4));
                both(e.getKey() + " column broadcast", e.getValue(), leaf(seed + 7, 3, 1), a);
                both(e.getKey() + " scalar tensor", e.getValue(), a, leaf(seed + 8));
            }
        }
        // pow: tensor exponent needs a positive base
        for (Tensor a : layouts(true, 300)) {
            both("pow tensor", in -> in[0].pow(in[1]), a, leaf(301, 4));
            both("pow double", in -> in[0].pow(1.7), a);
            both("pow long", in -> in[0].pow(3L), a);
            both("pow negative", in -> in[0].pow(-2L), a);
        }
        // scalar right-hand sides (Python floats and ints)
        Tensor x = leaf(400, 2, 3);
        both("scalar variants", in -> in[0].add(2.0).sub(1L).mul(3.0).div(2L).maximum(0.1).minimum(1.5), x);
    }

    @Test
    void castsCopiesAndViews() {
        Tensor x = leaf(500, 2, 3, 4);
        Map<String, Function<Tensor, Tensor>> views = new LinkedHashMap<>();
        views.put("reshape", t -> t.reshape(4, -1));
        views.put("view", t -> t.view(6, 4));
        views.put("flatten", t -> t.flatten(1, 2));
        views.put("squeeze", t -> t.unsqueeze(1).squeeze());
        views.put("squeezeDim", t -> t.unsqueeze(0).squeeze(0));
        views.put("transpose", t -> t.transpose(0, 2));
        views.put("mT", Tensor::mT);
        views.put("permute", t -> t.permute(2, 0, 1));
        views.put("narrow", t -> t.narrow(2, 1, 2));
        views.put("select", t -> t.select(1, -1));
        views.put("slice", t -> t.slice(2, 0, 4, 3));
        views.put("expand", t -> t.narrow(0, 0, 1).expand(3, 3, 4));
        views.put("broadcastTo", t -> t.select(0, 1).broadcastTo(2, 3, 4));
        views.put("contiguous", t -> t.transpose(0, 1).contiguous());
        views.put("copy", Tensor::copy);
        views.put("reshape of a transpose (copies)", t -> t.transpose(1, 2).reshape(-1));
        for (var e : views.entrySet()) both(e.getKey(), in -> e.getValue().apply(in[0]).mul(in[0].sum()), x);

        // a cast passes the gradient back in the input's type (float32 is too coarse for differences)
        Tensor y = leaf(501, 3);
        y.to(DType.FLOAT32).mul(Tensor.vector(1f, 2f, 3f)).sum().backward();
        assertEquals(DType.FLOAT64, y.grad().dtype());
        assertArrayEquals(new double[] {1, 2, 3}, y.grad().toDoubleArray());
    }

    @Test
    void kinksFollowPyTorch() {
        Tensor a = Tensor.vector(1.0, 2.0, 3.0).requiresGrad(true);
        Tensor b = Tensor.vector(1.0, 5.0, 0.0).requiresGrad(true);
        a.maximum(b).sum().backward();
        assertArrayEquals(new double[] {0.5, 0, 1}, a.grad().toDoubleArray());   // ties split in half
        assertArrayEquals(new double[] {0.5, 1, 0}, b.grad().toDoubleArray());

        Tensor x = Tensor.vector(-1.0, 0.0, 2.0).requiresGrad(true);
        x.relu().sum().backward();
        assertArrayEquals(new double[] {0, 0, 1}, x.grad().toDoubleArray());    // relu'(0) = 0
        x.zeroGrad();
        x.abs().sum().backward();
        assertArrayEquals(new double[] {-1, 0, 1}, x.grad().toDoubleArray());   // abs'(0) = 0
        x.zeroGrad();
        x.clamp(0.0, 2.0).sum().backward();
        assertArrayEquals(new double[] {0, 1, 1}, x.grad().toDoubleArray());    // bounds count as inside
        x.zeroGrad();
        x.pow(0L).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0}, x.grad().toDoubleArray());    // d/dx x^0 = 0, also at 0
    }

    static void close(float want, float got, String what) {
        if (Float.isNaN(want)) assertTrue(Float.isNaN(got), what + ": expected NaN, got " + got);
        else assertEquals(want, got, 1e-6f * (1 + Math.abs(want)), what);
    }

    @Test
    void fusedBackwardKernelsMatchTheirFormulasInFloat32() {
        // lengths around the vector width, NaN, zeros and both signs through the blend kernel
        for (int n : new int[] {1, 7, 8, 9, 31, 64, 1000}) {
            float[] g = new float[n], x = new float[n];
            Generator gen = new Generator(n);
            float[] r = Tensor.randn(gen, 2 * n).toFloatArray();
            for (int i = 0; i < n; i++) {
                g[i] = r[i];
                x[i] = i % 5 == 0 ? 0f : i % 7 == 3 ? Float.NaN : r[n + i];
            }
            Tensor gt = Tensor.of(g, n), xt = Tensor.of(x, n);
            float[] relu = Binary.RELU_BACKWARD.apply(gt, xt).toFloatArray();
            float[] tanh = Binary.TANH_BACKWARD.apply(gt, xt).toFloatArray();
            float[] sig = Binary.SIGMOID_BACKWARD.apply(gt, xt).toFloatArray();
            float[] gelu = Binary.GELU_BACKWARD.apply(gt, xt.mul(3.0)).toFloatArray();  // reach the tails too
            for (int i = 0; i < n; i++) {
                double x3 = 3.0 * x[i], phi = Math.exp(-0.5 * x3 * x3) / Math.sqrt(2 * Math.PI);
                close((float) (g[i] * (0.5 * ScalarMath.erfc(-x3 / Math.sqrt(2)) + x3 * phi)), gelu[i], "gelu at " + i);
                assertEquals(x[i] > 0 ? g[i] : 0f, relu[i], "relu at " + i);   // NaN input: 0, as PyTorch
                close(g[i] * (1f - x[i] * x[i]), tanh[i], "tanh at " + i);
                close(g[i] * x[i] * (1f - x[i]), sig[i], "sigmoid at " + i);
            }
        }
        // the unary rules use them: float32 backward equals float64 backward rounded
        Tensor x64 = leaf(600, 50), x32 = x64.detach().to(DType.FLOAT32).requiresGrad(true);
        for (Unary op : new Unary[] {Unary.RELU, Unary.TANH, Unary.SIGMOID, Unary.GELU}) {
            x64.zeroGrad();
            x32.zeroGrad();
            op.apply(x64).sum().backward();
            op.apply(x32).sum().backward();
            assertArrayEquals(x64.grad().toFloatArray(), x32.grad().toFloatArray(), 1e-6f, op.opName());
        }
    }
}
