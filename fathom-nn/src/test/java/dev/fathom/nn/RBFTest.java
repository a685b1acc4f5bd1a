package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RBFTest {
    @Test
    void everyBasisByHand() {
        // centres (0, 0) and (1, 2); widths 1 and 2; input (1, 0): squared distances 1 and 4, r² = 1 and 1
        double[][] expected = {
            {Math.exp(-0.5), Math.exp(-0.5)},                // gaussian exp(-d²/(2σ²))
            {0.5, 0.5},                                      // 1/(1+r²)
            {1 / Math.sqrt(2), 1 / Math.sqrt(2)},            // 1/√(1+r²)
            {Math.sqrt(2), Math.sqrt(2)}};                   // √(1+r²)
        for (int b = 0; b < RBF.BASES.size(); b++) {
            RBF rbf = new RBF(2, 2, RBF.BASES.get(b), DType.FLOAT64);
            try (var ignored = Autograd.noGrad()) {
                rbf.centres.copyFrom(Tensor.of(new double[][] {{0, 0}, {1, 2}}));
                rbf.logSigmas.copyFrom(Tensor.vector(0.0, Math.log(2)));
            }
            Tensor y = rbf.forward(Tensor.of(new double[][] {{1, 0}}));
            assertTrue(y.allClose(Tensor.of(new double[][] {expected[b]}), 0, 1e-12), RBF.BASES.get(b) + ": " + y);
        }
        // the gaussian at a centre is 1 and falls with distance; batch dimensions are kept
        RBF g = new RBF(3, 5);
        assertEquals(List.of("centres", "log_sigmas"), List.copyOf(g.stateDict().keySet()));
        Tensor at = g.forward(g.centres.detach().reshape(5, 1, 3));
        assertArrayEquals(new int[] {5, 1, 5}, at.shape());
        for (int k = 0; k < 5; k++) assertEquals(1.0, at.get(k, 0, k), 1e-6);
        var e = assertThrows(IllegalArgumentException.class, () -> g.forward(Tensor.zeros(4, 2)));
        assertEquals("RBF(in=3, centres=5, basis=gaussian): expected input with 3 features in the last dimension, got shape [4, 2]",
            e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RBF(2, 2, "cubic"));
    }

    @Test
    void gradcheckInInputsCentresAndWidths() {
        Generator.manualSeed(1);
        for (String basis : RBF.BASES) {
            RBF rbf = new RBF(3, 4, basis, DType.FLOAT64);
            try (var ignored = Autograd.noGrad()) {
                rbf.logSigmas.copyFrom(Tensor.randn(new Generator(2), DType.FLOAT64, 4).mul(0.3));
            }
            Tensor x = Tensor.randn(new Generator(3), DType.FLOAT64, 2, 3).requiresGrad(true);
            GradCheck.Report r = GradCheck.check(in -> rbf.forward(in[0]), x, rbf.centres, rbf.logSigmas);
            assertTrue(r.passed(), basis + ": " + r);
        }
    }

    @Test
    void rbfNetworkFitsSinePlusLinearTrend() {
        // f(x) = sin(x) + 0.3x on [-3, 3]: 12 gaussian units spread over the range, then a linear read-out;
        // centres, widths and read-out all trained with Adam. Threshold: MSE < 0.01 (reached: about 1e-5).
        Generator.manualSeed(0);
        RBF rbf = new RBF(1, 12);
        Linear out = new Linear(12, 1);
        try (var ignored = Autograd.noGrad()) {
            rbf.centres.copyFrom(Tensor.linspace(-3, 3, 12).reshape(12, 1));
            rbf.logSigmas.fillInPlace(Math.log(0.5));
        }
        Sequential net = new Sequential(rbf, out);
        Tensor x = Tensor.linspace(-3, 3, 100).reshape(100, 1);
        Tensor y = x.sin().add(x.mul(0.3));
        TinyAdam adam = new TinyAdam(net.parameters(), 0.05);
        double mse = Double.NaN;
        for (int step = 0; step < 600; step++) {
            Tensor loss = net.forward(x).sub(y).pow(2.0).mean();
            mse = loss.item();
            loss.backward();
            adam.step();
        }
        double fin = net.forward(x).sub(y).pow(2.0).mean().item();
        assertTrue(fin < 0.01, "RBF network MSE " + fin + " (last training loss " + mse + ")");
        System.out.printf("RBF network fit of sin(x)+0.3x: MSE %.2e%n", fin);
    }
}
