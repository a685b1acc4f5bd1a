package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * PyTorch's {@code nn.LayerNorm}: normalises over the last {@code normalizedShape.length}
 * dimensions, {@code y = (x - mean) / sqrt(var + eps) · weight + bias}, with the biased variance
 * (divided by the element count), the same in training and evaluation. With
 * {@code elementwiseAffine} the learnable {@code weight} (ones) and {@code bias} (zeros) have
 * shape {@code normalizedShape}.
 *
 * {@snippet :
 * LayerNorm norm = new LayerNorm(512);          // over the feature dimension of [batch, seq, 512]
 * Tensor y = norm.forward(x);
 * }
 */
public class LayerNorm extends Layer {
    public final int[] normalizedShape;
    public final double eps;
    public final boolean elementwiseAffine;
    /** {@code normalizedShape}, or null without affine parameters. */
    public final Tensor weight;
    /** {@code normalizedShape}, or null without affine parameters or bias. */
    public final Tensor bias;

    public LayerNorm(int... normalizedShape) { this(normalizedShape, 1e-5, true); }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        this(normalizedShape, eps, elementwiseAffine, true, DType.FLOAT32);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias, DType dtype) {
        if (normalizedShape == null || normalizedShape.length == 0)
            throw new IllegalArgumentException("LayerNorm: normalizedShape must name at least one dimension");
        for (int d : normalizedShape)
            if (d <= 0) throw new IllegalArgumentException("LayerNorm: normalizedShape must be positive, got "
                + Shapes.format(normalizedShape));
        if (!(eps >= 0)) throw new IllegalArgumentException("LayerNorm: eps must be non-negative, got " + eps);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.elementwiseAffine = elementwiseAffine;
        try (var ignored = Autograd.noGrad()) {
            this.weight = registerParameter("weight", elementwiseAffine ? Tensor.ones(dtype, normalizedShape) : null);
            this.bias = registerParameter("bias", elementwiseAffine && bias ? Tensor.zeros(dtype, normalizedShape) : null);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length, n = x.ndim();
        if (n < k || !Arrays.equals(Arrays.copyOfRange(x.shape(), n - k, n), normalizedShape))
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected input whose last "
                + (k == 1 ? "dimension is " + normalizedShape[0] : k + " dimensions are " + Shapes.format(normalizedShape))
                + ", got shape " + Shapes.format(x.shape()));
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = n - k + i;
        Tensor centred = x.sub(x.mean(dims, true));
        Tensor y = centred.mul(centred.mul(centred).mean(dims, true).add(eps).rsqrt());
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }

    @Override
    protected String extraRepr() {
        return "normalizedShape=" + Shapes.format(normalizedShape) + ", eps=" + eps
            + ", elementwiseAffine=" + elementwiseAffine;
    }
}
