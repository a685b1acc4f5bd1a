package dev.fathom.tensor;

import dev.fathom.autograd.Autograd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The README's "short tour", run as written, so the README stays true. */
class ReadmeTourTest {
    @Test
    void tourRunsAsTheReadmeSays() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.vector(10f, 20f, 30f);
        Tensor y = x.add(b).relu();
        Tensor w = Tensor.randn(new Generator(0), 3, 4);
        Tensor z = y.matmul(w).softmax(-1);
        Tensor xt = x.transpose(0, 1);
        Tensor s = x.sum(new int[] {1}, true);

        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, y.toFloatArray());
        assertArrayEquals(new int[] {2, 4}, z.shape());
        assertArrayEquals(new float[] {1, 1}, z.sum(1).toFloatArray(), 1e-6f);
        assertSame(x.storage(), xt.storage());
        assertArrayEquals(new int[] {2, 1}, s.shape());
        assertArrayEquals(new float[] {6, 15}, s.toFloatArray());
        assertEquals("tensor([[1., 2., 3.],\n        [4., 5., 6.]])", x.toString());
    }

    @Test
    void autogradTourLearnsTheLine() {
        Generator g = new Generator(42);
        Tensor xs = Tensor.randn(g, 64, 3);
        Tensor ys = xs.matmul(Tensor.vector(2f, -1f, 0.5f)).add(0.3);   // the truth to recover
        Tensor w = Tensor.zeros(3).requiresGrad(true);
        Tensor c = Tensor.zeros(1).requiresGrad(true);
        for (int step = 0; step < 200; step++) {
            Tensor loss = xs.matmul(w).add(c).sub(ys).pow(2L).mean();
            loss.backward();                                               // fills w.grad() and c.grad()
            try (var ignored = Autograd.noGrad()) {                        // the update is not recorded
                w.subInPlace(w.grad().mul(0.1));
                c.subInPlace(c.grad().mul(0.1));
            }
            w.zeroGrad();
            c.zeroGrad();
        }
        assertArrayEquals(new float[] {2f, -1f, 0.5f}, w.toFloatArray(), 1e-4f);
        assertEquals(0.3, c.item(), 1e-4);
    }
}
