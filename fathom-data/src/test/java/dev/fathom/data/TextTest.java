package dev.fathom.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTest {
    @Test
    void characterVocabularyRoundTrip() {
        Vocabulary v = Vocabulary.characters("hello world");
        assertEquals(List.of(" ", "d", "e", "h", "l", "o", "r", "w"), v.tokens());
        assertArrayEquals(new int[] {3, 2, 4, 4, 5}, v.encode("hello"));
        assertEquals("hello", v.decode(3, 2, 4, 4, 5));
        assertEquals("world hello", v.decode(v.encode("world hello")));
        assertEquals("low", v.decode(v.encodeTensor("low")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encode("hex"));
        assertTrue(e.getMessage().contains("'x' (U+0078) at position 2"), e.getMessage());
        Vocabulary emoji = Vocabulary.characters("a😀b");
        assertEquals(3, emoji.size());
        assertEquals("b😀a", emoji.decode(emoji.encode("b😀a")));
    }

    @Test
    void wordVocabularyWithUnknown() {
        Vocabulary v = Vocabulary.words("the cat  sat\non the\tmat ");
        assertEquals(List.of("<unk>", "cat", "mat", "on", "sat", "the"), v.tokens());
        assertArrayEquals(new int[] {5, 1, 4}, v.encode("the cat sat"));
        assertEquals("the mat", v.decode(v.encode("  the\n mat")));
        assertArrayEquals(new int[] {5, 0}, v.encode("the dog"));
        assertEquals("the <unk>", v.decode(v.encode("the dog")));
        assertEquals(0, v.encode("   ").length);
    }

    @Test
    void languageModelWindowsShiftTheTargetByOne(@TempDir Path dir) throws Exception {
        int[] ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        LanguageModelDataset lm = LanguageModelDataset.of(ids, 3);
        assertEquals(3, lm.size()); // windows at 0, 3, 6; the one at 9 has no target
        assertArrayEquals(new long[] {3, 4, 5}, lm.get(1).input().toLongArray());
        assertArrayEquals(new long[] {4, 5, 6}, lm.get(1).target().toLongArray());
        assertArrayEquals(new long[] {7, 8, 9}, lm.get(2).target().toLongArray());
        LanguageModelDataset overlapping = LanguageModelDataset.of(ids, 4, 1);
        assertEquals(6, overlapping.size());
        assertArrayEquals(new long[] {6, 7, 8, 9}, overlapping.get(5).target().toLongArray());
        Batch b = DataLoader.builder(lm).batchSize(2).build().iterator().next();
        assertArrayEquals(new int[] {2, 3}, b.input().shape());
        assertThrows(IllegalArgumentException.class, () -> LanguageModelDataset.of(new int[] {1, 2, 3}, 3));

        Path text = Files.writeString(dir.resolve("t.txt"), "abcabcab");
        String s = LanguageModelDataset.readText(text);
        Vocabulary v = Vocabulary.characters(s);
        LanguageModelDataset chars = LanguageModelDataset.of(v.encode(s), 2);
        assertEquals("ab", v.decode(chars.get(0).input()));
        assertEquals("bc", v.decode(chars.get(0).target()));
        assertTrue(assertThrows(DataFileException.class, () -> LanguageModelDataset.readText(dir.resolve("no.txt")))
                .getMessage().contains("no.txt does not exist"));
    }
}
