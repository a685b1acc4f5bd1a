package dev.fathom.ops;

import dev.fathom.autograd.Backward;
import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saved;
import dev.fathom.autograd.Saves;
import dev.fathom.backend.Copy;
import dev.fathom.backend.Parallel;
import dev.fathom.backend.ScalarMath;
import dev.fathom.backend.Simd;
import dev.fathom.backend.VectorMath;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * Elementwise functions of one tensor, one constant per op. Each constant holds its math as a
 * double function ({@link #apply(double, double, double)}, the reference and generic path) and,
 * where it pays, bulk float32/float64 array kernels (plain loops that C2 vectorises, or
 * {@link VectorMath} for transcendentals). {@code p} and {@code q} are the op's parameters
 * (slope, alpha, bounds...), unused by most ops.
 *
 * <p>Types follow PyTorch: {@link Kind#FLOAT} ops turn integer and bool inputs into float32;
 * {@link Kind#KEEP} ops keep integer types; {@link Kind#TEST} ops return bool.
 */
public enum Unary {
    NEG("neg", Kind.KEEP, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return -x; }
        @Override long applyLong(long x, long p, long q) { return -x; }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) { for (int i = 0; i < n; i++) d[o + i] = -s[so + i]; }
        @Override void f64(double[] s, int so, double[] d, int o, int n, double p, double q) { for (int i = 0; i < n; i++) d[o + i] = -s[so + i]; }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.neg(); }
    },
    ABS("abs", Kind.KEEP, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return Math.abs(x); }
        @Override long applyLong(long x, long p, long q) { return Math.abs(x); }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) { for (int i = 0; i < n; i++) d[o + i] = Math.abs(s[so + i]); }
        @Override void f64(double[] s, int so, double[] d, int o, int n, double p, double q) { for (int i = 0; i < n; i++) d[o + i] = Math.abs(s[so + i]); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.mul(s.input(0).sign()); }
    },
    /** -1, 0 or 1 (NaN stays NaN, as {@link Math#signum}). */
    SIGN("sign", Kind.KEEP, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return Math.signum(x); }
        @Override long applyLong(long x, long p, long q) { return Long.signum(x); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.zerosLike(); }
    },
    SQRT("sqrt", Kind.FLOAT, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return Math.sqrt(x); }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) { for (int i = 0; i < n; i++) d[o + i] = (float) Math.sqrt(s[so + i]); }
        @Override void f64(double[] s, int so, double[] d, int o, int n, double p, double q) { for (int i = 0; i < n; i++) d[o + i] = Math.sqrt(s[so + i]); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.div(s.output().mul(2.0)); }
    },
    RSQRT("rsqrt", Kind.FLOAT, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return 1 / Math.sqrt(x); }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) { for (int i = 0; i < n; i++) d[o + i] = 1f / (float) Math.sqrt(s[so + i]); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { Tensor y = s.output(); return g.mul(y.mul(y).mul(y)).mul(-0.5); }
    },
    EXP("exp", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) { return Math.exp(x); }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            if (vector()) VectorMath.exp(s, so, d, o, n); else super.f32(s, so, d, o, n, p, q);
        }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.mul(s.output()); }
    },
    LOG("log", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) { return Math.log(x); }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            if (vector()) VectorMath.log(s, so, d, o, n); else super.f32(s, so, d, o, n, p, q);
        }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.div(s.input(0)); }
    },
    LOG1P("log1p", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) { return Math.log1p(x); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.div(s.input(0).add(1.0)); }
    },
    EXPM1("expm1", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) { return Math.expm1(x); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.mul(s.output().add(1.0)); }
    },
    SIN("sin", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) { return Math.sin(x); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.mul(s.input(0).cos()); }
    },
    COS("cos", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) { return Math.cos(x); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return g.mul(s.input(0).sin()).neg(); }
    },
    TANH("tanh", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) { return Math.tanh(x); }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            if (vector()) VectorMath.tanh(s, so, d, o, n); else super.f32(s, so, d, o, n, p, q);
        }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return Binary.TANH_BACKWARD.apply(g, s.output()); }
    },
    /** 1/(1+e^{-x}), computed without overflow for large |x|. */
    SIGMOID("sigmoid", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) {
            double e = Math.exp(-Math.abs(x));
            double r = 1 / (1 + e);
            return x < 0 ? e * r : r;
        }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            if (vector()) VectorMath.sigmoid(s, so, d, o, n); else super.f32(s, so, d, o, n, p, q);
        }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return Binary.SIGMOID_BACKWARD.apply(g, s.output()); }
    },
    RELU("relu", Kind.KEEP, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return Math.max(x, 0); }
        @Override long applyLong(long x, long p, long q) { return Math.max(x, 0); }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            if (vector()) VectorMath.relu(s, so, d, o, n); else for (int i = 0; i < n; i++) d[o + i] = Math.max(s[so + i], 0f);
        }
        @Override void f64(double[] s, int so, double[] d, int o, int n, double p, double q) { for (int i = 0; i < n; i++) d[o + i] = Math.max(s[so + i], 0d); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return Binary.RELU_BACKWARD.apply(g, s.input(0)); }
    },
    /** x for x > 0, {@code p * x} otherwise ({@code p} is the negative slope, default 0.01). */
    LEAKY_RELU("leakyRelu", Kind.FLOAT, Grain.CHEAP, 0.01, 0) {
        @Override public double apply(double x, double p, double q) { return x > 0 ? x : p * x; }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            float k = (float) p; // branch-free so the loop vectorises; NaN propagates through both terms
            for (int i = 0; i < n; i++) { float x = s[so + i]; d[o + i] = Math.max(x, 0f) + k * Math.min(x, 0f); }
        }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return Tensor.where(s.input(0).gt(0.0), g, g.mul(p)); }
    },
    /** x for x > 0, {@code p * (e^x - 1)} otherwise (default alpha 1). */
    ELU("elu", Kind.FLOAT, Grain.COSTLY, 1.0, 0) {
        @Override public double apply(double x, double p, double q) { return x > 0 ? x : p * Math.expm1(x); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return Tensor.where(s.input(0).gt(0.0), g, g.mul(s.output().add(p))); }
    },
    /** x·Φ(x), with Φ from an accurate erfc; gelu(-inf) is its limit 0. */
    GELU("gelu", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) {
            return x == Double.NEGATIVE_INFINITY ? -0.0 : 0.5 * x * ScalarMath.erfc(-x * INV_SQRT2);
        }
        @Override float apply(float x, double p, double q) {
            return x == Float.NEGATIVE_INFINITY ? -0f : (float) (0.5 * x * ScalarMath.erfcFast(-x * INV_SQRT2));
        }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            if (vector()) VectorMath.gelu(s, so, d, o, n); else super.f32(s, so, d, o, n, p, q);
        }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { return Binary.GELU_BACKWARD.apply(g, s.input(0)); }
    },
    /** The tanh approximation of GELU, 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    GELU_TANH("gelu", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) {
            if (x == Double.NEGATIVE_INFINITY) return -0.0; // the limit, not -inf * 0
            double u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
            return x * SIGMOID.apply(2 * u, 0, 0); // = 0.5x(1+tanh u), without cancellation for x < 0
        }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            if (vector()) VectorMath.geluTanh(s, so, d, o, n); else super.f32(s, so, d, o, n, p, q);
        }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { Tensor x = s.input(0), x2 = x.mul(x);
            Tensor t = x.add(x2.mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh();
            Tensor du = x2.mul(3 * 0.044715).add(1.0).mul(SQRT_2_OVER_PI);
            return g.mul(t.add(1.0).mul(0.5).add(x.mul(0.5).mul(t.mul(t).neg().add(1.0)).mul(du))); }
    },
    /** The error function, 2/√π ∫₀ˣ e^{-t²} dt. */
    ERF("erf", Kind.FLOAT, Grain.COSTLY) {
        @Override public double apply(double x, double p, double q) { return ScalarMath.erf(x); }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { Tensor x = s.input(0); return g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI)); }
    },
    /** log(1 + e^{βx})/β, or x where βx exceeds the threshold ({@code p} = β, {@code q} = threshold). */
    SOFTPLUS("softplus", Kind.FLOAT, Grain.COSTLY, 1.0, 20.0) {
        @Override public double apply(double x, double p, double q) {
            double y = p * x;
            return y > q ? x : Math.log1p(Math.exp(y)) / p;
        }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            if (vector()) VectorMath.softplus(s, so, d, o, n, (float) p, (float) q); else super.f32(s, so, d, o, n, p, q);
        }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { Tensor bx = s.input(0).mul(p); return Tensor.where(bx.gt(q), g, g.mul(bx.sigmoid())); }
    },
    /** min(max(x, p), q); NaN stays NaN. */
    CLAMP("clamp", Kind.KEEP, Grain.CHEAP, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY) {
        @Override public double apply(double x, double p, double q) { return Math.min(Math.max(x, p), q); }
        @Override long applyLong(long x, long p, long q) { return Math.min(Math.max(x, p), q); }
        @Override void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
            float lo = (float) p, hi = (float) q;
            for (int i = 0; i < n; i++) d[o + i] = Math.min(Math.max(s[so + i], lo), hi);
        }
        @Override void f64(double[] s, int so, double[] d, int o, int n, double p, double q) {
            for (int i = 0; i < n; i++) d[o + i] = Math.min(Math.max(s[so + i], p), q);
        }
        @Override Tensor grad(Saved s, Tensor g, double p, double q) { Tensor x = s.input(0); return g.mul(x.ge(p).logicalAnd(x.le(q))); }
    },
    IS_NAN("isNaN", Kind.TEST, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return Double.isNaN(x) ? 1 : 0; }
    },
    IS_INF("isInf", Kind.TEST, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return Double.isInfinite(x) ? 1 : 0; }
    },
    IS_FINITE("isFinite", Kind.TEST, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return Double.isFinite(x) ? 1 : 0; }
    },
    /** True where the input is zero (any type; NaN counts as non-zero, as in PyTorch). */
    LOGICAL_NOT("logicalNot", Kind.TEST, Grain.CHEAP) {
        @Override public double apply(double x, double p, double q) { return x == 0 ? 1 : 0; }
    };

    /** Elements per parallel task: cheap ops are memory-bound, costly ones split sooner. */
    private static final class Grain {
        static final int CHEAP = 1 << 15, COSTLY = 1 << 14;
    }

    /** How an op treats input types. */
    public enum Kind {
        /** Float math: integer/bool inputs become float32. */
        FLOAT,
        /** Keeps integer types (bool inputs are rejected unless the op is defined on them). */
        KEEP,
        /** A predicate: the result is bool. */
        TEST
    }

    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double SQRT_2_OVER_PI = 0.7978845608028654;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    /** Tests set this to run the plain-Java kernels even where the Vector API is present. */
    static volatile boolean forceScalar;

    static boolean vector() { return Simd.AVAILABLE && !forceScalar; }

    private final String op;
    private final Kind kind;
    private final int grain;
    private final double defaultP, defaultQ;
    private final Backward defaultRule = (s, g) -> new Tensor[] {grad(s, g, defaultP(), defaultQ())};

    private double defaultP() { return defaultP; }

    private double defaultQ() { return defaultQ; }

    Unary(String op, Kind kind, int grain) { this(op, kind, grain, 0, 0); }

    Unary(String op, Kind kind, int grain, double defaultP, double defaultQ) {
        this.op = op;
        this.kind = kind;
        this.grain = grain;
        this.defaultP = defaultP;
        this.defaultQ = defaultQ;
    }

    /** The op's name as used in error messages. */
    public String opName() { return op; }

    public Kind kind() { return kind; }

    /** The op on one double value; the reference for every other kernel. */
    public abstract double apply(double x, double p, double q);

    /** The op on one float; by default through the double function, which rounds once. */
    float apply(float x, double p, double q) { return (float) apply((double) x, p, q); }

    /**
     * The backward rule: the gradient with respect to the input given the output's gradient
     * {@code g} (the saved input and output are in {@code s}). Written with Tensor ops, so it is
     * itself differentiable. Predicates ({@link Kind#TEST}) have none: their results are bool.
     */
    Tensor grad(Saved s, Tensor g, double p, double q) {
        throw new IllegalStateException(op + " is not differentiable");
    }

    /** The recorded rule for parameters {@code p}, {@code q} (the default-parameter rule is shared). */
    private Backward rule(double p, double q) {
        if (p == defaultP && q == defaultQ) return defaultRule;
        return (s, g) -> new Tensor[] {grad(s, g, p, q)};
    }

    /** Integer version for {@link Kind#KEEP} ops (bounds already converted to the integer range). */
    long applyLong(long x, long p, long q) {
        throw new IllegalStateException(op + " has no integer kernel"); // KEEP ops all override
    }

    /** Bulk float32 kernel: {@code d[o+i] = f(s[so+i])}; src and dst may be the same array range. */
    void f32(float[] s, int so, float[] d, int o, int n, double p, double q) {
        for (int i = 0; i < n; i++) d[o + i] = apply(s[so + i], p, q);
    }

    /** Bulk float64 kernel. */
    void f64(double[] s, int so, double[] d, int o, int n, double p, double q) {
        for (int i = 0; i < n; i++) d[o + i] = apply(s[so + i], p, q);
    }

    // ------------------------------------------------------------------ driver

    /** Applies the op with its default parameters. */
    public Tensor apply(Tensor x) { return apply(x, defaultP, defaultQ); }

    /** Applies the op with parameters {@code p}, {@code q} (see each constant). */
    public Tensor apply(Tensor x, double p, double q) {
        DType in = x.dtype();
        if (kind == Kind.TEST) return test(x);
        DType t = resultType(in, p, q);
        int[] shape = x.shape();
        if (t == DType.BOOL) return x.copy(); // sign(bool) is the identity
        Tensor out = Tensor.empty(t, shape);
        int n = out.numel();
        if (n == 0) return Graph.recording(x) ? Graph.record(op, out, rule(p, q), saves(), x) : out;
        Object src = x.storage().array();
        int so = x.offset();
        Object dst = out.storage().array();
        if (in != t || !x.isContiguous()) {
            // convert/gather into the output first, then transform it in place
            Copy.copy(shape, src, so, x.strides(), dst, 0, out.strides());
            src = dst;
            so = 0;
        }
        run(t, src, so, dst, n, p, q);
        return Graph.recording(x) ? Graph.record(op, out, rule(p, q), saves(), x) : out;
    }

    /** What the rule reads: ops whose gradient comes from the output do not keep their input alive. */
    private Saves saves() {
        return switch (this) {
            case NEG, SIGN -> Saves.NONE;
            case SQRT, RSQRT, EXP, EXPM1, TANH, SIGMOID -> Saves.OUTPUT;
            case ELU -> Saves.ALL;
            default -> Saves.INPUTS;
        };
    }

    private DType resultType(DType in, double p, double q) {
        if (kind == Kind.FLOAT) return in.isFloatingPoint() ? in : DType.FLOAT32;
        if (in == DType.BOOL) {
            if (this == SIGN) return DType.BOOL;
            throw new IllegalArgumentException(op + ": bool tensors are not supported"
                + (this == NEG ? "; use logicalNot() to negate a bool tensor" : "; convert with to(DType) first"));
        }
        // integer bounds that are not whole numbers make the result floating, as Python floats do in PyTorch
        if (this == CLAMP && in.isInteger() && !(isWhole(p) && isWhole(q))) return DType.FLOAT32;
        return in;
    }

    private static boolean isWhole(double v) { return Double.isInfinite(v) || v == Math.rint(v); }

    private void run(DType t, Object src, int so, Object dst, int n, double p, double q) {
        if (n <= grain) {
            kernel(t, src, so, dst, 0, n, p, q);
        } else {
            Object s = src, d = dst;
            Parallel.forRange(n, grain, (a, b) -> kernel(t, s, so + a, d, a, b - a, p, q));
        }
    }

    private void kernel(DType t, Object src, int so, Object dst, int o, int n, double p, double q) {
        switch (t) {
            case FLOAT32 -> f32((float[]) src, so, (float[]) dst, o, n, p, q);
            case FLOAT64 -> f64((double[]) src, so, (double[]) dst, o, n, p, q);
            case INT64 -> {
                long[] s = (long[]) src, d = (long[]) dst;
                long lp = (long) p, lq = (long) q; // saturating casts: ±inf become the long range
                for (int i = 0; i < n; i++) d[o + i] = applyLong(s[so + i], lp, lq);
            }
            case INT32 -> {
                int[] s = (int[]) src, d = (int[]) dst;
                long lp = Math.max((long) p, Integer.MIN_VALUE), lq = Math.min((long) q, Integer.MAX_VALUE);
                for (int i = 0; i < n; i++) d[o + i] = (int) applyLong(s[so + i], lp, lq);
            }
            case BOOL -> throw new IllegalStateException(op + ": bool handled by the caller");
        }
    }

    private Tensor test(Tensor x) {
        Tensor src = x.dtype().isFloatingPoint() ? x.contiguous() : x.to(DType.FLOAT64).contiguous();
        Tensor out = Tensor.empty(DType.BOOL, x.shape());
        boolean[] d = out.storage().bools();
        int o = src.offset(), n = d.length;
        switch (src.storage().array()) {
            case float[] s -> { for (int i = 0; i < n; i++) d[i] = apply(s[o + i], 0, 0) != 0; }
            case double[] s -> { for (int i = 0; i < n; i++) d[i] = apply(s[o + i], 0, 0) != 0; }
            default -> throw new IllegalStateException(op + ": expected a floating source");
        }
        return out;
    }

    /** {@code clamp} with both bounds checked: {@code min} must not be NaN, nor {@code max}. */
    public static Tensor clamp(Tensor x, double min, double max) {
        if (Double.isNaN(min) || Double.isNaN(max))
            throw new IllegalArgumentException("clamp: bounds must not be NaN, got min " + min + " and max " + max);
        return CLAMP.apply(x, min, max);
    }

    /** {@code softplus} with β checked (it must be finite and non-zero). */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        if (beta == 0 || !Double.isFinite(beta))
            throw new IllegalArgumentException("softplus: beta must be finite and non-zero, got " + beta);
        return SOFTPLUS.apply(x, beta, threshold);
    }

}
