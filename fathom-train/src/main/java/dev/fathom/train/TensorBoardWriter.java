package dev.fathom.train;

import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes TensorBoard event files ({@code events.out.tfevents.<seconds>.<host>}) with scalars and
 * histograms, which {@code tensorboard --logdir <dir>} shows. Each record is framed as TensorFlow's
 * TFRecord: the data length (u64 little-endian), the masked CRC32C of the length, the data (an
 * {@code Event} protocol buffer, encoded here by hand), and the masked CRC32C of the data. The
 * first record carries {@code file_version = "brain.Event:2"}.
 *
 * {@snippet :
 * try (var tb = new TensorBoardWriter(Path.of("runs/mlp"))) {
 *     tb.addScalar("loss", 0.42, 1);
 *     tb.addWeights(model, 1);            // one histogram per parameter, tagged by its dotted name
 * }
 * }
 *
 * The file is appended to as training runs (TensorBoard reads it live), so unlike Fathom's other
 * files it is not written atomically; {@link #flush()} pushes buffered records to disk.
 */
public final class TensorBoardWriter implements Closeable {
    /** The number of equal-width buckets of a histogram. */
    public static final int BUCKETS = 30;

    private final Path file;
    private final OutputStream out;
    private boolean closed;

    /** Creates {@code logDir} if needed and a new event file in it. */
    public TensorBoardWriter(Path logDir) throws IOException {
        Files.createDirectories(logDir);
        long secs = System.currentTimeMillis() / 1000;
        String base = "events.out.tfevents." + secs + "." + host();
        Path f = logDir.resolve(base);
        OutputStream o = null;
        for (int n = 1; o == null; n++) {
            try {
                o = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                f = logDir.resolve(base + "." + n);
            }
        }
        this.file = f;
        this.out = new java.io.BufferedOutputStream(o);
        Proto event = new Proto().fixed64(1, wallTime()).varint(2, 0).string(3, "brain.Event:2");
        writeRecord(event.bytes());
        flush();
    }

    /** The event file written. */
    public Path file() { return file; }

    /** Logs a scalar under {@code tag} at {@code step}. */
    public void addScalar(String tag, double value, long step) throws IOException {
        checkTag(tag);
        Proto v = new Proto().string(1, tag).fixed32(2, Float.floatToIntBits((float) value));
        writeSummary(v, step);
    }

    /** Logs a histogram of the elements of {@code values} under {@code tag} at {@code step}. */
    public void addHistogram(String tag, Tensor values, long step) throws IOException {
        addHistogram(tag, values.toDoubleArray(), step);
    }

    /**
     * Logs a histogram of {@code values}: min, max, count, sum, sum of squares, and {@link #BUCKETS}
     * equal-width buckets between min and max ({@code bucket_limit} holds each bucket's right edge).
     */
    public void addHistogram(String tag, double[] values, long step) throws IOException {
        checkTag(tag);
        if (values.length == 0) throw new IllegalArgumentException("TensorBoardWriter.addHistogram: '" + tag + "' has no values");
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sumSq = 0;
        for (double v : values) {
            if (!Double.isFinite(v))
                throw new IllegalArgumentException("TensorBoardWriter.addHistogram: '" + tag + "' holds a non-finite value " + v);
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sumSq += v * v;
        }
        int k = max > min ? BUCKETS : 1;
        double[] limits = new double[k], counts = new double[k];
        double width = (max - min) / k;
        for (int i = 0; i < k; i++) limits[i] = i == k - 1 ? max : min + width * (i + 1);
        for (double v : values) counts[k == 1 ? 0 : Math.min(k - 1, (int) ((v - min) / width))]++;
        Proto histo = new Proto().fixed64(1, min).fixed64(2, max).fixed64(3, values.length).fixed64(4, sum).fixed64(5, sumSq)
            .packedDoubles(7, limits).packedDoubles(8, counts);
        writeSummary(new Proto().string(1, tag).message(5, histo), step);
    }

    /** Logs a histogram of every parameter of {@code model}, tagged by its dotted name. */
    public void addWeights(Module model, long step) throws IOException {
        for (var e : model.namedParameters().entrySet()) addHistogram(e.getKey(), e.getValue().detach(), step);
    }

    /** Writes buffered records to the file. */
    public void flush() throws IOException {
        checkOpen();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        out.close();
    }

    private void writeSummary(Proto value, long step) throws IOException {
        Proto summary = new Proto().message(1, value);
        writeRecord(new Proto().fixed64(1, wallTime()).varint(2, step).message(5, summary).bytes());
    }

    private void writeRecord(byte[] data) throws IOException {
        checkOpen();
        byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        out.write(len);
        out.write(le32(maskedCrc(len)));
        out.write(data);
        out.write(le32(maskedCrc(data)));
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("TensorBoardWriter: " + file + " is closed");
    }

    private static void checkTag(String tag) {
        if (tag == null || tag.isEmpty()) throw new IllegalArgumentException("TensorBoardWriter: the tag is empty");
    }

    private static double wallTime() { return System.currentTimeMillis() / 1000.0; }

    private static String host() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h == null || h.isEmpty() ? "localhost" : h.replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static byte[] le32(int v) { return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array(); }

    /** The CRC32C of {@code data}, masked as TFRecord does: {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}. */
    public static int maskedCrc(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    /** A minimal protocol-buffer encoder: varints, 64- and 32-bit fixed fields, length-delimited fields. */
    static final class Proto {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Proto varint(int field, long v) { tag(field, 0); raw(v); return this; }

        Proto fixed64(int field, double v) { tag(field, 1); fixed(Double.doubleToLongBits(v), 8); return this; }

        Proto fixed32(int field, int bits) { tag(field, 5); fixed(bits, 4); return this; }

        Proto string(int field, String s) { return bytes(field, s.getBytes(java.nio.charset.StandardCharsets.UTF_8)); }

        Proto message(int field, Proto m) { return bytes(field, m.bytes()); }

        Proto packedDoubles(int field, double[] v) {
            Proto p = new Proto();
            for (double d : v) p.fixed(Double.doubleToLongBits(d), 8);
            return bytes(field, p.bytes());
        }

        Proto bytes(int field, byte[] data) {
            tag(field, 2);
            raw(data.length);
            b.writeBytes(data);
            return this;
        }

        byte[] bytes() { return b.toByteArray(); }

        private void tag(int field, int wire) { raw(((long) field << 3) | wire); }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                b.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.write((int) v);
        }

        private void fixed(long v, int n) { for (int i = 0; i < n; i++) b.write((int) (v >>> (8 * i))); }
    }
}
