package dev.fathom.tensor;

/**
 * The flat, typed heap array behind one or more tensors. Views share a storage; the garbage
 * collector owns its lifetime. The array is one of {@code float[]}, {@code double[]}, {@code int[]},
 * {@code long[]} or {@code boolean[]}, according to {@link #dtype()}.
 */
public final class Storage {
    private final Object array;
    private final DType dtype;
    private final int length;
    private int version;

    Storage(Object array, DType dtype) {
        this.array = array;
        this.dtype = dtype;
        this.length = java.lang.reflect.Array.getLength(array);
    }

    /** A zero-filled storage of {@code length} elements. */
    public static Storage allocate(DType dtype, int length) {
        Object a = switch (dtype) {
            case FLOAT32 -> new float[length];
            case FLOAT64 -> new double[length];
            case INT32 -> new int[length];
            case INT64 -> new long[length];
            case BOOL -> new boolean[length];
        };
        return new Storage(a, dtype);
    }

    /** Wraps an existing array without copying. */
    public static Storage wrap(Object array) {
        DType t = switch (array) {
            case float[] a -> DType.FLOAT32;
            case double[] a -> DType.FLOAT64;
            case int[] a -> DType.INT32;
            case long[] a -> DType.INT64;
            case boolean[] a -> DType.BOOL;
            default -> throw new IllegalArgumentException(
                "Storage.wrap: unsupported array type " + array.getClass().getSimpleName()
                    + "; expected float[], double[], int[], long[] or boolean[]");
        };
        return new Storage(array, t);
    }

    public DType dtype() { return dtype; }

    public int length() { return length; }

    /** The raw array (one of the five primitive array types). */
    public Object array() { return array; }

    public float[] floats() { return (float[]) array; }

    public double[] doubles() { return (double[]) array; }

    public int[] ints() { return (int[]) array; }

    public long[] longs() { return (long[]) array; }

    public boolean[] bools() { return (boolean[]) array; }

    /** Incremented by every in-place write; autograd uses it to detect stale saved tensors. */
    public int version() { return version; }

    /** Records an in-place modification. */
    public void bumpVersion() { version++; }
}
