package dev.fathom.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.fathom.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir Path root;

    static void rgb(Path file, int w, int h, int argb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, argb);
        img.setRGB(0, 0, 0xffffff); // one white pixel at (0, 0)
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, "png", file.toFile()));
    }

    static void grey(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, 10 * (y * w + x));
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, "png", file.toFile()));
    }

    @Test
    void classesSortedAndImagesDecodedToCHW() throws IOException {
        rgb(root.resolve("zebra/b.png"), 3, 2, 0x336699);
        rgb(root.resolve("zebra/a.PNG"), 3, 2, 0x000000);
        grey(root.resolve("ant/x.png"), 3, 2);
        Files.writeString(root.resolve("ant/notes.txt"), "not an image");
        ImageFolder rgb = ImageFolder.load(root, ImageFolder.ColorMode.RGB);
        assertEquals(List.of("ant", "zebra"), rgb.classNames());
        assertEquals(3, rgb.size());
        assertEquals(List.of("x.png", "a.PNG", "b.png"), rgb.files().stream().map(p -> p.getFileName().toString()).toList());
        Example e = rgb.get(2);
        assertArrayEquals(new int[] {3, 2, 3}, e.input().shape());
        assertEquals(1L, e.target().itemLong());
        assertEquals(1f, e.input().get(0, 0, 0));
        assertEquals(0x33 / 255f, e.input().get(0, 1, 2), 1e-7);
        assertEquals(0x66 / 255f, e.input().get(1, 1, 2), 1e-7);
        assertEquals(0x99 / 255f, e.input().get(2, 0, 1), 1e-7);
        // a grey PNG's samples come through exactly (no gamma conversion), replicated to 3 channels
        Example g = rgb.get(0);
        assertEquals(0L, g.target().itemLong());
        assertEquals(50 / 255f, g.input().get(0, 1, 2), 1e-7);
        assertEquals(50 / 255f, g.input().get(2, 1, 2), 1e-7);

        ImageFolder gray = ImageFolder.load(root, ImageFolder.ColorMode.GRAY);
        assertArrayEquals(new int[] {1, 2, 3}, gray.get(2).input().shape());
        // PIL's convert("L") of (0x33, 0x66, 0x99) is 93 (checked with Pillow):
        // (51*19595 + 102*38470 + 153*7471 + 32768) >> 16 = 93
        assertEquals(93 / 255f, gray.get(2).input().get(0, 1, 1), 1e-7);
        assertEquals(40 / 255f, gray.get(0).input().get(0, 1, 1), 1e-7);

        Batch b = DataLoader.builder(rgb).batchSize(3).build().iterator().next();
        assertArrayEquals(new int[] {3, 3, 2, 3}, b.input().shape());
        assertArrayEquals(new long[] {0, 1, 1}, b.target().toLongArray());
    }

    @Test
    void jpegImages() throws IOException {
        BufferedImage img = new BufferedImage(8, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) for (int x = 0; x < 8; x++) img.setRGB(x, y, 0x808080);
        Path file = root.resolve("grey/one.jpg");
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, "jpeg", file.toFile()));
        ImageFolder d = ImageFolder.load(root, ImageFolder.ColorMode.RGB);
        Tensor x = d.get(0).input();
        assertArrayEquals(new int[] {3, 4, 8}, x.shape());
        for (float v : x.toFloatArray()) assertEquals(128 / 255f, v, 3 / 255f); // JPEG is lossy, but flat grey stays close
    }

    @Test
    void errorsNameTheFolderOrFile() throws IOException {
        assertTrue(assertThrows(DataFileException.class, () -> ImageFolder.load(root.resolve("none"), ImageFolder.ColorMode.RGB))
                .getMessage().contains("does not exist"));
        assertTrue(assertThrows(DataFileException.class, () -> ImageFolder.load(root, ImageFolder.ColorMode.RGB))
                .getMessage().contains("has no sub-folders"));
        Files.createDirectories(root.resolve("empty"));
        assertTrue(assertThrows(DataFileException.class, () -> ImageFolder.load(root, ImageFolder.ColorMode.RGB))
                .getMessage().contains("class folder empty has no images"));
        Path bad = Files.writeString(root.resolve("empty/broken.png"), "garbage");
        ImageFolder d = ImageFolder.load(root, ImageFolder.ColorMode.RGB);
        DataFileException e = assertThrows(DataFileException.class, () -> d.get(0));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }
}
