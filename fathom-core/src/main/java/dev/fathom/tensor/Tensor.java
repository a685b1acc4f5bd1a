package dev.fathom.tensor;

import dev.fathom.backend.Copy;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
     * A view over {@code storage} with explicit strides and offset. Every element the view can
     * address must lie inside the storage.
     */
    public static Tensor view(Storage storage, int[] shape, int[] strides, int offset) {
        Shapes.checkShape("Tensor.view", shape);
        if (strides.length != shape.length)
            throw new IllegalArgumentException("Tensor.view: " + strides.length + " strides for a "
                + shape.length + "-d shape " + Shapes.format(shape));
        long lo = offset, hi = offset;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) empty = true;
            long ext = (long) (shape[i] - 1) * strides[i];
            if (ext < 0) lo += ext; else hi += ext;
        }
        if (!empty && (lo < 0 || hi >= storage.length()))
            throw new IllegalArgumentException("Tensor.view: shape " + Shapes.format(shape) + " with strides "
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
        System.arraycopy(c.storage.array(), c.offset, a, 0, c.numel());
        return a;
    }

    // ------------------------------------------------------------------ copies and conversion

    /** This tensor converted to {@code dtype}; returns {@code this} when the type already matches. */
    public Tensor to(DType dtype) {
        if (dtype == dtype()) return this;
        Tensor out = empty(dtype, shape);
        copyInto(out);
        return out;
    }

    /** A contiguous tensor with the same values: {@code this} if already contiguous, else a copy. */
    public Tensor contiguous() {
        return isContiguous() ? this : copy();
    }

    /** A new contiguous tensor with a copy of the values. */
    public Tensor copy() {
        Tensor out = empty(dtype(), shape);
        copyInto(out);
        return out;
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
        if (st != null) return new Tensor(storage, ns, st, offset);
        Tensor c = copy();
        return new Tensor(c.storage, ns, Shapes.contiguousStrides(ns), 0);
    }

    /** Like {@link #reshape} but never copies: fails when the strides do not allow a view. */
    public Tensor view(int... newShape) {
        int[] ns = inferShape("view", newShape);
        int[] st = viewStrides(ns);
        if (st == null)
            throw new IllegalArgumentException("view: a tensor of shape " + Shapes.format(shape) + " with strides "
                + Arrays.toString(strides) + " cannot be viewed as " + Shapes.format(ns)
                + " without a copy; call contiguous() first or use reshape()");
        return new Tensor(storage, ns, st, offset);
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
        return new Tensor(storage, ns, st, offset);
    }

    /** Removes dimension {@code dim} if its size is 1 (otherwise returns this view unchanged, as PyTorch). */
    public Tensor squeeze(int dim) {
        if (shape.length == 0) return this;
        int d = Shapes.axis("squeeze", dim, shape.length);
        if (shape[d] != 1) return this;
        return new Tensor(storage, remove(shape, d), remove(strides, d), offset);
    }

    /** Inserts a dimension of size 1 at {@code dim} (in {@code [-ndim-1, ndim]}). */
    public Tensor unsqueeze(int dim) {
        int d = Shapes.axis("unsqueeze", dim, shape.length + 1);
        int[] ns = insert(shape, d, 1);
        int st = d < shape.length ? strides[d] * shape[d] : 1;
        return new Tensor(storage, ns, insert(strides, d, st), offset);
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
        return new Tensor(storage, ns, st, offset);
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
        return new Tensor(storage, ns, st, offset);
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
        return new Tensor(storage, ns, strides, offset + s * strides[d]);
    }

    /** Indexes dimension {@code dim} at {@code index}, removing that dimension (a view). */
    public Tensor select(int dim, int index) {
        int d = Shapes.axis("select", dim, shape.length);
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d])
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dimension "
                + dim + " of size " + shape[d] + " (shape " + Shapes.format(shape) + ")");
        return new Tensor(storage, remove(shape, d), remove(strides, d), offset + i * strides[d]);
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
        return new Tensor(storage, ns, st, offset + (len > 0 ? s * strides[d] : 0));
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
        return new Tensor(storage, ns, st, offset);
    }

    /** NumPy's broadcast_to: a view of this tensor with the broadcast shape {@code target}. */
    public Tensor broadcastTo(int... target) {
        if (Arrays.equals(target, shape)) return this;
        int[] b = Shapes.broadcast("broadcastTo", shape, target);
        if (!Arrays.equals(b, target))
            throw new IllegalArgumentException("broadcastTo: shape " + Shapes.format(shape) + " cannot be broadcast to "
                + Shapes.format(target));
        return new Tensor(storage, target.clone(), Shapes.broadcastStrides(shape, strides, target), offset);
    }

    // ------------------------------------------------------------------ elementwise (ops/Unary, ops/Binary)



    // ------------------------------------------------------------------ end elementwise




    // ------------------------------------------------------------------ reductions (ops/Reductions)



    // ------------------------------------------------------------------ end reductions




    // ------------------------------------------------------------------ linear algebra (ops/Linalg)

    /**
     * Matrix product with NumPy/PyTorch {@code matmul} rules (1-D operands promoted and the added
     * dimension removed, batch dimensions broadcast).
     */
    public Tensor matmul(Tensor other) { return dev.fathom.ops.Linalg.matmul(this, other); }

    /** Matrix product of two 2-D tensors. */
    public Tensor mm(Tensor other) { return dev.fathom.ops.Linalg.mm(this, other); }

    /** Dot product of two 1-D tensors of equal length (a 0-d tensor). */
    public Tensor dot(Tensor other) { return dev.fathom.ops.Linalg.dot(this, other); }

    /** Outer product of two 1-D tensors. */
    public Tensor outer(Tensor other) { return dev.fathom.ops.Linalg.outer(this, other); }



    // ------------------------------------------------------------------ end linear algebra




    // ------------------------------------------------------------------ indexing and shaping (ops/Indexing)



    // ------------------------------------------------------------------ end indexing




    // ------------------------------------------------------------------ network primitives (ops/Conv, ops/Pool)



    // ------------------------------------------------------------------ end network primitives




    // ------------------------------------------------------------------ random and printing



    // ------------------------------------------------------------------ end random and printing




    @Override
    public String toString() {
        return "tensor(shape=" + Shapes.format(shape) + ", dtype=" + dtype() + ")";
    }
}
