package dev.fathom.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LicenseCorpusTest {
    @Test
    void filesAreTheRegularFilesInByteOrderAndBytesConcatenateThem() throws Exception {
        assumeTrue(LicenseCorpus.available(), "no /usr/share/common-licenses");
        List<Path> files = LicenseCorpus.files();
        assertFalse(files.isEmpty());
        long total = 0;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            assertTrue(Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS), f + " is not a regular file");
            if (i > 0) {
                byte[] prev = files.get(i - 1).getFileName().toString().getBytes(StandardCharsets.UTF_8);
                byte[] cur = f.getFileName().toString().getBytes(StandardCharsets.UTF_8);
                assertTrue(Arrays.compareUnsigned(prev, cur) < 0, "order at " + f);
            }
            total += Files.size(f);
        }
        try (var all = Files.list(LicenseCorpus.DIR)) {
            assertEquals(all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count(), files.size());
        }
        byte[] bytes = LicenseCorpus.bytes();
        assertEquals(total, bytes.length);
        byte[] first = Files.readAllBytes(files.get(0));
        assertArrayEquals(first, Arrays.copyOf(bytes, first.length));
        assertEquals(new String(bytes, StandardCharsets.UTF_8), LicenseCorpus.text());
    }
}
