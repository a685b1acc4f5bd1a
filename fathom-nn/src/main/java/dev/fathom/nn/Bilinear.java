package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * {@code y[..., o] = x1ᵀ·A[o]·x2 + b[o]} for {@code x1 [..., in1]} and {@code x2 [..., in2]} with
 * the same leading dimensions; output {@code [..., out]}. Initialised as PyTorch's
 * {@code nn.Bilinear}: weight, then bias, uniform in ±1/√in1 from the default generator.
 */
public class Bilinear extends Module {
    public final int in1Features, in2Features, outFeatures;
    /** {@code [out, in1, in2]}. */
    public final Tensor weight;
    /** {@code [out]}, or null without bias. */
    public final Tensor bias;

    public Bilinear(int in1Features, int in2Features, int outFeatures) { this(in1Features, in2Features, outFeatures, true); }

    public Bilinear(int in1Features, int in2Features, int outFeatures, boolean bias) {
        this(in1Features, in2Features, outFeatures, bias, DType.FLOAT32);
    }

    public Bilinear(int in1Features, int in2Features, int outFeatures, boolean bias, DType dtype) {
        if (in1Features <= 0 || in2Features <= 0 || outFeatures <= 0)
            throw new IllegalArgumentException("Bilinear: features must be positive, got in1=" + in1Features + ", in2="
                + in2Features + ", out=" + outFeatures);
        this.in1Features = in1Features;
        this.in2Features = in2Features;
        this.outFeatures = outFeatures;
        try (var ignored = Autograd.noGrad()) {
            this.weight = registerParameter("weight", Tensor.empty(dtype, outFeatures, in1Features, in2Features));
            this.bias = registerParameter("bias", bias ? Tensor.empty(dtype, outFeatures) : null);
        }
        resetParameters();
    }

    /** PyTorch's {@code reset_parameters}: weight, then bias, uniform in ±1/√in1. */
    public void resetParameters() {
        double bound = 1 / Math.sqrt(in1Features);
        Init.uniform(weight, -bound, bound);
        if (bias != null) Init.uniform(bias, -bound, bound);
    }

    /** The bilinear form of {@code x1 [..., in1]} and {@code x2 [..., in2]}: {@code [..., out]}. */
    public Tensor forward(Tensor x1, Tensor x2) {
        boolean ok = x1.ndim() >= 1 && x2.ndim() == x1.ndim() && x1.size(-1) == in1Features && x2.size(-1) == in2Features
            && Arrays.equals(Arrays.copyOf(x1.shape(), x1.ndim() - 1), Arrays.copyOf(x2.shape(), x2.ndim() - 1));
        if (!ok)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected inputs [..., " + in1Features
                + "] and [..., " + in2Features + "] with the same leading dimensions, got shapes " + Shapes.format(x1.shape())
                + " and " + Shapes.format(x2.shape()));
        return Functional.bilinear(x1, x2, weight, bias);
    }

    @Override
    protected String extraRepr() {
        return "in1=" + in1Features + ", in2=" + in2Features + ", out=" + outFeatures + ", bias=" + (bias != null);
    }
}
