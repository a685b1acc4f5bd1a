package dev.fathom.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one worker pool of Fathom's CPU kernels, sized to the cores ({@code -Dfathom.threads=N}
 * overrides). Big loops are split across it; small ones run on the caller's thread, so tiny ops
 * pay no hand-off.
 *
 * <p>The caller and {@code threads() - 1} workers take the chunks from one counter; the caller
 * runs what no worker has started by the time it is free, so a descheduled worker delays nothing
 * it had not begun.
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
        if (chunks <= 1 || inRegion() || !REGION.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            Region region = new Region(body, n, chunks);
            for (int c = 1; c < chunks; c++) WORKERS[c - 1].submit(region);
            region.drain();
            region.await();
            region.rethrow();
        } finally {
            REGION.unlock();
        }
    }

    /** True on a thread that runs a region's chunks (a worker, or the caller that owns the region): loops started there run inline. */
    static boolean inRegion() {
        return Thread.currentThread() instanceof Worker || REGION.isHeldByCurrentThread();
    }

    /**
     * One parallel loop: its chunks, the next one not yet taken, the count still running, and the
     * first failure. The caller and the workers take chunks from the same counter, so a chunk whose
     * worker has not started yet (descheduled on a busy machine, or still waking up) is run by the
     * caller instead of waited for; the caller waits only for chunks already under way.
     */
    private static final class Region {
        final RangeBody body;
        final int n, chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger pending;
        final Thread owner = Thread.currentThread();
        volatile boolean ownerParked;
        volatile Throwable failure;

        Region(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.pending = new AtomicInteger(chunks);
        }

        /** Runs chunks until none is left to take. */
        void drain() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                }
                if (pending.decrementAndGet() == 0 && ownerParked) LockSupport.unpark(owner);
            }
        }

        void await() {
            long start = System.nanoTime();
            while (pending.get() > 0) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                ownerParked = true; // then re-check, so a last chunk finishing between the two cannot be missed
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
        /** The region handed to this worker and not yet taken; a newer one replaces one it never took. */
        private final java.util.concurrent.atomic.AtomicReference<Region> region = new java.util.concurrent.atomic.AtomicReference<>();
        private volatile boolean parked;

        Worker(int index) {
            super("fathom-worker-" + index);
            setDaemon(true);
        }

        void submit(Region r) {
            region.set(r);
            if (parked) LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (true) {
                Region r = region.get();
                if (r == null) {
                    long start = System.nanoTime();
                    while ((r = region.get()) == null && System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                    if (r == null) {
                        parked = true; // then re-check, so a submit() between the two cannot be missed
                        if (region.get() == null) LockSupport.park(this);
                        parked = false;
                        continue;
                    }
                }
                // take it only if it is still the one handed over (the caller may have finished it and moved on)
                if (region.compareAndSet(r, null)) r.drain();
            }
        }
    }
}
