package dev.fathom.backend;

/**
 * Walks N operands that share one logical shape but have their own strides and offsets (views,
 * transposes, broadcasts with stride 0), row by row. Adjacent dimensions that are contiguous for
 * every operand are merged first, so a fully contiguous case is a single row.
 *
 * <p>A kernel asks for rows and runs a tight loop over each: {@code offsets[k]} is where operand
 * {@code k}'s row starts and {@link #innerStride(int)} its step within the row.
 */
public final class StridedIter {
    private final int[] shape;     // coalesced, outermost first; last dim is the row
    private final int[][] strides; // [operand][dim]
    private final int[] base;
    private final int rows;

    /** A row visitor: {@code offsets[k]} is operand k's first element, {@code n} the row length. */
    @FunctionalInterface
    public interface RowBody {
        void row(int[] offsets, int n);
    }

    private StridedIter(int[] shape, int[][] strides, int[] base) {
        this.shape = shape;
        this.strides = strides;
        this.base = base;
        int r = 1;
        for (int i = 0; i < shape.length - 1; i++) r *= shape[i];
        this.rows = shape.length == 0 ? 1 : r;
    }

    /**
     * Builds an iterator over {@code shape}; operand k starts at {@code offsets[k]} with
     * {@code strides[k]} (same rank as shape).
     */
    public static StridedIter of(int[] shape, int[] offsets, int[]... strides) {
        int nops = strides.length;
        int nd = shape.length;
        int[] cs = new int[nd];
        int[][] cst = new int[nops][nd];
        int m = 0;
        boolean empty = false;
        for (int d = 0; d < nd; d++) {
            if (shape[d] == 0) empty = true;
            if (shape[d] == 1) continue;
            if (m > 0) {
                boolean merge = true;
                for (int k = 0; k < nops && merge; k++)
                    merge = cst[k][m - 1] == strides[k][d] * shape[d];
                if (merge) {
                    cs[m - 1] *= shape[d];
                    for (int k = 0; k < nops; k++) cst[k][m - 1] = strides[k][d];
                    continue;
                }
            }
            cs[m] = shape[d];
            for (int k = 0; k < nops; k++) cst[k][m] = strides[k][d];
            m++;
        }
        if (empty) {
            return new StridedIter(new int[] {0}, new int[nops][1], offsets.clone());
        }
        if (m == 0) { // all size-1 dims or a scalar: one row of one element
            return new StridedIter(new int[] {1}, new int[nops][1], offsets.clone());
        }
        int[] fs = java.util.Arrays.copyOf(cs, m);
        int[][] fst = new int[nops][];
        for (int k = 0; k < nops; k++) fst[k] = java.util.Arrays.copyOf(cst[k], m);
        return new StridedIter(fs, fst, offsets.clone());
    }

    /** Number of rows. */
    public int rows() { return shape[shape.length - 1] == 0 ? 0 : rows; }

    /** Length of each row. */
    public int rowLength() { return shape[shape.length - 1]; }

    /** Step of operand k inside a row. */
    public int innerStride(int k) { return strides[k][shape.length - 1]; }

    /** Total number of elements. */
    public long size() { return (long) rows() * rowLength(); }

    /** Visits rows {@code [rowStart, rowEnd)} in order. */
    public void forRows(int rowStart, int rowEnd, RowBody body) {
        if (rowStart >= rowEnd) return;
        int nops = base.length;
        int outer = shape.length - 1;
        int[] idx = new int[Math.max(outer, 0)];
        int[] offs = base.clone();
        // decompose rowStart into outer indices
        int r = rowStart;
        for (int d = outer - 1; d >= 0; d--) {
            idx[d] = r % shape[d];
            r /= shape[d];
            for (int k = 0; k < nops; k++) offs[k] += idx[d] * strides[k][d];
        }
        int n = shape[outer];
        int[] view = offs.clone();
        for (int row = rowStart; row < rowEnd; row++) {
            System.arraycopy(offs, 0, view, 0, nops);
            body.row(view, n);
            for (int d = outer - 1; d >= 0; d--) {
                idx[d]++;
                for (int k = 0; k < nops; k++) offs[k] += strides[k][d];
                if (idx[d] < shape[d]) break;
                for (int k = 0; k < nops; k++) offs[k] -= shape[d] * strides[k][d];
                idx[d] = 0;
            }
        }
    }

    /** Visits every row, splitting rows across the worker pool when there are enough elements. */
    public void forEachRow(RowBody body) {
        int rs = rows();
        if (rs == 0) return;
        int n = rowLength();
        int grainRows = Math.max(1, PARALLEL_GRAIN / Math.max(n, 1));
        Parallel.forRange(rs, grainRows, (s, e) -> forRows(s, e, body));
    }

    /** Elements per task below which a loop stays on one thread. */
    public static final int PARALLEL_GRAIN = 1 << 15;
}
