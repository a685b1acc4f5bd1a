package dev.fathom.examples;

import dev.fathom.data.FashionMnist;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AutoencoderTest {
    @Test
    void quickRunHalvesTheReconstructionError() {
        assumeTrue(Files.isDirectory(Path.of(FashionMnist.DEBIAN_DIR)), "Fashion-MNIST is not installed");
        var buf = new ByteArrayOutputStream();
        double after = new Autoencoder().run(new WorkedExample.Options(0, true, 0), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        double before = Double.parseDouble(text.replaceAll("(?s).*before training: ([0-9.]+).*", "$1"));
        assertTrue(after < 0.5 * before, "MSE " + after + " vs untrained " + before + "\n" + text);
        assertTrue(after < 0.06, text);
    }
}
