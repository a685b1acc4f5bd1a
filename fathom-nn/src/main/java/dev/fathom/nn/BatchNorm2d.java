package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * Batch normalisation of {@code [N, C, H, W]} input per channel, as PyTorch's
 * {@code nn.BatchNorm2d}; see {@link BatchNorm}. Defaults: eps 1e-5, momentum 0.1, affine,
 * tracking running statistics.
 */
public class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true, DType.FLOAT32); }

    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this(numFeatures, eps, momentum, affine, trackRunningStats, DType.FLOAT32);
    }

    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, dtype);
    }

    @Override
    void checkInput(Tensor x) { expectInput(x, 1, numFeatures, "channels in dimension 1", 4); }
}
