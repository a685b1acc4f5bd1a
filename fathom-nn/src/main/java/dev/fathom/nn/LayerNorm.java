package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * Layer normalisation as PyTorch's {@code nn.LayerNorm}: each input is normalised over its last
 * {@code normalizedShape.length} dimensions (which must equal {@code normalizedShape}),
 * {@code y = (x - mean) / √(var + eps) · weight + bias} with the biased variance; with
 * {@code elementwiseAffine} (the default) {@code weight} (ones) and {@code bias} (zeros) have
 * shape {@code normalizedShape}. The same in training and evaluation.
 */
public class LayerNorm extends Layer {
    private final int[] normalizedShape;
    public final double eps;
    public final boolean elementwiseAffine;
    /** Shape {@code normalizedShape}, or null without {@code elementwiseAffine}. */
    public final Tensor weight, bias;

    public LayerNorm(int... normalizedShape) { this(normalizedShape, 1e-5, true, DType.FLOAT32); }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        this(normalizedShape, eps, elementwiseAffine, DType.FLOAT32);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, DType dtype) {
        if (normalizedShape == null || normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d <= 0))
            throw new IllegalArgumentException("LayerNorm: normalizedShape must be non-empty with positive sizes, got "
                + (normalizedShape == null ? "null" : Arrays.toString(normalizedShape)));
        if (!(eps > 0)) throw new IllegalArgumentException("LayerNorm: eps must be positive, got " + eps);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.elementwiseAffine = elementwiseAffine;
        this.weight = registerParameter("weight", elementwiseAffine ? Tensor.ones(dtype, normalizedShape) : null);
        this.bias = registerParameter("bias", elementwiseAffine ? Tensor.zeros(dtype, normalizedShape) : null);
    }

    public int[] normalizedShape() { return normalizedShape.clone(); }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length, r = x.ndim();
        boolean ok = r >= k;
        for (int i = 0; ok && i < k; i++) ok = x.size(r - k + i) == normalizedShape[i];
        if (!ok)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected input whose last " + k
                + (k == 1 ? " dimension is " : " dimensions are ") + Shapes.format(normalizedShape) + ", got shape " + Shapes.format(x.shape()));
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = r - k + i;
        Tensor mean = x.mean(dims, true), var = x.var(dims, 0, true);
        Tensor y = x.sub(mean).mul(var.add(eps).rsqrt());
        return elementwiseAffine ? y.mul(weight).add(bias) : y;
    }

    @Override
    protected String extraRepr() {
        return Shapes.format(normalizedShape) + ", eps=" + eps + ", elementwiseAffine=" + elementwiseAffine;
    }
}
