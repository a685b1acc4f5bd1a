package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * Batch normalisation of {@code [N, C]} or {@code [N, C, L]} input per feature C, as PyTorch's
 * {@code nn.BatchNorm1d}; see {@link BatchNorm}. Defaults: eps 1e-5, momentum 0.1, affine,
 * tracking running statistics.
 */
public class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true, DType.FLOAT32); }

    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this(numFeatures, eps, momentum, affine, trackRunningStats, DType.FLOAT32);
    }

    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, dtype);
    }

    @Override
    void checkInput(Tensor x) { expectInput(x, 1, numFeatures, "features in dimension 1", 2, 3); }
}
