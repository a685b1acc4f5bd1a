package dev.fathom.nn;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * 2-d average pooling as PyTorch's {@code nn.AvgPool2d} on {@code [N, C, H, W]} or
 * {@code [C, H, W]}: the mean of each {@code kernelSize} window, windows {@code stride} apart (the
 * kernel size by default), with zero {@code padding} that counts towards the divisor when
 * {@code countIncludePad} (the default), {@code ceilMode} rounding the output size up, and
 * {@code divisorOverride} (0 for none) replacing the divisor.
 */
public class AvgPool2d extends Layer {
    private final int[] kernelSize, stride, padding;
    public final boolean ceilMode, countIncludePad;
    public final int divisorOverride;

    /** Square window, stride equal to the kernel. */
    public AvgPool2d(int kernelSize) { this(kernelSize, kernelSize, 0); }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this(LayerChecks.pair(kernelSize), LayerChecks.pair(stride), LayerChecks.pair(padding), false, true, 0);
    }

    /** Every setting as (height, width) pairs; {@code stride} null means the kernel size; {@code divisorOverride} 0 means none. */
    public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        this.kernelSize = LayerChecks.pairOf("AvgPool2d", "kernelSize", kernelSize, 1);
        this.stride = stride == null ? this.kernelSize.clone() : LayerChecks.pairOf("AvgPool2d", "stride", stride, 1);
        this.padding = LayerChecks.pairOf("AvgPool2d", "padding", padding, 0);
        for (int i = 0; i < 2; i++)
            if (2 * this.padding[i] > this.kernelSize[i])
                throw new IllegalArgumentException("AvgPool2d: padding " + Shapes.format(padding)
                    + " must be at most half the kernel size " + Shapes.format(kernelSize));
        LayerChecks.atLeast("AvgPool2d", "divisorOverride", divisorOverride, 0);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    @Override
    public Tensor forward(Tensor x) {
        LayerChecks.expectRank(this, x, "[N, C, H, W] or [C, H, W]", 3, 4);
        return x.avgPool2d(kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    public int[] kernelSize() { return kernelSize.clone(); }

    public int[] stride() { return stride.clone(); }

    public int[] padding() { return padding.clone(); }

    @Override
    protected String extraRepr() {
        return "kernelSize=" + Shapes.format(kernelSize) + ", stride=" + Shapes.format(stride) + ", padding=" + Shapes.format(padding)
            + (ceilMode ? ", ceilMode=true" : "") + (countIncludePad ? "" : ", countIncludePad=false")
            + (divisorOverride == 0 ? "" : ", divisorOverride=" + divisorOverride);
    }
}
