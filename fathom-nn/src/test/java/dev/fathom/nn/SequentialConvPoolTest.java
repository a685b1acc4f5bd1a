package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fathom.nn.SequentialReluPoolTest.layerByLayer;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Sequential runs Conv2d, ReLU, MaxPool2d(2) as one fused op (dev.fathom.ops.ConvPool) where it
 * applies, and layer by layer otherwise: a small convnet (a first layer on grey images and a
 * Winograd-sized second one, as the cnn workload) trains the same for a few Adam steps either way,
 * up to float32 rounding; eval-mode inference is the same bit for bit; a subclass is not fused.
 */
class SequentialConvPoolTest {
    private static Sequential net() {
        Generator.manualSeed(3);
        return new Sequential(new Conv2d(1, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(32 * 3 * 3, 10));
    }

    @Test
    void fusedBlockIsUsed() {
        Sequential s = net();
        Tensor y = s.get(0).forward(Tensor.randn(new Generator(1), DType.FLOAT32, 4, 1, 12, 12));
        assertNotEquals("conv2dReluMaxPool2d", y.gradFn().name());
        Tensor z = new Sequential(s.get(0), s.get(1), s.get(2)).forward(Tensor.randn(new Generator(1), DType.FLOAT32, 4, 1, 12, 12));
        assertEquals("conv2dReluMaxPool2d", z.gradFn().name());
    }

    @Test
    void trainsLikeLayerByLayer() {
        Sequential a = net(), b = net();
        Adam oa = new Adam(a.parameters(), 1e-2), ob = new Adam(b.parameters(), 1e-2);
        Generator g = new Generator(5);
        for (int step = 0; step < 5; step++) {
            Tensor x = Tensor.randn(g, DType.FLOAT32, 8, 1, 12, 12), t = Tensor.randint(g, 0, 10, 8);
            oa.zeroGrad();
            ob.zeroGrad();
            Tensor la = Losses.crossEntropy(a.forward(x), t), lb = Losses.crossEntropy(layerByLayer(b, x), t);
            assertEquals(lb.item(), la.item(), 1e-4, "loss at step " + step);
            la.backward();
            lb.backward();
            oa.step();
            ob.step();
        }
        List<Tensor> pa = a.parameters(), pb = b.parameters();
        for (int i = 0; i < pa.size(); i++)
            assertArrayEquals(pb.get(i).toFloatArray(), pa.get(i).toFloatArray(), 1e-4f, "parameter " + i);
    }

    @Test
    void evalInferenceMatchesBitForBit() {
        Sequential s = net();
        s.eval();
        for (int n : new int[] {1, 2, 7}) {
            Tensor x = Tensor.randn(new Generator(n), DType.FLOAT32, n, 1, 12, 12);
            try (var ignored = Autograd.noGrad()) {
                assertArrayEquals(layerByLayer(s, x).toFloatArray(), s.forward(x).toFloatArray(), "batch " + n);
            }
        }
    }

    @Test
    void subclassesAreNotFused() {
        Generator.manualSeed(4);
        Conv2d conv = new Conv2d(1, 2, 3, 1, 1) {
            @Override
            public Tensor forward(Tensor x) { return super.forward(x).mul(-1.0); }
        };
        Sequential s = new Sequential(conv, new ReLU(), new MaxPool2d(2));
        Tensor x = Tensor.randn(new Generator(6), DType.FLOAT32, 2, 1, 6, 6);
        assertArrayEquals(layerByLayer(s, x).toFloatArray(), s.forward(x).toFloatArray());
    }
}
