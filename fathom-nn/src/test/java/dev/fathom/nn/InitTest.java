package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

class InitTest {
    private static final Map<String, Tensor> F = TorchFixture.load("init");

    private static void assertTorch(String name, long seed, Supplier<Tensor> init) {
        Generator.manualSeed(seed);
        Tensor t = init.get();
        assertTrue(t.equal(F.get(name)), name + " differs from PyTorch\n" + t + "\n" + F.get(name));
    }

    @Test
    void randomInitialisersEqualPyTorchBitForBitAfterTheSameSeed() {
        assertTorch("kaiming_uniform", 1, () -> Init.kaimingUniform(Tensor.empty(DType.FLOAT32, 7, 5)));
        assertTorch("kaiming_uniform_conv", 2,
            () -> Init.kaimingUniform(Tensor.empty(DType.FLOAT32, 4, 3, 3, 3), 0.2, Init.FanMode.FAN_OUT, "leaky_relu"));
        assertTorch("kaiming_normal", 3,
            () -> Init.kaimingNormal(Tensor.empty(DType.FLOAT32, 6, 20), 0, Init.FanMode.FAN_OUT, "relu"));
        assertTorch("xavier_uniform", 4, () -> Init.xavierUniform(Tensor.empty(DType.FLOAT32, 8, 6), Init.calculateGain("tanh")));
        assertTorch("xavier_normal", 5, () -> Init.xavierNormal(Tensor.empty(DType.FLOAT32, 5, 4, 2)));
        assertTorch("normal", 6, () -> Init.normal(Tensor.empty(DType.FLOAT32, 3, 33), 0.5, 2.0));
        assertTorch("uniform", 7, () -> Init.uniform(Tensor.empty(DType.FLOAT32, 40), -0.3, 0.7));
        assertTorch("kaiming_uniform_f64", 8, () -> Init.kaimingUniform(Tensor.empty(DType.FLOAT64, 3, 9), Math.sqrt(5)));
    }

    @Test
    void layersInitialiseAsPyTorch() {
        Generator.manualSeed(11);
        Bilinear bil = new Bilinear(3, 4, 2);
        assertTrue(bil.weight.equal(F.get("bilinear_weight")));
        assertTrue(bil.bias.equal(F.get("bilinear_bias")));
        Generator.manualSeed(12);
        Embedding emb = new Embedding(5, 3, 1);
        assertTrue(emb.weight.equal(F.get("embedding_weight")), emb.weight + "\n" + F.get("embedding_weight"));
    }

    @Test
    void orthogonalIsOrthonormalTimesGainAndMatchesPyTorchToRounding() {
        Generator.manualSeed(9);
        Tensor tall = Init.orthogonal(Tensor.empty(DType.FLOAT32, 6, 4), 2.0);
        assertTrue(tall.allClose(F.get("orthogonal_tall"), 1e-5, 1e-6), tall + "\n" + F.get("orthogonal_tall"));
        assertTrue(tall.t().matmul(tall).allClose(Tensor.eye(4).mul(4.0), 0, 1e-5), "QᵀQ = 4I");
        Generator.manualSeed(10);
        Tensor wide = Init.orthogonal(Tensor.empty(DType.FLOAT32, 3, 2, 4));
        assertTrue(wide.allClose(F.get("orthogonal_wide"), 1e-5, 1e-6), wide + "\n" + F.get("orthogonal_wide"));
        Tensor w = wide.reshape(3, 8);
        assertTrue(w.matmul(w.t()).allClose(Tensor.eye(3), 0, 1e-6), "rows orthonormal");

        Tensor big = Init.orthogonal(Tensor.empty(DType.FLOAT64, 50, 50), 0.5, new Generator(3));
        assertTrue(big.t().matmul(big).allClose(Tensor.eye(50).to(DType.FLOAT64).mul(0.25), 0, 1e-12));
        assertTrue(big.matmul(big.t()).allClose(Tensor.eye(50).to(DType.FLOAT64).mul(0.25), 0, 1e-12));
    }

    @Test
    void gainsAndFansFollowPyTorch() {
        double[] g = F.get("gains").toDoubleArray();
        String[] names = {"linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"};
        for (int i = 0; i < names.length; i++) assertEquals(g[i], Init.calculateGain(names[i]), 0, names[i]);
        assertEquals(g[7], Init.calculateGain("leaky_relu", Math.sqrt(5)), 0);
        assertEquals(Math.sqrt(2), Init.calculateGain("leaky_relu", 0), 0);
        var e = assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swish"));
        assertTrue(e.getMessage().startsWith("Init.calculateGain: unsupported nonlinearity 'swish'"), e.getMessage());

        assertEquals(new Init.Fans(3 * 25, 16 * 25), Init.fans(16, 3, 5, 5));
        assertEquals(new Init.Fans(784, 256), Init.fans(Tensor.zeros(256, 784)));
        e = assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(Tensor.zeros(5)));
        assertEquals("Init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got shape [5]",
            e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.orthogonal(Tensor.zeros(5)));
    }

    @Test
    void kaimingBoundsAndStatistics() {
        Tensor w = Init.kaimingUniform(Tensor.empty(DType.FLOAT64, 400, 300), 0, Init.FanMode.FAN_IN, "relu", new Generator(1));
        double bound = Math.sqrt(3) * Math.sqrt(2) / Math.sqrt(300);
        assertTrue(w.abs().max().item() <= bound && w.abs().max().item() > 0.99 * bound);
        Tensor n = Init.kaimingNormal(Tensor.empty(DType.FLOAT64, 400, 300), 0, Init.FanMode.FAN_OUT, "relu", new Generator(2));
        double std = Math.sqrt(2.0 / 400);
        assertEquals(std, n.std().item(), std * 0.01);          // 120k samples: relative s.e. of std ≈ 0.2%
        assertEquals(0, n.mean().item(), 4 * std / Math.sqrt(120_000));
        Tensor x = Init.xavierNormal(Tensor.empty(DType.FLOAT64, 300, 200), 2, new Generator(3));
        assertEquals(2 * Math.sqrt(2.0 / 500), x.std().item(), 2 * Math.sqrt(2.0 / 500) * 0.01);
    }

    @Test
    void constantsAndInPlaceOnParametersWithoutGraph() {
        Linear lin = new Linear(3, 2);
        assertSame(lin.weight, Init.constant(lin.weight, 0.25));
        assertTrue(lin.weight.equal(Tensor.full(0.25, 2, 3)));
        Init.zeros(lin.bias);
        assertTrue(lin.bias.equal(Tensor.zeros(2)));
        Init.ones(lin.bias);
        assertTrue(lin.bias.equal(Tensor.ones(2)));
        assertTrue(lin.weight.isLeaf() && lin.weight.requiresGrad());
        Tensor empty = Tensor.empty(DType.FLOAT32, 0, 4);
        assertSame(empty, Init.kaimingUniform(empty));
        // apply: custom initialisation of every Linear in a model
        Sequential m = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
        m.apply(mod -> {
            if (mod instanceof Linear l) {
                Init.constant(l.weight, 0.5);
                Init.zeros(l.bias);
            }
        });
        assertEquals(1.5 * 3 * 0.5, m.forward(Tensor.of(new float[][] {{1, 2}})).item(), 1e-6);
    }
}
