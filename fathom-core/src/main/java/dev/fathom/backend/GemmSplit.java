package dev.fathom.backend;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits one GEMM's rows or columns into blocks that the pool's threads take dynamically: a few
 * blocks per thread rather than one fixed half each, so a core stolen by another process (the
 * machine is shared) delays one small block instead of half the product. Used by the GEMMs here
 * and by the batch-1 convolution forward ({@code ops.Conv}), which unfolds its image in the
 * preparation phase and splits its product by blocks of output channels.
 */
public final class GemmSplit {
    private GemmSplit() {}

    /** Computes {@code [start, end)} of the split extent. */
    @FunctionalInterface
    public interface Block {
        void run(int start, int end);
    }

    /** Blocks per thread: more balances better, fewer re-packs less of the shared operand. */
    private static final int BLOCKS_PER_THREAD = 4;

    /**
     * Runs {@code body} over {@code [0, extent)} in blocks that are multiples of {@code unit}, spread
     * over {@link Parallel}'s threads: one block per thread, or up to {@value #BLOCKS_PER_THREAD} per
     * thread while blocks stay at least {@code minBlock} long. Inside a parallel region (the loop
     * could not spread, and each block would re-pack the shared operand on the one thread) it is one block.
     */
    static void run(int extent, int unit, int minBlock, Block body) {
        run(0, null, extent, unit, minBlock, body);
    }

    /**
     * As {@link #run(int, int, int, Block)}, after {@code prep} has run over {@code [0, prepCount)}
     * split over the pool (packing the operand all blocks share), in the same hand-off to the
     * workers ({@link Parallel#forRanges}).
     */
    public static void run(int prepCount, Parallel.RangeBody prep, int extent, int unit, int minBlock, Block body) {
        int threads = Parallel.inRegion() ? 1 : Parallel.threads();
        // At least one block per thread while the extent has units for them, more when blocks stay >= minBlock.
        int blocks = Math.max(Math.min(threads, (extent + unit - 1) / unit),
            Math.min(threads * BLOCKS_PER_THREAD, extent / Math.max(minBlock, 1)));
        if (threads == 1 || blocks == 1) {
            if (prepCount > 0) Parallel.forRange(prepCount, 1, prep);
            body.run(0, extent);
            return;
        }
        int size = (extent + blocks - 1) / blocks;
        final int bs = (size + unit - 1) / unit * unit;
        final int count = (extent + bs - 1) / bs;
        AtomicInteger next = new AtomicInteger();
        // One task per thread; each drains the shared block counter (inline, one task drains all).
        Parallel.forRanges(prepCount, 1, prep, Math.min(threads, count), 1, (s, e) -> {
            for (int t; (t = next.getAndIncrement()) < count; )
                body.run(t * bs, Math.min(extent, (t + 1) * bs));
        });
    }
}
