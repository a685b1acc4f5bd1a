package dev.fathom.workloads;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The text corpus of the lstm and gpt workloads: the regular files (symbolic links skipped) of
 * {@code /usr/share/common-licenses}, sorted by byte-wise name and concatenated as raw bytes
 * (Debian's base-files package provides them on every Debian machine).
 */
final class CorpusFiles {
    private CorpusFiles() {}

    static final Path DIR = Path.of("/usr/share/common-licenses");

    static List<Path> files() {
        if (!Files.isDirectory(DIR))
            throw new IllegalStateException("corpus: " + DIR + " does not exist; it comes with Debian's base-files package");
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                .sorted((a, b) -> Arrays.compareUnsigned(bytes(a), bytes(b))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("corpus: cannot list " + DIR, e);
        }
    }

    private static byte[] bytes(Path p) { return p.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8); }

    static byte[] concatenated() {
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
}
