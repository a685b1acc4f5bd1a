package dev.fathom.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The worked forward pass of a 3-3-2 sigmoid network, computed by hand. */
class SigmoidNetworkTest {
    @Test
    void forwardPassMatchesHandCalculation() {
        Tensor w1 = Tensor.of(new float[][] {{1, -2, 2}, {2, 1, -4}, {1, -1, 0}});
        Tensor w2 = Tensor.of(new float[][] {{-3, 1, -3}, {0, 1, 2}});
        Tensor x = Tensor.vector(0.5f, 0.9f, -0.3f);

        // pre-activations by hand: 0.5 - 1.8 - 0.6 = -1.9; 1.0 + 0.9 + 1.2 = 3.1; 0.5 - 0.9 + 0 = -0.4
        Tensor h = w1.matmul(x).sigmoid();
        assertArrayEquals(new int[] {3}, h.shape());
        double[] hv = h.toDoubleArray();
        assertEquals(1 / (1 + Math.exp(1.9)), hv[0], 1e-6);
        assertEquals(1 / (1 + Math.exp(-3.1)), hv[1], 1e-6);
        assertEquals(1 / (1 + Math.exp(0.4)), hv[2], 1e-6);
        assertArrayEquals(new double[] {0.13, 0.96, 0.40}, hv, 0.005);

        Tensor y = w2.matmul(h).sigmoid();
        assertArrayEquals(new double[] {0.35, 0.85}, y.toDoubleArray(), 0.005);

        // the same network on a batch of two identical rows, as a layer computes it: X · W^T
        Tensor batch = x.unsqueeze(0).expand(2, 3);
        Tensor yb = batch.matmul(w1.t()).sigmoid().matmul(w2.t()).sigmoid();
        assertArrayEquals(new int[] {2, 2}, yb.shape());
        assertTrue(yb.select(0, 0).allClose(y) && yb.select(0, 1).allClose(y), yb.toString());
    }
}
