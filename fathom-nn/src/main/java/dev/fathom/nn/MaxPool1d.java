package dev.fathom.nn;

import dev.fathom.ops.PoolResult;
import dev.fathom.tensor.Tensor;

/**
 * 1-d max pooling as PyTorch's {@code nn.MaxPool1d} on {@code [N, C, L]} or {@code [C, L]}: the
 * maximum of each window of {@code kernelSize} elements ({@code dilation} apart), windows
 * {@code stride} apart (the kernel size by default), with implicit -inf {@code padding}.
 */
public class MaxPool1d extends Layer {
    public final int kernelSize, stride, padding, dilation;
    public final boolean ceilMode;

    /** Stride equal to the kernel. */
    public MaxPool1d(int kernelSize) { this(kernelSize, kernelSize, 0, 1, false); }

    public MaxPool1d(int kernelSize, int stride, int padding, int dilation, boolean ceilMode) {
        LayerChecks.atLeast("MaxPool1d", "kernelSize", kernelSize, 1);
        LayerChecks.atLeast("MaxPool1d", "stride", stride, 1);
        LayerChecks.atLeast("MaxPool1d", "padding", padding, 0);
        LayerChecks.atLeast("MaxPool1d", "dilation", dilation, 1);
        if (2 * padding > kernelSize)
            throw new IllegalArgumentException("MaxPool1d: padding " + padding + " must be at most half the kernel size " + kernelSize);
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) {
        LayerChecks.expectRank(this, x, "[N, C, L] or [C, L]", 2, 3);
        return x.maxPool1d(kernelSize, stride, padding, dilation, ceilMode);
    }

    /** The pooled values and, per output, the int64 index of the maximum within L. */
    public PoolResult forwardWithIndices(Tensor x) {
        LayerChecks.expectRank(this, x, "[N, C, L] or [C, L]", 2, 3);
        return x.maxPool1dWithIndices(kernelSize, stride, padding, dilation, ceilMode);
    }

    @Override
    protected String extraRepr() {
        return "kernelSize=" + kernelSize + ", stride=" + stride + ", padding=" + padding + ", dilation=" + dilation
            + ", ceilMode=" + ceilMode;
    }
}
