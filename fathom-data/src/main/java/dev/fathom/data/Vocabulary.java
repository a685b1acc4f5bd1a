package dev.fathom.data;

import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A mapping between tokens and ids for language models: characters ({@link #characters}) or
 * whitespace-separated words ({@link #words}). Tokens are numbered in sorted order, so the same
 * text always gives the same ids.
 *
 * {@snippet :
 * Vocabulary v = Vocabulary.characters("hello world");
 * int[] ids = v.encode("hello");          // [3, 2, 4, 4, 5]
 * String s = v.decode(ids);                // "hello"
 * }
 */
public final class Vocabulary {
    /** The word vocabulary's id 0: stands for any word not seen when it was built. */
    public static final String UNKNOWN = "<unk>";

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final boolean words;

    private Vocabulary(List<String> tokens, boolean words) {
        this.tokens = List.copyOf(tokens);
        for (int i = 0; i < tokens.size(); i++) ids.put(tokens.get(i), i);
        this.words = words;
    }

    /** The distinct characters (Unicode code points) of {@code text}, sorted. */
    public static Vocabulary characters(String text) {
        TreeSet<Integer> cps = new TreeSet<>();
        text.codePoints().forEach(cps::add);
        List<String> tokens = new ArrayList<>();
        for (int cp : cps) tokens.add(Character.toString(cp));
        return new Vocabulary(tokens, false);
    }

    /** {@link #UNKNOWN} (id 0), then the distinct whitespace-separated words of {@code text}, sorted. */
    public static Vocabulary words(String text) {
        TreeSet<String> distinct = new TreeSet<>(Arrays.asList(splitWords(text)));
        distinct.remove(UNKNOWN);
        List<String> tokens = new ArrayList<>();
        tokens.add(UNKNOWN);
        tokens.addAll(distinct);
        return new Vocabulary(tokens, true);
    }

    private static String[] splitWords(String text) {
        String s = text.strip();
        return s.isEmpty() ? new String[0] : s.split("\\s+");
    }

    /** The number of tokens. */
    public int size() { return tokens.size(); }

    /** The token with id {@code id}. */
    public String token(int id) {
        if (id < 0 || id >= tokens.size())
            throw new IndexOutOfBoundsException("Vocabulary: id " + id + " is out of range for " + tokens.size() + " tokens");
        return tokens.get(id);
    }

    /** The tokens, index = id. */
    public List<String> tokens() { return tokens; }

    /**
     * The ids of {@code text}'s tokens. Unknown words map to {@link #UNKNOWN}; an unknown character
     * is an error (a character model has no unknown token).
     */
    public int[] encode(String text) {
        if (words) {
            String[] w = splitWords(text);
            int[] out = new int[w.length];
            for (int i = 0; i < w.length; i++) out[i] = ids.getOrDefault(w[i], 0);
            return out;
        }
        int[] cps = text.codePoints().toArray(), out = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            Integer id = ids.get(Character.toString(cps[i]));
            if (id == null)
                throw new IllegalArgumentException("Vocabulary.encode: character '" + Character.toString(cps[i]) + "' (U+"
                        + String.format("%04X", cps[i]) + ") at position " + i + " is not in the vocabulary of " + size() + " characters");
            out[i] = id;
        }
        return out;
    }

    /** {@link #encode} as an int64 vector. */
    public Tensor encodeTensor(String text) {
        return Tensor.vector(Arrays.stream(encode(text)).asLongStream().toArray());
    }

    /** The text of {@code ids}: characters concatenated, or words joined by single spaces. */
    public String decode(int... ids) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            if (words && i > 0) sb.append(' ');
            sb.append(token(ids[i]));
        }
        return sb.toString();
    }

    /** {@link #decode} of an integer tensor's values. */
    public String decode(Tensor ids) {
        return decode(ids.toIntArray());
    }
}
