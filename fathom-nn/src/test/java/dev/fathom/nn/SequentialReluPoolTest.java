package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Sequential runs ReLU followed by MaxPool2d as one fused pooling (here the first block, with its
 * Conv2d, as one fused convolution block): the same output and input gradient as running the
 * layers one by one, the same parameter gradients up to float32 rounding (the fused block sums its
 * weight gradient over the batch in another order), in training and in eval mode, with and without
 * autograd.
 */
class SequentialReluPoolTest {
    private static Sequential net() {
        Generator.manualSeed(7);
        return new Sequential(new Conv2d(1, 4, 3, 1, 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(4, 6, 3, 1, 1), new ReLU(), new MaxPool2d(3, 2, 1), new Flatten(), new Linear(6 * 4 * 4, 5));
    }

    /** The same layers, one at a time (also {@link SequentialConvPoolTest}'s reference). */
    static Tensor layerByLayer(Sequential s, Tensor x) {
        for (Layer l : s.layers()) x = l.forward(x);
        return x;
    }

    @Test
    void fusedForwardAndGradientsMatchLayerByLayer() {
        Sequential s = net();
        Tensor x = Tensor.randn(new Generator(1), DType.FLOAT32, 3, 1, 14, 14);
        Tensor xa = x.detach().requiresGrad(true), xb = x.detach().requiresGrad(true);
        Tensor ya = s.forward(xa);
        ya.sum().backward();
        List<Tensor> ga = s.parameters().stream().map(p -> p.grad().detach().contiguous().mul(1.0)).toList();
        s.zeroGrad();
        Tensor yb = layerByLayer(s, xb);
        yb.sum().backward();
        assertArrayEquals(yb.toFloatArray(), ya.toFloatArray());
        assertArrayEquals(xb.grad().toFloatArray(), xa.grad().toFloatArray());
        List<Tensor> params = s.parameters();
        for (int i = 0; i < params.size(); i++)
            assertArrayEquals(params.get(i).grad().toFloatArray(), ga.get(i).toFloatArray(), 1e-5f, "parameter " + i);
    }

    @Test
    void evalModeWithoutAutogradMatches() {
        Sequential s = net();
        s.eval();
        Tensor x = Tensor.randn(new Generator(2), DType.FLOAT32, 1, 1, 14, 14);
        try (var ignored = Autograd.noGrad()) {
            assertArrayEquals(layerByLayer(s, x).toFloatArray(), s.forward(x).toFloatArray());
        }
    }

    @Test
    void subclassesAreNotFused() {
        // a ReLU subclass may compute something else: Sequential must call it
        ReLU leaky = new ReLU() {
            @Override
            public Tensor forward(Tensor x) { return x.mul(2.0); }
        };
        Sequential s = new Sequential(leaky, new MaxPool2d(2));
        Tensor x = Tensor.of(new float[] {-1, -2, -3, -4}, 1, 1, 2, 2);
        assertArrayEquals(new float[] {-2}, s.forward(x).toFloatArray());
    }
}
