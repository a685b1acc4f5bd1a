package dev.fathom.train;

import dev.fathom.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class TrainingPlotTest {
    @TempDir Path dir;

    static History history() {
        History h = new History();
        double[] loss = {1.0, 0.6, 0.4, 0.3}, val = {1.1, 0.7, 0.55, 0.5};
        for (int i = 0; i < 4; i++) {
            var logs = new java.util.LinkedHashMap<String, Double>();
            logs.put("loss", loss[i]);
            logs.put("accuracy", 0.5 + 0.1 * i);
            logs.put("val_loss", val[i]);
            logs.put("val_accuracy", 0.45 + 0.1 * i);
            logs.put("lr", 0.1);
            h.add(logs);
        }
        return h;
    }

    static int count(BufferedImage img, Color c, int x0, int x1) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = x0; x < x1; x++) if (img.getRGB(x, y) == c.getRGB()) n++;
        return n;
    }

    @Test
    void writesAPngWithBothCurvesInEachPanel() throws IOException {
        Path png = dir.resolve("plots/curves.png");
        TrainingPlot.write(history(), png, 800, 300);
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, java.util.Arrays.copyOf(bytes, 8));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(300, img.getHeight());
        assertEquals(java.util.List.of("loss", "accuracy"), TrainingPlot.panels(history()));
        // loss panel on the left half, accuracy on the right: each has train and validation pixels
        for (int[] half : new int[][] {{0, 400}, {400, 800}}) {
            assertTrue(count(img, TrainingPlot.TRAIN_COLOR, half[0], half[1]) > 100, "train curve in " + half[0]);
            assertTrue(count(img, TrainingPlot.VALIDATION_COLOR, half[0], half[1]) > 100, "validation curve in " + half[0]);
        }
        assertTrue(count(img, Color.BLACK, 0, 800) > 500, "axes, labels and title");
        try (var files = Files.list(png.getParent())) { assertEquals(1, files.count(), "no temporary file left"); }
    }

    @Test
    void trainerWritesThePlotAtTheEndOfFit() throws IOException {
        var model = new Fixtures.Scale();
        Path png = dir.resolve("fit.png");
        new Trainer(model, Fixtures.scripted(1, 0.8, 0.5), new SGD(model.parameters(), 0.1)).quiet().plot(png, 400, 300)
            .fit(Fixtures.ones(1), 3);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(400, img.getWidth());
        assertTrue(count(img, TrainingPlot.TRAIN_COLOR, 0, 400) > 50);
        assertEquals(0, count(img, TrainingPlot.VALIDATION_COLOR, 0, 400), "no validation data, no validation curve");
    }

    @Test
    void badSizesAndEmptyHistoriesAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingPlot.render(history(), 10, 10));
        assertTrue(e.getMessage().contains("10x10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainingPlot.render(new History(), 400, 300));
    }
}
