package dev.fathom.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by every op: element counts, strides, broadcasting, axis checks. */
public final class Shapes {
    private Shapes() {}

    /** Number of elements of a shape (1 for the scalar shape {@code []}). */
    public static int numel(int[] shape) { return numel(null, shape); }

    /** {@link #numel(int[])} of an op's result: a shape too large for a tensor is an error naming the op. */
    public static int numel(String op, int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException((op == null ? "shape " + format(shape) + " has "
                : op + ": the result shape " + format(shape) + " would have ") + n
                + " elements; a tensor holds at most " + Integer.MAX_VALUE);
        return (int) n;
    }

    /** Row-major (C order) strides for a shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /** Formats a shape as {@code [2, 3]}. */
    public static String format(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Checks that every dimension is non-negative. */
    public static int[] checkShape(String op, int[] shape) {
        for (int d : shape)
            if (d < 0)
                throw new IllegalArgumentException(op + ": invalid shape " + format(shape)
                    + ": dimensions must be non-negative");
        return shape;
    }

    /**
     * The NumPy broadcast of two shapes: aligned from the right, each pair of sizes must be equal
     * or one of them 1.
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else
                throw new IllegalArgumentException(op + ": shapes " + format(a) + " and " + format(b)
                    + " cannot be broadcast: dimension " + i + " (aligned from the right) has sizes "
                    + da + " and " + db + "; sizes must match or one of them be 1");
        }
        return out;
    }

    /** The broadcast of any number of shapes. */
    public static int[] broadcast(String op, int[]... shapes) {
        int[] out = new int[0];
        for (int[] s : shapes) out = broadcast(op, out, s);
        return out;
    }

    /**
     * Strides that read a tensor of {@code shape}/{@code strides} as if it had the (broadcast)
     * shape {@code target}: broadcast dimensions get stride 0.
     */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] out = new int[target.length];
        int off = target.length - shape.length;
        for (int i = 0; i < shape.length; i++)
            out[i + off] = shape[i] == 1 && target[i + off] != 1 ? 0 : strides[i];
        return out;
    }

    /** Normalises a possibly negative axis into {@code [0, ndim)}, naming the op on failure. */
    public static int axis(String op, int axis, int ndim) {
        int a = axis < 0 ? axis + ndim : axis;
        if (a < 0 || a >= ndim)
            throw new IllegalArgumentException(op + ": dimension " + axis + " is out of range for a "
                + ndim + "-d tensor; expected a value in [" + (-ndim) + ", " + (ndim - 1) + "]");
        return a;
    }

    /** Normalises a list of axes; an empty list means every axis. Duplicates are an error. */
    public static boolean[] axesMask(String op, int[] axes, int ndim) {
        boolean[] m = new boolean[ndim];
        if (axes.length == 0) {
            Arrays.fill(m, true);
            return m;
        }
        for (int ax : axes) {
            int a = axis(op, ax, ndim);
            if (m[a]) throw new IllegalArgumentException(op + ": dimension " + ax + " appears more than once in "
                + Arrays.toString(axes));
            m[a] = true;
        }
        return m;
    }
}
