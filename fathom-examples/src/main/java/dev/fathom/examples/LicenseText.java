package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.data.LicenseCorpus;
import dev.fathom.data.Vocabulary;
import dev.fathom.tensor.Tensor;

import java.nio.file.Path;
import java.util.Random;
import java.util.function.Function;

/**
 * The corpus of the character language-model examples ({@link LicenseCorpus}: Debian's licence
 * texts), with its character vocabulary and a 90/10 split into training and validation ids.
 */
record LicenseText(String text, Vocabulary vocab, int[] train, int[] validation) {
    static final Path DIR = LicenseCorpus.DIR;

    static LicenseText load() {
        String text = LicenseCorpus.text();
        var vocab = Vocabulary.characters(text);
        int[] ids = vocab.encode(text);
        int cut = ids.length * 9 / 10;
        return new LicenseText(text, vocab, java.util.Arrays.copyOfRange(ids, 0, cut),
            java.util.Arrays.copyOfRange(ids, cut, ids.length));
    }

    static int fileCount() { return LicenseCorpus.files().size(); }

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
