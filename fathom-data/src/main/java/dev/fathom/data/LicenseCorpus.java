package dev.fathom.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * A small text corpus every Debian machine has: the regular files (symbolic links skipped) of
 * {@code /usr/share/common-licenses} (from the base-files package), sorted by byte-wise file name and
 * concatenated as raw bytes. The character language-model examples and the lstm/gpt reference
 * workloads (shared/bench/WORKLOADS.md) train on it.
 */
public final class LicenseCorpus {
    private LicenseCorpus() {}

    /** Where the files are. */
    public static final Path DIR = Path.of("/usr/share/common-licenses");

    /** True when {@link #DIR} exists on this machine. */
    public static boolean available() { return Files.isDirectory(DIR); }

    /** The corpus files, in corpus order (byte-wise by name, as Python's {@code sorted} orders them). */
    public static List<Path> files() {
        if (!available())
            throw new IllegalStateException("corpus: " + DIR + " does not exist; it comes with Debian's base-files package"
                + " (apt-get install base-files)");
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                .sorted((a, b) -> Arrays.compareUnsigned(nameBytes(a), nameBytes(b))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("corpus: cannot list " + DIR, e);
        }
    }

    private static byte[] nameBytes(Path p) { return p.getFileName().toString().getBytes(StandardCharsets.UTF_8); }

    /** The files' bytes, concatenated in corpus order. */
    public static byte[] bytes() {
        var out = new ByteArrayOutputStream();
        for (Path f : files()) {
            try {
                out.write(Files.readAllBytes(f));
            } catch (IOException e) {
                throw new UncheckedIOException("corpus: cannot read " + f, e);
            }
        }
        return out.toByteArray();
    }

    /** The corpus as text ({@link #bytes()} decoded as UTF-8). */
    public static String text() { return new String(bytes(), StandardCharsets.UTF_8); }
}
