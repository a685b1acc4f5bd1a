package dev.fathom.tensor;

import dev.fathom.backend.Copy;
import dev.fathom.backend.Parallel;

import java.util.Arrays;

/**
 * Random sampling kernels behind the {@link Tensor} factories. Each mirrors the draw order and
 * arithmetic of PyTorch 1.13's CPU kernels (serial draws from mt19937, fused multiply-adds where
 * the AVX2 build contracts them), so seeded results match PyTorch bit for bit; see
 * {@link Generator}. Draws are always sequential; only pure per-block transforms run in parallel.
 */
final class Sampling {
    private Sampling() {}

    // ------------------------------------------------------------------ validation helpers

    private static void checkFloating(String op, DType dtype) {
        if (!dtype.isFloatingPoint())
            throw new IllegalArgumentException(op + ": expects a floating-point dtype (float32 or float64), got " + dtype);
    }

    private static void checkRange(String op, double low, double high) {
        if (!Double.isFinite(low) || !Double.isFinite(high))
            throw new IllegalArgumentException(op + ": low and high must be finite, got low " + low + " and high " + high);
        if (low > high)
            throw new IllegalArgumentException(op + ": low " + low + " must not exceed high " + high);
    }

    private static void checkStd(String op, double mean, double std) {
        if (!(std >= 0) || Double.isInfinite(std))
            throw new IllegalArgumentException(op + ": std must be finite and non-negative, got " + std);
        if (!Double.isFinite(mean))
            throw new IllegalArgumentException(op + ": mean must be finite, got " + mean);
    }

    private static void checkProbability(String op, double p) {
        if (!(p >= 0 && p <= 1))
            throw new IllegalArgumentException(op + ": probability p must be in [0, 1], got " + p);
    }

    private static Generator gen(Generator g) { return g == null ? Generator.global() : g; }

    // ------------------------------------------------------------------ write order for in-place fills

    /**
     * The view of {@code t} whose row-major order is the order PyTorch's TensorIterator visits a
     * written tensor: dimensions sorted by decreasing stride (stable), i.e. memory order. Fails for
     * views where two elements share memory (expanded dimensions).
     */
    private static Tensor memoryOrderView(String op, Tensor t) {
        int nd = t.shape.length;
        for (int d = 0; d < nd; d++)
            if (t.strides[d] == 0 && t.shape[d] > 1)
                throw new IllegalArgumentException(op + ": cannot write random values into a tensor whose elements share memory"
                    + " (shape " + Shapes.format(t.shape) + ", strides " + Arrays.toString(t.strides)
                    + "); call contiguous() first");
        return t.permute(memoryOrder(t));
    }

    /** Writes the contiguous values {@code src} (in memory order of {@code dst}) into {@code dst}. */
    private static void scatterInto(Tensor ordered, Object src) {
        Copy.copy(ordered.shape, src, 0, Shapes.contiguousStrides(ordered.shape),
            ordered.storage.array(), ordered.offset, ordered.strides);
    }

    /** Draws {@code n} values from a generator into {@code array[off, off + n)}. */
    @FunctionalInterface
    private interface Fill {
        void fill(Generator g, Object array, int off, int n);
    }

    /**
     * The in-place samplers' common frame: draws into {@code t} in its memory order, directly with
     * {@code contiguous} when it is contiguous, else with {@code strided} into a buffer that is then
     * written back through the memory-order view; bumps the version.
     */
    private static void fillInPlace(String op, Tensor t, Generator g, Fill contiguous, Fill strided) {
        dev.fathom.autograd.Autograd.checkInPlace(op, t);
        int n = t.numel();
        if (t.isContiguous()) {
            contiguous.fill(gen(g), t.storage.array(), t.offset, n);
        } else {
            Tensor ordered = memoryOrderView(op, t);
            Object tmp = Storage.allocate(t.dtype(), n).array();
            strided.fill(gen(g), tmp, 0, n);
            scatterInto(ordered, tmp);
        }
        t.storage.bumpVersion();
    }

    // ------------------------------------------------------------------ uniform

    static Tensor uniform(Generator g, double low, double high, DType dtype, int[] shape) {
        checkFloating("uniform", dtype);
        checkRange("uniform", low, high);
        Tensor out = Tensor.empty(dtype, shape);
        fillUniform(gen(g), low, high, out.storage.array(), 0, out.numel());
        return out;
    }

    static void uniformInPlace(Tensor t, double low, double high, Generator g) {
        checkFloating("uniformInPlace", t.dtype());
        checkRange("uniformInPlace", low, high);
        Fill f = (gg, a, off, n) -> fillUniform(gg, low, high, a, off, n);
        fillInPlace("uniformInPlace", t, g, f, f);
    }

    private static final int CHUNK = 2048; // raw draws buffered per batch (an even number)

    /** {@code x * (high - low) + low} with the multiply-add fused, in the element type, as PyTorch. */
    private static void fillUniform(Generator g, double low, double high, Object array, int off, int n) {
        int[] raw = new int[Math.min(2 * n, CHUNK)];
        synchronized (g) {
            switch (array) {
                case float[] a -> {
                    float from = (float) low, range = (float) high - from;
                    for (int done = 0; done < n; ) {
                        int k = Math.min(raw.length, n - done);
                        g.fill32(raw, 0, k);
                        for (int j = 0, i = off + done; j < k; j++, i++)
                            a[i] = Math.fma((raw[j] & 0xffffff) * 0x1.0p-24f, range, from);
                        done += k;
                    }
                }
                case double[] a -> {
                    double range = high - low;
                    for (int done = 0; done < n; ) {
                        int k = Math.min(raw.length / 2, n - done);
                        g.fill32(raw, 0, 2 * k);
                        for (int j = 0, i = off + done; j < k; j++, i++)
                            a[i] = Math.fma(drawn53(raw, j), range, low);
                        done += k;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    /** The low 53 bits of the 64-bit value whose high word is drawn first. */
    private static long bits53(int hi, int lo) {
        return (((long) hi << 32) | (lo & 0xffffffffL)) & ((1L << 53) - 1);
    }

    // ------------------------------------------------------------------ normal

    static Tensor normal(Generator g, double mean, double std, DType dtype, int[] shape) {
        checkFloating("normal", dtype);
        checkStd("normal", mean, std);
        Tensor out = Tensor.empty(dtype, shape);
        fillNormalContiguous(gen(g), mean, std, out.storage.array(), 0, out.numel());
        return out;
    }

    static void normalInPlace(Tensor t, double mean, double std, Generator g) {
        checkFloating("normalInPlace", t.dtype());
        checkStd("normalInPlace", mean, std);
        // PyTorch's non-contiguous path draws element by element in memory order
        fillInPlace("normalInPlace", t, g, (gg, a, off, n) -> fillNormalContiguous(gg, mean, std, a, off, n),
            (gg, a, off, n) -> fillNormalSerial(gg, mean, std, a, off, n));
    }

    private static void fillNormalContiguous(Generator g, double mean, double std, Object array, int off, int n) {
        if (n >= 16) {
            switch (array) {
                case float[] a -> normalFillFloat(g, (float) mean, (float) std, a, off, n);
                case double[] a -> normalFillDouble(g, mean, std, a, off, n);
                default -> throw new IllegalStateException();
            }
        } else {
            fillNormalSerial(g, mean, std, array, off, n);
        }
    }

    /** One Box-Muller normal (cached pairs) per element, computed in double. */
    private static void fillNormalSerial(Generator g, double mean, double std, Object array, int off, int n) {
        synchronized (g) {
            switch (array) {
                case float[] a -> { for (int i = off; i < off + n; i++) a[i] = (float) Math.fma(g.standardNormal(), std, mean); }
                case double[] a -> { for (int i = off; i < off + n; i++) a[i] = Math.fma(g.standardNormal(), std, mean); }
                default -> throw new IllegalStateException();
            }
        }
    }

    private static final int BLOCK_GRAIN = 1024; // blocks of 16 per parallel task

    /**
     * PyTorch's {@code normal_fill} (AVX2 build): n uniform floats, then each block of 16 becomes
     * 16 normals by pairing element j with j+8; a ragged tail re-draws the last 16 and transforms
     * them again.
     */
    private static void normalFillFloat(Generator g, float mean, float std, float[] a, int off, int n) {
        float[] tail = new float[16];
        synchronized (g) { // all draws under one lock, as PyTorch holds its mutex for the whole fill
            fillUniform(g, 0, 1, a, off, n);
            if (n % 16 != 0) fillUniform(g, 0, 1, tail, 0, 16);
        }
        Parallel.forRange(n / 16, BLOCK_GRAIN, (s, e) -> {
            for (int b = s; b < e; b++) CephesAvx.normal16(a, off + 16 * b, mean, std);
        });
        if (n % 16 != 0) {
            System.arraycopy(tail, 0, a, off + n - 16, 16);
            CephesAvx.normal16(a, off + n - 16, mean, std);
        }
    }

    private static void normalFillDouble(Generator g, double mean, double std, double[] a, int off, int n) {
        double[] tail = new double[16];
        synchronized (g) {
            fillUniform(g, 0, 1, a, off, n);
            if (n % 16 != 0) fillUniform(g, 0, 1, tail, 0, 16);
        }
        Parallel.forRange(n / 16, BLOCK_GRAIN, (s, e) -> {
            for (int b = s; b < e; b++) normal16(a, off + 16 * b, mean, std);
        });
        if (n % 16 != 0) {
            System.arraycopy(tail, 0, a, off + n - 16, 16);
            normal16(a, off + n - 16, mean, std);
        }
    }

    private static void normal16(double[] d, int o, double mean, double std) {
        for (int j = 0; j < 8; j++) {
            double u1 = 1 - d[o + j];
            double u2 = d[o + j + 8];
            double radius = StrictMath.sqrt(-2 * StrictMath.log(u1));
            double theta = 2.0 * Math.PI * u2;
            d[o + j] = Math.fma(radius * StrictMath.cos(theta), std, mean);
            d[o + j + 8] = Math.fma(radius * StrictMath.sin(theta), std, mean);
        }
    }

    // ------------------------------------------------------------------ bernoulli

    static Tensor bernoulli(Generator g, double p, DType dtype, int[] shape) {
        checkProbability("bernoulli", p);
        Tensor out = Tensor.empty(dtype, shape);
        fillBernoulli(gen(g), p, out.storage.array(), 0, out.numel());
        return out;
    }

    static void bernoulliInPlace(Tensor t, double p, Generator g) {
        checkProbability("bernoulliInPlace", p);
        Fill f = (gg, a, off, n) -> fillBernoulli(gg, p, a, off, n);
        fillInPlace("bernoulliInPlace", t, g, f, f);
    }

    /**
     * One 53-bit uniform double per element (two raw draws, as {@link Generator#uniformDouble}),
     * 1 where it is below p: the raw draws are taken a batch at a time ({@link Generator#fill32}),
     * not two calls per element (the cnn's dropout mask, 8,192 elements a step, took 1.8% of its
     * step that way).
     */
    private static void fillBernoulli(Generator g, double p, Object array, int off, int n) {
        int[] raw = new int[Math.min(2 * n, CHUNK)];
        synchronized (g) {
            for (int done = 0; done < n; ) {
                int k = Math.min(raw.length / 2, n - done);
                g.fill32(raw, 0, 2 * k);
                switch (array) {
                    case float[] a -> { for (int j = 0; j < k; j++) a[off + done + j] = drawn53(raw, j) < p ? 1f : 0f; }
                    case double[] a -> { for (int j = 0; j < k; j++) a[off + done + j] = drawn53(raw, j) < p ? 1 : 0; }
                    case int[] a -> { for (int j = 0; j < k; j++) a[off + done + j] = drawn53(raw, j) < p ? 1 : 0; }
                    case long[] a -> { for (int j = 0; j < k; j++) a[off + done + j] = drawn53(raw, j) < p ? 1 : 0; }
                    case boolean[] a -> { for (int j = 0; j < k; j++) a[off + done + j] = drawn53(raw, j) < p; }
                    default -> throw new IllegalStateException();
                }
                done += k;
            }
        }
    }

    /** The uniform double in [0, 1) of draw pair j of {@code raw}. */
    private static double drawn53(int[] raw, int j) { return bits53(raw[2 * j], raw[2 * j + 1]) * 0x1.0p-53; }

    /**
     * {@code torch.bernoulli(p)}: one draw per element of {@code p} (float32 p: 24-bit uniform
     * floats; float64 p: 53-bit doubles) in row-major order of p's shape, into a contiguous result.
     */
    static Tensor bernoulli(Generator g, Tensor p) {
        checkFloating("bernoulli", p.dtype());
        int n = p.numel();
        Tensor pc = p.contiguous();
        Object src = pc.storage.array();
        int so = pc.offset;
        Tensor drawn = Tensor.empty(p.dtype(), pc.shape);
        Generator gg = gen(g);
        synchronized (gg) {
            switch (src) {
                case float[] s -> {
                    float[] o = drawn.storage.floats();
                    for (int i = 0; i < n; i++) {
                        float pv = s[so + i];
                        checkElementProbability(pv);
                        o[i] = gg.uniformFloat() < pv ? 1f : 0f;
                    }
                }
                case double[] s -> {
                    double[] o = drawn.storage.doubles();
                    for (int i = 0; i < n; i++) {
                        double pv = s[so + i];
                        checkElementProbability(pv);
                        o[i] = gg.uniformDouble() < pv ? 1 : 0;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return drawn;
    }

    private static void checkElementProbability(double pv) {
        if (!(pv >= 0 && pv <= 1))
            throw new IllegalArgumentException("bernoulli: every probability must be in [0, 1], got " + pv);
    }

    /** Dimensions sorted by decreasing |stride|, ties in their original order. */
    private static int[] memoryOrder(Tensor t) {
        int nd = t.shape.length;
        Integer[] order = new Integer[nd];
        for (int d = 0; d < nd; d++) order[d] = d;
        Arrays.sort(order, (a, b) -> Integer.compare(Math.abs(t.strides[b]), Math.abs(t.strides[a])));
        int[] r = new int[nd];
        for (int d = 0; d < nd; d++) r[d] = order[d];
        return r;
    }

    // ------------------------------------------------------------------ integers

    /** One draw in {@code [0, range)} for an unsigned range: 32 bits if it fits, else 64 (PyTorch's rule). */
    static long randomInRange(Generator g, long range) {
        if (Long.compareUnsigned(range, 1L << 32) >= 0) return Long.remainderUnsigned(g.next64(), range);
        return (g.next32() & 0xffffffffL) % range;
    }

    static Tensor randint(Generator g, long low, long high, int[] shape) {
        if (low >= high)
            throw new IllegalArgumentException("randint: low " + low + " must be less than high " + high);
        Tensor out = Tensor.empty(DType.INT64, shape);
        long[] a = out.storage.longs();
        long range = high - low; // may wrap: read as unsigned
        Generator gg = gen(g);
        synchronized (gg) {
            for (int i = 0; i < a.length; i++) a[i] = randomInRange(gg, range) + low;
        }
        return out;
    }

    static Tensor randperm(Generator g, int n) {
        if (n < 0) throw new IllegalArgumentException("randperm: n must be non-negative, got " + n);
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = i;
        Generator gg = gen(g);
        synchronized (gg) {
            // PyTorch's CPU shuffle: swap i with i + (random() % (n - i))
            for (int i = 0; i < n - 1; i++) {
                int z = (int) ((gg.next32() & 0xffffffffL) % (n - i));
                long t = r[i];
                r[i] = r[i + z];
                r[i + z] = t;
            }
        }
        return Tensor.of(r, n);
    }
}
