package dev.fathom.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir Path dir;

    /** A tiny IDX writer, independent of the reader: header then big-endian values. */
    static byte[] idx(int typeCode, int[] dims, double[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {0, 0, (byte) typeCode, (byte) dims.length});
        for (int d : dims) out.writeInt(d);
        for (double v : values) {
            switch (typeCode) {
                case 0x08, 0x09 -> out.writeByte((int) v);
                case 0x0B -> out.writeShort((int) v);
                case 0x0C -> out.writeInt((int) v);
                case 0x0D -> out.writeFloat((float) v);
                case 0x0E -> out.writeDouble(v);
                default -> throw new IllegalArgumentException();
            }
        }
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] content) throws IOException {
        if (file.toString().endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) { out.write(content); }
        } else {
            Files.write(file, content);
        }
        return file;
    }

    @Test
    void roundTripsEveryTypePlainAndGzipped() throws IOException {
        double[] v = {0, 1, 200, 255, 7, 3};
        for (String name : new String[] {"a.idx", "a.idx.gz"}) {
            Idx.Array u = Idx.read(write(dir.resolve("u-" + name), idx(0x08, new int[] {2, 3}, v)));
            assertEquals(Idx.Type.UBYTE, u.type());
            assertArrayEquals(new int[] {2, 3}, u.dims());
            Tensor t = u.toTensor();
            assertEquals(DType.INT32, t.dtype());
            assertArrayEquals(new int[] {2, 3}, t.shape());
            assertArrayEquals(new int[] {0, 1, 200, 255, 7, 3}, t.toIntArray());

            double[] signed = {-128, -1, 0, 127};
            assertArrayEquals(new int[] {-128, -1, 0, 127},
                    Idx.read(write(dir.resolve("b-" + name), idx(0x09, new int[] {4}, signed))).toTensor().toIntArray());
            double[] shorts = {-30000, 5, 30000};
            assertArrayEquals(new int[] {-30000, 5, 30000},
                    Idx.read(write(dir.resolve("s-" + name), idx(0x0B, new int[] {3}, shorts))).toTensor().toIntArray());
            double[] ints = {-2_000_000_000, 42};
            assertArrayEquals(new int[] {-2_000_000_000, 42},
                    Idx.read(write(dir.resolve("i-" + name), idx(0x0C, new int[] {1, 2}, ints))).toTensor().toIntArray());
            double[] floats = {1.5, -2.25, 3e-5, 0, 1, 2, 3, 4};
            Tensor f = Idx.read(write(dir.resolve("f-" + name), idx(0x0D, new int[] {2, 2, 2}, floats))).toTensor();
            assertEquals(DType.FLOAT32, f.dtype());
            assertArrayEquals(new float[] {1.5f, -2.25f, 3e-5f, 0, 1, 2, 3, 4}, f.toFloatArray());
            double[] doubles = {Math.PI, -Math.E};
            Tensor d = Idx.read(write(dir.resolve("d-" + name), idx(0x0E, new int[] {2}, doubles))).toTensor();
            assertEquals(DType.FLOAT64, d.dtype());
            assertArrayEquals(doubles, d.toDoubleArray());
        }
    }

    @Test
    void corruptFilesAreRejectedNamingTheFile() throws IOException {
        byte[] good = idx(0x08, new int[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6});
        assertError(write(dir.resolve("truncated.idx"), Arrays.copyOf(good, good.length - 1)),
                "is truncated: 17 bytes, but a header for UBYTE [2, 3] needs exactly 18");
        byte[] longer = Arrays.copyOf(good, good.length + 2);
        assertError(write(dir.resolve("long.idx"), longer), "has trailing data");
        byte[] magic = good.clone();
        magic[0] = 0x1f;
        assertError(write(dir.resolve("magic.idx"), magic), "has magic number 0x1f000802");
        byte[] type = good.clone();
        type[2] = 0x07;
        assertError(write(dir.resolve("type.idx"), type), "unknown type code 0x07");
        assertError(write(dir.resolve("header.idx"), Arrays.copyOf(good, 9)), "its header of 2 dimensions needs 12");
        assertError(write(dir.resolve("tiny.idx"), new byte[] {0, 0}), "too short for the 4-byte magic number");
        assertError(write(dir.resolve("truncated.idx.gz"), Arrays.copyOf(good, 15)), "is truncated");

        Path gz = write(dir.resolve("cut.idx.gz"), good);
        byte[] zipped = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(zipped, zipped.length - 12));
        assertError(gz, "gzip stream is corrupt or truncated");
        assertError(dir.resolve("missing.idx"), "does not exist");
    }

    static void assertError(Path file, String expected) {
        DataFileException e = assertThrows(DataFileException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void mnistFromADirectoryOfIdxFiles() throws IOException {
        double[] pixels = new double[3 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) pixels[i] = i % 256;
        write(dir.resolve("train-images-idx3-ubyte.gz"), idx(0x08, new int[] {3, 28, 28}, pixels));
        write(dir.resolve("train-labels-idx1-ubyte"), idx(0x08, new int[] {3}, new double[] {5, 0, 9}));
        Mnist.ImageDataset train = Mnist.train(dir);
        assertEquals(3, train.size());
        Example e = train.get(1);
        assertArrayEquals(new int[] {1, 28, 28}, e.input().shape());
        assertEquals(DType.FLOAT32, e.input().dtype());
        assertEquals(0L, e.target().itemLong());
        assertEquals(DType.INT64, e.target().dtype());
        // pixel (image 1, row 0, col 2) is byte (784 + 2) % 256 = 18
        assertEquals(18 / 255f, e.input().get(0, 0, 2), 1e-7);
        assertEquals(255 / 255f, train.get(0).input().get(0, 9, 3), 1e-7); // index 255
        assertArrayEquals(new int[] {3, 1, 28, 28}, train.images().shape());
        assertArrayEquals(new long[] {5, 0, 9}, train.labels().toLongArray());
        // a batch gathered from the bytes equals gathering the converted images
        Tensor idx = Tensor.of(new long[] {2, 0, 2}, 3);
        assertArrayEquals(train.images().indexSelect(0, idx).toFloatArray(), train.images(idx).toFloatArray());
        assertArrayEquals(new int[] {3, 1, 28, 28}, train.images(idx).shape());
        // every byte value (the pixels run through 0..255) converts to exactly its float32 quotient
        float[] all = train.images().toFloatArray();
        for (int i = 0; i < all.length; i++)
            assertEquals(Float.floatToRawIntBits((i % 256) / 255f), Float.floatToRawIntBits(all[i]), "pixel " + i);
        assertEquals("ImageDataset.images: index 3 at position 1 is out of range for 3 images",
            assertThrows(IndexOutOfBoundsException.class, () -> train.images(Tensor.of(new long[] {0, 3}, 2))).getMessage());
        assertEquals("ImageDataset.images: indices must be a 1-d int64 or int32 tensor, got float32 [2]",
            assertThrows(IllegalArgumentException.class, () -> train.images(Tensor.vector(0f, 1f))).getMessage());

        DataFileException missing = assertThrows(DataFileException.class, () -> Mnist.test(dir));
        assertTrue(missing.getMessage().contains("t10k-images-idx3-ubyte.gz") && missing.getMessage().contains("yann.lecun.com"),
                missing.getMessage());
        write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x08, new int[] {3, 28, 28}, pixels));
        write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x08, new int[] {2}, new double[] {1, 2}));
        DataFileException count = assertThrows(DataFileException.class, () -> Mnist.test(dir));
        assertTrue(count.getMessage().contains("has 3 images but") && count.getMessage().contains("has 2 labels"), count.getMessage());
    }

    @Test
    void fashionMnistMissingDirectorySaysHowToGetIt() {
        DataFileException e = assertThrows(DataFileException.class, () -> FashionMnist.train(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("nope").toString()), e.getMessage());
    }

    @Test
    void fashionMnistFromDebiansPackage() {
        Path debian = Path.of(FashionMnist.DEBIAN_DIR);
        Assumptions.assumeTrue(Files.isDirectory(debian), "dataset-fashion-mnist is not installed");
        Mnist.ImageDataset train = FashionMnist.train(), test = FashionMnist.test();
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        int[] counts = new int[10];
        for (long l : train.labels().toLongArray()) counts[(int) l]++;
        for (int c : counts) assertEquals(6000, c, "Fashion-MNIST's training classes are balanced");
        for (long l : test.labels().toLongArray()) assertTrue(l >= 0 && l <= 9);
        assertEquals(9, train.label(0), "the first training image is an ankle boot");
        assertEquals("Ankle boot", train.classNames().get(train.label(0)));
        Example first = train.get(0);
        assertArrayEquals(new int[] {1, 28, 28}, first.input().shape());
        float[] px = first.input().toFloatArray();
        float min = 1, max = 0;
        for (float p : px) { min = Math.min(min, p); max = Math.max(max, p); }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }
}
