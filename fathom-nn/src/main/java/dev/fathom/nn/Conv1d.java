package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * 1-d convolution as PyTorch's {@code nn.Conv1d}: input {@code [N, in, L]} (or unbatched
 * {@code [in, L]}), output {@code [N, out, L']} with
 * {@code L' = floor((L + 2·padding - dilation·(k-1) - 1)/stride) + 1}. Padding is a number or
 * {@code "same"} (stride 1) / {@code "valid"}, filled as {@code paddingMode} says. Initialised as
 * PyTorch (see {@link ConvNd}).
 */
public class Conv1d extends ConvNd {
    /** Stride 1, no padding, bias. */
    public Conv1d(int inChannels, int outChannels, int kernelSize) { this(inChannels, outChannels, kernelSize, 1, 0); }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true, "zeros", DType.FLOAT32);
    }

    /** Padding {@code "same"} or {@code "valid"}, stride 1. */
    public Conv1d(int inChannels, int outChannels, int kernelSize, String padding) {
        this(inChannels, outChannels, kernelSize, 1, padding, 1, 1, true, "zeros", DType.FLOAT32);
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
                  boolean bias, String paddingMode, DType dtype) {
        super(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, null,
            new int[] {dilation}, false, new int[] {0}, groups, bias, paddingMode, dtype);
    }

    /** Padding by name: {@code "same"} or {@code "valid"}. */
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, String padding, int dilation, int groups,
                  boolean bias, String paddingMode, DType dtype) {
        super(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, null, padding,
            new int[] {dilation}, false, new int[] {0}, groups, bias, paddingMode, dtype);
    }

    @Override
    public Tensor forward(Tensor x) {
        expectChannels(x);
        int s = stride()[0], d = dilation()[0];
        if (!paddingMode.equals("zeros")) return padInput(x).conv1d(weight, bias, s, 0, d, groups);
        return paddingName() != null ? x.conv1d(weight, bias, s, paddingName(), d, groups)
            : x.conv1d(weight, bias, s, padding()[0], d, groups);
    }
}
