package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Float32 convolutions large enough for the per-image products to take their fast float32 kernels
 * ({@code DirectConv.gemm} where 512-bit vectors exist: at least 64 output positions, output
 * channels in blocks of 6 with remainders, 64 and more output channels for the weight gradient's
 * transposed product) against the same convolution in float64 (OpenBLAS's dgemm, the general
 * path): forward, input gradient and weight gradient, with bias, over batch 1 and larger batches
 * (split across the pool or not), padding 0 and 1, stride 1 and 2, groups 1 and 2, a 1×1
 * convolution and the cnn workload's second layer (32 → 64 channels on 14×14); and batch-1
 * forwards big enough to split one image's product by output channels.
 */
class ConvFloat32PathTest {
    private record Cfg(int n, int c, int o, int h, int w, int k, int pad, int stride, int groups) {}

    @Test
    void float32MatchesFloat64() {
        Cfg[] cfgs = {
            new Cfg(3, 32, 64, 14, 14, 3, 1, 1, 1),   // the workload's conv2
            new Cfg(1, 32, 64, 14, 14, 3, 1, 1, 1),   // batch 1
            new Cfg(4, 5, 70, 9, 11, 3, 0, 1, 1),     // 70 outputs: 6-row blocks + rows, 64 + 6 columns
            new Cfg(2, 4, 13, 17, 9, 3, 1, 2, 1),     // stride 2
            new Cfg(3, 6, 12, 10, 10, 3, 1, 1, 2),    // groups 2
            new Cfg(2, 7, 67, 9, 9, 1, 0, 1, 1),      // 1×1: no unfolding
            new Cfg(5, 1, 32, 28, 28, 3, 1, 1, 1),    // the workload's conv1 (one input channel)
            // batch 1 with a product too big to leave unsplit: one image's output channels split across the pool
            new Cfg(1, 16, 70, 20, 20, 3, 1, 1, 1),   // 70 outputs: blocks of 6 and a remainder of 4
            new Cfg(1, 32, 38, 16, 16, 3, 1, 1, 2),   // groups 2 (19 outputs each)
            new Cfg(1, 64, 67, 32, 32, 1, 0, 1, 1),   // 1×1
        };
        Random r = new Random(41);
        for (Cfg c : cfgs) {
            Tensor x64 = ConvRef.rand(r, DType.FLOAT64, c.n, c.c, c.h, c.w);
            Tensor w64 = ConvRef.rand(r, DType.FLOAT64, c.o, c.c / c.groups, c.k, c.k);
            Tensor b64 = ConvRef.rand(r, DType.FLOAT64, c.o);
            Tensor[] g64 = run(c, x64, w64, b64, r);
            Tensor[] g32 = run(c, x64.to(DType.FLOAT32), w64.to(DType.FLOAT32), b64.to(DType.FLOAT32), null);
            String[] what = {"forward", "input gradient", "weight gradient", "bias gradient"};
            for (int i = 0; i < 4; i++) ConvRef.assertClose(g64[i].toDoubleArray(), g32[i], 2e-5, c + " " + what[i]);
        }
    }

    /** Forward and the three gradients for an output gradient drawn once per configuration (reused by the float32 run). */
    private Tensor gy;

    private Tensor[] run(Cfg c, Tensor x, Tensor w, Tensor b, Random r) {
        x = x.detach().requiresGrad(true);
        w = w.detach().requiresGrad(true);
        b = b.detach().requiresGrad(true);
        int[] s = {c.stride, c.stride}, p = {c.pad, c.pad}, one = {1, 1};
        Tensor y = Conv.conv2d(x, w, b, s, p, one, c.groups);
        if (r != null) gy = ConvRef.rand(r, DType.FLOAT64, y.shape());
        y.backward(gy.to(y.dtype()));
        return new Tensor[] {y, x.grad(), w.grad(), b.grad()};
    }
}
