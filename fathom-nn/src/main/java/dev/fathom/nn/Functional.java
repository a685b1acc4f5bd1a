package dev.fathom.nn;

import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * The math behind the layers as plain functions, as {@code torch.nn.functional}: activations,
 * dropout and the affine maps. Each is built from differentiable tensor ops, so gradients come
 * from autograd.
 *
 * {@snippet :
 * Tensor h = Functional.relu(Functional.linear(x, w1, b1));
 * Tensor p = Functional.softmax(Functional.linear(h, w2, b2), -1);
 * }
 */
public final class Functional {
    private Functional() {}

    /** SELU's α and λ (Klambauer et al. 2017), PyTorch's constants. */
    public static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    public static final double SELU_SCALE = 1.0507009873554804934193349852946;

    // ------------------------------------------------------------------ activations

    /** {@code max(x, 0)}. */
    public static Tensor relu(Tensor x) { return x.relu(); }

    /** x for x &gt; 0, else {@code negativeSlope·x}. */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) { return x.leakyRelu(negativeSlope); }

    /** {@link #leakyRelu(Tensor, double)} with PyTorch's default slope 0.01. */
    public static Tensor leakyRelu(Tensor x) { return x.leakyRelu(0.01); }

    /** x for x &gt; 0, else {@code alpha·(exp(x) - 1)}. */
    public static Tensor elu(Tensor x, double alpha) { return x.elu(alpha); }

    /** {@link #elu(Tensor, double)} with alpha 1. */
    public static Tensor elu(Tensor x) { return x.elu(1.0); }

    /** {@code λ·elu(x, α)} with {@link #SELU_ALPHA} and {@link #SELU_SCALE}. */
    public static Tensor selu(Tensor x) { return x.elu(SELU_ALPHA).mul(SELU_SCALE); }

    /** Exact GELU, {@code x·Φ(x)}. */
    public static Tensor gelu(Tensor x) { return x.gelu(false); }

    /**
     * GELU with {@code approximate} "none" (exact, {@code x·Φ(x)}) or "tanh"
     * ({@code 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))}), as PyTorch.
     */
    public static Tensor gelu(Tensor x, String approximate) { return x.gelu(tanhApproximation(approximate)); }

    static boolean tanhApproximation(String approximate) {
        return switch (approximate == null ? "" : approximate) {
            case "none" -> false;
            case "tanh" -> true;
            default -> throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        };
    }

    /** SiLU (swish), {@code x·sigmoid(x)}. */
    public static Tensor silu(Tensor x) { return x.mul(x.sigmoid()); }

    /** {@code 1 / (1 + exp(-x))}. */
    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }

    /** Hyperbolic tangent. */
    public static Tensor tanh(Tensor x) { return x.tanh(); }

    /** {@code log(1 + exp(beta·x)) / beta}, or x where {@code beta·x > threshold}. */
    public static Tensor softplus(Tensor x, double beta, double threshold) { return x.softplus(beta, threshold); }

    /** Softplus with beta 1 and threshold 20. */
    public static Tensor softplus(Tensor x) { return x.softplus(1, 20); }

    /** {@code exp(x) / Σ exp(x)} along {@code dim}. */
    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }

    /** {@code x - log Σ exp(x)} along {@code dim}. */
    public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }

    // ------------------------------------------------------------------ dropout

    /** {@link #dropout(Tensor, double, boolean, Generator)} from the default generator. */
    public static Tensor dropout(Tensor x, double p, boolean training) { return dropout(x, p, training, Generator.global()); }

    /**
     * In training, zeroes each element with probability {@code p} and scales the rest by
     * {@code 1/(1-p)} so the expectation is unchanged (Srivastava et al. 2014); otherwise returns
     * {@code x}. The mask is drawn as PyTorch's ({@code empty_like(x).bernoulli_(1-p)}), so the
     * same seed drops the same elements.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator g) {
        checkP("dropout", p);
        if (!training || p == 0 || x.numel() == 0) return x;
        if (p == 1) return x.mul(0.0);
        return x.mul(Tensor.bernoulli(g, 1 - p, x.dtype(), x.shape()).div(1 - p));
    }

    /** {@link #dropout2d(Tensor, double, boolean, Generator)} from the default generator. */
    public static Tensor dropout2d(Tensor x, double p, boolean training) { return dropout2d(x, p, training, Generator.global()); }

    /**
     * Channel dropout for {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) input: in training
     * each whole channel is zeroed with probability {@code p} and the others are scaled by
     * {@code 1/(1-p)} (Tompson et al. 2015).
     */
    public static Tensor dropout2d(Tensor x, double p, boolean training, Generator g) {
        checkP("dropout2d", p);
        if (x.ndim() != 3 && x.ndim() != 4)
            throw new IllegalArgumentException("dropout2d: expected input of shape [N, C, H, W] or [C, H, W], got shape "
                + Shapes.format(x.shape()));
        if (!training || p == 0 || x.numel() == 0) return x;
        if (p == 1) return x.mul(0.0);
        int[] noise = x.shape().clone();
        for (int d = x.ndim() - 2; d < x.ndim(); d++) noise[d] = 1;
        return x.mul(Tensor.bernoulli(g, 1 - p, x.dtype(), noise).div(1 - p));
    }

    static void checkP(String op, double p) {
        if (!(p >= 0 && p <= 1))
            throw new IllegalArgumentException(op + ": probability has to be between 0 and 1, but got " + p);
    }

    // ------------------------------------------------------------------ affine maps

    /** {@code x·wᵀ + b} over the last dimension; {@code b} may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return dev.fathom.ops.Linalg.linear(x, weight, bias);
    }

    /**
     * {@code y[..., o] = Σᵢⱼ x1[..., i]·w[o, i, j]·x2[..., j] + b[o]} for {@code x1 [..., in1]},
     * {@code x2 [..., in2]} with the same leading dimensions and {@code w [out, in1, in2]};
     * {@code b} may be null.
     */
    public static Tensor bilinear(Tensor x1, Tensor x2, Tensor weight, Tensor bias) {
        int out = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
        int[] lead = java.util.Arrays.copyOf(x1.shape(), x1.ndim() - 1);
        Tensor a = x1.reshape(-1, in1), c = x2.reshape(-1, in2);
        // [B, in1]·[in1, out·in2] → [B, out, in2], then the inner product with x2 over in2
        Tensor t = a.matmul(weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2);
        Tensor y = t.mul(c.unsqueeze(1)).sum(2);
        if (bias != null) y = y.add(bias);
        int[] shape = java.util.Arrays.copyOf(lead, lead.length + 1);
        shape[lead.length] = out;
        return y.reshape(shape);
    }
}
