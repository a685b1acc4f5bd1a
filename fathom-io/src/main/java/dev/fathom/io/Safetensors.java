package dev.fathom.io;

import dev.fathom.nn.Module;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length {@code N}, a JSON header of {@code N} bytes (padded with
 * spaces to a multiple of 8) mapping each tensor name to its {@code dtype} ({@code F32}, {@code F64},
 * {@code I32}, {@code I64}, {@code BOOL}), {@code shape} and {@code data_offsets} in the data
 * section, with an optional {@code __metadata__} object of strings, then the raw little-endian data,
 * tensors stored one after another without gaps.
 *
 * <p>Files are written atomically (a temporary file beside the target, then a rename). Reads check
 * the whole file before returning anything: header length, JSON syntax, known dtypes, that each
 * shape fits its byte range, that the ranges tile the data section exactly, no duplicate names.
 * A bad file gives a {@link FileFormatException} that names the file and the problem.
 *
 * <p>Names are those of {@link Module#stateDict()}, which match PyTorch's {@code state_dict()}
 * keys, so weights move both ways between Fathom and {@code safetensors.torch}.
 *
 * {@snippet :
 * Safetensors.save(model, Path.of("model.safetensors"));            // model.stateDict()
 * Safetensors.load(model, Path.of("model.safetensors"), true);      // strict: keys must match
 * Safetensors.Contents c = Safetensors.read(Path.of("model.safetensors"));
 * Tensor w = c.tensors().get("0.weight");
 * }
 */
public final class Safetensors {
    /** The largest header accepted (as in the reference implementation). */
    static final long MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";

    private Safetensors() {}

    /** What a safetensors file holds: tensors in header order, and the {@code __metadata__} strings (empty if none). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    // ------------------------------------------------------------------ module conveniences

    /** Writes {@code module.stateDict()} to {@code file}. */
    public static void save(Module module, Path file) throws IOException {
        write(file, module.stateDict(), Map.of());
    }

    /**
     * Reads {@code file} and loads it into {@code module} with {@link Module#loadStateDict}. The file
     * is fully validated first; a shape mismatch (or, when {@code strict}, missing or unexpected keys)
     * gives an {@link IllegalArgumentException} naming the file, and the module is left unchanged.
     */
    public static Module.LoadResult load(Module module, Path file, boolean strict) throws IOException {
        Contents c = read(file);
        try {
            return module.loadStateDict(c.tensors(), strict);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ files

    /** Writes {@code tensors} to {@code file} atomically. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException { write(file, tensors, Map.of()); }

    /** Writes {@code tensors} and {@code metadata} (stored as {@code __metadata__}) to {@code file} atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] bytes;
        try {
            bytes = encode(tensors, metadata);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Safetensors.write " + file + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(file, bytes);
    }

    /** Reads and validates {@code file}; see the class documentation for what is checked. */
    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16)
            throw new FileFormatException(file, "the file is " + size + " bytes; files over 2 GiB are not supported");
        return decode(Files.readAllBytes(file), file);
    }

    // ------------------------------------------------------------------ encoding

    /** The bytes of a safetensors file holding {@code tensors} (in map order) and {@code metadata}. */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            metadata.forEach((k, v) -> {
                if (k == null || v == null) throw new IllegalArgumentException("metadata keys and values must not be null");
                meta.put(k, v);
            });
            header.put(METADATA_KEY, meta);
        }
        long offset = 0;
        List<Tensor> order = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("a tensor name is null or empty");
            if (name.equals(METADATA_KEY)) throw new IllegalArgumentException("the name " + METADATA_KEY + " is reserved");
            if (t == null) throw new IllegalArgumentException("tensor '" + name + "' is null");
            long n = (long) t.numel() * t.dtype().itemSize();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", code(t.dtype()));
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add((long) d);
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, offset + n));
            header.put(name, entry);
            order.add(t);
            offset += n;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("the file would be " + total + " bytes; over 2 GiB is not supported");
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) b.put((byte) ' ');
        for (Tensor t : order) putData(b, t);
        return b.array();
    }

    private static void putData(ByteBuffer b, Tensor t) {
        switch (t.dtype()) {
            case FLOAT32 -> { for (float v : t.toFloatArray()) b.putFloat(v); }
            case FLOAT64 -> { for (double v : t.toDoubleArray()) b.putDouble(v); }
            case INT32 -> { for (int v : t.toIntArray()) b.putInt(v); }
            case INT64 -> { for (long v : t.toLongArray()) b.putLong(v); }
            case BOOL -> { for (boolean v : t.toBoolArray()) b.put((byte) (v ? 1 : 0)); }
        }
    }

    static String code(DType d) {
        return switch (d) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    private static DType dtype(String code) {
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I32" -> DType.INT32;
            case "I64" -> DType.INT64;
            case "BOOL" -> DType.BOOL;
            default -> null;
        };
    }

    // ------------------------------------------------------------------ decoding

    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    /** Parses and validates the bytes of a safetensors file; {@code file} is named in errors. */
    static Contents decode(byte[] bytes, Path file) throws FileFormatException {
        if (bytes.length < 8)
            throw new FileFormatException(file, "the file is " + bytes.length + " bytes, too short for the 8-byte header length (truncated?)");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        if (n < 2 || n > MAX_HEADER_BYTES)
            throw new FileFormatException(file, "the header length is " + n + " bytes, expected 2 to " + MAX_HEADER_BYTES
                + " (not a safetensors file, or corrupted)");
        if (n > bytes.length - 8L)
            throw new FileFormatException(file, "the header length " + n + " runs past the end of the file (" + bytes.length
                + " bytes; truncated?)");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw new FileFormatException(file, "the header is not valid UTF-8", e);
        }
        if (!text.startsWith("{")) throw new FileFormatException(file, "the header does not start with '{' (not a safetensors file, or corrupted)");
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, "the header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header)) throw new FileFormatException(file, "the header is not a JSON object");

        long dataStart = 8 + n, dataLength = bytes.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (var e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new FileFormatException(file, METADATA_KEY + " is not a JSON object");
                for (var me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s))
                        throw new FileFormatException(file, METADATA_KEY + " entry '" + me.getKey() + "' is not a string");
                    metadata.put((String) me.getKey(), s);
                }
                continue;
            }
            entries.add(entry(file, name, e.getValue(), dataLength));
        }

        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        String previous = null;
        for (Entry en : byOffset) {
            if (en.begin() != at)
                throw new FileFormatException(file, "tensor '" + en.name() + "' starts at data byte " + en.begin() + " but "
                    + (previous == null ? "the data section starts at 0" : "the previous tensor '" + previous + "' ends at " + at)
                    + " (tensors must be contiguous, without gaps or overlaps)");
            at = en.end();
            previous = en.name();
        }
        if (at != dataLength)
            throw new FileFormatException(file, "the data section is " + dataLength + " bytes but the tensors cover " + at
                + " (" + (dataLength - at) + " trailing bytes)");

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry en : entries) tensors.put(en.name(), tensor(file, en, b, dataStart));
        return new Contents(tensors, metadata);
    }

    private static Entry entry(Path file, String name, Object value, long dataLength) throws FileFormatException {
        String where = "tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> m)) throw new FileFormatException(file, where + " is not a JSON object");
        for (Object k : m.keySet())
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets"))
                throw new FileFormatException(file, where + " has an unknown field '" + k + "' (expected dtype, shape, data_offsets)");
        if (!(m.get("dtype") instanceof String code)) throw new FileFormatException(file, where + " has no dtype string");
        DType dtype = dtype(code);
        if (dtype == null)
            throw new FileFormatException(file, where + " has dtype '" + code + "', which Fathom does not read (expected F32, F64, I32, I64 or BOOL)");
        if (!(m.get("shape") instanceof List<?> shapeList)) throw new FileFormatException(file, where + " has no shape list");
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE)
                throw new FileFormatException(file, where + " has shape " + shapeList + "; dimensions must be integers in [0, 2^31)");
            shape[i] = (int) (long) d;
            numel = numel > 0 && d > 0 && numel > Long.MAX_VALUE / d ? -1 : numel * d;
            if (numel < 0) throw new FileFormatException(file, where + " has shape " + shapeList + ", too many elements");
        }
        if (!(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
            || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end) || begin < 0 || end < begin)
            throw new FileFormatException(file, where + " has data_offsets " + m.get("data_offsets")
                + "; expected [begin, end] with 0 <= begin <= end");
        if (end > dataLength)
            throw new FileFormatException(file, where + " has data_offsets [" + begin + ", " + end + "], past the end of the "
                + dataLength + "-byte data section (truncated?)");
        if (numel > Integer.MAX_VALUE || numel * dtype.itemSize() != end - begin)
            throw new FileFormatException(file, where + " has shape " + Arrays.toString(shape) + " of " + code + " ("
                + numel + " elements x " + dtype.itemSize() + " bytes) but data_offsets span " + (end - begin) + " bytes");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static Tensor tensor(Path file, Entry en, ByteBuffer b, long dataStart) throws FileFormatException {
        int n = (int) ((en.end() - en.begin()) / en.dtype().itemSize());
        ByteBuffer d = b.slice((int) (dataStart + en.begin()), (int) (en.end() - en.begin())).order(ByteOrder.LITTLE_ENDIAN);
        return switch (en.dtype()) {
            case FLOAT32 -> { float[] a = new float[n]; d.asFloatBuffer().get(a); yield Tensor.of(a, en.shape()); }
            case FLOAT64 -> { double[] a = new double[n]; d.asDoubleBuffer().get(a); yield Tensor.of(a, en.shape()); }
            case INT32 -> { int[] a = new int[n]; d.asIntBuffer().get(a); yield Tensor.of(a, en.shape()); }
            case INT64 -> { long[] a = new long[n]; d.asLongBuffer().get(a); yield Tensor.of(a, en.shape()); }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    byte v = d.get(i);
                    if (v != 0 && v != 1)
                        throw new FileFormatException(file, "tensor '" + en.name() + "' is BOOL but element " + i + " is " + v + " (expected 0 or 1)");
                    a[i] = v == 1;
                }
                yield Tensor.of(a, en.shape());
            }
        };
    }
}
