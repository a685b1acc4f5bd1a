package dev.fathom.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TinyGptTest {
    @Test
    void quickRunLearnsCharacterStatistics() throws Exception {
        assumeTrue(java.nio.file.Files.isDirectory(LicenseText.DIR), "no /usr/share/common-licenses");
        var q = Quick.run(new TinyGpt(), 0);
        double uniform = q.number("uniform guess");
        assertTrue(q.result() < uniform - 0.7, q.text());
        assertTrue(q.text().contains("sample (temperature 0.8):\nThis License"), q.text());
    }

    @Test
    void causalMaskKeepsLogitsIndependentOfLaterCharacters() {
        var model = new TinyGpt.Gpt(10, 8, 16, 2, 1);
        var a = dev.fathom.tensor.Tensor.of(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 8);
        var b = dev.fathom.tensor.Tensor.of(new long[] {1, 2, 3, 4, 9, 9, 9, 9}, 1, 8);
        try (var ignored = dev.fathom.autograd.Autograd.noGrad()) {
            var la = model.forward(a).narrow(1, 0, 4);
            var lb = model.forward(b).narrow(1, 0, 4);
            assertTrue(la.allClose(lb, 1e-5, 1e-6));
            assertTrue(!model.forward(a).narrow(1, 4, 1).allClose(model.forward(b).narrow(1, 4, 1), 1e-5, 1e-6));
        }
    }
}
