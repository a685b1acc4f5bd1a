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
            new Cfg(1, 9, 71, 13, 13, 3, 1, 1, 1),    // 71 outputs (blocks of 6, then 4 + 1), 169 columns (64 + 64 + 32 + 4 + 4 + 1)
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

    /**
     * The batch-1 forward split by output channels without a bias (each block zeroes its rows
     * instead of filling them with the bias), on a non-contiguous input, against float64.
     */
    @Test
    void batchOneWithoutBiasMatchesFloat64() {
        Random r = new Random(43);
        int[] one = {1, 1};
        for (int[] s : new int[][] {{32, 64, 14}, {16, 70, 20}}) {
            Tensor x64 = ConvRef.rand(r, DType.FLOAT64, 1, s[2], s[2], s[0]).permute(0, 3, 1, 2); // channels last: strided
            Tensor w64 = ConvRef.rand(r, DType.FLOAT64, s[1], s[0], 3, 3);
            Tensor y64 = Conv.conv2d(x64, w64, null, one, one, one, 1);
            Tensor y32 = Conv.conv2d(x64.to(DType.FLOAT32), w64.to(DType.FLOAT32), null, one, one, one, 1);
            ConvRef.assertClose(y64.toDoubleArray(), y32, 2e-5, "batch 1 without bias " + java.util.Arrays.toString(s));
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
