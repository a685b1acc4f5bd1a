package dev.fathom.tensor;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.AutogradMeta;
import dev.fathom.autograd.Backward;
import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Hook;
import dev.fathom.autograd.Node;
import dev.fathom.autograd.Saves;
import dev.fathom.backend.Copy;
import dev.fathom.ops.Binary;
import dev.fathom.ops.Conv;
import dev.fathom.ops.Indexing;
import dev.fathom.ops.Join;
import dev.fathom.ops.Linalg;
import dev.fathom.ops.Pad;
import dev.fathom.ops.Pool;
import dev.fathom.ops.PoolResult;
import dev.fathom.ops.Reductions;
import dev.fathom.ops.Unary;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An n-dimensional array with NumPy semantics: a view (shape, strides, offset, dtype) over a
 * {@link Storage} on the Java heap. Metadata is immutable; views share storage without copying.
 *
 * {@snippet :
 * Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
 * Tensor y = x.transpose(0, 1);     // a view, shape [3, 2], no copy
 * Tensor z = y.contiguous();        // copies only because y is not contiguous
 * }
 */
public final class Tensor {
    final Storage storage;
    final int[] shape;
    final int[] strides;
    final int offset;
    /** Autograd state; null for tensors that never took part in autograd. */
    private AutogradMeta autograd;

    Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A new contiguous tensor over {@code storage} with the given shape. */
    public static Tensor wrap(Storage storage, int... shape) {
        Shapes.checkShape("Tensor.wrap", shape);
        int n = Shapes.numel(shape);
        if (n != storage.length())
            throw new IllegalArgumentException("Tensor.wrap: shape " + Shapes.format(shape) + " needs " + n
                + " elements but the storage has " + storage.length());
        return new Tensor(storage, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /**
     * A view over {@code storage} with explicit strides and offset (like {@code torch.as_strided}).
     * Every element the view can address must lie inside the storage.
     */
    public static Tensor asStrided(Storage storage, int[] shape, int[] strides, int offset) {
        Shapes.checkShape("Tensor.asStrided", shape);
        if (strides.length != shape.length)
            throw new IllegalArgumentException("Tensor.asStrided: " + strides.length + " strides for a "
                + shape.length + "-d shape " + Shapes.format(shape));
        long lo = offset, hi = offset;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) empty = true;
            long ext = (long) (shape[i] - 1) * strides[i];
            if (ext < 0) lo += ext; else hi += ext;
        }
        if (!empty && (lo < 0 || hi >= storage.length()))
            throw new IllegalArgumentException("Tensor.asStrided: shape " + Shapes.format(shape) + " with strides "
                + Arrays.toString(strides) + " and offset " + offset + " reaches elements [" + lo + ", " + hi
                + "], outside a storage of " + storage.length());
        return new Tensor(storage, shape.clone(), strides.clone(), offset);
    }

    /** A new zero-filled contiguous tensor. */
    public static Tensor empty(DType dtype, int... shape) {
        Shapes.checkShape("Tensor.empty", shape);
        return new Tensor(Storage.allocate(dtype, Shapes.numel(shape)), shape.clone(),
            Shapes.contiguousStrides(shape), 0);
    }

    // ------------------------------------------------------------------ creation

    /** A float32 tensor of the given shape over a copy of {@code data} (row-major). */
    public static Tensor of(float[] data, int... shape) { return fromFlat("Tensor.of", data.clone(), shape); }

    /** A float64 tensor of the given shape over a copy of {@code data}. */
    public static Tensor of(double[] data, int... shape) { return fromFlat("Tensor.of", data.clone(), shape); }

    /** An int32 tensor of the given shape over a copy of {@code data}. */
    public static Tensor of(int[] data, int... shape) { return fromFlat("Tensor.of", data.clone(), shape); }

    /** An int64 tensor of the given shape over a copy of {@code data}. */
    public static Tensor of(long[] data, int... shape) { return fromFlat("Tensor.of", data.clone(), shape); }

    /** A bool tensor of the given shape over a copy of {@code data}. */
    public static Tensor of(boolean[] data, int... shape) { return fromFlat("Tensor.of", data.clone(), shape); }

    /** A 1-d float32 tensor. */
    public static Tensor vector(float... data) { return of(data, data.length); }

    /** A 1-d float64 tensor. */
    public static Tensor vector(double... data) { return of(data, data.length); }

    /** A 1-d int64 tensor (the index type). */
    public static Tensor vector(long... data) { return of(data, data.length); }

    /** A 0-d float32 tensor. */
    public static Tensor scalar(float value) { return of(new float[] {value}); }

    /** A 0-d float64 tensor. */
    public static Tensor scalar(double value) { return of(new double[] {value}); }

    /** A 0-d int64 tensor. */
    public static Tensor scalar(long value) { return of(new long[] {value}); }

    /** A 0-d bool tensor. */
    public static Tensor scalar(boolean value) { return of(new boolean[] {value}); }

    /** A 0-d tensor of the given type holding {@code value}. */
    public static Tensor scalar(double value, DType dtype) { return full(value, dtype); }

    private static Tensor fromFlat(String op, Object data, int[] shape) {
        Shapes.checkShape(op, shape);
        int n = Shapes.numel(shape);
        int len = Array.getLength(data);
        if (n != len)
            throw new IllegalArgumentException(op + ": " + len + " values cannot fill shape " + Shapes.format(shape)
                + ", which holds " + n);
        return new Tensor(Storage.wrap(data), shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** A float32 matrix from rows; every row must have the same length. */
    public static Tensor of(float[][] rows) { return fromNested(rows); }

    /** A float32 3-d tensor from nested arrays. */
    public static Tensor of(float[][][] data) { return fromNested(data); }

    /** A float64 matrix from rows. */
    public static Tensor of(double[][] rows) { return fromNested(rows); }

    /** A float64 3-d tensor from nested arrays. */
    public static Tensor of(double[][][] data) { return fromNested(data); }

    /** An int32 matrix from rows. */
    public static Tensor of(int[][] rows) { return fromNested(rows); }

    /** An int64 matrix from rows. */
    public static Tensor of(long[][] rows) { return fromNested(rows); }

    /** A bool matrix from rows. */
    public static Tensor of(boolean[][] rows) { return fromNested(rows); }

    /**
     * A tensor from nested Java arrays of any depth ending in {@code float[]}, {@code double[]},
     * {@code int[]}, {@code long[]} or {@code boolean[]}. The nesting must be rectangular.
     */
    public static Tensor fromNested(Object nested) {
        List<Integer> dims = new ArrayList<>();
        Object cur = nested;
        while (cur != null && cur.getClass().isArray() && !cur.getClass().getComponentType().isPrimitive()) {
            dims.add(Array.getLength(cur));
            if (Array.getLength(cur) == 0) break;
            cur = Array.get(cur, 0);
        }
        if (cur == null || !cur.getClass().isArray())
            throw new IllegalArgumentException("Tensor.fromNested: expected nested arrays ending in a primitive array, got "
                + (nested == null ? "null" : nested.getClass().getSimpleName()));
        Class<?> leafType = cur.getClass();
        if (leafType.getComponentType().isPrimitive()) dims.add(Array.getLength(cur));
        else leafType = float[].class;
        int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
        int n = Shapes.numel(shape);
        Object flat = Array.newInstance(leafType.getComponentType(), n);
        int[] pos = {0};
        flatten(nested, shape, 0, flat, pos, leafType);
        return fromFlat("Tensor.fromNested", flat, shape);
    }

    private static void flatten(Object node, int[] shape, int depth, Object flat, int[] pos, Class<?> leafType) {
        int len = Array.getLength(node);
        if (len != shape[depth])
            throw new IllegalArgumentException("Tensor.fromNested: ragged nesting: dimension " + depth + " has length "
                + len + " where an earlier row had " + shape[depth]);
        if (depth == shape.length - 1) {
            if (node.getClass() != leafType)
                throw new IllegalArgumentException("Tensor.fromNested: mixed element types " + node.getClass().getSimpleName()
                    + " and " + leafType.getSimpleName());
            System.arraycopy(node, 0, flat, pos[0], len);
            pos[0] += len;
            return;
        }
        for (int i = 0; i < len; i++) flatten(Array.get(node, i), shape, depth + 1, flat, pos, leafType);
    }

    /** float32 zeros. */
    public static Tensor zeros(int... shape) { return empty(DType.FLOAT32, shape); }

    /** Zeros of the given type. */
    public static Tensor zeros(DType dtype, int... shape) { return empty(dtype, shape); }

    /** float32 ones. */
    public static Tensor ones(int... shape) { return full(1.0, DType.FLOAT32, shape); }

    /** Ones of the given type. */
    public static Tensor ones(DType dtype, int... shape) { return full(1.0, dtype, shape); }

    /** A float32 tensor filled with {@code value}. */
    public static Tensor full(double value, int... shape) { return full(value, DType.FLOAT32, shape); }

    /** A tensor of the given type filled with {@code value}. */
    public static Tensor full(double value, DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        t.fillRaw(value);
        return t;
    }

    private void fillRaw(double value) {
        switch (storage.array()) {
            case float[] a -> Arrays.fill(a, (float) value);
            case double[] a -> Arrays.fill(a, value);
            case int[] a -> Arrays.fill(a, (int) value);
            case long[] a -> Arrays.fill(a, (long) value);
            case boolean[] a -> Arrays.fill(a, value != 0);
            default -> throw new IllegalStateException();
        }
    }

    /** Zeros with this tensor's shape and type. */
    public Tensor zerosLike() { return empty(dtype(), shape); }

    /** Ones with this tensor's shape and type. */
    public Tensor onesLike() { return full(1.0, dtype(), shape); }

    /** {@code value} everywhere, with this tensor's shape and type. */
    public Tensor fullLike(double value) { return full(value, dtype(), shape); }

    /** int64 {@code [0, 1, ..., end-1]}. */
    public static Tensor arange(long end) { return arange(0, end, 1); }

    /** int64 {@code [start, start+step, ...)} stopping before {@code end}. */
    public static Tensor arange(long start, long end, long step) {
        if (step == 0) throw new IllegalArgumentException("arange: step must be non-zero");
        long n = Math.max(0, (end - start + step - Long.signum(step)) / step);
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("arange: " + n + " elements is too many");
        long[] d = new long[(int) n];
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return of(d, (int) n);
    }

    /** float32 {@code [start, start+step, ...)} stopping before {@code end}, as torch.arange with floats. */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0 || !Double.isFinite(step))
            throw new IllegalArgumentException("arange: step must be finite and non-zero, got " + step);
        double len = Math.ceil((end - start) / step);
        if (!(len <= Integer.MAX_VALUE)) throw new IllegalArgumentException("arange: " + len + " elements is too many");
        int n = (int) Math.max(0, len);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) (start + i * step);
        return of(d, n);
    }

    /** float32: {@code steps} evenly spaced values from {@code start} to {@code end} inclusive. */
    public static Tensor linspace(double start, double end, int steps) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps must be non-negative, got " + steps);
        float[] d = new float[steps];
        if (steps == 1) d[0] = (float) start;
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // symmetric evaluation (as PyTorch) so both ends are exact
        for (int i = 0; i < steps; i++) d[i] = (float) (i < steps / 2 ? start + step * i : end - step * (steps - 1 - i));
        return of(d, steps);
    }

    /** The n×n float32 identity. */
    public static Tensor eye(int n) { return eye(n, n); }

    /** An n×m float32 matrix with ones on the main diagonal. */
    public static Tensor eye(int n, int m) {
        Tensor t = zeros(n, m);
        float[] a = t.storage.floats();
        for (int i = 0; i < Math.min(n, m); i++) a[i * m + i] = 1f;
        return t;
    }

    // ------------------------------------------------------------------ metadata

    /** The shape (a copy). */
    public int[] shape() { return shape.clone(); }

    /** Size of dimension {@code dim} (negative counts from the end). */
    public int size(int dim) { return shape[Shapes.axis("size", dim, shape.length)]; }

    /** The strides in elements (a copy). */
    public int[] strides() { return strides.clone(); }

    /** Offset of the first element in the storage. */
    public int offset() { return offset; }

    /** The underlying storage (shared by every view). */
    public Storage storage() { return storage; }

    public DType dtype() { return storage.dtype(); }

    /** Number of dimensions. */
    public int ndim() { return shape.length; }

    /** Number of elements. */
    public int numel() { return Shapes.numel(shape); }

    /** True when the elements lie in row-major order with no gaps (offset may be non-zero). */
    public boolean isContiguous() {
        for (int d : shape) if (d == 0) return true;
        int expect = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (strides[i] != expect) return false;
            expect *= shape[i];
        }
        return true;
    }

    // ------------------------------------------------------------------ element access

    private int flatIndex(String op, int[] index) {
        if (index.length != shape.length)
            throw new IllegalArgumentException(op + ": " + index.length + " indices for a " + shape.length
                + "-d tensor of shape " + Shapes.format(shape));
        int off = offset;
        for (int i = 0; i < index.length; i++) {
            int ix = index[i] < 0 ? index[i] + shape[i] : index[i];
            if (ix < 0 || ix >= shape[i])
                throw new IndexOutOfBoundsException(op + ": index " + index[i] + " is out of range for dimension "
                    + i + " of size " + shape[i] + " (shape " + Shapes.format(shape) + ")");
            off += ix * strides[i];
        }
        return off;
    }

    /** The element at {@code index} as a double (negative indices count from the end). */
    public double get(int... index) {
        int o = flatIndex("get", index);
        return switch (storage.array()) {
            case float[] a -> a[o];
            case double[] a -> a[o];
            case int[] a -> a[o];
            case long[] a -> a[o];
            case boolean[] a -> a[o] ? 1 : 0;
            default -> throw new IllegalStateException();
        };
    }

    /** The element at {@code index} as a long (exact for int64). */
    public long getLong(int... index) {
        int o = flatIndex("getLong", index);
        return switch (storage.array()) {
            case float[] a -> (long) a[o];
            case double[] a -> (long) a[o];
            case int[] a -> a[o];
            case long[] a -> a[o];
            case boolean[] a -> a[o] ? 1 : 0;
            default -> throw new IllegalStateException();
        };
    }

    /** The value of a one-element tensor, as a double. */
    public double item() {
        if (numel() != 1)
            throw new IllegalArgumentException("item: only a one-element tensor converts to a number; this one has shape "
                + Shapes.format(shape) + " (" + numel() + " elements)");
        return get(new int[shape.length]);
    }

    /** The value of a one-element tensor, as a long. */
    public long itemLong() {
        if (numel() != 1)
            throw new IllegalArgumentException("itemLong: only a one-element tensor converts to a number; this one has shape "
                + Shapes.format(shape));
        return getLong(new int[shape.length]);
    }

    /** Writes {@code value} at {@code index}, in place (bumps the storage version). */
    public Tensor setInPlace(double value, int... index) {
        Autograd.checkInPlace("setInPlace", this);
        int o = flatIndex("setInPlace", index);
        switch (storage.array()) {
            case float[] a -> a[o] = (float) value;
            case double[] a -> a[o] = value;
            case int[] a -> a[o] = (int) value;
            case long[] a -> a[o] = (long) value;
            case boolean[] a -> a[o] = value != 0;
            default -> throw new IllegalStateException();
        }
        storage.bumpVersion();
        return this;
    }

    /** The elements in row-major order, converted to float. */
    public float[] toFloatArray() { return (float[]) to(DType.FLOAT32).contiguousArrayCopy(); }

    /** The elements in row-major order, converted to double. */
    public double[] toDoubleArray() { return (double[]) to(DType.FLOAT64).contiguousArrayCopy(); }

    /** The elements in row-major order, converted to int. */
    public int[] toIntArray() { return (int[]) to(DType.INT32).contiguousArrayCopy(); }

    /** The elements in row-major order, converted to long. */
    public long[] toLongArray() { return (long[]) to(DType.INT64).contiguousArrayCopy(); }

    /** The elements in row-major order, converted to boolean. */
    public boolean[] toBoolArray() { return (boolean[]) to(DType.BOOL).contiguousArrayCopy(); }

    private Object contiguousArrayCopy() {
        Tensor c = contiguous();
        Object a = Array.newInstance(c.storage.array().getClass().getComponentType(), c.numel());
        if (c.numel() > 0) System.arraycopy(c.storage.array(), c.offset, a, 0, c.numel());
        return a;
    }

    // ------------------------------------------------------------------ copies and conversion

    /** This tensor converted to {@code dtype}; returns {@code this} when the type already matches. */
    public Tensor to(DType dtype) {
        if (dtype == dtype()) return this;
        Tensor out = empty(dtype, shape);
        copyInto(out);
        return Graph.recording(this) ? Graph.record("to", out, (s, g) -> new Tensor[] {g.to(s.inputType(0))}, Saves.NONE, this) : out;
    }

    /** A contiguous tensor with the same values: {@code this} if already contiguous, else a copy. */
    public Tensor contiguous() {
        return isContiguous() ? this : copy();
    }

    /** A new contiguous tensor with a copy of the values. */
    public Tensor copy() {
        Tensor out = empty(dtype(), shape);
        copyInto(out);
        return Graph.recording(this) ? Graph.record("copy", out, (s, g) -> new Tensor[] {g}, Saves.NONE, this) : out;
    }

    /** Copies (and converts) this tensor's values into {@code dst}, which must have the same shape. */
    void copyInto(Tensor dst) {
        Copy.copy(shape, storage.array(), offset, strides, dst.storage.array(), dst.offset, dst.strides);
    }

    /**
     * Copies {@code src} (broadcast to this shape, converted to this type) into this tensor, in
     * place.
     */
    public Tensor copyFrom(Tensor src) {
        Autograd.checkInPlace("copyFrom", this);
        Tensor b = src.broadcastTo(shape);
        Copy.copy(shape, b.storage.array(), b.offset, b.strides, storage.array(), offset, strides);
        storage.bumpVersion();
        return this;
    }

    // ------------------------------------------------------------------ views

    /**
     * This tensor with a new shape and the same elements; one dimension may be -1 (inferred).
     * A view when the strides allow it, otherwise a copy (like {@code torch.reshape}).
     */
    public Tensor reshape(int... newShape) {
        int[] ns = inferShape("reshape", newShape);
        int[] st = viewStrides(ns);
        Tensor r;
        if (st != null) {
            r = new Tensor(storage, ns, st, offset);
        } else {
            Tensor c = empty(dtype(), shape);
            copyInto(c);
            r = new Tensor(c.storage, ns, Shapes.contiguousStrides(ns), 0);
        }
        return recordView("reshape", r, RESHAPE_BACK);
    }

    private static final Backward RESHAPE_BACK = (s, g) -> new Tensor[] {g.reshape(s.inputShape(0))};

    /** Records {@code v} (a view of, or a tensor computed from, this) with {@code rule} when recording. */
    private Tensor recordView(String op, Tensor v, Backward rule) {
        return Graph.recording(this) ? Graph.record(op, v, rule, Saves.NONE, this) : v;
    }

    /**
     * Records a view made by {@code view} (narrow, select, slice...): its gradient is {@code g}
     * placed into zeros. Callers check {@link Graph#recording} first, so the untracked path
     * allocates no lambda.
     */
    private Tensor recordSubView(String op, Tensor v, UnaryOperator<Tensor> view) {
        return Graph.record(op, v, (s, g) -> new Tensor[] {embed(op, g, s.inputShape(0), view)}, Saves.NONE, this);
    }

    /** Zeros of {@code shape} with {@code g} written where {@code view} looks; differentiable in {@code g}. */
    private static Tensor embed(String op, Tensor g, int[] shape, UnaryOperator<Tensor> view) {
        Tensor z = empty(g.dtype(), shape);
        view.apply(z).copyFrom(g);
        return Graph.recording(g) ? Graph.record(op + "Backward", z, (s, gg) -> new Tensor[] {view.apply(gg)}, g) : z;
    }

    /** Like {@link #reshape} but never copies: fails when the strides do not allow a view. */
    public Tensor view(int... newShape) {
        int[] ns = inferShape("view", newShape);
        int[] st = viewStrides(ns);
        if (st == null)
            throw new IllegalArgumentException("view: a tensor of shape " + Shapes.format(shape) + " with strides "
                + Arrays.toString(strides) + " cannot be viewed as " + Shapes.format(ns)
                + " without a copy; call contiguous() first or use reshape()");
        return recordView("view", new Tensor(storage, ns, st, offset), RESHAPE_BACK);
    }

    private int[] inferShape(String op, int[] newShape) {
        int n = numel();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == -1) {
                if (infer >= 0)
                    throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + Arrays.toString(newShape));
                infer = i;
            } else if (newShape[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + newShape[i] + " in " + Arrays.toString(newShape));
            } else known *= newShape[i];
        }
        int[] ns = newShape.clone();
        if (infer >= 0) {
            if (known == 0 || n % known != 0)
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(newShape) + " is invalid for a tensor of "
                    + n + " elements (shape " + Shapes.format(shape) + ")");
            ns[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(newShape) + " holds " + known
                + " elements but the tensor has " + n + " (shape " + Shapes.format(shape) + ")");
        }
        return ns;
    }

    /** Strides for viewing this tensor as {@code ns} without a copy, or null if impossible. */
    private int[] viewStrides(int[] ns) {
        if (isContiguous()) return Shapes.contiguousStrides(ns);
        // Match groups of old dims (contiguous among themselves) to groups of new dims.
        int[] out = new int[ns.length];
        int oi = 0, ni = 0;
        int on = shape.length, nn = ns.length;
        while (oi < on || ni < nn) {
            // skip size-1 dims in the new shape: any stride works
            if (ni < nn && ns[ni] == 1) { out[ni] = 1; ni++; continue; }
            if (oi < on && shape[oi] == 1) { oi++; continue; }
            if (oi >= on || ni >= nn) return null;
            long oldSize = shape[oi], newSize = ns[ni];
            int oStart = oi, nStart = ni;
            oi++; ni++;
            while (oldSize != newSize) {
                if (oldSize < newSize) {
                    if (oi >= on) return null;
                    if (shape[oi] == 1) { oi++; continue; }
                    oldSize *= shape[oi++];
                } else {
                    if (ni >= nn) return null;
                    if (ns[ni] == 1) { out[ni] = 1; ni++; continue; }
                    newSize *= ns[ni++];
                }
            }
            // old dims [oStart, oi) must be mutually contiguous (ignoring size-1 dims)
            int last = -1;
            for (int d = oi - 1; d >= oStart; d--) {
                if (shape[d] == 1) continue;
                if (last >= 0 && strides[d] != strides[last] * shape[last]) return null;
                last = d;
            }
            int innerStride = last >= 0 ? strides[oi - 1 - countTrailingOnes(oStart, oi)] : 1;
            int acc = innerStride;
            for (int d = ni - 1; d >= nStart; d--) {
                out[d] = acc;
                acc *= ns[d];
            }
        }
        return out;
    }

    private int countTrailingOnes(int from, int to) {
        int c = 0;
        for (int d = to - 1; d >= from && shape[d] == 1; d--) c++;
        return c;
    }

    /** A 1-d view (or copy, if needed) of all elements. */
    public Tensor flatten() { return reshape(-1); }

    /** Flattens dimensions {@code start..end} (inclusive) into one. */
    public Tensor flatten(int start, int end) {
        if (shape.length == 0) return reshape(1);
        int s = Shapes.axis("flatten", start, shape.length), e = Shapes.axis("flatten", end, shape.length);
        if (s > e) throw new IllegalArgumentException("flatten: start dimension " + start + " comes after end dimension " + end);
        int[] ns = new int[shape.length - (e - s)];
        int j = 0;
        for (int i = 0; i < s; i++) ns[j++] = shape[i];
        int m = 1;
        for (int i = s; i <= e; i++) m *= shape[i];
        ns[j++] = m;
        for (int i = e + 1; i < shape.length; i++) ns[j++] = shape[i];
        return reshape(ns);
    }

    /** Removes every dimension of size 1. */
    public Tensor squeeze() {
        int k = 0;
        for (int d : shape) if (d != 1) k++;
        int[] ns = new int[k], st = new int[k];
        k = 0;
        for (int i = 0; i < shape.length; i++)
            if (shape[i] != 1) { ns[k] = shape[i]; st[k++] = strides[i]; }
        return recordView("squeeze", new Tensor(storage, ns, st, offset), RESHAPE_BACK);
    }

    /** Removes dimension {@code dim} if its size is 1 (otherwise returns this view unchanged, as PyTorch). */
    public Tensor squeeze(int dim) {
        if (shape.length == 0) return this;
        int d = Shapes.axis("squeeze", dim, shape.length);
        if (shape[d] != 1) return this;
        return recordView("squeeze", new Tensor(storage, remove(shape, d), remove(strides, d), offset), RESHAPE_BACK);
    }

    /** Inserts a dimension of size 1 at {@code dim} (in {@code [-ndim-1, ndim]}). */
    public Tensor unsqueeze(int dim) {
        int d = Shapes.axis("unsqueeze", dim, shape.length + 1);
        int[] ns = insert(shape, d, 1);
        int st = d < shape.length ? strides[d] * shape[d] : 1;
        return recordView("unsqueeze", new Tensor(storage, ns, insert(strides, d, st), offset), RESHAPE_BACK);
    }

    private static int[] remove(int[] a, int i) {
        int[] r = new int[a.length - 1];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }

    private static int[] insert(int[] a, int i, int v) {
        int[] r = new int[a.length + 1];
        System.arraycopy(a, 0, r, 0, i);
        r[i] = v;
        System.arraycopy(a, i, r, i + 1, a.length - i);
        return r;
    }

    /** Swaps two dimensions (a view). */
    public Tensor transpose(int dim0, int dim1) {
        if (shape.length == 0) return this;
        int a = Shapes.axis("transpose", dim0, shape.length), b = Shapes.axis("transpose", dim1, shape.length);
        int[] ns = shape.clone(), st = strides.clone();
        ns[a] = shape[b]; ns[b] = shape[a];
        st[a] = strides[b]; st[b] = strides[a];
        return recordView("transpose", new Tensor(storage, ns, st, offset), (s, g) -> new Tensor[] {g.transpose(a, b)});
    }

    /** The transpose of a matrix (0-d and 1-d tensors are returned as they are, as in PyTorch). */
    public Tensor t() {
        if (shape.length > 2)
            throw new IllegalArgumentException("t: expects a tensor with at most 2 dimensions, got shape "
                + Shapes.format(shape) + "; use transpose(dim0, dim1) or mT()");
        return shape.length < 2 ? this : transpose(0, 1);
    }

    /** Transposes the last two dimensions (a batch of matrices). */
    public Tensor mT() {
        if (shape.length < 2)
            throw new IllegalArgumentException("mT: expects at least 2 dimensions, got shape " + Shapes.format(shape));
        return transpose(-2, -1);
    }

    /** Reorders the dimensions: result dimension i is input dimension {@code dims[i]}. */
    public Tensor permute(int... dims) {
        if (dims.length != shape.length)
            throw new IllegalArgumentException("permute: got " + dims.length + " dimensions " + Arrays.toString(dims)
                + " for a " + shape.length + "-d tensor of shape " + Shapes.format(shape));
        boolean[] seen = new boolean[shape.length];
        int[] ns = new int[shape.length], st = new int[shape.length];
        for (int i = 0; i < dims.length; i++) {
            int d = Shapes.axis("permute", dims[i], shape.length);
            if (seen[d]) throw new IllegalArgumentException("permute: dimension " + dims[i] + " repeats in " + Arrays.toString(dims));
            seen[d] = true;
            ns[i] = shape[d];
            st[i] = strides[d];
        }
        Tensor v = new Tensor(storage, ns, st, offset);
        if (!Graph.recording(this)) return v;
        int[] inverse = new int[dims.length];
        for (int i = 0; i < dims.length; i++) inverse[Shapes.axis("permute", dims[i], shape.length)] = i;
        return Graph.record("permute", v, (s, g) -> new Tensor[] {g.permute(inverse)}, Saves.NONE, this);
    }

    /** The view of {@code length} elements of dimension {@code dim} starting at {@code start}. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shapes.axis("narrow", dim, shape.length);
        int s = start < 0 ? start + shape[d] : start;
        if (s < 0 || length < 0 || s + length > shape[d])
            throw new IndexOutOfBoundsException("narrow: start " + start + " with length " + length
                + " is out of range for dimension " + dim + " of size " + shape[d]);
        int[] ns = shape.clone();
        ns[d] = length;
        Tensor v = new Tensor(storage, ns, strides, offset + s * strides[d]);
        return Graph.recording(this) ? recordSubView("narrow", v, z -> z.narrow(d, s, length)) : v;
    }

    /** Indexes dimension {@code dim} at {@code index}, removing that dimension (a view). */
    public Tensor select(int dim, int index) {
        int d = Shapes.axis("select", dim, shape.length);
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d])
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dimension "
                + dim + " of size " + shape[d] + " (shape " + Shapes.format(shape) + ")");
        Tensor v = new Tensor(storage, remove(shape, d), remove(strides, d), offset + i * strides[d]);
        return Graph.recording(this) ? recordSubView("select", v, z -> z.select(d, i)) : v;
    }

    /**
     * Python's {@code x[..., start:end:step, ...]} on dimension {@code dim}: a view. Negative
     * {@code start}/{@code end} count from the end and are clamped like Python slices; {@code step}
     * must be positive.
     */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shapes.axis("slice", dim, shape.length);
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        int n = shape[d];
        int s = start < 0 ? Math.max(start + n, 0) : Math.min(start, n);
        int e = end < 0 ? Math.max(end + n, 0) : Math.min(end, n);
        int len = e > s ? (e - s + step - 1) / step : 0;
        int[] ns = shape.clone(), st = strides.clone();
        ns[d] = len;
        st[d] = strides[d] * step;
        Tensor v = new Tensor(storage, ns, st, offset + (len > 0 ? s * strides[d] : 0));
        return Graph.recording(this) ? recordSubView("slice", v, z -> z.slice(d, s, e, step)) : v;
    }

    /** {@code slice(dim, start, end, 1)}. */
    public Tensor slice(int dim, int start, int end) { return slice(dim, start, end, 1); }

    /**
     * A view with size-1 dimensions repeated to {@code newShape} (stride 0, no copy); -1 keeps a
     * size; new leading dimensions may be added.
     */
    public Tensor expand(int... newShape) {
        if (newShape.length < shape.length)
            throw new IllegalArgumentException("expand: target " + Arrays.toString(newShape) + " has fewer dimensions than shape "
                + Shapes.format(shape));
        int lead = newShape.length - shape.length;
        int[] ns = new int[newShape.length], st = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int want = newShape[i];
            if (i < lead) {
                if (want < 0) throw new IllegalArgumentException("expand: size -1 is not allowed for the new leading dimension " + i);
                ns[i] = want;
                st[i] = 0;
                continue;
            }
            int have = shape[i - lead];
            if (want == -1 || want == have) {
                ns[i] = have;
                st[i] = strides[i - lead];
            } else if (have == 1 && want >= 0) {
                ns[i] = want;
                st[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot expand shape " + Shapes.format(shape) + " to "
                    + Arrays.toString(newShape) + ": dimension " + i + " has size " + have + " (only size-1 dimensions expand)");
            }
        }
        return recordView("expand", new Tensor(storage, ns, st, offset), SUM_TO_INPUT);
    }

    /** NumPy's broadcast_to: a view of this tensor with the broadcast shape {@code target}. */
    public Tensor broadcastTo(int... target) {
        if (Arrays.equals(target, shape)) return this;
        int[] b = Shapes.broadcast("broadcastTo", shape, target);
        if (!Arrays.equals(b, target))
            throw new IllegalArgumentException("broadcastTo: shape " + Shapes.format(shape) + " cannot be broadcast to "
                + Shapes.format(target));
        return recordView("broadcastTo", new Tensor(storage, target.clone(), Shapes.broadcastStrides(shape, strides, target), offset),
            SUM_TO_INPUT);
    }

    private static final Backward SUM_TO_INPUT = (s, g) -> new Tensor[] {Graph.sumTo(g, s.inputShape(0))};

    // ------------------------------------------------------------------ autograd (dev.fathom.autograd)

    /** Whether gradients flow to or through this tensor. */
    public boolean requiresGrad() { return autograd != null && autograd.requiresGrad(); }

    /**
     * Marks this leaf as a tensor to differentiate with respect to (a parameter); returns this.
     * Only floating-point leaves can require grad.
     */
    public Tensor requiresGrad(boolean flag) {
        Autograd.setRequiresGrad(this, flag);
        return this;
    }

    /** The gradient accumulated by backward (leaves, and tensors that called {@link #retainGrad()}); null if none. */
    public Tensor grad() { return autograd == null ? null : autograd.grad(); }

    /** Replaces the gradient (null clears it); it must have this tensor's shape. Returns this. */
    public Tensor setGrad(Tensor grad) {
        Autograd.setGrad(this, grad);
        return this;
    }

    /** Clears the gradient (to null, as PyTorch's {@code zero_grad(set_to_none=True)}): the next backward starts afresh. */
    public void zeroGrad() { if (autograd != null) Autograd.setGrad(this, null); }

    /** The node of the op that produced this tensor, or null for a leaf. */
    public Node gradFn() { return autograd == null ? null : autograd.gradFn(); }

    /** True for tensors not produced by a recorded op (inputs, parameters, anything created without grad). */
    public boolean isLeaf() { return gradFn() == null; }

    /** A tensor sharing this one's values (no copy) but cut from the graph: a leaf that does not require grad. */
    public Tensor detach() { return new Tensor(storage, shape, strides, offset); }

    /** Computes the gradient of this one-element tensor (the loss) with respect to every leaf that requires grad. */
    public void backward() { Autograd.backward(new Tensor[] {this}, null, false, false); }

    /** Backward with {@code gradient} as the gradient of the loss with respect to this tensor (same shape). */
    public void backward(Tensor gradient) { Autograd.backward(new Tensor[] {this}, new Tensor[] {gradient}, false, false); }

    /**
     * Backward with options: {@code retainGraph} keeps the graph for another backward,
     * {@code createGraph} records the backward so gradients can be differentiated again.
     * {@code gradient} may be null for a one-element tensor.
     */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Autograd.backward(new Tensor[] {this}, new Tensor[] {gradient}, retainGraph, createGraph);
    }

    /** Calls {@code hook} with this tensor's gradient whenever backward computes it; the hook may return a replacement. */
    public Hook registerHook(UnaryOperator<Tensor> hook) { return Autograd.registerHook(this, hook); }

    /** Keeps this non-leaf tensor's gradient in {@link #grad()} after backward; returns this. */
    public Tensor retainGrad() {
        Autograd.retainGrad(this);
        return this;
    }

    /** This tensor's autograd state, created on first use; its state changes only through the methods above. */
    public AutogradMeta autogradMeta() {
        if (autograd == null) autograd = AutogradMeta.create();
        return autograd;
    }

    // ------------------------------------------------------------------ elementwise (ops/Unary, ops/Binary)

    /** {@code this + other} with broadcasting and type promotion. */
    public Tensor add(Tensor other) { return Binary.ADD.apply(this, other); }
    /** {@code this + alpha * other} in one pass. */
    public Tensor add(Tensor other, double alpha) { return Binary.add(this, other, alpha); }
    /** {@code this + s} (s acts like a Python float). */
    public Tensor add(double s) { return Binary.ADD.apply(this, s); }
    /** {@code this + s} (s acts like a Python int). */
    public Tensor add(long s) { return Binary.ADD.apply(this, s); }
    /** {@code this - other}. */
    public Tensor sub(Tensor other) { return Binary.SUB.apply(this, other); }
    /** {@link #sub(Tensor)} with a scalar that acts like a Python float. */
    public Tensor sub(double s) { return Binary.SUB.apply(this, s); }
    /** {@link #sub(Tensor)} with a scalar that acts like a Python int. */
    public Tensor sub(long s) { return Binary.SUB.apply(this, s); }
    /** {@code this * other}. */
    public Tensor mul(Tensor other) { return Binary.MUL.apply(this, other); }
    /** {@link #mul(Tensor)} with a scalar that acts like a Python float. */
    public Tensor mul(double s) { return Binary.MUL.apply(this, s); }
    /** {@link #mul(Tensor)} with a scalar that acts like a Python int. */
    public Tensor mul(long s) { return Binary.MUL.apply(this, s); }
    /** True division: integer operands give float32. */
    public Tensor div(Tensor other) { return Binary.DIV.apply(this, other); }
    /** {@link #div(Tensor)} with a scalar that acts like a Python float. */
    public Tensor div(double s) { return Binary.DIV.apply(this, s); }
    /** {@link #div(Tensor)} with a scalar that acts like a Python int. */
    public Tensor div(long s) { return Binary.DIV.apply(this, s); }
    /** {@code this ** other}; integer tensors stay integer. */
    public Tensor pow(Tensor other) { return Binary.POW.apply(this, other); }
    /** {@link #pow(Tensor)} with a scalar that acts like a Python float. */
    public Tensor pow(double s) { return Binary.POW.apply(this, s); }
    /** {@link #pow(Tensor)} with a scalar that acts like a Python int. */
    public Tensor pow(long s) { return Binary.POW.apply(this, s); }
    /** Elementwise minimum (NaN-propagating). */
    public Tensor minimum(Tensor other) { return Binary.MINIMUM.apply(this, other); }
    /** {@link #minimum(Tensor)} with a scalar that acts like a Python float. */
    public Tensor minimum(double s) { return Binary.MINIMUM.apply(this, s); }
    /** {@link #minimum(Tensor)} with a scalar that acts like a Python int. */
    public Tensor minimum(long s) { return Binary.MINIMUM.apply(this, s); }
    /** Elementwise maximum (NaN-propagating). */
    public Tensor maximum(Tensor other) { return Binary.MAXIMUM.apply(this, other); }
    /** {@link #maximum(Tensor)} with a scalar that acts like a Python float. */
    public Tensor maximum(double s) { return Binary.MAXIMUM.apply(this, s); }
    /** {@link #maximum(Tensor)} with a scalar that acts like a Python int. */
    public Tensor maximum(long s) { return Binary.MAXIMUM.apply(this, s); }

    /** {@code -x}; keeps integer types (bool is refused). */
    public Tensor neg() { return Unary.NEG.apply(this); }
    /** {@code |x|}; keeps integer types. */
    public Tensor abs() { return Unary.ABS.apply(this); }
    /** -1, 0 or 1 per element (NaN stays NaN). */
    public Tensor sign() { return Unary.SIGN.apply(this); }
    /** Square root (NaN for negatives); integers become float32. */
    public Tensor sqrt() { return Unary.SQRT.apply(this); }
    /** {@code 1 / sqrt(x)}. */
    public Tensor rsqrt() { return Unary.RSQRT.apply(this); }
    /** {@code e^x}; integers become float32. */
    public Tensor exp() { return Unary.EXP.apply(this); }
    /** Natural logarithm (log 0 = -inf, log of a negative = NaN). */
    public Tensor log() { return Unary.LOG.apply(this); }
    /** {@code log(1 + x)}, accurate near 0. */
    public Tensor log1p() { return Unary.LOG1P.apply(this); }
    /** {@code exp(x) - 1}, accurate near 0. */
    public Tensor expm1() { return Unary.EXPM1.apply(this); }
    /** The error function. */
    public Tensor erf() { return Unary.ERF.apply(this); }
    /** Sine (radians). */
    public Tensor sin() { return Unary.SIN.apply(this); }
    /** Cosine (radians). */
    public Tensor cos() { return Unary.COS.apply(this); }
    /** Hyperbolic tangent. */
    public Tensor tanh() { return Unary.TANH.apply(this); }
    /** {@code 1 / (1 + exp(-x))}, without overflow. */
    public Tensor sigmoid() { return Unary.SIGMOID.apply(this); }
    /** {@code max(x, 0)}; keeps integer types. */
    public Tensor relu() { return Unary.RELU.apply(this); }
    /** x for x > 0, else 0.01x. */
    public Tensor leakyRelu() { return Unary.LEAKY_RELU.apply(this); }
    /** x for x > 0, else {@code slope * x}. */
    public Tensor leakyRelu(double slope) { return Unary.LEAKY_RELU.apply(this, slope, 0); }
    /** x for x > 0, else exp(x) - 1. */
    public Tensor elu() { return Unary.ELU.apply(this); }
    /** x for x > 0, else {@code alpha * (exp(x) - 1)}. */
    public Tensor elu(double alpha) { return Unary.ELU.apply(this, alpha, 0); }
    /** Exact GELU, {@code x * Φ(x)}. */
    public Tensor gelu() { return Unary.GELU.apply(this); }
    /** GELU, exact or with PyTorch's tanh approximation. */
    public Tensor gelu(boolean tanhApproximation) { return (tanhApproximation ? Unary.GELU_TANH : Unary.GELU).apply(this); }
    /** {@code log(1 + exp(x))} (beta 1, threshold 20). */
    public Tensor softplus() { return Unary.SOFTPLUS.apply(this); }
    /** {@code log(1 + exp(beta x)) / beta}, or x where {@code beta x > threshold}. */
    public Tensor softplus(double beta, double threshold) { return Unary.softplus(this, beta, threshold); }
    /** Limits values to {@code [min, max]}; integer tensors stay integer when both bounds are whole. */
    public Tensor clamp(double min, double max) { return Unary.clamp(this, min, max); }
    /** {@code max(x, min)}. */
    public Tensor clampMin(double min) { return Unary.clamp(this, min, Double.POSITIVE_INFINITY); }
    /** {@code min(x, max)}. */
    public Tensor clampMax(double max) { return Unary.clamp(this, Double.NEGATIVE_INFINITY, max); }

    /** Elementwise {@code ==} as a bool tensor. */
    public Tensor eq(Tensor other) { return Binary.EQ.apply(this, other); }
    /** {@link #eq(Tensor)} with a scalar that acts like a Python float. */
    public Tensor eq(double s) { return Binary.EQ.apply(this, s); }
    /** Elementwise {@code !=} (true where either side is NaN). */
    public Tensor ne(Tensor other) { return Binary.NE.apply(this, other); }
    /** {@link #ne(Tensor)} with a scalar that acts like a Python float. */
    public Tensor ne(double s) { return Binary.NE.apply(this, s); }
    /** Elementwise {@code <} as a bool tensor. */
    public Tensor lt(Tensor other) { return Binary.LT.apply(this, other); }
    /** {@link #lt(Tensor)} with a scalar that acts like a Python float. */
    public Tensor lt(double s) { return Binary.LT.apply(this, s); }
    /** Elementwise {@code <=} as a bool tensor. */
    public Tensor le(Tensor other) { return Binary.LE.apply(this, other); }
    /** {@link #le(Tensor)} with a scalar that acts like a Python float. */
    public Tensor le(double s) { return Binary.LE.apply(this, s); }
    /** Elementwise {@code >} as a bool tensor. */
    public Tensor gt(Tensor other) { return Binary.GT.apply(this, other); }
    /** {@link #gt(Tensor)} with a scalar that acts like a Python float. */
    public Tensor gt(double s) { return Binary.GT.apply(this, s); }
    /** Elementwise {@code >=} as a bool tensor. */
    public Tensor ge(Tensor other) { return Binary.GE.apply(this, other); }
    /** {@link #ge(Tensor)} with a scalar that acts like a Python float. */
    public Tensor ge(double s) { return Binary.GE.apply(this, s); }
    /** True where the value is NaN. */
    public Tensor isNaN() { return Unary.IS_NAN.apply(this); }
    /** True where the value is +inf or -inf. */
    public Tensor isInf() { return Unary.IS_INF.apply(this); }
    /** True where the value is neither NaN nor infinite. */
    public Tensor isFinite() { return Unary.IS_FINITE.apply(this); }
    /** Elementwise and of truth values (non-zero is true), as bool. */
    public Tensor logicalAnd(Tensor other) { return Binary.LOGICAL_AND.apply(this, other); }
    /** Elementwise or of truth values, as bool. */
    public Tensor logicalOr(Tensor other) { return Binary.LOGICAL_OR.apply(this, other); }
    /** Elementwise exclusive or of truth values, as bool. */
    public Tensor logicalXor(Tensor other) { return Binary.LOGICAL_XOR.apply(this, other); }
    /** True where the value is zero. */
    public Tensor logicalNot() { return Unary.LOGICAL_NOT.apply(this); }
    /** {@code a} where {@code cond} is true, else {@code b}; cond must be bool; all three broadcast. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Binary.where(cond, a, b); }

    /** {@code this += other} in place (other broadcasts to this shape); returns this. */
    public Tensor addInPlace(Tensor other) { return Binary.ADD.applyInPlace(this, other); }
    /** {@code this += alpha * other} in place. */
    public Tensor addInPlace(Tensor other, double alpha) { return Binary.addInPlace(this, other, alpha); }
    /** {@link #addInPlace(Tensor)} with a scalar that acts like a Python float. */
    public Tensor addInPlace(double s) { return Binary.ADD.applyInPlace(this, s); }
    /** {@link #addInPlace(Tensor)} with a scalar that acts like a Python int. */
    public Tensor addInPlace(long s) { return Binary.ADD.applyInPlace(this, s); }
    /** {@code this -= other} in place (other broadcasts to this shape). */
    public Tensor subInPlace(Tensor other) { return Binary.SUB.applyInPlace(this, other); }
    /** {@link #subInPlace(Tensor)} with a scalar that acts like a Python float. */
    public Tensor subInPlace(double s) { return Binary.SUB.applyInPlace(this, s); }
    /** {@link #subInPlace(Tensor)} with a scalar that acts like a Python int. */
    public Tensor subInPlace(long s) { return Binary.SUB.applyInPlace(this, s); }
    /** {@code this *= other} in place (other broadcasts to this shape). */
    public Tensor mulInPlace(Tensor other) { return Binary.MUL.applyInPlace(this, other); }
    /** {@link #mulInPlace(Tensor)} with a scalar that acts like a Python float. */
    public Tensor mulInPlace(double s) { return Binary.MUL.applyInPlace(this, s); }
    /** {@link #mulInPlace(Tensor)} with a scalar that acts like a Python int. */
    public Tensor mulInPlace(long s) { return Binary.MUL.applyInPlace(this, s); }
    /** {@code this /= other} in place (floating tensors only: the result of true division is floating). */
    public Tensor divInPlace(Tensor other) { return Binary.DIV.applyInPlace(this, other); }
    /** {@link #divInPlace(Tensor)} with a scalar that acts like a Python float. */
    public Tensor divInPlace(double s) { return Binary.DIV.applyInPlace(this, s); }
    /** Sets every element to {@code value}, in place (through views too). */
    public Tensor fillInPlace(double value) { return Binary.fill(this, value); }
    /** Sets every element to zero, in place. */
    public Tensor zeroInPlace() { return Binary.fill(this, 0); }

    /** True when {@code |this - other| <= atol + rtol * |other|} everywhere (broadcasting; NaN is never close). */
    public boolean allClose(Tensor other, double rtol, double atol) { return Binary.allClose(this, other, rtol, atol); }
    /** {@link #allClose(Tensor, double, double)} with rtol 1e-5 and atol 1e-8. */
    public boolean allClose(Tensor other) { return Binary.allClose(this, other, 1e-5, 1e-8); }
    /** True when the shapes match and every element is equal. */
    public boolean equal(Tensor other) { return Binary.equal(this, other); }

    // ------------------------------------------------------------------ reductions (ops/Reductions)

    /** Sum of all elements (0-d); bool/int32/int64 give int64. */
    public Tensor sum() { return Reductions.sum(this, new int[0], false); }

    /** Sum over {@code dim}, which is removed. */
    public Tensor sum(int dim) { return Reductions.sum(this, new int[] {dim}, false); }

    /** Sum over {@code dim}; {@code keepDim} keeps it with size 1. */
    public Tensor sum(int dim, boolean keepDim) { return Reductions.sum(this, new int[] {dim}, keepDim); }

    /** Sum over {@code dims} (empty: all; negative count from the end). */
    public Tensor sum(int[] dims, boolean keepDim) { return Reductions.sum(this, dims, keepDim); }

    /** Mean of all elements (0-d); floating point only. */
    public Tensor mean() { return Reductions.mean(this, new int[0], false); }

    /** Mean over {@code dim}. */
    public Tensor mean(int dim) { return Reductions.mean(this, new int[] {dim}, false); }

    /** Mean over {@code dim}, optionally keeping it. */
    public Tensor mean(int dim, boolean keepDim) { return Reductions.mean(this, new int[] {dim}, keepDim); }

    /** Mean over {@code dims} (empty: all). */
    public Tensor mean(int[] dims, boolean keepDim) { return Reductions.mean(this, dims, keepDim); }

    /** Product of all elements (0-d); bool/int32/int64 give int64. */
    public Tensor prod() { return Reductions.prod(this, new int[0], false); }

    /** Product over {@code dim}. */
    public Tensor prod(int dim) { return Reductions.prod(this, new int[] {dim}, false); }

    /** Product over {@code dim}, optionally keeping it. */
    public Tensor prod(int dim, boolean keepDim) { return Reductions.prod(this, new int[] {dim}, keepDim); }

    /** Product over {@code dims} (empty: all). */
    public Tensor prod(int[] dims, boolean keepDim) { return Reductions.prod(this, dims, keepDim); }

    /** {@code log(sum(exp(x)))} of all elements, computed stably; floating point only. */
    public Tensor logsumexp() { return Reductions.logsumexp(this, new int[0], false); }

    /** Stable {@code log(sum(exp(x)))} over {@code dim}. */
    public Tensor logsumexp(int dim) { return Reductions.logsumexp(this, new int[] {dim}, false); }

    /** Stable {@code log(sum(exp(x)))} over {@code dim}, optionally keeping it. */
    public Tensor logsumexp(int dim, boolean keepDim) { return Reductions.logsumexp(this, new int[] {dim}, keepDim); }

    /** Stable {@code log(sum(exp(x)))} over {@code dims} (empty: all). */
    public Tensor logsumexp(int[] dims, boolean keepDim) { return Reductions.logsumexp(this, dims, keepDim); }

    /** Maximum over {@code dims} (none given: all), dims removed; NaN propagates (torch.amax). */
    public Tensor amax(int... dims) { return Reductions.amax(this, dims, false); }

    /** Maximum over {@code dims} (empty: all), optionally keeping them. */
    public Tensor amax(int[] dims, boolean keepDim) { return Reductions.amax(this, dims, keepDim); }

    /** Maximum over {@code dim}, optionally keeping it. */
    public Tensor amax(int dim, boolean keepDim) { return Reductions.amax(this, new int[] {dim}, keepDim); }

    /** Minimum over {@code dims} (none given: all), dims removed; NaN propagates (torch.amin). */
    public Tensor amin(int... dims) { return Reductions.amin(this, dims, false); }

    /** Minimum over {@code dims} (empty: all), optionally keeping them. */
    public Tensor amin(int[] dims, boolean keepDim) { return Reductions.amin(this, dims, keepDim); }

    /** Minimum over {@code dim}, optionally keeping it. */
    public Tensor amin(int dim, boolean keepDim) { return Reductions.amin(this, new int[] {dim}, keepDim); }

    /** The largest element (0-d); NaN if any element is NaN; an empty tensor is an error. */
    public Tensor max() { return Reductions.max(this); }

    /** The smallest element (0-d); NaN if any element is NaN; an empty tensor is an error. */
    public Tensor min() { return Reductions.min(this); }

    /** Maxima along {@code dim} with their int64 positions (torch's {@code x.max(dim)}); first on ties. */
    public ValuesIndices maxWithIndices(int dim) { return Reductions.maxWithIndices(this, dim, false); }

    /** Maxima along {@code dim} with their positions, optionally keeping {@code dim}. */
    public ValuesIndices maxWithIndices(int dim, boolean keepDim) { return Reductions.maxWithIndices(this, dim, keepDim); }

    /** Minima along {@code dim} with their int64 positions (torch's {@code x.min(dim)}); first on ties. */
    public ValuesIndices minWithIndices(int dim) { return Reductions.minWithIndices(this, dim, false); }

    /** Minima along {@code dim} with their positions, optionally keeping {@code dim}. */
    public ValuesIndices minWithIndices(int dim, boolean keepDim) { return Reductions.minWithIndices(this, dim, keepDim); }

    /** Index of the maximum of the flattened tensor (int64, 0-d); first on ties; NaN counts as the maximum. */
    public Tensor argmax() { return Reductions.argmax(this); }

    /** Positions of the maxima along {@code dim} (int64). */
    public Tensor argmax(int dim) { return Reductions.argmax(this, dim, false); }

    /** Positions of the maxima along {@code dim}, optionally keeping it. */
    public Tensor argmax(int dim, boolean keepDim) { return Reductions.argmax(this, dim, keepDim); }

    /** Index of the minimum of the flattened tensor (int64, 0-d); first on ties; NaN counts as the minimum. */
    public Tensor argmin() { return Reductions.argmin(this); }

    /** Positions of the minima along {@code dim} (int64). */
    public Tensor argmin(int dim) { return Reductions.argmin(this, dim, false); }

    /** Positions of the minima along {@code dim}, optionally keeping it. */
    public Tensor argmin(int dim, boolean keepDim) { return Reductions.argmin(this, dim, keepDim); }

    /** Sample variance of all elements (correction 1, as torch); floating point only. */
    public Tensor var() { return Reductions.var(this, new int[0], 1, false); }

    /** Sample variance over {@code dim} (correction 1). */
    public Tensor var(int dim) { return Reductions.var(this, new int[] {dim}, 1, false); }

    /** Sample variance over {@code dim} (correction 1), optionally keeping it. */
    public Tensor var(int dim, boolean keepDim) { return Reductions.var(this, new int[] {dim}, 1, keepDim); }

    /** Sample variance over {@code dims} (correction 1; empty: all). */
    public Tensor var(int[] dims, boolean keepDim) { return Reductions.var(this, dims, 1, keepDim); }

    /** Variance over {@code dims} with divisor {@code N - correction} (0: population, 1: sample). */
    public Tensor var(int[] dims, int correction, boolean keepDim) { return Reductions.var(this, dims, correction, keepDim); }

    /** Sample standard deviation of all elements (correction 1). */
    public Tensor std() { return Reductions.std(this, new int[0], 1, false); }

    /** Sample standard deviation over {@code dim}. */
    public Tensor std(int dim) { return Reductions.std(this, new int[] {dim}, 1, false); }

    /** Sample standard deviation over {@code dim}, optionally keeping it. */
    public Tensor std(int dim, boolean keepDim) { return Reductions.std(this, new int[] {dim}, 1, keepDim); }

    /** Sample standard deviation over {@code dims} (empty: all). */
    public Tensor std(int[] dims, boolean keepDim) { return Reductions.std(this, dims, 1, keepDim); }

    /** Standard deviation over {@code dims} with divisor {@code N - correction}. */
    public Tensor std(int[] dims, int correction, boolean keepDim) { return Reductions.std(this, dims, correction, keepDim); }

    /** Softmax along {@code dim}, numerically stable; floating point only. */
    public Tensor softmax(int dim) { return Reductions.softmax(this, dim); }

    /** Log-softmax along {@code dim}, numerically stable; floating point only. */
    public Tensor logSoftmax(int dim) { return Reductions.logSoftmax(this, dim); }

    /** Running sum along {@code dim}; bool/int inputs give int64. */
    public Tensor cumsum(int dim) { return Reductions.cumsum(this, dim); }

    /** Running product along {@code dim}; bool/int inputs give int64. */
    public Tensor cumprod(int dim) { return Reductions.cumprod(this, dim); }

    // ------------------------------------------------------------------ linear algebra (ops/Linalg)

    /**
     * Matrix product with NumPy/PyTorch {@code matmul} rules (1-D operands promoted and the added
     * dimension removed, batch dimensions broadcast).
     */
    public Tensor matmul(Tensor other) { return Linalg.matmul(this, other); }

    /** Matrix product of two 2-D tensors. */
    public Tensor mm(Tensor other) { return Linalg.mm(this, other); }

    /** Dot product of two 1-D tensors of equal length (a 0-d tensor). */
    public Tensor dot(Tensor other) { return Linalg.dot(this, other); }

    /** Outer product of two 1-D tensors. */
    public Tensor outer(Tensor other) { return Linalg.outer(this, other); }

    // ------------------------------------------------------------------ indexing and shaping (ops/Indexing)

    /** {@code torch.gather} along {@code dim}; see {@link Indexing#gather}. */
    public Tensor gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }

    /** Out-of-place {@code torch.scatter}: a copy with {@code src} written at {@code index} along {@code dim}. */
    public Tensor scatter(int dim, Tensor index, Tensor src) { return Indexing.scatter(this, dim, index, src); }

    /** Out-of-place {@code torch.scatter} with a scalar {@code value}. */
    public Tensor scatter(int dim, Tensor index, double value) { return Indexing.scatter(this, dim, index, value); }

    /** Out-of-place {@code torch.scatter_add}: duplicate indices accumulate. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return Indexing.scatterAdd(this, dim, index, src); }

    /** In-place {@code scatter_}; returns this. */
    public Tensor scatterInPlace(int dim, Tensor index, Tensor src) { return Indexing.scatterInPlace(this, dim, index, src); }

    /** In-place {@code scatter_} with a scalar; returns this. */
    public Tensor scatterInPlace(int dim, Tensor index, double value) { return Indexing.scatterInPlace(this, dim, index, value); }

    /** In-place {@code scatter_add_}; returns this. */
    public Tensor scatterAddInPlace(int dim, Tensor index, Tensor src) { return Indexing.scatterAddInPlace(this, dim, index, src); }

    /** {@code torch.index_select}: the slices {@code index[i]} of dimension {@code dim} (1-d int64/int32 index). */
    public Tensor indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }
    /** A copy of this tensor with {@code source}'s slices added at {@code index} along {@code dim} (repeats accumulate; torch.index_add). */
    public Tensor indexAdd(int dim, Tensor index, Tensor source) { return Indexing.indexAdd(this, dim, index, source); }

    /** {@code torch.masked_fill}: {@code value} where the bool {@code mask} (broadcast) is true. */
    public Tensor maskedFill(Tensor mask, double value) { return Indexing.maskedFill(this, mask, value); }

    /** In-place {@code masked_fill_}; the mask must broadcast to this shape. Returns this. */
    public Tensor maskedFillInPlace(Tensor mask, double value) { return Indexing.maskedFillInPlace(this, mask, value); }

    /** {@code torch.masked_select}: a 1-d tensor of the elements where the bool {@code mask} (broadcast) is true. */
    public Tensor maskedSelect(Tensor mask) { return Indexing.maskedSelect(this, mask); }

    /** {@code one_hot}: int64 with an extra last dimension of {@code numClasses} (-1 infers max + 1). */
    public Tensor oneHot(int numClasses) { return Indexing.oneHot(this, numClasses); }

    /** {@code torch.cat} along {@code dim}, promoting dtypes. */
    public static Tensor cat(int dim, Tensor... tensors) { return Join.cat(dim, tensors); }

    /** {@code torch.cat} along {@code dim}, promoting dtypes. */
    public static Tensor cat(int dim, List<Tensor> tensors) { return Join.cat(dim, tensors); }

    /** {@code torch.stack}: same-shaped tensors along a new dimension {@code dim}. */
    public static Tensor stack(int dim, Tensor... tensors) { return Join.stack(dim, tensors); }

    /** {@code torch.stack}: same-shaped tensors along a new dimension {@code dim}. */
    public static Tensor stack(int dim, List<Tensor> tensors) { return Join.stack(dim, tensors); }

    /** {@code torch.split}: views of {@code splitSize} along {@code dim} (the last may be smaller). */
    public List<Tensor> split(int splitSize, int dim) { return Join.split(this, splitSize, dim); }

    /** {@code torch.split} with explicit sizes summing to {@code size(dim)}: views. */
    public List<Tensor> split(int[] sizes, int dim) { return Join.split(this, sizes, dim); }

    /** {@code torch.chunk}: views of {@code ceil(size(dim) / chunks)} along {@code dim}. */
    public List<Tensor> chunk(int chunks, int dim) { return Join.chunk(this, chunks, dim); }

    /** {@code F.pad} constant mode: {@code pads} are (before, after) pairs from the last dimension; negative crops. */
    public Tensor pad(int[] pads, double value) { return Pad.pad(this, pads, value); }

    /** {@code F.pad} with mode "constant" (zeros), "reflect", "replicate" or "circular". */
    public Tensor pad(int[] pads, String mode) { return Pad.pad(this, pads, mode); }

    /** {@code F.pad} in the given mode (constant pads with zeros). */
    public Tensor pad(int[] pads, Pad.PadMode mode) { return Pad.pad(this, pads, mode); }

    // ------------------------------------------------------------------ network primitives (ops/Conv, ops/Pool)

    /**
     * 2-d convolution ({@code torch.nn.functional.conv2d}) of this {@code [N, C, H, W]} (or
     * {@code [C, H, W]}) tensor with {@code weight [O, C/groups, kH, kW]} and optional {@code bias [O]};
     * stride, padding and dilation are (height, width) pairs.
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Conv.conv2d(this, weight, bias, stride, padding, dilation, groups);
    }

    /** {@code conv2d} with padding {@code "same"} (stride must be 1) or {@code "valid"}. */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation, int groups) {
        return Conv.conv2d(this, weight, bias, stride, padding, dilation, groups);
    }

    /** {@code conv2d} with the same stride, padding and dilation in both dimensions. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return conv2d(weight, bias, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {dilation, dilation}, groups);
    }

    /** {@code conv2d} with the same stride and padding in both dimensions, no dilation, one group. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) { return conv2d(weight, bias, stride, padding, 1, 1); }

    /** {@code conv2d} with stride 1 and string padding {@code "same"} or {@code "valid"}. */
    public Tensor conv2d(Tensor weight, Tensor bias, String padding) {
        return conv2d(weight, bias, new int[] {1, 1}, padding, new int[] {1, 1}, 1);
    }

    /** {@code conv2d} with stride 1 and no padding (bias may be null). */
    public Tensor conv2d(Tensor weight, Tensor bias) { return conv2d(weight, bias, 1, 0, 1, 1); }

    /**
     * 1-d convolution ({@code torch.nn.functional.conv1d}) of this {@code [N, C, L]} (or {@code [C, L]})
     * tensor with {@code weight [O, C/groups, K]} and optional {@code bias [O]}.
     */
    public Tensor conv1d(Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return Conv.conv1d(this, weight, bias, stride, padding, dilation, groups);
    }

    /** {@code conv1d} with padding {@code "same"} (stride must be 1) or {@code "valid"}. */
    public Tensor conv1d(Tensor weight, Tensor bias, int stride, String padding, int dilation, int groups) {
        return Conv.conv1d(this, weight, bias, stride, padding, dilation, groups);
    }

    /** {@code conv1d} with no dilation and one group. */
    public Tensor conv1d(Tensor weight, Tensor bias, int stride, int padding) { return conv1d(weight, bias, stride, padding, 1, 1); }

    /** {@code conv1d} with stride 1 and no padding. */
    public Tensor conv1d(Tensor weight, Tensor bias) { return conv1d(weight, bias, 1, 0, 1, 1); }

    /**
     * Transposed 2-d convolution ({@code torch.nn.functional.conv_transpose2d}), the adjoint of
     * {@link #conv2d}: this {@code [N, C, H, W]} (or {@code [C, H, W]}) with
     * {@code weight [C, O/groups, kH, kW]} and optional {@code bias [O]}.
     */
    public Tensor convTranspose2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
                                  int groups, int[] dilation) {
        return Conv.convTranspose2d(this, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    /** {@code convTranspose2d} with equal stride, padding and output padding in both dimensions, one group, no dilation. */
    public Tensor convTranspose2d(Tensor weight, Tensor bias, int stride, int padding, int outputPadding) {
        return convTranspose2d(weight, bias, new int[] {stride, stride}, new int[] {padding, padding},
            new int[] {outputPadding, outputPadding}, 1, new int[] {1, 1});
    }

    /** {@code convTranspose2d} with equal stride and padding in both dimensions and no output padding. */
    public Tensor convTranspose2d(Tensor weight, Tensor bias, int stride, int padding) {
        return convTranspose2d(weight, bias, stride, padding, 0);
    }

    /** Transposed 1-d convolution ({@code torch.nn.functional.conv_transpose1d}), weight {@code [C, O/groups, K]}. */
    public Tensor convTranspose1d(Tensor weight, Tensor bias, int stride, int padding, int outputPadding, int groups,
                                  int dilation) {
        return Conv.convTranspose1d(this, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    /**
     * 2-d max pooling ({@code torch.nn.functional.max_pool2d}) of {@code [N, C, H, W]} or
     * {@code [C, H, W]}; {@code stride} null means the kernel size.
     */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return Pool.maxPool2d(this, kernel, stride, padding, dilation, ceilMode);
    }

    /** Square max pooling with the given kernel and stride, no padding. */
    public Tensor maxPool2d(int kernel, int stride) {
        return maxPool2d(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {0, 0}, new int[] {1, 1}, false);
    }

    /** Square max pooling with stride equal to the kernel (e.g. {@code maxPool2d(2)} halves H and W). */
    public Tensor maxPool2d(int kernel) { return maxPool2d(kernel, kernel); }

    /** {@link #maxPool2d(int[], int[], int[], int[], boolean)} also returning int64 argmax indices within each H*W plane. */
    public PoolResult maxPool2dWithIndices(int[] kernel, int[] stride, int[] padding, int[] dilation,
                                                          boolean ceilMode) {
        return Pool.maxPool2dWithIndices(this, kernel, stride, padding, dilation, ceilMode);
    }

    /** Square max pooling (stride = kernel) with int64 argmax indices. */
    public PoolResult maxPool2dWithIndices(int kernel) {
        return maxPool2dWithIndices(new int[] {kernel, kernel}, null, new int[] {0, 0}, new int[] {1, 1}, false);
    }

    /** 1-d max pooling ({@code torch.nn.functional.max_pool1d}) of {@code [N, C, L]} or {@code [C, L]}. */
    public Tensor maxPool1d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return Pool.maxPool1d(this, kernel, stride, padding, dilation, ceilMode);
    }

    /** 1-d max pooling with stride equal to the kernel. */
    public Tensor maxPool1d(int kernel) { return maxPool1d(kernel, kernel, 0, 1, false); }

    /** 1-d max pooling also returning int64 argmax indices within L. */
    public PoolResult maxPool1dWithIndices(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return Pool.maxPool1dWithIndices(this, kernel, stride, padding, dilation, ceilMode);
    }

    /**
     * 2-d average pooling ({@code torch.nn.functional.avg_pool2d}); {@code stride} null means the
     * kernel size; {@code divisorOverride} 0 means none.
     */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                            int divisorOverride) {
        return Pool.avgPool2d(this, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    /** 2-d average pooling with padding counted in the divisor (PyTorch's default). */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return avgPool2d(kernel, stride, padding, ceilMode, true, 0);
    }

    /** Square average pooling with stride equal to the kernel. */
    public Tensor avgPool2d(int kernel) {
        return avgPool2d(new int[] {kernel, kernel}, null, new int[] {0, 0}, false, true, 0);
    }

    /** 1-d average pooling ({@code torch.nn.functional.avg_pool1d}). */
    public Tensor avgPool1d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        return Pool.avgPool1d(this, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** 1-d average pooling with stride equal to the kernel. */
    public Tensor avgPool1d(int kernel) { return avgPool1d(kernel, kernel, 0, false, true); }

    // ------------------------------------------------------------------ random and printing

    /** float32 uniform samples in [0, 1) from the default generator (like {@code torch.rand}). */
    public static Tensor rand(int... shape) { return Sampling.uniform(null, 0, 1, DType.FLOAT32, shape); }

    /** float32 uniform samples in [0, 1) from {@code g}. */
    public static Tensor rand(Generator g, int... shape) { return Sampling.uniform(g, 0, 1, DType.FLOAT32, shape); }

    /** Uniform samples in [0, 1) of a floating {@code dtype} (float64 draws 53 random bits). */
    public static Tensor rand(DType dtype, int... shape) { return Sampling.uniform(null, 0, 1, dtype, shape); }

    /** Uniform samples in [0, 1) of a floating {@code dtype} from {@code g}. */
    public static Tensor rand(Generator g, DType dtype, int... shape) { return Sampling.uniform(g, 0, 1, dtype, shape); }

    /** float32 uniform samples in [low, high) (like {@code torch.empty(shape).uniform_(low, high)}). */
    public static Tensor uniform(double low, double high, int... shape) {
        return Sampling.uniform(null, low, high, DType.FLOAT32, shape);
    }

    /** float32 uniform samples in [low, high) from {@code g}. */
    public static Tensor uniform(Generator g, double low, double high, int... shape) {
        return Sampling.uniform(g, low, high, DType.FLOAT32, shape);
    }

    /** Uniform samples in [low, high) of a floating {@code dtype} from {@code g} (null: the default generator). */
    public static Tensor uniform(Generator g, double low, double high, DType dtype, int... shape) {
        return Sampling.uniform(g, low, high, dtype, shape);
    }

    /** float32 standard normal samples (like {@code torch.randn}). */
    public static Tensor randn(int... shape) { return Sampling.normal(null, 0, 1, DType.FLOAT32, shape); }

    /** float32 standard normal samples from {@code g}. */
    public static Tensor randn(Generator g, int... shape) { return Sampling.normal(g, 0, 1, DType.FLOAT32, shape); }

    /** Standard normal samples of a floating {@code dtype}. */
    public static Tensor randn(DType dtype, int... shape) { return Sampling.normal(null, 0, 1, dtype, shape); }

    /** Standard normal samples of a floating {@code dtype} from {@code g}. */
    public static Tensor randn(Generator g, DType dtype, int... shape) { return Sampling.normal(g, 0, 1, dtype, shape); }

    /** float32 normal samples with the given mean and standard deviation (like {@code torch.normal(mean, std, shape)}). */
    public static Tensor normal(double mean, double std, int... shape) {
        return Sampling.normal(null, mean, std, DType.FLOAT32, shape);
    }

    /** float32 normal samples from {@code g}. */
    public static Tensor normal(Generator g, double mean, double std, int... shape) {
        return Sampling.normal(g, mean, std, DType.FLOAT32, shape);
    }

    /** Normal samples of a floating {@code dtype} from {@code g} (null: the default generator). */
    public static Tensor normal(Generator g, double mean, double std, DType dtype, int... shape) {
        return Sampling.normal(g, mean, std, dtype, shape);
    }

    /**
     * 0/1 samples, 1 with probability {@code p[i]} (like {@code torch.bernoulli(p)}); the result has
     * p's shape and floating dtype.
     */
    public static Tensor bernoulli(Tensor p) { return Sampling.bernoulli(null, p); }

    /** {@link #bernoulli(Tensor)} drawing from {@code g}. */
    public static Tensor bernoulli(Generator g, Tensor p) { return Sampling.bernoulli(g, p); }

    /** float32 0/1 samples, each 1 with probability {@code p} (like {@code torch.empty(shape).bernoulli_(p)}). */
    public static Tensor bernoulli(double p, int... shape) { return Sampling.bernoulli(null, p, DType.FLOAT32, shape); }

    /** float32 0/1 samples drawn from {@code g}. */
    public static Tensor bernoulli(Generator g, double p, int... shape) {
        return Sampling.bernoulli(g, p, DType.FLOAT32, shape);
    }

    /** 0/1 samples of the given dtype (any type; bool gives true/false), each 1 with probability {@code p}. */
    public static Tensor bernoulli(Generator g, double p, DType dtype, int... shape) {
        return Sampling.bernoulli(g, p, dtype, shape);
    }

    /** int64 samples uniform in {@code [low, high)} (like {@code torch.randint(low, high, shape)}). */
    public static Tensor randint(long low, long high, int... shape) { return Sampling.randint(null, low, high, shape); }

    /** int64 samples uniform in {@code [low, high)} drawn from {@code g}. */
    public static Tensor randint(Generator g, long low, long high, int... shape) {
        return Sampling.randint(g, low, high, shape);
    }

    /** A random permutation of {@code 0..n-1} as int64 (like {@code torch.randperm(n)}). */
    public static Tensor randperm(int n) { return Sampling.randperm(null, n); }

    /** A random permutation of {@code 0..n-1} drawn from {@code g}. */
    public static Tensor randperm(Generator g, int n) { return Sampling.randperm(g, n); }

    /**
     * Overwrites this floating tensor with uniform samples in [low, high), in place (like
     * {@code uniform_}); {@code g} null means the default generator. Bumps the storage version.
     */
    public Tensor uniformInPlace(double low, double high, Generator g) {
        Sampling.uniformInPlace(this, low, high, g);
        return this;
    }

    /** {@link #uniformInPlace(double, double, Generator)} with the default generator. */
    public Tensor uniformInPlace(double low, double high) { return uniformInPlace(low, high, null); }

    /**
     * Overwrites this floating tensor with normal samples, in place (like {@code normal_});
     * {@code g} null means the default generator. Bumps the storage version.
     */
    public Tensor normalInPlace(double mean, double std, Generator g) {
        Sampling.normalInPlace(this, mean, std, g);
        return this;
    }

    /** {@link #normalInPlace(double, double, Generator)} with the default generator. */
    public Tensor normalInPlace(double mean, double std) { return normalInPlace(mean, std, null); }

    /**
     * Overwrites this tensor (any dtype) with 0/1 samples, 1 with probability {@code p}, in place
     * (like {@code bernoulli_(p)}); {@code g} null means the default generator.
     */
    public Tensor bernoulliInPlace(double p, Generator g) {
        Sampling.bernoulliInPlace(this, p, g);
        return this;
    }

    /** PyTorch's repr with {@code precision} digits after the decimal point (default 4). */
    public String toString(int precision) { return TensorFormat.DEFAULT.withPrecision(precision).format(this); }

    /**
     * PyTorch's repr: {@code tensor([[1., 2.],\n        [3., 4.]])}, with a {@code dtype=...}
     * suffix for float64 and int32, and {@code ...} summaries past 1000 elements.
     */
    @Override
    public String toString() { return TensorFormat.DEFAULT.format(this); }
}
