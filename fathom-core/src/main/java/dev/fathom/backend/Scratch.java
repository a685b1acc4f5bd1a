package dev.fathom.backend;

/**
 * Per-thread scratch arrays in numbered slots, reused between calls: a kernel that fully
 * overwrites what it uses (packing, transforms) gets one without allocating and zeroing it each
 * time. Each user holds its own instance, so its slots are its own; contents are garbage.
 */
public final class Scratch {
    private final ThreadLocal<float[][]> floats;
    private final ThreadLocal<double[][]> doubles;

    public Scratch(int slots) {
        floats = ThreadLocal.withInitial(() -> new float[slots][]);
        doubles = ThreadLocal.withInitial(() -> new double[slots][]);
    }

    /**
     * This thread's float array of slot {@code slot}, at least {@code size} long; above {@code keep}
     * elements a fresh array that is not kept (large buffers would pin memory per thread).
     */
    public float[] floats(int slot, int size, int keep) {
        if (size > keep) return new float[size];
        float[][] b = floats.get();
        if (b[slot] == null || b[slot].length < size) b[slot] = new float[size];
        return b[slot];
    }

    /** As {@link #floats}, for double. */
    public double[] doubles(int slot, int size, int keep) {
        if (size > keep) return new double[size];
        double[][] b = doubles.get();
        if (b[slot] == null || b[slot].length < size) b[slot] = new double[size];
        return b[slot];
    }
}
