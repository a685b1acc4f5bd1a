package dev.fathom.data;

import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Next-token prediction windows over a token sequence: item {@code i} has input
 * {@code ids[i*stride .. i*stride+L)} and target the same window shifted by one,
 * {@code ids[i*stride+1 .. i*stride+L+1)}, both int64 {@code [L]} (so a batch is {@code [B, L]}).
 *
 * {@snippet :
 * String text = LanguageModelDataset.readText(Path.of("tiny-shakespeare.txt"));
 * Vocabulary vocab = Vocabulary.characters(text);
 * LanguageModelDataset lm = LanguageModelDataset.of(vocab.encode(text), 64);
 * }
 */
public final class LanguageModelDataset implements Dataset<Example> {
    private final long[] ids;
    private final int length, stride, count;

    private LanguageModelDataset(long[] ids, int length, int stride) {
        this.ids = ids;
        this.length = length;
        this.stride = stride;
        this.count = ids.length <= length ? 0 : (ids.length - length - 1) / stride + 1;
    }

    /** Non-overlapping windows of {@code length} tokens (stride = length). */
    public static LanguageModelDataset of(int[] ids, int length) { return of(ids, length, length); }

    /** Windows of {@code length} tokens starting every {@code stride} tokens. */
    public static LanguageModelDataset of(int[] ids, int length, int stride) {
        if (length < 1) throw new IllegalArgumentException("LanguageModelDataset: length must be at least 1, got " + length);
        if (stride < 1) throw new IllegalArgumentException("LanguageModelDataset: stride must be at least 1, got " + stride);
        if (ids.length <= length)
            throw new IllegalArgumentException("LanguageModelDataset: " + ids.length + " tokens cannot make one window of "
                    + length + " plus its shifted target; need at least " + (length + 1));
        long[] copy = new long[ids.length];
        for (int i = 0; i < ids.length; i++) copy[i] = ids[i];
        return new LanguageModelDataset(copy, length, stride);
    }

    /** Reads a UTF-8 text file, naming the file if it is missing or unreadable. */
    public static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataFileException("text file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new DataFileException("text file " + file + " could not be read as UTF-8: " + e.getMessage(), e);
        }
    }

    @Override public int size() { return count; }

    @Override public Example get(int index) {
        Datasets.checkIndex(index, count);
        int start = index * stride;
        long[] in = new long[length], out = new long[length];
        System.arraycopy(ids, start, in, 0, length);
        System.arraycopy(ids, start + 1, out, 0, length);
        return new Example(Tensor.vector(in), Tensor.vector(out));
    }

    /** The window length. */
    public int length() { return length; }
}
