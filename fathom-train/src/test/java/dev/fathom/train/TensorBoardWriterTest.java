package dev.fathom.train;

import dev.fathom.nn.Linear;
import dev.fathom.optim.SGD;
import dev.fathom.tensor.Tensor;
import dev.fathom.train.callbacks.TensorBoardLogger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

class TensorBoardWriterTest {
    @TempDir Path dir;

    @Test
    void crc32cMatchesThePublishedTestVector() {
        CRC32C c = new CRC32C();
        c.update("123456789".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0xE3069283L, c.getValue());
        int crc = 0xE3069283;
        assertEquals(((crc >>> 15) | (crc << 17)) + 0xa282ead8, TensorBoardWriter.maskedCrc("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    /** Reads a tfevents file, checking both CRCs of every record. */
    static List<byte[]> records(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] len = new byte[8];
            b.get(len);
            assertEquals(TensorBoardWriter.maskedCrc(len), b.getInt(), "length CRC of record " + out.size());
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] data = new byte[(int) n];
            b.get(data);
            assertEquals(TensorBoardWriter.maskedCrc(data), b.getInt(), "data CRC of record " + out.size());
            out.add(data);
        }
        return out;
    }

    /** Decodes one protobuf message: field number -> values (Long for varint, fixed64 and fixed32 bits; byte[] for length-delimited). */
    static Map<Integer, List<Object>> decode(byte[] msg) {
        Map<Integer, List<Object>> out = new LinkedHashMap<>();
        int[] pos = {0};
        while (pos[0] < msg.length) {
            long key = varint(msg, pos);
            int field = (int) (key >>> 3), wire = (int) (key & 7);
            Object v = switch (wire) {
                case 0 -> varint(msg, pos);
                case 1 -> { long x = ByteBuffer.wrap(msg, pos[0], 8).order(ByteOrder.LITTLE_ENDIAN).getLong(); pos[0] += 8; yield x; }
                case 5 -> { long x = ByteBuffer.wrap(msg, pos[0], 4).order(ByteOrder.LITTLE_ENDIAN).getInt(); pos[0] += 4; yield x; }
                case 2 -> { int n = (int) varint(msg, pos); byte[] x = java.util.Arrays.copyOfRange(msg, pos[0], pos[0] + n); pos[0] += n; yield x; }
                default -> throw new AssertionError("unexpected wire type " + wire);
            };
            out.computeIfAbsent(field, k -> new ArrayList<>()).add(v);
        }
        return out;
    }

    static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[pos[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if (x < 0x80) return v;
        }
    }

    static double dbl(Object bits) { return Double.longBitsToDouble((Long) bits); }

    static double[] packed(byte[] b) {
        double[] out = new double[b.length / 8];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }

    static Map<Integer, List<Object>> value(Map<Integer, List<Object>> event) {
        var summary = decode((byte[]) event.get(5).get(0));
        return decode((byte[]) summary.get(1).get(0));
    }

    @Test
    void writesScalarsAndHistogramsThatReadBack() throws IOException {
        double before = System.currentTimeMillis() / 1000.0;
        Path file;
        try (var tb = new TensorBoardWriter(dir)) {
            file = tb.file();
            tb.addScalar("loss", 0.25, 3);
            tb.addHistogram("w", Tensor.vector(0f, 1f, 1f, 3f), 300_000_000_000L);
        }
        assertTrue(file.getFileName().toString().matches("events\\.out\\.tfevents\\.\\d+\\..+"), file.toString());
        List<byte[]> recs = records(file);
        assertEquals(3, recs.size());

        var first = decode(recs.get(0));
        assertEquals("brain.Event:2", new String((byte[]) first.get(3).get(0), StandardCharsets.UTF_8));
        assertTrue(Math.abs(dbl(first.get(1).get(0)) - before) < 60);

        var scalar = decode(recs.get(1));
        assertEquals(3L, scalar.get(2).get(0));
        var sv = value(scalar);
        assertEquals("loss", new String((byte[]) sv.get(1).get(0), StandardCharsets.UTF_8));
        assertEquals(0.25f, Float.intBitsToFloat(((Long) sv.get(2).get(0)).intValue()));

        var hist = decode(recs.get(2));
        assertEquals(300_000_000_000L, hist.get(2).get(0));
        var hv = value(hist);
        assertEquals("w", new String((byte[]) hv.get(1).get(0), StandardCharsets.UTF_8));
        var h = decode((byte[]) hv.get(5).get(0));
        assertEquals(0.0, dbl(h.get(1).get(0)));
        assertEquals(3.0, dbl(h.get(2).get(0)));
        assertEquals(4.0, dbl(h.get(3).get(0)));
        assertEquals(5.0, dbl(h.get(4).get(0)));
        assertEquals(11.0, dbl(h.get(5).get(0)));
        double[] limits = packed((byte[]) h.get(7).get(0)), counts = packed((byte[]) h.get(8).get(0));
        assertEquals(TensorBoardWriter.BUCKETS, limits.length);
        assertEquals(TensorBoardWriter.BUCKETS, counts.length);
        assertEquals(0.1, limits[0], 1e-12);
        assertEquals(3.0, limits[29]);
        assertEquals(1.0, counts[0]);
        assertEquals(2.0, counts[10], "1.0 falls in [1.0, 1.1)");
        assertEquals(1.0, counts[29]);
        assertEquals(4.0, java.util.Arrays.stream(counts).sum());
    }

    @Test
    void constantValuesMakeOneBucketAndBadInputIsRejected() throws IOException {
        try (var tb = new TensorBoardWriter(dir)) {
            tb.addHistogram("c", new double[] {2, 2}, 1);
            var e = assertThrows(IllegalArgumentException.class, () -> tb.addHistogram("n", new double[] {1, Double.NaN}, 1));
            assertTrue(e.getMessage().contains("'n'") && e.getMessage().contains("NaN"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> tb.addHistogram("e", new double[0], 1));
            tb.close();
            assertThrows(IllegalStateException.class, () -> tb.addScalar("x", 1, 1));
            var h = decode((byte[]) value(decode(records(tb.file()).get(1))).get(5).get(0));
            assertArrayEquals(new double[] {2}, packed((byte[]) h.get(7).get(0)));
            assertArrayEquals(new double[] {2}, packed((byte[]) h.get(8).get(0)));
        }
    }

    @Test
    void twoWritersInOneSecondGetDistinctFiles() throws IOException {
        try (var a = new TensorBoardWriter(dir); var b = new TensorBoardWriter(dir)) {
            assertNotEquals(a.file(), b.file());
        }
    }

    @Test
    void loggerWritesEpochScalarsAndWeightHistograms() throws IOException {
        var model = new Linear(2, 1);
        Path file;
        try (var tb = new TensorBoardWriter(dir)) {
            file = tb.file();
            var trainer = new Trainer(model, dev.fathom.nn.loss.Losses::mseLoss, new SGD(model.parameters(), 0.1))
                .callbacks(new TensorBoardLogger(tb, true)).quiet();
            trainer.fit(List.of(new dev.fathom.data.Batch(Tensor.ones(4, 2), Tensor.zeros(4, 1))), 2);
        }
        List<String> tags = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        for (byte[] r : records(file).subList(1, records(file).size())) {
            var e = decode(r);
            steps.add((Long) e.get(2).get(0));
            tags.add(new String((byte[]) value(e).get(1).get(0), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("loss", "lr", "weight", "bias", "loss", "lr", "weight", "bias"), tags);
        assertEquals(List.of(1L, 1L, 1L, 1L, 2L, 2L, 2L, 2L), steps);
    }
}
