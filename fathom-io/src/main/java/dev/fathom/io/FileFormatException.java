package dev.fathom.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is truncated, corrupted or not in the expected format. The message starts with the
 * file and says what was wrong; nothing from such a file is ever returned or loaded.
 */
public final class FileFormatException extends IOException {
    private final transient Path file;

    FileFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    FileFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that was read. */
    public Path file() { return file; }
}
