package dev.fathom.data;

/**
 * A data file is missing, unreadable or not in the expected format. The message names the file,
 * what was wrong and what was expected (and, for missing built-in datasets, how to get them).
 */
public final class DataFileException extends RuntimeException {
    public DataFileException(String message) { super(message); }

    public DataFileException(String message, Throwable cause) { super(message, cause); }
}
