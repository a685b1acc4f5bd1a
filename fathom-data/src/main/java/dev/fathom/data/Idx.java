package dev.fathom.data;

import dev.fathom.tensor.Storage;
import dev.fathom.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of the MNIST family (http://yann.lecun.com/exdb/mnist/): a magic number
 * {@code 0x00 0x00 type ndim}, {@code ndim} big-endian int32 dimensions, then the values in
 * row-major order, big-endian. Files ending in {@code .gz} are decompressed. The whole file is
 * validated (magic, type, dimensions, exact length) before anything is returned.
 *
 * {@snippet :
 * Idx.Array labels = Idx.read(Path.of("train-labels-idx1-ubyte.gz"));   // type UBYTE, dims [60000]
 * Tensor t = labels.toTensor();                                          // int32 [60000]
 * }
 */
public final class Idx {
    private Idx() {}

    /** The element types an IDX file can hold, with their type codes and sizes in bytes. */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        public final int code, bytes;

        Type(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }
    }

    /**
     * An IDX file's contents: its element type, its dimensions and its raw big-endian data.
     * {@code data} is exposed as read-only.
     */
    public record Array(Path file, Type type, int[] dims, ByteBuffer data) {
        /** The number of elements. */
        public long count() {
            long n = 1;
            for (int d : dims) n *= d;
            return n;
        }

        /** Element {@code i} in row-major order, as a double (unsigned bytes as 0..255). */
        public double value(int i) {
            return switch (type) {
                case UBYTE -> data.get(i) & 0xff;
                case BYTE -> data.get(i);
                case SHORT -> data.getShort(2 * i);
                case INT -> data.getInt(4 * i);
                case FLOAT -> data.getFloat(4 * i);
                case DOUBLE -> data.getDouble(8 * i);
            };
        }

        /**
         * The values as a tensor of shape {@code dims}: int32 for the integer types (unsigned bytes
         * as 0..255), float32 for FLOAT, float64 for DOUBLE.
         */
        public Tensor toTensor() {
            int n = Math.toIntExact(count());
            return switch (type) {
                case FLOAT -> {
                    float[] f = new float[n];
                    for (int i = 0; i < n; i++) f[i] = data.getFloat(4 * i);
                    yield Tensor.wrap(Storage.wrap(f), dims.clone());
                }
                case DOUBLE -> {
                    double[] d = new double[n];
                    for (int i = 0; i < n; i++) d[i] = data.getDouble(8 * i);
                    yield Tensor.wrap(Storage.wrap(d), dims.clone());
                }
                default -> {
                    int[] v = new int[n];
                    for (int i = 0; i < n; i++) v[i] = (int) value(i);
                    yield Tensor.wrap(Storage.wrap(v), dims.clone());
                }
            };
        }
    }

    /** Reads and fully validates an IDX file ({@code .gz} or plain). */
    public static Array read(Path file) {
        byte[] bytes;
        try {
            bytes = readAll(file);
        } catch (NoSuchFileException e) {
            throw new DataFileException("IDX file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new DataFileException("IDX file " + file + " could not be read: " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    private static byte[] readAll(Path file) throws IOException {
        if (!file.getFileName().toString().endsWith(".gz")) return Files.readAllBytes(file);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            // Read straight into an array of the size the trailer announces, so a 47 MB image file
            // costs 47 MB rather than a growing buffer plus a copy; grow only if the trailer lied.
            byte[] buf = new byte[sizeHint(file)];
            int n = in.readNBytes(buf, 0, buf.length);
            if (n < buf.length) return Arrays.copyOf(buf, n);
            int next = in.read();
            if (next < 0) return buf;
            ByteArrayOutputStream out = new ByteArrayOutputStream(buf.length * 2);
            out.write(buf);
            out.write(next);
            in.transferTo(out);
            return out.toByteArray();
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new IOException("the gzip stream is corrupt or truncated (" + e.getMessage() + ")", e);
        }
    }

    /** gzip's trailer holds the uncompressed size mod 2^32: the expected size, clamped in case the file is corrupt. */
    private static int sizeHint(Path file) throws IOException {
        try (var ch = Files.newByteChannel(file)) {
            long size = ch.size();
            if (size < 8) return 1024;
            ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.position(size - 4);
            while (trailer.hasRemaining() && ch.read(trailer) >= 0) {}
            long isize = trailer.getInt(0) & 0xffffffffL;
            return (int) Math.max(1024, Math.min(isize, Math.min(size * 1100, 1 << 30)));
        }
    }

    static Array parse(Path file, byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        if (bytes.length < 4)
            throw new DataFileException("IDX file " + file + " is " + bytes.length + " bytes long, too short for the 4-byte magic number");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new DataFileException(String.format("IDX file %s has magic number 0x%02x%02x%02x%02x; an IDX file starts with"
                    + " two zero bytes, a type code and a dimension count", file, bytes[0], bytes[1], bytes[2], bytes[3]));
        Type type = Type.of(bytes[2] & 0xff);
        if (type == null)
            throw new DataFileException(String.format("IDX file %s has unknown type code 0x%02x; expected one of 0x08 (ubyte),"
                    + " 0x09 (byte), 0x0B (short), 0x0C (int), 0x0D (float), 0x0E (double)", file, bytes[2] & 0xff));
        int ndim = bytes[3] & 0xff;
        if (ndim == 0) throw new DataFileException("IDX file " + file + " declares 0 dimensions; expected at least 1");
        long header = 4L + 4L * ndim;
        if (bytes.length < header)
            throw new DataFileException("IDX file " + file + " is truncated: " + bytes.length + " bytes, but its header of "
                    + ndim + " dimensions needs " + header);
        int[] dims = new int[ndim];
        long count = 1;
        for (int i = 0; i < ndim; i++) {
            dims[i] = buf.getInt(4 + 4 * i);
            if (dims[i] < 0)
                throw new DataFileException("IDX file " + file + " has a negative dimension " + dims[i] + " at position " + i);
            count *= dims[i];
        }
        long expected = header + count * type.bytes;
        if (bytes.length != expected)
            throw new DataFileException("IDX file " + file + (bytes.length < expected ? " is truncated" : " has trailing data")
                    + ": " + bytes.length + " bytes, but a header for " + type + " " + Arrays.toString(dims) + " needs exactly "
                    + expected);
        ByteBuffer data = buf.slice((int) header, (int) (count * type.bytes)).order(ByteOrder.BIG_ENDIAN).asReadOnlyBuffer();
        return new Array(file, type, dims, data);
    }
}
