package dev.fathom.nn;

import dev.fathom.ops.Pool;
import dev.fathom.ops.PoolResult;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * 2-d max pooling as PyTorch's {@code nn.MaxPool2d} on {@code [N, C, H, W]} or {@code [C, H, W]}:
 * the maximum of each {@code kernelSize} window, windows {@code stride} apart (the kernel size by
 * default), with implicit -inf {@code padding}, {@code dilation} between window elements, and
 * {@code ceilMode} rounding the output size up.
 */
public class MaxPool2d extends Layer {
    private final int[] kernelSize, stride, padding, dilation;
    public final boolean ceilMode;

    /** Square window, stride equal to the kernel (e.g. {@code new MaxPool2d(2)} halves H and W). */
    public MaxPool2d(int kernelSize) { this(kernelSize, kernelSize, 0); }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this(LayerChecks.pair(kernelSize), LayerChecks.pair(stride), LayerChecks.pair(padding), LayerChecks.pair(1), false);
    }

    /** Every setting as (height, width) pairs; {@code stride} null means the kernel size. */
    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernelSize = LayerChecks.pairOf("MaxPool2d", "kernelSize", kernelSize, 1);
        this.stride = stride == null ? this.kernelSize.clone() : LayerChecks.pairOf("MaxPool2d", "stride", stride, 1);
        this.padding = LayerChecks.pairOf("MaxPool2d", "padding", padding, 0);
        this.dilation = LayerChecks.pairOf("MaxPool2d", "dilation", dilation, 1);
        for (int i = 0; i < 2; i++)
            if (2 * this.padding[i] > this.kernelSize[i])
                throw new IllegalArgumentException("MaxPool2d: padding " + Shapes.format(padding)
                    + " must be at most half the kernel size " + Shapes.format(kernelSize));
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) {
        LayerChecks.expectRank(this, x, "[N, C, H, W] or [C, H, W]", 3, 4);
        return x.maxPool2d(kernelSize, stride, padding, dilation, ceilMode);
    }

    /**
     * {@code forward(relu(x))} in one pass ({@link Pool#reluMaxPool2d}: the same values and
     * gradients): how {@link Sequential} runs a {@link ReLU} followed by this layer.
     */
    Tensor forwardAfterRelu(Tensor x) {
        LayerChecks.expectRank(this, x, "[N, C, H, W] or [C, H, W]", 3, 4);
        return Pool.reluMaxPool2d(x, kernelSize, stride, padding, dilation, ceilMode);
    }

    /** The pooled values and, per output, the int64 index of the maximum within its H·W plane ({@code return_indices=True}). */
    public PoolResult forwardWithIndices(Tensor x) {
        LayerChecks.expectRank(this, x, "[N, C, H, W] or [C, H, W]", 3, 4);
        return x.maxPool2dWithIndices(kernelSize, stride, padding, dilation, ceilMode);
    }

    public int[] kernelSize() { return kernelSize.clone(); }

    public int[] stride() { return stride.clone(); }

    public int[] padding() { return padding.clone(); }

    public int[] dilation() { return dilation.clone(); }

    @Override
    protected String extraRepr() {
        return "kernelSize=" + Shapes.format(kernelSize) + ", stride=" + Shapes.format(stride) + ", padding=" + Shapes.format(padding)
            + ", dilation=" + Shapes.format(dilation) + ", ceilMode=" + ceilMode;
    }
}
