package dev.fathom.data;

/**
 * Loading or collating a batch failed; the message names the batch and its dataset indices and
 * {@link #getCause()} is the original exception (thrown on a worker thread or on the caller's).
 */
public final class DataLoaderException extends RuntimeException {
    public DataLoaderException(String message, Throwable cause) { super(message, cause); }
}
