package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.data.Vocabulary;
import dev.fathom.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The corpus of the character language-model examples: the regular files of
 * {@code /usr/share/common-licenses} (Debian's licence texts; symbolic links skipped), sorted by
 * name and concatenated, with its character vocabulary and a 90/10 split into training and
 * validation ids.
 */
record LicenseText(String text, Vocabulary vocab, int[] train, int[] validation) {
    static final Path DIR = Path.of("/usr/share/common-licenses");

    static LicenseText load() {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("LicenseText: cannot list " + DIR + " (Debian's base-files package provides it)", e);
        }
        var sb = new StringBuilder();
        for (Path f : files) {
            try {
                sb.append(Files.readString(f, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("LicenseText: cannot read " + f, e);
            }
        }
        String text = sb.toString();
        var vocab = Vocabulary.characters(text);
        int[] ids = vocab.encode(text);
        int cut = ids.length * 9 / 10;
        return new LicenseText(text, vocab, java.util.Arrays.copyOfRange(ids, 0, cut),
            java.util.Arrays.copyOfRange(ids, cut, ids.length));
    }

    static int fileCount() {
        try (Stream<Path> s = Files.list(DIR)) {
            return (int) s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Samples {@code length} characters after {@code prompt}; {@code nextLogits} maps the ids so far to the
     * logits {@code [vocab]} of the next character. Sampling divides the logits by {@code temperature}.
     */
    String sample(String prompt, int length, double temperature, long seed, Function<int[], Tensor> nextLogits) {
        var rnd = new Random(seed);
        int[] start = vocab.encode(prompt);
        int[] ids = java.util.Arrays.copyOf(start, start.length + length);
        int n = start.length;
        try (var ignored = Autograd.noGrad()) {
            for (int k = 0; k < length; k++) {
                double[] p = nextLogits.apply(java.util.Arrays.copyOf(ids, n)).div(temperature).softmax(0).toDoubleArray();
                double u = rnd.nextDouble(), acc = 0;
                int pick = p.length - 1;
                for (int i = 0; i < p.length; i++) { acc += p[i]; if (u < acc) { pick = i; break; } }
                ids[n++] = pick;
            }
        }
        return vocab.decode(ids);
    }
}
