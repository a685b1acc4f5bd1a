package dev.fathom.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CharLstmTest {
    @Test
    void quickRunLearnsCharacterStatistics() throws Exception {
        assumeTrue(java.nio.file.Files.isDirectory(LicenseText.DIR), "no /usr/share/common-licenses");
        var q = Quick.run(new CharLstm(), 0);
        double uniform = q.number("uniform guess:");
        // well below the uniform guess: the model has learnt at least the character frequencies
        assertTrue(q.result() < uniform - 0.7, q.text());
        assertTrue(q.text().contains("This License"), q.text());
    }

    @Test
    void corpusIsTheRegularLicenceFilesSplit90To10() {
        assumeTrue(java.nio.file.Files.isDirectory(LicenseText.DIR), "no /usr/share/common-licenses");
        var data = LicenseText.load();
        int total = data.train().length + data.validation().length;
        assertEquals(total * 9 / 10, data.train().length);
        assertEquals(data.text(), data.vocab().decode(java.util.stream.IntStream.concat(
            java.util.Arrays.stream(data.train()), java.util.Arrays.stream(data.validation())).toArray()));
    }
}
