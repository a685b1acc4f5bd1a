package dev.fathom.ops;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Backward;
import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saved;
import dev.fathom.autograd.Saves;
import dev.fathom.autograd.Scope;
import dev.fathom.backend.Parallel;
import dev.fathom.backend.ScalarMath;
import dev.fathom.backend.Simd;
import dev.fathom.backend.VectorMath;
import dev.fathom.backend.StridedIter;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * Elementwise functions of two tensors with NumPy broadcasting and PyTorch type promotion, one
 * constant per op. Arithmetic constants hold scalar functions for every type plus, for the hot
 * ops, contiguous loops that C2 vectorises; comparisons and logical ops produce bool tensors.
 *
 * <p>One driver serves every op: a contiguous same-shape (or tensor-with-scalar) fast path and a
 * general path walking {@link StridedIter} rows. Kernels only ever see unit-stride operands: the
 * driver gathers strided rows and fills broadcast (stride 0) operands into small scratch chunks
 * that stay in L1, so each op needs exactly one loop per type.
 */
public enum Binary {
    ADD("add", Kind.ARITH) {
        @Override float apply(float a, float b) { return a + b; }
        @Override double apply(double a, double b) { return a + b; }
        @Override long apply(long a, long b) { return a + b; }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i]; }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i]; }
        @Override void i32(int[] a, int ai, int[] b, int bi, int[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i]; }
        @Override void i64(long[] a, int ai, long[] b, int bi, long[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i]; }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            return new Tensor[] {da ? g : null, db ? (alpha == 1 ? g : g.mul(alpha)) : null};
        }
    },
    SUB("sub", Kind.ARITH) {
        @Override float apply(float a, float b) { return a - b; }
        @Override double apply(double a, double b) { return a - b; }
        @Override long apply(long a, long b) { return a - b; }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i]; }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i]; }
        @Override void i32(int[] a, int ai, int[] b, int bi, int[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i]; }
        @Override void i64(long[] a, int ai, long[] b, int bi, long[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i]; }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            return new Tensor[] {da ? g : null, db ? g.mul(-alpha) : null};
        }
    },
    MUL("mul", Kind.ARITH) {
        @Override float apply(float a, float b) { return a * b; }
        @Override double apply(double a, double b) { return a * b; }
        @Override long apply(long a, long b) { return a * b; }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i]; }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i]; }
        @Override void i32(int[] a, int ai, int[] b, int bi, int[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i]; }
        @Override void i64(long[] a, int ai, long[] b, int bi, long[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i]; }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            return new Tensor[] {da ? g.mul(s.input(1)) : null, db ? g.mul(s.input(0)) : null};
        }
    },
    /** True division: integer operands give float32, as in PyTorch. */
    DIV("div", Kind.ARITH) {
        @Override float apply(float a, float b) { return a / b; }
        @Override double apply(double a, double b) { return a / b; }
        @Override long apply(long a, long b) { throw new IllegalStateException("div computes in floating point"); }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] / b[bi + i]; }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] / b[bi + i]; }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            Tensor b = s.input(1);
            return new Tensor[] {da ? g.div(b) : null, db ? g.neg().mul(s.input(0)).div(b.mul(b)) : null};
        }
    },
    /** Integer powers stay integer; a negative integer exponent gives 0 unless the base is ±1. */
    POW("pow", Kind.ARITH) {
        @Override float apply(float a, float b) { return (float) Math.pow(a, b); }
        @Override double apply(double a, double b) { return Math.pow(a, b); }
        @Override long apply(long a, long b) {
            if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) == 0 ? 1 : -1) : 0;
            long r = 1;
            for (long e = b, x = a; e > 0; e >>= 1, x *= x) if ((e & 1) != 0) r *= x;
            return r;
        }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = (float) Math.pow(a[ai + i], b[bi + i]); }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.pow(a[ai + i], b[bi + i]); }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            Tensor a = s.input(0), b = s.input(1), zero = Tensor.scalar(0.0, g.dtype());
            // d/da = b·a^(b-1), zero where b == 0 (even at a == 0); d/db = a^b·log a, zero where a == 0 and b >= 0
            Tensor ga = da ? Tensor.where(b.eq(0.0), zero, g.mul(b).mul(a.pow(b.sub(1L)))) : null;
            Tensor gb = db ? Tensor.where(a.eq(0.0).logicalAnd(b.ge(0.0)), zero, g.mul(s.output()).mul(a.log())) : null;
            return new Tensor[] {ga, gb};
        }
    },
    /** Elementwise minimum; NaN in either operand gives NaN. */
    MINIMUM("minimum", Kind.ARITH) {
        @Override float apply(float a, float b) { return Math.min(a, b); }
        @Override double apply(double a, double b) { return Math.min(a, b); }
        @Override long apply(long a, long b) { return Math.min(a, b); }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.min(a[ai + i], b[bi + i]); }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.min(a[ai + i], b[bi + i]); }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            return split(s, g, s.input(0).lt(s.input(1)), da, db);
        }
    },
    /** Elementwise maximum; NaN in either operand gives NaN. */
    MAXIMUM("maximum", Kind.ARITH) {
        @Override float apply(float a, float b) { return Math.max(a, b); }
        @Override double apply(double a, double b) { return Math.max(a, b); }
        @Override long apply(long a, long b) { return Math.max(a, b); }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.max(a[ai + i], b[bi + i]); }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.max(a[ai + i], b[bi + i]); }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            return split(s, g, s.input(0).gt(s.input(1)), da, db);
        }
    },
    /**
     * The fused backward of relu, {@code a} where {@code b > 0} else 0 ({@code a} the gradient,
     * {@code b} relu's input): one pass instead of a comparison, a conversion and a product.
     */
    RELU_BACKWARD("reluBackward", Kind.ARITH) {
        @Override float apply(float a, float b) { return b > 0 ? a : 0f; }
        @Override double apply(double a, double b) { return b > 0 ? a : 0; }
        @Override long apply(long a, long b) { return b > 0 ? a : 0; }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) {
            if (Simd.AVAILABLE) VectorMath.reluBackward(a, ai, b, bi, o, oi, n);
            else for (int i = 0; i < n; i++) o[oi + i] = b[bi + i] > 0 ? a[ai + i] : 0f;
        }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = b[bi + i] > 0 ? a[ai + i] : 0; }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            return new Tensor[] {da ? RELU_BACKWARD.apply(g, s.input(1)) : null, null}; // piecewise constant in b
        }
    },
    /** The fused backward of tanh, {@code a·(1 - b²)} ({@code a} the gradient, {@code b} tanh's output). */
    TANH_BACKWARD("tanhBackward", Kind.ARITH) {
        @Override double apply(double a, double b) { return a * (1 - b * b); }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) { float y = b[bi + i]; o[oi + i] = a[ai + i] * (1f - y * y); } }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) { double y = b[bi + i]; o[oi + i] = a[ai + i] * (1 - y * y); } }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            Tensor a = s.input(0), y = s.input(1);
            return new Tensor[] {da ? TANH_BACKWARD.apply(g, y) : null, db ? g.mul(a).mul(y).mul(-2.0) : null};
        }
    },
    /**
     * The fused backward of exact GELU, {@code a·(Φ(b) + b·φ(b))} ({@code a} the gradient, {@code b}
     * GELU's input; Φ, φ the standard normal cdf and density): one pass instead of nine ops.
     */
    GELU_BACKWARD("geluBackward", Kind.ARITH) {
        @Override float apply(float a, float b) {
            double x = b;
            return (float) (a * (0.5 * ScalarMath.erfcFast(-x * INV_SQRT2) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI));
        }
        @Override double apply(double a, double b) {
            return a * (0.5 * ScalarMath.erfc(-b * INV_SQRT2) + b * Math.exp(-0.5 * b * b) * INV_SQRT_2PI);
        }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) {
            if (Simd.AVAILABLE) VectorMath.geluBackward(a, ai, b, bi, o, oi, n);
            else super.f32(a, ai, b, bi, o, oi, n);
        }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            Tensor a = s.input(0), x = s.input(1);
            // d/dx (Φ(x) + x·φ(x)) = φ(x)·(2 - x²)
            return new Tensor[] {da ? GELU_BACKWARD.apply(g, x) : null,
                db ? g.mul(a).mul(x.mul(x).mul(-0.5).exp().mul(INV_SQRT_2PI)).mul(x.mul(x).neg().add(2.0)) : null};
        }
    },
    /** The fused backward of sigmoid, {@code a·b·(1 - b)} ({@code a} the gradient, {@code b} sigmoid's output). */
    SIGMOID_BACKWARD("sigmoidBackward", Kind.ARITH) {
        @Override double apply(double a, double b) { return a * b * (1 - b); }
        @Override void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) { float y = b[bi + i]; o[oi + i] = a[ai + i] * y * (1f - y); } }
        @Override void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) { double y = b[bi + i]; o[oi + i] = a[ai + i] * y * (1 - y); } }
        @Override Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
            Tensor a = s.input(0), y = s.input(1);
            return new Tensor[] {da ? SIGMOID_BACKWARD.apply(g, y) : null, db ? g.mul(a).mul(y.mul(-2.0).add(1.0)) : null};
        }
    },
    EQ("eq", Kind.COMPARE) {
        @Override boolean test(double a, double b) { return a == b; }
        @Override boolean test(long a, long b) { return a == b; }
    },
    NE("ne", Kind.COMPARE) {
        @Override boolean test(double a, double b) { return a != b; }
        @Override boolean test(long a, long b) { return a != b; }
    },
    LT("lt", Kind.COMPARE) {
        @Override boolean test(double a, double b) { return a < b; }
        @Override boolean test(long a, long b) { return a < b; }
    },
    LE("le", Kind.COMPARE) {
        @Override boolean test(double a, double b) { return a <= b; }
        @Override boolean test(long a, long b) { return a <= b; }
    },
    GT("gt", Kind.COMPARE) {
        @Override boolean test(double a, double b) { return a > b; }
        @Override boolean test(long a, long b) { return a > b; }
    },
    GE("ge", Kind.COMPARE) {
        @Override boolean test(double a, double b) { return a >= b; }
        @Override boolean test(long a, long b) { return a >= b; }
    },
    LOGICAL_AND("logicalAnd", Kind.LOGICAL) {
        @Override boolean test(boolean a, boolean b) { return a & b; }
    },
    LOGICAL_OR("logicalOr", Kind.LOGICAL) {
        @Override boolean test(boolean a, boolean b) { return a | b; }
    },
    LOGICAL_XOR("logicalXor", Kind.LOGICAL) {
        @Override boolean test(boolean a, boolean b) { return a ^ b; }
    };

    /** What an op computes and returns. */
    public enum Kind {
        /** Same type as the promoted inputs (float32 for integer {@code div}). */
        ARITH,
        /** Compares in the promoted type; returns bool. */
        COMPARE,
        /** Treats any non-zero value as true; returns bool. */
        LOGICAL
    }

    private static final double INV_SQRT2 = 0.7071067811865476, INV_SQRT_2PI = 0.3989422804014327;

    /** Elements per parallel task: these ops are memory-bound. */
    private static final int GRAIN = 1 << 15;
    /** Scratch chunk length for gathered or broadcast operands; small enough to live in L1. */
    private static final int CHUNK = 1024;

    private final String op;
    private final Kind kind;

    Binary(String op, Kind kind) {
        this.op = op;
        this.kind = kind;
    }

    /** The op's name as used in error messages. */
    public String opName() { return op; }

    // ------------------------------------------------------------------ backward

    /**
     * The backward rule of an arithmetic op: the gradients with respect to {@code a} and {@code b}
     * at the broadcast shape (the caller sums them back to each input's shape), computed only
     * where {@code da}/{@code db} ask. Comparisons and logical ops have none (bool results).
     */
    Tensor[] grads(Saved s, Tensor g, double alpha, boolean da, boolean db) {
        throw new IllegalStateException(op + " is not differentiable");
    }

    /** minimum/maximum: the gradient goes to the chosen operand, half to each on ties (as PyTorch). */
    private static Tensor[] split(Saved s, Tensor g, Tensor aWins, boolean da, boolean db) {
        Tensor a = s.input(0), b = s.input(1);
        Tensor wa = aWins.to(g.dtype()).add(a.eq(b).to(g.dtype()).mul(0.5));
        return new Tensor[] {da ? g.mul(wa) : null, db ? g.mul(wa.neg().add(1.0)) : null};
    }

    private final Backward rule = rule(1);

    /** What the rule reads: add and sub nothing, pow its inputs and output, the rest their inputs. */
    private Saves saves() {
        return switch (this) {
            case ADD, SUB -> Saves.NONE;
            case POW -> Saves.ALL;
            default -> Saves.INPUTS;
        };
    }

    private Backward rule(double alpha) {
        return (s, g) -> {
            Tensor[] r = grads(s, g, alpha, s.needsGrad(0), s.needsGrad(1));
            for (int i = 0; i < 2; i++) if (r[i] != null) r[i] = Graph.sumTo(r[i], s.inputShape(i));
            return r;
        };
    }

    public Kind kind() { return kind; }

    // Scalar functions. Each kind overrides the ones it uses; the driver never calls the others.
    float apply(float a, float b) { return (float) apply((double) a, (double) b); }
    double apply(double a, double b) { throw new IllegalStateException(op + " is not arithmetic"); }
    long apply(long a, long b) { throw new IllegalStateException(op + " is not arithmetic"); }
    boolean test(double a, double b) { throw new IllegalStateException(op + " is not a comparison"); }
    boolean test(long a, long b) { throw new IllegalStateException(op + " is not a comparison"); }
    boolean test(boolean a, boolean b) { throw new IllegalStateException(op + " is not a logical op"); }

    // Contiguous kernels: o[oi+i] = a[ai+i] (op) b[bi+i]; o may alias a or b at the same positions.
    void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = apply(a[ai + i], b[bi + i]); }
    void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = apply(a[ai + i], b[bi + i]); }
    void i32(int[] a, int ai, int[] b, int bi, int[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = (int) apply((long) a[ai + i], (long) b[bi + i]); }
    void i64(long[] a, int ai, long[] b, int bi, long[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = apply(a[ai + i], b[bi + i]); }

    private void compare(DType t, Object a, int ai, Object b, int bi, boolean[] o, int oi, int n) {
        switch (t) {
            case FLOAT32 -> {
                float[] x = (float[]) a, y = (float[]) b;
                // float32 is the hot case: one plain loop per comparison, no per-element dispatch
                switch (this) {
                    case EQ -> { for (int i = 0; i < n; i++) o[oi + i] = x[ai + i] == y[bi + i]; }
                    case NE -> { for (int i = 0; i < n; i++) o[oi + i] = x[ai + i] != y[bi + i]; }
                    case LT -> { for (int i = 0; i < n; i++) o[oi + i] = x[ai + i] < y[bi + i]; }
                    case LE -> { for (int i = 0; i < n; i++) o[oi + i] = x[ai + i] <= y[bi + i]; }
                    case GT -> { for (int i = 0; i < n; i++) o[oi + i] = x[ai + i] > y[bi + i]; }
                    default -> { for (int i = 0; i < n; i++) o[oi + i] = test((double) x[ai + i], (double) y[bi + i]); }
                }
            }
            case FLOAT64 -> {
                double[] x = (double[]) a, y = (double[]) b;
                for (int i = 0; i < n; i++) o[oi + i] = test(x[ai + i], y[bi + i]);
            }
            case INT32 -> {
                int[] x = (int[]) a, y = (int[]) b;
                for (int i = 0; i < n; i++) o[oi + i] = test((long) x[ai + i], (long) y[bi + i]);
            }
            case INT64 -> {
                long[] x = (long[]) a, y = (long[]) b;
                for (int i = 0; i < n; i++) o[oi + i] = test(x[ai + i], y[bi + i]);
            }
            case BOOL -> {
                boolean[] x = (boolean[]) a, y = (boolean[]) b;
                for (int i = 0; i < n; i++) o[oi + i] = test(x[ai + i] ? 1L : 0L, y[bi + i] ? 1L : 0L);
            }
        }
    }

    private void kernel(DType t, Object a, int ai, Object b, int bi, Object o, int oi, int n) {
        switch (kind) {
            case ARITH -> {
                switch (t) {
                    case FLOAT32 -> f32((float[]) a, ai, (float[]) b, bi, (float[]) o, oi, n);
                    case FLOAT64 -> f64((double[]) a, ai, (double[]) b, bi, (double[]) o, oi, n);
                    case INT32 -> i32((int[]) a, ai, (int[]) b, bi, (int[]) o, oi, n);
                    case INT64 -> i64((long[]) a, ai, (long[]) b, bi, (long[]) o, oi, n);
                    case BOOL -> throw new IllegalStateException(op + ": bool arithmetic is routed to a logical op");
                }
            }
            case COMPARE -> compare(t, a, ai, b, bi, (boolean[]) o, oi, n);
            case LOGICAL -> {
                boolean[] x = (boolean[]) a, y = (boolean[]) b, z = (boolean[]) o;
                for (int i = 0; i < n; i++) z[oi + i] = test(x[ai + i], y[bi + i]);
            }
        }
    }

    // ------------------------------------------------------------------ types

    /** The type the op computes in, given the promoted operand type (checks bool support). */
    private DType computeType(DType promoted) {
        return switch (kind) {
            case LOGICAL -> DType.BOOL;
            case COMPARE -> promoted;
            case ARITH -> {
                if (this == DIV && !promoted.isFloatingPoint()) yield DType.FLOAT32;
                if (promoted == DType.BOOL && boolAlias() == null)
                    throw new IllegalArgumentException(op + ": not supported for two bool operands"
                        + (this == SUB ? "; use logicalXor() instead" : "; convert with to(DType) first"));
                yield promoted;
            }
        };
    }

    /** On bool operands PyTorch's add/mul/maximum/minimum are logical or/and. */
    private Binary boolAlias() {
        return switch (this) {
            case ADD, MAXIMUM -> LOGICAL_OR;
            case MUL, MINIMUM -> LOGICAL_AND;
            default -> kind == Kind.ARITH ? null : this;
        };
    }

    private Binary forType(DType t) { return t == DType.BOOL && kind == Kind.ARITH ? boolAlias() : this; }

    private DType outType(DType compute) { return kind == Kind.ARITH ? compute : DType.BOOL; }

    /** Whether a result of type {@code from} may be written into a tensor of type {@code to} (PyTorch's canCast). */
    private static boolean canCast(DType from, DType to) {
        if (from.isFloatingPoint() && !to.isFloatingPoint()) return false;
        return from == DType.BOOL || to != DType.BOOL;
    }

    private static void checkAlpha(String op, DType t, double alpha) {
        if (alpha == 1) return;
        if (t == DType.BOOL)
            throw new IllegalArgumentException(op + ": alpha must be 1 for bool tensors, got " + alpha);
        if (!t.isFloatingPoint() && alpha != Math.rint(alpha))
            throw new IllegalArgumentException(op + ": alpha must be an integer for " + t + " tensors, got " + alpha);
    }

    // ------------------------------------------------------------------ public entry points

    /** {@code a (op) b} with broadcasting and type promotion. */
    public Tensor apply(Tensor a, Tensor b) { return apply(a, b, 1); }

    /** {@code a (op) b} with {@code b} given as a Python-float-like scalar. */
    public Tensor apply(Tensor a, double b) {
        DType t = computeType(a.dtype().promoteWithScalar(true));
        return run(a, Tensor.scalar(b, t), t, 1);
    }

    /** {@code a (op) b} with {@code b} given as a Python-int-like scalar. */
    public Tensor apply(Tensor a, long b) {
        DType t = computeType(a.dtype().promoteWithScalar(false));
        if (this == POW && b < 0 && !t.isFloatingPoint())
            throw new IllegalArgumentException("pow: integers to negative integer powers are not allowed (exponent "
                + b + " on a " + a.dtype() + " tensor); use a floating tensor or exponent");
        return run(a, Tensor.scalar(b).to(t), t, 1);
    }

    /** {@code a + alpha * b} in one pass (only meaningful for {@link #ADD}). */
    public static Tensor add(Tensor a, Tensor b, double alpha) { return ADD.apply(a, b, alpha); }

    private Tensor apply(Tensor a, Tensor b, double alpha) {
        DType t = computeType(DType.promote(a.dtype(), b.dtype()));
        return run(a, b, t, alpha);
    }

    private Tensor run(Tensor a, Tensor b, DType t, double alpha) {
        checkAlpha(op, t, alpha);
        int[] as = a.shape(), bs = b.shape();
        int[] shape = Arrays.equals(as, bs) ? as : Shapes.broadcast(op, as, bs);
        Tensor out = Tensor.empty(outType(t), shape);
        if (kind != Kind.ARITH || !Graph.recording(a, b)) {
            forType(t).execute(t, a.to(t), b.to(t), out, alpha);
            return out;
        }
        try (Scope ignored = Graph.pause()) {
            forType(t).execute(t, a.to(t), b.to(t), out, alpha);
        }
        return Graph.record(op, out, alpha == 1 ? rule : rule(alpha), saves(), a, b);
    }

    /** {@code self (op)= other}, in place: {@code other} broadcasts to self's shape; self's type is kept. */
    public Tensor applyInPlace(Tensor self, Tensor other) { return applyInPlace(self, other, 1); }

    /** {@code self (op)= b}, in place, with a Python-float-like scalar. */
    public Tensor applyInPlace(Tensor self, double b) {
        return applyInPlace(self, Tensor.scalar(b, self.dtype().promoteWithScalar(true)), 1);
    }

    /** {@code self (op)= b}, in place, with a Python-int-like scalar. */
    public Tensor applyInPlace(Tensor self, long b) {
        return applyInPlace(self, Tensor.scalar(b).to(self.dtype().promoteWithScalar(false)), 1);
    }

    /** {@code self += alpha * other}, in place. */
    public static Tensor addInPlace(Tensor self, Tensor other, double alpha) { return ADD.applyInPlace(self, other, alpha); }

    private Tensor applyInPlace(Tensor self, Tensor other, double alpha) {
        String name = op + "InPlace";
        if (kind != Kind.ARITH)
            throw new IllegalArgumentException(name + ": only arithmetic ops can run in place");
        DType st = self.dtype();
        DType t = computeType(DType.promote(st, other.dtype()));
        if (!canCast(t, st))
            throw new IllegalArgumentException(name + ": the result type " + t + " cannot be stored in this " + st
                + " tensor; convert it with to(DType) first");
        checkAlpha(name, st, alpha);
        int[] shape = self.shape();
        int[] b = Shapes.broadcast(name, shape, other.shape());
        if (!Arrays.equals(b, shape))
            throw new IllegalArgumentException(name + ": the other operand's shape " + Shapes.format(other.shape())
                + " would broadcast this tensor's shape " + Shapes.format(shape) + " to " + Shapes.format(b)
                + "; an in-place op cannot change the shape");
        checkWritable(name, self);
        Autograd.checkInPlace(name, self);
        if (other.storage() == self.storage()) other = other.copy(); // reading while writing another view of it
        forType(st).execute(st, self, other.to(st), self, alpha);
        self.storage().bumpVersion();
        return self;
    }

    /** Refuses views where several elements share one memory location (expanded views). */
    private static void checkWritable(String name, Tensor self) {
        int[] shape = self.shape(), strides = self.strides();
        for (int i = 0; i < shape.length; i++)
            if (strides[i] == 0 && shape[i] > 1)
                throw new IllegalArgumentException(name + ": this tensor of shape " + Shapes.format(shape)
                    + " is an expanded view (dimension " + i + " has stride 0), so several elements share memory;"
                    + " call contiguous() first");
    }

    // ------------------------------------------------------------------ driver

    /**
     * Writes {@code a (op) alpha*b} into {@code out}; {@code a} and {@code b} have type {@code t} and
     * broadcast to out's shape; out may be a strided view (and may be {@code a}).
     */
    private void execute(DType t, Tensor a, Tensor b, Tensor out, double alpha) {
        int n = out.numel();
        if (n == 0) return;
        Object av = a.storage().array(), bv = b.storage().array(), ov = out.storage().array();
        int na = a.numel(), nb = b.numel();
        if (out.isContiguous() && (na == 1 || na == n && a.isContiguous()) && (nb == 1 || nb == n && b.isContiguous())) {
            int sa = na == n ? 1 : 0, sb = nb == n ? 1 : 0;
            int ao = a.offset(), bo = b.offset(), oo = out.offset();
            if (n <= GRAIN) {
                row(t, av, ao, sa, bv, bo, sb, ov, oo, 1, n, alpha, new Scratch());
            } else {
                Parallel.forRange(n, GRAIN, (s, e) ->
                    row(t, av, ao + s * sa, sa, bv, bo + s * sb, sb, ov, oo + s, 1, e - s, alpha, new Scratch()));
            }
            return;
        }
        int[] shape = out.shape();
        int[] as = Shapes.broadcastStrides(a.shape(), a.strides(), shape), bs = Shapes.broadcastStrides(b.shape(), b.strides(), shape);
        int nd = shape.length;
        if (nd >= 2 && shape[nd - 2] >= 2 * TILE && shape[nd - 1] >= 2 * TILE
            && (crosses(as, nd) || crosses(bs, nd) || crosses(out.strides(), nd))) {
            tiled(t, a.broadcastTo(shape), b.broadcastTo(shape), out, alpha, shape);
            return;
        }
        general(t, a, as, b, bs, out, alpha, shape);
    }

    /** Tile edge for layouts that cross (e.g. a transpose against a row-major operand). */
    private static final int TILE = 64;

    /** True when rows walk this operand with a large stride while its column stride is 1: a transposed layout. */
    private static boolean crosses(int[] strides, int nd) {
        int inner = strides[nd - 1];
        return inner != 0 && inner != 1 && strides[nd - 2] == 1;
    }

    /**
     * Walks the last two dimensions in TILE×TILE blocks, so the operand read (or written) across its
     * rows reuses each cache line TILE times instead of once.
     */
    private void tiled(DType t, Tensor a, Tensor b, Tensor out, double alpha, int[] shape) {
        int nd = shape.length, rows = shape[nd - 2], cols = shape[nd - 1];
        int tr = (rows + TILE - 1) / TILE, tc = (cols + TILE - 1) / TILE;
        int perTile = out.numel() / rows / cols * TILE * TILE;
        Parallel.forRange(tr * tc, Math.max(1, GRAIN / perTile), (s, e) -> {
            for (int k = s; k < e; k++) {
                int r0 = k / tc * TILE, c0 = k % tc * TILE;
                int h = Math.min(TILE, rows - r0), w = Math.min(TILE, cols - c0);
                Tensor ta = a.narrow(nd - 2, r0, h).narrow(nd - 1, c0, w);
                Tensor tb = b.narrow(nd - 2, r0, h).narrow(nd - 1, c0, w);
                Tensor to = out.narrow(nd - 2, r0, h).narrow(nd - 1, c0, w);
                int[] ts = to.shape();
                general(t, ta, ta.strides(), tb, tb.strides(), to, alpha, ts);
            }
        });
    }

    /** The strided path: rows from {@link StridedIter}, split across the pool by rows. */
    private void general(DType t, Tensor a, int[] as, Tensor b, int[] bs, Tensor out, double alpha, int[] shape) {
        Object av = a.storage().array(), bv = b.storage().array(), ov = out.storage().array();
        StridedIter it = StridedIter.of(shape, new int[] {out.offset(), a.offset(), b.offset()}, out.strides(), as, bs);
        int os = it.innerStride(0), sa = it.innerStride(1), sb = it.innerStride(2);
        int rows = it.rows(), len = it.rowLength();
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(len, 1)), (s, e) -> {
            Scratch sc = new Scratch();
            it.forRows(s, e, (o, m) -> row(t, av, o[1], sa, bv, o[2], sb, ov, o[0], os, m, alpha, sc));
        });
    }

    /** One row: direct kernel call when everything is unit-stride, else L1-sized gathered chunks. */
    private void row(DType t, Object a, int ao, int sa, Object b, int bo, int sb, Object o, int oo, int so,
                     int n, double alpha, Scratch sc) {
        boolean scaled = alpha != 1;
        if (sa == 1 && sb == 1 && so == 1 && !scaled) {
            kernel(t, a, ao, b, bo, o, oo, n);
            return;
        }
        if (this == ADD && scaled && sa == 1 && sb == 1 && so == 1 && t.isFloatingPoint()) {
            axpy(a, ao, b, bo, o, oo, n, alpha); // the optimizer update p += alpha*g: one fused pass
            return;
        }
        int cap = Math.min(n, CHUNK);
        for (int c = 0; c < n; c += CHUNK) {
            int m = Math.min(CHUNK, n - c);
            Object x = a, y = b, z = o;
            int xo = ao + c, yo = bo + c, zo = oo + c;
            if (sa != 1) {
                x = sc.a = scratch(sc.a, a, cap);
                xo = 0;
                if (sa != 0 || c == 0) gather(a, ao + c * sa, sa, x, sa == 0 ? cap : m);
            }
            if (sb != 1 || scaled) {
                y = sc.b = scratch(sc.b, b, cap);
                yo = 0;
                if (sb != 0 || c == 0) {
                    int k = sb == 0 ? cap : m;
                    gather(b, bo + c * sb, sb, y, k);
                    if (scaled) scale(y, k, alpha);
                }
            }
            if (so != 1) {
                z = sc.o = scratch(sc.o, o, cap);
                zo = 0;
            }
            kernel(t, x, xo, y, yo, z, zo, m);
            if (so != 1) scatter(z, m, o, oo + c * so, so);
        }
    }

    /** o = a + alpha*b over unit-stride floating arrays (alpha rounded to the type first, as in gather+scale). */
    private static void axpy(Object a, int ai, Object b, int bi, Object o, int oi, int n, double alpha) {
        if (o instanceof float[] z) {
            float[] x = (float[]) a, y = (float[]) b;
            float k = (float) alpha;
            for (int i = 0; i < n; i++) z[oi + i] = x[ai + i] + k * y[bi + i];
        } else {
            double[] x = (double[]) a, y = (double[]) b, z = (double[]) o;
            for (int i = 0; i < n; i++) z[oi + i] = x[ai + i] + alpha * y[bi + i];
        }
    }

    /** Per-task scratch buffers, allocated on first need. */
    private static final class Scratch {
        Object a, b, o;
    }

    private static Object scratch(Object have, Object like, int n) {
        if (have != null && java.lang.reflect.Array.getLength(have) >= n) return have;
        return switch (like) {
            case float[] x -> new float[n];
            case double[] x -> new double[n];
            case int[] x -> new int[n];
            case long[] x -> new long[n];
            case boolean[] x -> new boolean[n];
            default -> throw new IllegalStateException("unexpected array " + like.getClass());
        };
    }

    /** dst[0..n) = src[off + i*stride]; stride 0 broadcasts one element. */
    private static void gather(Object src, int off, int stride, Object dst, int n) {
        switch (src) {
            case float[] s -> { float[] d = (float[]) dst; if (stride == 0) Arrays.fill(d, 0, n, s[off]); else for (int i = 0, j = off; i < n; i++, j += stride) d[i] = s[j]; }
            case double[] s -> { double[] d = (double[]) dst; if (stride == 0) Arrays.fill(d, 0, n, s[off]); else for (int i = 0, j = off; i < n; i++, j += stride) d[i] = s[j]; }
            case int[] s -> { int[] d = (int[]) dst; if (stride == 0) Arrays.fill(d, 0, n, s[off]); else for (int i = 0, j = off; i < n; i++, j += stride) d[i] = s[j]; }
            case long[] s -> { long[] d = (long[]) dst; if (stride == 0) Arrays.fill(d, 0, n, s[off]); else for (int i = 0, j = off; i < n; i++, j += stride) d[i] = s[j]; }
            case boolean[] s -> { boolean[] d = (boolean[]) dst; if (stride == 0) Arrays.fill(d, 0, n, s[off]); else for (int i = 0, j = off; i < n; i++, j += stride) d[i] = s[j]; }
            default -> throw new IllegalStateException("unexpected array " + src.getClass());
        }
    }

    /** dst[off + i*stride] = src[i] for i in [0, n). */
    private static void scatter(Object src, int n, Object dst, int off, int stride) {
        switch (dst) {
            case float[] d -> { float[] s = (float[]) src; for (int i = 0, j = off; i < n; i++, j += stride) d[j] = s[i]; }
            case double[] d -> { double[] s = (double[]) src; for (int i = 0, j = off; i < n; i++, j += stride) d[j] = s[i]; }
            case int[] d -> { int[] s = (int[]) src; for (int i = 0, j = off; i < n; i++, j += stride) d[j] = s[i]; }
            case long[] d -> { long[] s = (long[]) src; for (int i = 0, j = off; i < n; i++, j += stride) d[j] = s[i]; }
            case boolean[] d -> { boolean[] s = (boolean[]) src; for (int i = 0, j = off; i < n; i++, j += stride) d[j] = s[i]; }
            default -> throw new IllegalStateException("unexpected array " + dst.getClass());
        }
    }

    /** Multiplies the first n elements by alpha (checked integral for integer arrays). */
    private static void scale(Object arr, int n, double alpha) {
        switch (arr) {
            case float[] d -> { float k = (float) alpha; for (int i = 0; i < n; i++) d[i] *= k; }
            case double[] d -> { for (int i = 0; i < n; i++) d[i] *= alpha; }
            case int[] d -> { int k = (int) alpha; for (int i = 0; i < n; i++) d[i] *= k; }
            case long[] d -> { long k = (long) alpha; for (int i = 0; i < n; i++) d[i] *= k; }
            default -> throw new IllegalStateException("cannot scale " + arr.getClass());
        }
    }

    // ------------------------------------------------------------------ where, fill, comparisons of whole tensors

    /** Elements of {@code a} where {@code cond} is true, else of {@code b}; all three broadcast. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL)
            throw new IllegalArgumentException("where: the condition must be a bool tensor, got " + cond.dtype()
                + " of shape " + Shapes.format(cond.shape()) + "; compare first (e.g. x.gt(0)) or use to(DType.BOOL)");
        DType t = DType.promote(a.dtype(), b.dtype());
        int[] shape = Shapes.broadcast("where", cond.shape(), a.shape(), b.shape());
        Tensor out = Tensor.empty(t, shape);
        if (out.numel() == 0) return out;
        if (Graph.recording(a, b)) {
            try (Scope ignored = Graph.pause()) {
                whereInto(cond, a.to(t), b.to(t), out);
            }
            return Graph.record("where", out, (s, g) -> {
                Tensor zero = Tensor.scalar(0.0, g.dtype()), c = s.input(0);
                return new Tensor[] {null,
                    s.needsGrad(1) ? Graph.sumTo(Tensor.where(c, g, zero), s.inputShape(1)) : null,
                    s.needsGrad(2) ? Graph.sumTo(Tensor.where(c, zero, g), s.inputShape(2)) : null};
            }, cond, a, b);
        }
        whereInto(cond, a.to(t), b.to(t), out);
        return out;
    }

    private static void whereInto(Tensor cond, Tensor x, Tensor y, Tensor out) {
        int[] shape = out.shape();
        StridedIter it = StridedIter.of(shape, new int[] {0, cond.offset(), x.offset(), y.offset()}, out.strides(),
            Shapes.broadcastStrides(cond.shape(), cond.strides(), shape),
            Shapes.broadcastStrides(x.shape(), x.strides(), shape),
            Shapes.broadcastStrides(y.shape(), y.strides(), shape));
        boolean[] c = cond.storage().bools();
        Object xv = x.storage().array(), yv = y.storage().array(), ov = out.storage().array();
        int sc = it.innerStride(1), sx = it.innerStride(2), sy = it.innerStride(3);
        it.forEachRow((o, n) -> {
            int ci = o[1], xi = o[2], yi = o[3], oi = o[0];
            switch (ov) {
                case float[] d -> { float[] p = (float[]) xv, q = (float[]) yv; for (int i = 0; i < n; i++, ci += sc, xi += sx, yi += sy) d[oi + i] = c[ci] ? p[xi] : q[yi]; }
                case double[] d -> { double[] p = (double[]) xv, q = (double[]) yv; for (int i = 0; i < n; i++, ci += sc, xi += sx, yi += sy) d[oi + i] = c[ci] ? p[xi] : q[yi]; }
                case int[] d -> { int[] p = (int[]) xv, q = (int[]) yv; for (int i = 0; i < n; i++, ci += sc, xi += sx, yi += sy) d[oi + i] = c[ci] ? p[xi] : q[yi]; }
                case long[] d -> { long[] p = (long[]) xv, q = (long[]) yv; for (int i = 0; i < n; i++, ci += sc, xi += sx, yi += sy) d[oi + i] = c[ci] ? p[xi] : q[yi]; }
                case boolean[] d -> { boolean[] p = (boolean[]) xv, q = (boolean[]) yv; for (int i = 0; i < n; i++, ci += sc, xi += sx, yi += sy) d[oi + i] = c[ci] ? p[xi] : q[yi]; }
                default -> throw new IllegalStateException("unexpected array " + ov.getClass());
            }
        });
    }

    /** Sets every element of {@code self} (any view) to {@code value}, converted to its type. */
    public static Tensor fill(Tensor self, double value) {
        Autograd.checkInPlace("fillInPlace", self);
        if (self.isContiguous()) {
            int from = self.offset(), to = from + self.numel();
            switch (self.storage().array()) {
                case float[] d -> Arrays.fill(d, from, to, (float) value);
                case double[] d -> Arrays.fill(d, from, to, value);
                case int[] d -> Arrays.fill(d, from, to, (int) value);
                case long[] d -> Arrays.fill(d, from, to, (long) value);
                case boolean[] d -> Arrays.fill(d, from, to, value != 0);
                default -> throw new IllegalStateException();
            }
            self.storage().bumpVersion();
            return self;
        }
        return self.copyFrom(Tensor.scalar(value, self.dtype())); // strided write; copyFrom bumps the version
    }

    /**
     * True when every pair of (broadcast) elements satisfies |a - b| <= atol + rtol·|b|; infinities
     * must match exactly and NaN is never close (PyTorch's allclose with equal_nan=false).
     */
    public static boolean allClose(Tensor a, Tensor b, double rtol, double atol) {
        if (!(rtol >= 0) || !(atol >= 0))
            throw new IllegalArgumentException("allClose: rtol and atol must be non-negative, got rtol " + rtol + " and atol " + atol);
        int[] shape = Shapes.broadcast("allClose", a.shape(), b.shape());
        Tensor x = a.to(DType.FLOAT64), y = b.to(DType.FLOAT64);
        StridedIter it = StridedIter.of(shape, new int[] {x.offset(), y.offset()},
            Shapes.broadcastStrides(x.shape(), x.strides(), shape), Shapes.broadcastStrides(y.shape(), y.strides(), shape));
        double[] p = x.storage().doubles(), q = y.storage().doubles();
        int sx = it.innerStride(0), sy = it.innerStride(1);
        boolean[] ok = {true};
        it.forRows(0, it.rows(), (o, n) -> {
            for (int i = 0, xi = o[0], yi = o[1]; i < n && ok[0]; i++, xi += sx, yi += sy) {
                double u = p[xi], v = q[yi];
                if (u == v) continue;
                if (!Double.isFinite(u) || !Double.isFinite(v) || !(Math.abs(u - v) <= atol + rtol * Math.abs(v))) ok[0] = false;
            }
        });
        return ok[0];
    }

    /** True when both tensors have the same shape and equal values (NaN equals nothing). */
    public static boolean equal(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) return false;
        for (boolean v : EQ.apply(a, b).storage().bools()) if (!v) return false;
        return true;
    }
}
