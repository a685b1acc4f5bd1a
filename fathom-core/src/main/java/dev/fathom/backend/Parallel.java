package dev.fathom.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one worker pool of Fathom's CPU kernels, sized to the cores ({@code -Dfathom.threads=N}
 * overrides). Big loops are split across it; small ones run on the caller's thread, so tiny ops
 * pay no hand-off.
 *
 * <p>The caller runs the first chunk itself and {@code threads() - 1} workers run the others.
 * Workers spin briefly ({@code -Dfathom.spinMicros}, default 50) before parking, because waking a
 * parked thread costs tens of microseconds on a VM: with a parked-worker pool (ForkJoinPool) an
 * in-place add of 65,536 floats took 50 µs, of which the kernel is a few. One parallel region runs
 * at a time; a second caller meanwhile, or a loop nested inside a region, runs inline.
 */
public final class Parallel {
    private Parallel() {}

    private static final int THREADS = Math.max(1,
        Integer.getInteger("fathom.threads", Runtime.getRuntime().availableProcessors()));

    private static final long SPIN_NANOS = Math.max(0, Long.getLong("fathom.spinMicros", 50)) * 1000;

    private static final Worker[] WORKERS = new Worker[THREADS - 1];

    /** Held by the thread that owns the workers for the current region. */
    private static final ReentrantLock REGION = new ReentrantLock();

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
    }

    /** Body of a parallel loop over the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** Number of threads kernels may use. */
    public static int threads() { return THREADS; }

    /**
     * Runs {@code body} over {@code [0, n)}, split into at most {@link #threads()} chunks of at
     * least {@code grain} items each. Runs inline when the work is small, when there is one thread,
     * when called from inside a region (no nested splitting) or while another thread holds the pool.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = (int) Math.min(THREADS, ((long) n + grain - 1) / Math.max(grain, 1));
        if (chunks <= 1 || Thread.currentThread() instanceof Worker || REGION.isHeldByCurrentThread()
            || !REGION.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            Region region = new Region(body, n, chunks);
            for (int c = 1; c < chunks; c++) WORKERS[c - 1].submit(region, c);
            region.run(0);
            region.await();
            region.rethrow();
        } finally {
            REGION.unlock();
        }
    }

    /** One parallel loop: its chunks, the count still running, and the first failure. */
    private static final class Region {
        final RangeBody body;
        final int n, chunks;
        final AtomicInteger pending;
        final Thread owner = Thread.currentThread();
        volatile boolean ownerParked;
        volatile Throwable failure;

        Region(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.pending = new AtomicInteger(chunks - 1);
        }

        void run(int c) {
            try {
                body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            } catch (Throwable t) {
                if (failure == null) failure = t;
            }
        }

        /** Called by a worker when its chunk is done. */
        void done() {
            if (pending.decrementAndGet() == 0 && ownerParked) LockSupport.unpark(owner);
        }

        void await() {
            long start = System.nanoTime();
            while (pending.get() > 0) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                ownerParked = true; // then re-check, so a done() between the two cannot be missed
                if (pending.get() > 0) LockSupport.park(this);
                ownerParked = false;
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException e) throw e;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        }
    }

    private static final class Worker extends Thread {
        private volatile Region region;
        private volatile int chunk;
        private volatile boolean parked;

        Worker(int index) {
            super("fathom-worker-" + index);
            setDaemon(true);
        }

        void submit(Region r, int c) {
            chunk = c;
            region = r; // publishes chunk
            if (parked) LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (true) {
                Region r = region;
                if (r == null) {
                    long start = System.nanoTime();
                    while ((r = region) == null && System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                    if (r == null) {
                        parked = true; // then re-check, so a submit() between the two cannot be missed
                        if (region == null) LockSupport.park(this);
                        parked = false;
                        continue;
                    }
                }
                int c = chunk;
                region = null;
                r.run(c);
                r.done();
            }
        }
    }
}
