package dev.fathom.ops;

import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.backend.Parallel;
import dev.fathom.backend.StridedIter;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * {@code torch.nn.functional.pad}: {@code pads} lists (before, after) pairs starting from the
 * LAST dimension, so {@code {1, 2}} pads the last dimension with 1 element before and 2 after, and
 * {@code {1, 1, 2, 2}} also pads the second-to-last by 2 on each side. Negative values crop.
 *
 * <p>Unlike PyTorch, the non-constant modes accept any number of padded dimensions (PyTorch
 * limits them to the last 1-3 dimensions of a batched input); the per-dimension rules are the same.
 *
 * <p>Gradients: constant padding is undone by the opposite padding (the padded border is cut
 * off, a cropped border comes back as zeros). In the other modes every output position reads
 * one input position per dimension, so the gradient adds each output position's gradient back
 * onto its source, one padded dimension at a time, with {@link Indexing#indexAdd} and the
 * position map of that dimension; indexAdd's own gradient is the matching indexSelect, so
 * second derivatives follow.
 */
public final class Pad {
    private Pad() {}

    /** How padded elements get their values. */
    public enum PadMode {
        /** A constant value (0 unless given). */
        CONSTANT,
        /** Mirror without repeating the edge: {@code [1,2,3]} padded by 2 is {@code [3,2,1,2,3,2,1]}; pads must be &lt; size. */
        REFLECT,
        /** Repeat the edge element: {@code [1,2,3]} padded by 2 is {@code [1,1,1,2,3,3,3]}. */
        REPLICATE,
        /** Wrap around: {@code [1,2,3]} padded by 2 is {@code [2,3,1,2,3,1,2]}; pads must be &lt;= size. */
        CIRCULAR;

        /** Parses {@code "constant"}, {@code "reflect"}, {@code "replicate"} or {@code "circular"} (any case). */
        public static PadMode parse(String mode) {
            if (mode != null)
                for (PadMode m : values()) if (m.name().equals(mode.toUpperCase(Locale.ROOT))) return m;
            throw new IllegalArgumentException("pad: unknown padding mode " + (mode == null ? "null" : "\"" + mode + "\"")
                + "; expected one of \"constant\", \"reflect\", \"replicate\", \"circular\"");
        }
    }

    /** Constant padding with {@code value} (converted to the input's type). */
    public static Tensor pad(Tensor x, int[] pads, double value) {
        return pad(x, pads, PadMode.CONSTANT, value);
    }

    /** Padding in the named mode ({@code "constant"} pads with 0). */
    public static Tensor pad(Tensor x, int[] pads, String mode) {
        return pad(x, pads, PadMode.parse(mode), 0);
    }

    /** Padding in {@code mode} ({@link PadMode#CONSTANT} pads with 0). */
    public static Tensor pad(Tensor x, int[] pads, PadMode mode) {
        return pad(x, pads, mode, 0);
    }

    private static Tensor pad(Tensor x, int[] pads, PadMode mode, double value) {
        int[] p = pads == null ? null : pads.clone();
        return Graph.run("pad", () -> padForward(x, p, mode, value),
            (s, g) -> new Tensor[] {padBackward(g, s.inputShape(0), p, mode)}, Saves.NONE, x);
    }

    /** The gradient of {@code pad(x, pads, mode)} for an input of {@code shape}, given the output's gradient. */
    private static Tensor padBackward(Tensor g, int[] shape, int[] pads, PadMode mode) {
        if (mode == PadMode.CONSTANT) {
            int[] opposite = new int[pads.length];
            for (int i = 0; i < pads.length; i++) opposite[i] = -pads[i];
            return pad(g, opposite, 0.0);
        }
        int nd = shape.length;
        for (int i = 0; i < pads.length / 2; i++) {
            int d = nd - 1 - i, l = pads[2 * i], n = shape[d], size = g.size(d);
            if (l == 0 && pads[2 * i + 1] == 0) continue;
            long[] map = new long[size]; // the input position each output position of dimension d reads
            for (int j = 0; j < size; j++) map[j] = source(mode, j, l, n);
            int[] zs = g.shape();
            zs[d] = n;
            g = Indexing.indexAdd(Tensor.zeros(g.dtype(), zs), d, Tensor.of(map, size), g);
        }
        return g;
    }

    private static Tensor padForward(Tensor x, int[] pads, PadMode mode, double value) {
        final String op = "pad";
        if (pads == null) throw new IllegalArgumentException(op + ": pads must not be null");
        if (mode == null) throw new IllegalArgumentException(op + ": mode must not be null");
        int[] shape = x.shape();
        int nd = shape.length;
        if (pads.length % 2 != 0)
            throw new IllegalArgumentException(op + ": pads " + Arrays.toString(pads) + " must have an even length "
                + "(a before/after pair per dimension, last dimension first)");
        int np = pads.length / 2;
        if (np > nd)
            throw new IllegalArgumentException(op + ": pads " + Arrays.toString(pads) + " pad " + np
                + " dimensions but the input has shape " + Shapes.format(shape) + " with " + nd);
        if (np == 0) return x.copy();
        int[] before = new int[nd], after = new int[nd], outShape = shape.clone();
        for (int i = 0; i < np; i++) {
            int d = nd - 1 - i;
            int l = pads[2 * i], r = pads[2 * i + 1], n = shape[d];
            long size = (long) n + l + r;
            if (size < 0 || size > Integer.MAX_VALUE)
                throw new IllegalArgumentException(op + ": padding (" + l + ", " + r + ") of dimension " + d
                    + " (size " + n + ", input shape " + Shapes.format(shape) + ") gives an invalid size " + size);
            before[d] = l;
            after[d] = r;
            outShape[d] = (int) size;
            if (size > 0 && (l != 0 || r != 0)) checkMode(op, mode, d, l, r, n, shape);
        }
        Tensor out = Indexing.newTensor(op, x.dtype(), outShape);
        if (out.numel() > 0) padRows(x, out, mode, before, value);
        return out;
    }

    private static void checkMode(String op, PadMode mode, int d, int l, int r, int n, int[] shape) {
        String where = " for dimension " + d + " of input shape " + Shapes.format(shape);
        switch (mode) {
            case CONSTANT -> { }
            case REFLECT -> {
                if (l >= n || r >= n)
                    throw new IllegalArgumentException(op + ": reflect padding (" + l + ", " + r + ")" + where
                        + " must be less than that dimension's size " + n);
            }
            case REPLICATE -> {
                if (n == 0)
                    throw new IllegalArgumentException(op + ": replicate padding (" + l + ", " + r + ")" + where
                        + " needs a non-empty dimension");
            }
            case CIRCULAR -> {
                if (n == 0 || l > n || r > n)
                    throw new IllegalArgumentException(op + ": circular padding (" + l + ", " + r + ")" + where
                        + " must be at most that dimension's size " + n + " (and the size non-zero)");
            }
        }
    }

    /** Source element for output position {@code i} of a dimension of size {@code n} padded by {@code l} before. */
    private static int source(PadMode mode, int i, int l, int n) {
        int j = i - l;
        return switch (mode) {
            case REFLECT -> j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
            case REPLICATE -> Math.clamp(j, 0, n - 1);
            case CIRCULAR -> Math.floorMod(j, n);
            case CONSTANT -> throw new IllegalStateException();
        };
    }

    /**
     * Fills {@code out} row by row (a row is the last dimension). Per dimension a table maps each
     * output position to its input offset, or -1 for a constant-padded position; the part of a
     * row that maps straight onto the input is one arraycopy when the input's last dimension is
     * contiguous, so padding costs little more than a copy.
     */
    private static void padRows(Tensor x, Tensor out, PadMode mode, int[] before, double value) {
        int[] shape = x.shape(), xs = x.strides(), os = out.shape();
        int nd = shape.length;
        boolean constant = mode == PadMode.CONSTANT;
        int[][] offs = new int[nd][];
        for (int d = 0; d < nd; d++) {
            offs[d] = new int[os[d]];
            for (int i = 0; i < os[d]; i++) {
                int j = i - before[d];
                offs[d][i] = j >= 0 && j < shape[d] ? j * xs[d]
                    : constant ? -1 : source(mode, i, before[d], shape[d]) * xs[d];
            }
        }
        int last = nd - 1, rowLen = os[last], rows = out.numel() / rowLen;
        int l = before[last], n = shape[last];
        // [mf, mt): the positions of a row that read input elements l..l+n-1 in order
        int mf = Math.clamp(l, 0, rowLen), mt = Math.clamp((long) l + n, mf, rowLen);
        boolean unit = xs[last] == 1, fill = constant && value != 0; // new arrays are already zero
        int base0 = x.offset();
        int[] lastOffs = offs[last];
        Object src = x.storage().array(), dst = out.storage().array();
        Parallel.forRange(rows, Math.max(1, StridedIter.PARALLEL_GRAIN / rowLen), (s, e) -> {
            int[] idx = new int[last];
            for (int d = last - 1, r = s; d >= 0; d--) {
                idx[d] = r % os[d];
                r /= os[d];
            }
            for (int row = s; row < e; row++) {
                int base = base0;
                boolean padRow = false;
                for (int d = 0; d < last && !padRow; d++) {
                    int od = offs[d][idx[d]];
                    if (od < 0) padRow = true;
                    else base += od;
                }
                int o = row * rowLen;
                if (padRow) {
                    if (fill) fill(dst, o, o + rowLen, value);
                } else {
                    if (!constant) {
                        lookup(src, base, lastOffs, 0, mf, dst, o);
                        lookup(src, base, lastOffs, mt, rowLen, dst, o);
                    } else if (fill) {
                        fill(dst, o, o + mf, value);
                        fill(dst, o + mt, o + rowLen, value);
                    }
                    if (mt > mf) {
                        if (unit) System.arraycopy(src, base + mf - l, dst, o + mf, mt - mf);
                        else lookup(src, base, lastOffs, mf, mt, dst, o);
                    }
                }
                for (int d = last - 1; d >= 0; d--) {
                    if (++idx[d] < os[d]) break;
                    idx[d] = 0;
                }
            }
        });
    }

    private static void fill(Object dst, int from, int to, double v) {
        if (from >= to) return;
        switch (dst) {
            case float[] d -> Arrays.fill(d, from, to, (float) v);
            case double[] d -> Arrays.fill(d, from, to, v);
            case int[] d -> Arrays.fill(d, from, to, (int) v);
            case long[] d -> Arrays.fill(d, from, to, (long) v);
            case boolean[] d -> Arrays.fill(d, from, to, v != 0);
            default -> throw new IllegalStateException();
        }
    }

    /** {@code dst[o + i] = src[base + offs[i]]} for i in [from, to). */
    private static void lookup(Object src, int base, int[] offs, int from, int to, Object dst, int o) {
        if (from >= to) return;
        switch (dst) {
            case float[] d -> { float[] s = (float[]) src; for (int i = from; i < to; i++) d[o + i] = s[base + offs[i]]; }
            case double[] d -> { double[] s = (double[]) src; for (int i = from; i < to; i++) d[o + i] = s[base + offs[i]]; }
            case int[] d -> { int[] s = (int[]) src; for (int i = from; i < to; i++) d[o + i] = s[base + offs[i]]; }
            case long[] d -> { long[] s = (long[]) src; for (int i = from; i < to; i++) d[o + i] = s[base + offs[i]]; }
            case boolean[] d -> { boolean[] s = (boolean[]) src; for (int i = from; i < to; i++) d[o + i] = s[base + offs[i]]; }
            default -> throw new IllegalStateException();
        }
    }
}
