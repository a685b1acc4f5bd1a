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
        forRanges(0, 1, null, n, grain, body);
    }

    /**
     * Runs {@code first} over {@code [0, n1)} and, once all of it has finished, {@code second}
     * over {@code [0, n2)}, each split as {@link #forRange} splits one loop, but in one hand-off
     * to the workers: a product that packs a shared operand and then multiplies with it wakes the
     * workers once, not twice. A thread that runs out of first-phase chunks waits only for chunks
     * already under way; a worker that arrives late finds the first phase done and joins the
     * second. A failure in the first phase skips the second. Inline under the same conditions as
     * {@link #forRange}.
     */
    public static void forRanges(int n1, int grain1, RangeBody first, int n2, int grain2, RangeBody second) {
        int c1 = chunks(n1, grain1), c2 = chunks(n2, grain2);
        if (Math.max(c1, c2) <= 1 || inRegion() || !REGION.tryLock()) {
            if (n1 > 0) first.run(0, n1);
            if (n2 > 0) second.run(0, n2);
            return;
        }
        try {
            Region region = new Region(first, n1, c1, second, n2, c2);
            for (int c = 1; c < Math.max(c1, c2); c++) WORKERS[c - 1].submit(region);
            region.drain();
            region.await();
            region.rethrow();
        } finally {
            REGION.unlock();
        }
    }

    /** Chunks of a loop over {@code [0, n)}: at most {@link #threads()}, each at least {@code grain} items. */
    private static int chunks(int n, int grain) {
        return n <= 0 ? 0 : (int) Math.min(THREADS, ((long) n + grain - 1) / Math.max(grain, 1));
    }

    /** True on a thread that runs a region's chunks (a worker, or the caller that owns the region): loops started there run inline. */
    static boolean inRegion() {
        return Thread.currentThread() instanceof Worker || REGION.isHeldByCurrentThread();
    }

    /**
     * One parallel region of one or two loops run one after the other: per loop its chunks and the
     * next one not yet taken, the counts still running, and the first failure. The caller and the
     * workers take chunks from the same counters, so a chunk whose worker has not started yet
     * (descheduled on a busy machine, or still waking up) is run by the caller instead of waited
     * for; the caller waits only for chunks already under way.
     */
    private static final class Region {
        final RangeBody first, second;
        final int n1, chunks1, n2, chunks2;
        final AtomicInteger next1 = new AtomicInteger(), next2 = new AtomicInteger();
        /** First-phase chunks not yet finished; all chunks (both phases) not yet finished. */
        final AtomicInteger pending1, pending;
        final Thread owner = Thread.currentThread();
        volatile boolean ownerParked;
        volatile Throwable failure;

        Region(RangeBody first, int n1, int chunks1, RangeBody second, int n2, int chunks2) {
            this.first = first;
            this.n1 = n1;
            this.chunks1 = chunks1;
            this.second = second;
            this.n2 = n2;
            this.chunks2 = chunks2;
            this.pending1 = new AtomicInteger(chunks1);
            this.pending = new AtomicInteger(chunks1 + chunks2);
        }

        /** Runs chunks until none is left to take: the first phase's, then (once it has finished) the second's. */
        void drain() {
            for (int c; (c = next1.getAndIncrement()) < chunks1; ) {
                run(first, n1, chunks1, c);
                pending1.decrementAndGet();
            }
            if (chunks2 == 0) return;
            // the second phase reads what the first wrote: wait for first-phase chunks still running elsewhere
            while (pending1.get() > 0) Thread.onSpinWait();
            for (int c; (c = next2.getAndIncrement()) < chunks2; ) {
                if (failure == null) run(second, n2, chunks2, c);
                else finished();
            }
        }

        private void run(RangeBody body, int n, int chunks, int c) {
            try {
                body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            } catch (Throwable t) {
                if (failure == null) failure = t;
            }
            finished();
        }

        private void finished() {
            if (pending.decrementAndGet() == 0 && ownerParked) LockSupport.unpark(owner);
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
