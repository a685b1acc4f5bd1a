package dev.fathom.nn;

import dev.fathom.ops.ConvPool;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * 2-d convolution as PyTorch's {@code nn.Conv2d}: input {@code [N, in, H, W]} (or unbatched
 * {@code [in, H, W]}), output {@code [N, out, H', W']} with
 * {@code H' = floor((H + 2·padding - dilation·(k-1) - 1)/stride) + 1}. Padding is numbers or
 * {@code "same"} (stride 1; output size = input size) / {@code "valid"} (none), filled as
 * {@code paddingMode} says ({@code zeros}, {@code reflect}, {@code replicate}, {@code circular}).
 * Initialised as PyTorch (see {@link ConvNd}), so after {@code Generator.manualSeed(s)} weight and
 * bias equal PyTorch's after {@code torch.manual_seed(s)}.
 */
public class Conv2d extends ConvNd {
    /** Square kernel, stride 1, no padding, bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize) { this(inChannels, outChannels, kernelSize, 1, 0); }

    /** Square kernel with equal stride and padding in both dimensions, bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
    }

    /** Square kernel with equal stride, padding and dilation in both dimensions. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups, boolean bias) {
        this(inChannels, outChannels, fill(kernelSize, 2), fill(stride, 2), fill(padding, 2), fill(dilation, 2), groups, bias,
            "zeros", DType.FLOAT32);
    }

    /** Square kernel with padding {@code "same"} or {@code "valid"}, stride 1. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, String padding) {
        this(inChannels, outChannels, fill(kernelSize, 2), fill(1, 2), padding, fill(1, 2), 1, true, "zeros", DType.FLOAT32);
    }

    /** Every setting as (height, width) pairs. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, String paddingMode, DType dtype) {
        super(inChannels, outChannels, kernelSize, stride, padding, null, dilation, false, fill(0, 2), groups, bias, paddingMode,
            dtype);
    }

    /** Every setting as (height, width) pairs, padding by name: {@code "same"} or {@code "valid"}. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, String padding, int[] dilation, int groups,
                  boolean bias, String paddingMode, DType dtype) {
        super(inChannels, outChannels, kernelSize, stride, null, padding, dilation, false, fill(0, 2), groups, bias, paddingMode,
            dtype);
    }

    @Override
    public Tensor forward(Tensor x) {
        expectChannels(x);
        if (!paddingMode.equals("zeros"))
            return padInput(x).conv2d(weight, bias, stride(), fill(0, 2), dilation(), groups);
        return paddingName() != null ? x.conv2d(weight, bias, stride(), paddingName(), dilation(), groups)
            : x.conv2d(weight, bias, stride(), padding(), dilation(), groups);
    }

    /**
     * {@code pool.forward(relu(forward(x)))} as one op ({@link ConvPool#conv2dReluMaxPool2d}: the
     * same values and gradients, without the convolution's output stored): how {@link Sequential}
     * runs this layer followed by a {@link ReLU} and a {@link MaxPool2d}. Numeric zero padding only;
     * other padding runs layer by layer.
     */
    Tensor forwardReluMaxPool(Tensor x, MaxPool2d pool) {
        if (!paddingMode.equals("zeros") || paddingName() != null) return pool.forwardAfterRelu(forward(x));
        expectChannels(x);
        return ConvPool.conv2dReluMaxPool2d(x, weight, bias, stride(), padding(), dilation(), groups, pool.kernelSize(),
            pool.stride(), pool.padding(), pool.dilation(), pool.ceilMode);
    }
}
