package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/**
 * 1-d average pooling as PyTorch's {@code nn.AvgPool1d} on {@code [N, C, L]} or {@code [C, L]}:
 * the mean of each window of {@code kernelSize} elements, windows {@code stride} apart (the kernel
 * size by default), zero {@code padding} counted in the divisor when {@code countIncludePad}.
 */
public class AvgPool1d extends Layer {
    public final int kernelSize, stride, padding;
    public final boolean ceilMode, countIncludePad;

    /** Stride equal to the kernel. */
    public AvgPool1d(int kernelSize) { this(kernelSize, kernelSize, 0, false, true); }

    public AvgPool1d(int kernelSize, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        LayerChecks.atLeast("AvgPool1d", "kernelSize", kernelSize, 1);
        LayerChecks.atLeast("AvgPool1d", "stride", stride, 1);
        LayerChecks.atLeast("AvgPool1d", "padding", padding, 0);
        if (2 * padding > kernelSize)
            throw new IllegalArgumentException("AvgPool1d: padding " + padding + " must be at most half the kernel size " + kernelSize);
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor x) {
        LayerChecks.expectRank(this, x, "[N, C, L] or [C, L]", 2, 3);
        return x.avgPool1d(kernelSize, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return "kernelSize=" + kernelSize + ", stride=" + stride + ", padding=" + padding + (ceilMode ? ", ceilMode=true" : "")
            + (countIncludePad ? "" : ", countIncludePad=false");
    }
}
