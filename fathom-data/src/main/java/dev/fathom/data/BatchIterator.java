package dev.fathom.data;

import java.util.Iterator;

/**
 * An iterator over one epoch of batches. Closing it stops its worker threads and drops batches
 * loaded ahead; it is closed by itself after the last batch or a failure, so a plain
 * for-each loop that runs to the end leaks nothing. Close it (try-with-resources) when leaving a
 * loop early; an abandoned, unreachable iterator is also cleaned up when collected.
 */
public interface BatchIterator extends Iterator<Batch>, AutoCloseable {
    /** Stops the workers and discards prefetched batches; idempotent. */
    @Override void close();
}
