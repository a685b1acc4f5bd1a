package dev.fathom.tensor;

/**
 * A seedable source of random numbers for the tensor factories ({@link Tensor#rand},
 * {@link Tensor#randn}, ...) and in-place initialisers.
 *
 * <p>The engine is the 32-bit Mersenne Twister (mt19937) seeded exactly like PyTorch's CPU
 * generator: only the low 32 bits of the 64-bit seed feed {@code init_genrand}. Every sampler
 * draws from it in the order PyTorch's CPU kernels do, so {@code Generator.manualSeed(s)} followed
 * by {@code Tensor.rand(...)} produces the numbers {@code torch.manual_seed(s); torch.rand(...)}
 * produces. Draws are strictly sequential, so results never depend on the number of threads.
 *
 * <p>Factories and initialisers that take a generator treat {@code null} as {@link #global()}.
 *
 * <p>A generator is thread-safe: every sampling call holds its lock for the whole fill, as
 * PyTorch holds the generator mutex.
 *
 * {@snippet :
 * Generator.manualSeed(42);                   // the default generator, like torch.manual_seed(42)
 * Tensor a = Tensor.rand(2, 3);
 * Generator g = new Generator(7);             // an explicit, independent stream
 * Tensor b = Tensor.randn(g, 4);
 * }
 */
public final class Generator {
    /** PyTorch's default CPU seed ({@code torch.Generator().initial_seed()}). */
    public static final long DEFAULT_SEED = 67280421310721L;

    private static final int N = 624, M = 397;
    private static final Generator GLOBAL = new Generator(DEFAULT_SEED);

    private final int[] mt = new int[N];
    private int index;
    private long seed;
    // Box-Muller yields two normals; the per-element sampler caches the second, as PyTorch does.
    private boolean hasNextNormal;
    private double nextNormal;

    /** A generator seeded with {@link #DEFAULT_SEED}. */
    public Generator() { this(DEFAULT_SEED); }

    /** A generator seeded with {@code seed} (PyTorch: {@code torch.Generator().manual_seed(seed)}). */
    public Generator(long seed) { seed(seed); }

    /** The process-wide default generator used by factories that take no generator. */
    public static Generator global() { return GLOBAL; }

    /** Reseeds the default generator, like {@code torch.manual_seed}; returns it. */
    public static Generator manualSeed(long seed) { return GLOBAL.seed(seed); }

    /** Reseeds this generator (and drops any cached normal sample); returns {@code this}. */
    public synchronized Generator seed(long seed) {
        this.seed = seed;
        int s = (int) seed;
        mt[0] = s;
        for (int i = 1; i < N; i++) {
            s = 1812433253 * (s ^ (s >>> 30)) + i;
            mt[i] = s;
        }
        index = N;
        hasNextNormal = false;
        return this;
    }

    /** The seed last set (as an unsigned 64-bit value in a long, like {@code initial_seed()}). */
    public synchronized long initialSeed() { return seed; }

    /** An independent generator in exactly this generator's state. */
    public synchronized Generator copy() {
        Generator g = new Generator(seed);
        System.arraycopy(mt, 0, g.mt, 0, N);
        g.index = index;
        g.hasNextNormal = hasNextNormal;
        g.nextNormal = nextNormal;
        return g;
    }

    /**
     * Puts this generator into {@code snapshot}'s state (typically a {@link #copy()} taken earlier,
     * like {@code torch.set_rng_state(torch.get_rng_state())}); returns {@code this}.
     */
    public Generator setState(Generator snapshot) {
        Generator s = snapshot.copy(); // copy under the snapshot's lock, then install under ours
        synchronized (this) {
            System.arraycopy(s.mt, 0, mt, 0, N);
            index = s.index;
            seed = s.seed;
            hasNextNormal = s.hasNextNormal;
            nextNormal = s.nextNormal;
        }
        return this;
    }

    /** Bytes in {@link #getState()}: mt (624 ints), index, seed, cached-normal flag and value. */
    public static final int STATE_BYTES = 4 * N + 4 + 8 + 1 + 8;

    /**
     * This generator's full state as {@link #STATE_BYTES} little-endian bytes (the Mersenne Twister
     * words, position, seed and the cached normal sample), to save in a checkpoint and restore with
     * {@link #setState(byte[])}; like {@code torch.get_rng_state()}, though not in PyTorch's layout.
     */
    public synchronized byte[] getState() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(STATE_BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int w : mt) b.putInt(w);
        b.putInt(index).putLong(seed).put((byte) (hasNextNormal ? 1 : 0)).putDouble(nextNormal);
        return b.array();
    }

    /**
     * Puts this generator into the state {@link #getState()} returned; returns {@code this}.
     * The bytes are checked (length, position, flag) before anything changes.
     */
    public Generator setState(byte[] state) {
        if (state == null || state.length != STATE_BYTES)
            throw new IllegalArgumentException("Generator.setState: expected " + STATE_BYTES + " bytes, got "
                + (state == null ? "null" : state.length));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(state).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int[] words = new int[N];
        for (int i = 0; i < N; i++) words[i] = b.getInt();
        int idx = b.getInt();
        long sd = b.getLong();
        byte flag = b.get();
        double normal = b.getDouble();
        if (idx < 0 || idx > N)
            throw new IllegalArgumentException("Generator.setState: position " + idx + " is outside [0, " + N + "]");
        if (flag != 0 && flag != 1)
            throw new IllegalArgumentException("Generator.setState: cached-normal flag is " + flag + ", expected 0 or 1");
        synchronized (this) {
            System.arraycopy(words, 0, mt, 0, N);
            index = idx;
            seed = sd;
            hasNextNormal = flag == 1;
            nextNormal = normal;
        }
        return this;
    }

    private void twist() {
        int[] a = mt;
        int i = 0;
        for (; i < N - M; i++) {
            int y = (a[i] & 0x80000000) | (a[i + 1] & 0x7fffffff);
            a[i] = a[i + M] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
        }
        for (; i < N - 1; i++) {
            int y = (a[i] & 0x80000000) | (a[i + 1] & 0x7fffffff);
            a[i] = a[i + M - N] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
        }
        int y = (a[N - 1] & 0x80000000) | (a[0] & 0x7fffffff);
        a[N - 1] = a[M - 1] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
        index = 0;
    }

    /** The next raw 32-bit output (unsigned, in an int). Caller holds the lock. */
    int next32() {
        if (index >= N) twist();
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** Two 32-bit outputs, the first as the high word (PyTorch's {@code random64}). Caller holds the lock. */
    long next64() {
        long hi = next32() & 0xffffffffL;
        long lo = next32() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    /** Fills {@code out[from, to)} with consecutive raw 32-bit outputs. Caller holds the lock. */
    void fill32(int[] out, int from, int to) {
        int i = from;
        while (i < to) {
            if (index >= N) twist();
            int k = Math.min(to - i, N - index);
            int[] a = mt;
            for (int j = 0, src = index; j < k; j++, src++) {
                int y = a[src];
                y ^= y >>> 11;
                y ^= (y << 7) & 0x9d2c5680;
                y ^= (y << 15) & 0xefc60000;
                y ^= y >>> 18;
                out[i + j] = y;
            }
            index += k;
            i += k;
        }
    }

    /** A uniform float in [0, 1) from 24 bits of one draw (PyTorch's float path). Caller holds the lock. */
    float uniformFloat() { return (next32() & 0xffffff) * 0x1.0p-24f; }

    /** A uniform double in [0, 1) from 53 bits of a 64-bit draw. Caller holds the lock. */
    double uniformDouble() { return (next64() & ((1L << 53) - 1)) * 0x1.0p-53; }

    /**
     * A standard normal by Box-Muller on two uniform doubles, returning the cosine branch and
     * caching the sine branch for the next call (PyTorch's {@code normal_distribution<double>}).
     * Caller holds the lock.
     */
    double standardNormal() {
        if (hasNextNormal) {
            hasNextNormal = false;
            return nextNormal;
        }
        double u1 = uniformDouble();
        double u2 = uniformDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        nextNormal = r * StrictMath.sin(theta);
        hasNextNormal = true;
        return r * StrictMath.cos(theta);
    }

    // ------------------------------------------------------------------ scalar draws (public)

    /** The next uniform float in [0, 1) (one 32-bit draw). */
    public synchronized float nextFloat() { return uniformFloat(); }

    /** The next uniform double in [0, 1) (two 32-bit draws). */
    public synchronized double nextDouble() { return uniformDouble(); }

    /** The next standard normal double. */
    public synchronized double nextGaussian() { return standardNormal(); }

    /** The next raw 32-bit output as an unsigned value. */
    public synchronized long nextUnsignedInt() { return next32() & 0xffffffffL; }

    /**
     * A uniform integer in {@code [low, high)}, drawn like one element of {@code torch.randint}
     * (32 bits when the range fits, else 64; reduced modulo the range).
     */
    public synchronized long nextLong(long low, long high) {
        if (low >= high)
            throw new IllegalArgumentException("nextLong: low " + low + " must be less than high " + high);
        return Sampling.randomInRange(this, high - low) + low;
    }
}
