package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Transposed 2-d convolution as PyTorch's {@code nn.ConvTranspose2d} (the adjoint of
 * {@link Conv2d}, often used to up-sample): input {@code [N, in, H, W]} (or {@code [in, H, W]}),
 * weight {@code [in, out/groups, kH, kW]}, output height
 * {@code (H-1)·stride - 2·padding + dilation·(kH-1) + outputPadding + 1} (width likewise).
 * Initialised as PyTorch: fanIn is taken from weight dimension 1, {@code out/groups·kH·kW} (see
 * {@link ConvNd}).
 */
public class ConvTranspose2d extends ConvNd {
    /** Square kernel, stride 1, no padding, bias. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize) { this(inChannels, outChannels, kernelSize, 1, 0, 0); }

    /** Square kernel with equal stride, padding and output padding in both dimensions, bias. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding) {
        this(inChannels, outChannels, fill(kernelSize, 2), fill(stride, 2), fill(padding, 2), fill(outputPadding, 2), 1, true,
            fill(1, 2), DType.FLOAT32);
    }

    /** Every setting as (height, width) pairs, in PyTorch's argument order. */
    public ConvTranspose2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] outputPadding,
                           int groups, boolean bias, int[] dilation, DType dtype) {
        super(inChannels, outChannels, kernelSize, stride, padding, null, dilation, true, outputPadding, groups, bias, "zeros",
            dtype);
    }

    @Override
    public Tensor forward(Tensor x) {
        expectChannels(x);
        return x.convTranspose2d(weight, bias, stride(), padding(), outputPadding(), groups, dilation());
    }

    /**
     * The forward pass with the output's (height, width) given, as PyTorch's
     * {@code forward(input, output_size)}: the output padding is chosen to reach that size, which
     * must lie between the smallest output size and that plus {@code stride - 1}.
     */
    public Tensor forward(Tensor x, int[] outputSize) {
        expectChannels(x);
        if (outputSize == null || outputSize.length != 2)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): outputSize must be (height, width), got "
                + (outputSize == null ? "null" : java.util.Arrays.toString(outputSize)));
        int[] k = kernelSize(), s = stride(), p = padding(), d = dilation(), op = new int[2];
        for (int i = 0; i < 2; i++) {
            int in = x.size(x.ndim() - 2 + i);
            int min = (in - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + 1, max = min + s[i] - 1;
            if (outputSize[i] < min || outputSize[i] > max)
                throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): requested output size "
                    + Shapes.format(outputSize) + " for input " + Shapes.format(x.shape()) + " is not reachable; dimension " + i
                    + " must be between " + min + " and " + max);
            op[i] = outputSize[i] - min;
        }
        return x.convTranspose2d(weight, bias, s, p, op, groups, d);
    }
}
