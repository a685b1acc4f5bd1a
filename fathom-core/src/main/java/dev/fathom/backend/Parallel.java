package dev.fathom.backend;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one worker pool of Fathom's CPU kernels, sized to the cores ({@code -Dfathom.threads=N}
 * overrides). Big loops are split across it; small ones run on the caller's thread, so tiny ops
 * pay no hand-off.
 */
public final class Parallel {
    private Parallel() {}

    private static final int THREADS = Math.max(1,
        Integer.getInteger("fathom.threads", Runtime.getRuntime().availableProcessors()));

    private static final ForkJoinPool POOL = THREADS == 1 ? null : new ForkJoinPool(THREADS,
        pool -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("fathom-worker-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);

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
     * or when already inside a worker (no nested splitting).
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(THREADS, (int) Math.min(Integer.MAX_VALUE, ((long) n + grain - 1) / Math.max(grain, 1)));
        if (chunks <= 1 || POOL == null || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        final int nChunks = chunks;
        POOL.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                RecursiveAction[] tasks = new RecursiveAction[nChunks - 1];
                for (int c = 1; c < nChunks; c++) {
                    final int s = (int) ((long) n * c / nChunks), e = (int) ((long) n * (c + 1) / nChunks);
                    tasks[c - 1] = new RecursiveAction() {
                        @Override protected void compute() { body.run(s, e); }
                    };
                    tasks[c - 1].fork();
                }
                body.run(0, (int) ((long) n / nChunks));
                for (int c = nChunks - 2; c >= 0; c--) tasks[c].join();
            }
        });
    }
}
