package dev.fathom.nn;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Adaptive 2-d average pooling as PyTorch's {@code nn.AdaptiveAvgPool2d}: {@code [N, C, H, W]}
 * (or {@code [C, H, W]}) to {@code [N, C, outH, outW]} whatever H and W are. Output cell
 * {@code (i, j)} is the mean of rows {@code floor(i·H/outH) ≤ h < ceil((i+1)·H/outH)} and the
 * columns found the same way, so windows may overlap and differ in size by one.
 *
 * <p>When each output size divides the input size the windows tile the input and this is average
 * pooling with kernel = stride = in/out; otherwise the window means are taken as products with
 * averaging matrices, {@code A_H · x · A_Wᵀ} ({@code A[i, h] = 1/|window i|} inside window i),
 * which is exact because each 2-d window is the product of a row window and a column window.
 */
public class AdaptiveAvgPool2d extends Layer {
    public final int outputHeight, outputWidth;

    /** A square output {@code size × size}. */
    public AdaptiveAvgPool2d(int outputSize) { this(outputSize, outputSize); }

    public AdaptiveAvgPool2d(int outputHeight, int outputWidth) {
        if (outputHeight <= 0 || outputWidth <= 0)
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got [" + outputHeight + ", "
                + outputWidth + "]");
        this.outputHeight = outputHeight;
        this.outputWidth = outputWidth;
    }

    @Override
    public Tensor forward(Tensor x) {
        LayerChecks.expectRank(this, x, "[N, C, H, W] or [C, H, W]", 3, 4);
        int h = x.size(x.ndim() - 2), w = x.size(x.ndim() - 1);
        if (h == 0 || w == 0)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected non-empty H and W, got shape "
                + Shapes.format(x.shape()));
        if (h % outputHeight == 0 && w % outputWidth == 0) {
            int[] k = {h / outputHeight, w / outputWidth};
            return x.avgPool2d(k, k, new int[] {0, 0}, false, true, 0);
        }
        Tensor rows = averaging(h, outputHeight, x), cols = averaging(w, outputWidth, x);
        return rows.matmul(x).matmul(cols.t());
    }

    /** {@code [out, in]}: row i holds 1/|window i| over PyTorch's window i. */
    private static Tensor averaging(int in, int out, Tensor like) {
        double[] a = new double[out * in];
        for (int i = 0; i < out; i++) {
            int start = (int) ((long) i * in / out), end = (int) (((long) (i + 1) * in + out - 1) / out);
            for (int j = start; j < end; j++) a[i * in + j] = 1.0 / (end - start);
        }
        return Tensor.of(a, out, in).to(like.dtype());
    }

    @Override
    protected String extraRepr() { return "outputSize=[" + outputHeight + ", " + outputWidth + "]"; }
}
