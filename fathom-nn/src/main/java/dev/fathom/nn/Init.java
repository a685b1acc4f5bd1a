package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Parameter initialisers, as {@code torch.nn.init}: each overwrites the tensor in place (without
 * recording a graph) and returns it. Random ones draw from {@link Generator#global()} unless a
 * generator is passed, with the same formulas and in the same order as PyTorch, so after
 * {@code Generator.manualSeed(s)} they give PyTorch's values after {@code torch.manual_seed(s)}.
 *
 * {@snippet :
 * model.apply(m -> {
 *     if (m instanceof Linear l) {
 *         Init.kaimingNormal(l.weight, 0, Init.FanMode.FAN_OUT, "relu");
 *         Init.zeros(l.bias);
 *     }
 * });
 * }
 */
public final class Init {
    private Init() {}

    /** Which fan the Kaiming initialisers keep the variance for: the forward pass (fan in) or the backward pass (fan out). */
    public enum FanMode { FAN_IN, FAN_OUT }

    /** A weight's fan in and fan out, see {@link #fans}. */
    public record Fans(int fanIn, int fanOut) {}

    // ------------------------------------------------------------------ plain

    /** Uniform samples in {@code [low, high)} from the default generator. */
    public static Tensor uniform(Tensor t, double low, double high) { return uniform(t, low, high, Generator.global()); }

    /** Uniform samples in {@code [low, high)} from {@code g}. */
    public static Tensor uniform(Tensor t, double low, double high, Generator g) {
        try (var ignored = Autograd.noGrad()) {
            return t.uniformInPlace(low, high, g);
        }
    }

    /** Uniform samples in {@code [0, 1)}. */
    public static Tensor uniform(Tensor t) { return uniform(t, 0, 1); }

    /** Normal samples with the given mean and standard deviation from the default generator. */
    public static Tensor normal(Tensor t, double mean, double std) { return normal(t, mean, std, Generator.global()); }

    /** Normal samples from {@code g}. */
    public static Tensor normal(Tensor t, double mean, double std, Generator g) {
        try (var ignored = Autograd.noGrad()) {
            return t.normalInPlace(mean, std, g);
        }
    }

    /** Standard normal samples. */
    public static Tensor normal(Tensor t) { return normal(t, 0, 1); }

    /** Fills with {@code value}. */
    public static Tensor constant(Tensor t, double value) {
        try (var ignored = Autograd.noGrad()) {
            return t.fillInPlace(value);
        }
    }

    /** Fills with 0. */
    public static Tensor zeros(Tensor t) { return constant(t, 0); }

    /** Fills with 1. */
    public static Tensor ones(Tensor t) { return constant(t, 1); }

    // ------------------------------------------------------------------ gains and fans

    /** {@link #calculateGain(String, double)} with PyTorch's default parameter (leaky_relu's slope 0.01). */
    public static double calculateGain(String nonlinearity) { return gain(nonlinearity, 0.01); }

    /**
     * The recommended gain for a nonlinearity, as {@code torch.nn.init.calculate_gain}: 1 for
     * linear, the conv and conv_transpose kinds ({@code conv1d}, ..., {@code conv_transpose3d}) and
     * sigmoid; 5/3 for tanh; √2 for relu; √(2 / (1 + slope²)) for leaky_relu with
     * {@code param} the negative slope; 3/4 for selu.
     */
    public static double calculateGain(String nonlinearity, double param) { return gain(nonlinearity, param); }

    private static double gain(String nonlinearity, double slope) {
        return switch (nonlinearity == null ? "" : nonlinearity) {
            case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid" -> 1;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + slope * slope));
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("Init.calculateGain: unsupported nonlinearity '" + nonlinearity
                + "'; use linear, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, "
                + "tanh, relu, leaky_relu or selu");
        };
    }

    /**
     * Fan in and fan out of a weight, as {@code torch.nn.init._calculate_fan_in_and_fan_out}: for
     * shape {@code [out, in, k...]} they are {@code in·∏k} and {@code out·∏k}.
     */
    public static Fans fans(Tensor t) { return fans(t.shape()); }

    /** {@link #fans(Tensor)} from a shape. */
    public static Fans fans(int... shape) {
        if (shape.length < 2)
            throw new IllegalArgumentException("Init: fan in and fan out can not be computed for a tensor with fewer than 2 "
                + "dimensions, got shape " + Shapes.format(shape));
        int receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive *= shape[i];
        return new Fans(shape[1] * receptive, shape[0] * receptive);
    }

    private static int fan(Tensor t, FanMode mode) {
        Fans f = fans(t);
        return mode == FanMode.FAN_IN ? f.fanIn() : f.fanOut();
    }

    private static boolean empty(Tensor t) { return t.numel() == 0; }

    // ------------------------------------------------------------------ Xavier / Glorot

    /** {@link #xavierUniform(Tensor, double, Generator)} with gain 1. */
    public static Tensor xavierUniform(Tensor t) { return xavierUniform(t, 1); }

    /** {@link #xavierUniform(Tensor, double, Generator)} from the default generator. */
    public static Tensor xavierUniform(Tensor t, double gain) { return xavierUniform(t, gain, Generator.global()); }

    /** Uniform in ±{@code gain·√(6 / (fanIn + fanOut))} (Glorot & Bengio 2010). */
    public static Tensor xavierUniform(Tensor t, double gain, Generator g) {
        Fans f = fans(t);
        double std = gain * Math.sqrt(2.0 / (double) (f.fanIn() + f.fanOut()));
        double a = Math.sqrt(3.0) * std;
        return uniform(t, -a, a, g);
    }

    /** {@link #xavierNormal(Tensor, double, Generator)} with gain 1. */
    public static Tensor xavierNormal(Tensor t) { return xavierNormal(t, 1); }

    /** {@link #xavierNormal(Tensor, double, Generator)} from the default generator. */
    public static Tensor xavierNormal(Tensor t, double gain) { return xavierNormal(t, gain, Generator.global()); }

    /** Normal with mean 0 and standard deviation {@code gain·√(2 / (fanIn + fanOut))}. */
    public static Tensor xavierNormal(Tensor t, double gain, Generator g) {
        Fans f = fans(t);
        double std = gain * Math.sqrt(2.0 / (double) (f.fanIn() + f.fanOut()));
        return normal(t, 0, std, g);
    }

    // ------------------------------------------------------------------ Kaiming / He

    /** PyTorch's defaults: {@code a = 0}, fan in, leaky_relu (so the gain is √2). */
    public static Tensor kaimingUniform(Tensor t) { return kaimingUniform(t, 0); }

    /** Fan in, leaky_relu with negative slope {@code a}. */
    public static Tensor kaimingUniform(Tensor t, double a) { return kaimingUniform(t, a, FanMode.FAN_IN, "leaky_relu"); }

    /** {@link #kaimingUniform(Tensor, double, FanMode, String, Generator)} from the default generator. */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, String nonlinearity) {
        return kaimingUniform(t, a, mode, nonlinearity, Generator.global());
    }

    /**
     * Uniform in ±{@code √3 · gain / √fan} (He et al. 2015), {@code gain = calculateGain(nonlinearity, a)};
     * a tensor with no elements is left as it is (PyTorch warns and does the same).
     */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, String nonlinearity, Generator g) {
        if (empty(t)) return t;
        double std = gain(nonlinearity, a) / Math.sqrt(fan(t, mode));
        double bound = Math.sqrt(3.0) * std;
        return uniform(t, -bound, bound, g);
    }

    /** PyTorch's defaults: {@code a = 0}, fan in, leaky_relu. */
    public static Tensor kaimingNormal(Tensor t) { return kaimingNormal(t, 0); }

    /** Fan in, leaky_relu with negative slope {@code a}. */
    public static Tensor kaimingNormal(Tensor t, double a) { return kaimingNormal(t, a, FanMode.FAN_IN, "leaky_relu"); }

    /** {@link #kaimingNormal(Tensor, double, FanMode, String, Generator)} from the default generator. */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, String nonlinearity) {
        return kaimingNormal(t, a, mode, nonlinearity, Generator.global());
    }

    /** Normal with mean 0 and standard deviation {@code gain / √fan}. */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, String nonlinearity, Generator g) {
        if (empty(t)) return t;
        double std = gain(nonlinearity, a) / Math.sqrt(fan(t, mode));
        return normal(t, 0, std, g);
    }

    // ------------------------------------------------------------------ orthogonal

    /** {@link #orthogonal(Tensor, double, Generator)} with gain 1. */
    public static Tensor orthogonal(Tensor t) { return orthogonal(t, 1); }

    /** {@link #orthogonal(Tensor, double, Generator)} from the default generator. */
    public static Tensor orthogonal(Tensor t, double gain) { return orthogonal(t, gain, Generator.global()); }

    /**
     * A (semi-)orthogonal matrix times {@code gain} (Saxe et al. 2013), as
     * {@code torch.nn.init.orthogonal_}: the tensor is viewed as {@code [rows, numel/rows]}, a
     * standard normal matrix of that shape is drawn (in the tensor's dtype, as PyTorch), and Q of
     * its QR decomposition with R's diagonal made positive is written (transposed when rows &lt; cols).
     * The rows (or columns, whichever are fewer) are orthonormal times gain. The draws equal
     * PyTorch's; Q is computed here by modified Gram-Schmidt in float64, so it follows the same
     * distribution and agrees with PyTorch's LAPACK result to rounding.
     */
    public static Tensor orthogonal(Tensor t, double gain, Generator g) {
        if (t.ndim() < 2)
            throw new IllegalArgumentException("Init.orthogonal: only tensors with 2 or more dimensions are supported, got shape "
                + Shapes.format(t.shape()));
        if (empty(t)) return t;
        int rows = t.size(0), cols = t.numel() / rows;
        DType dt = t.dtype().isFloatingPoint() ? t.dtype() : DType.FLOAT64;
        double[] a = Tensor.empty(dt, rows, cols).normalInPlace(0, 1, g).to(DType.FLOAT64).toDoubleArray();
        boolean wide = rows < cols;
        int m = wide ? cols : rows, n = wide ? rows : cols;   // QR of the tall m×n matrix (the transpose when wide)
        double[][] q = new double[n][m];                       // q[j] = column j
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) q[j][i] = wide ? a[j * cols + i] : a[i * cols + j];
        for (int j = 0; j < n; j++) {
            double[] v = q[j];
            for (int pass = 0; pass < 2; pass++)                // re-orthogonalise once: "twice is enough"
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += q[k][i] * v[i];
                    for (int i = 0; i < m; i++) v[i] -= dot * q[k][i];
                }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += v[i] * v[i];
            norm = Math.sqrt(norm);
            if (norm == 0)
                throw new IllegalStateException("Init.orthogonal: the random matrix was rank deficient; draw again");
            for (int i = 0; i < m; i++) v[i] /= norm;
        }
        double[] out = new double[rows * cols];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                if (wide) out[j * cols + i] = q[j][i] * gain;   // Qᵀ: row j
                else out[i * cols + j] = q[j][i] * gain;
            }
        try (var ignored = Autograd.noGrad()) {
            t.copyFrom(Tensor.of(out, t.shape()).to(t.dtype()));
        }
        return t;
    }
}
