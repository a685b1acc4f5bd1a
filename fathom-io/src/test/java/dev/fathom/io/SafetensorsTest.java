package dev.fathom.io;

import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.Tanh;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir Path dir;

    static Sequential mlp() { return new Sequential(new Linear(3, 2), new Tanh(), new Linear(2, 4)); }

    static Map<String, Tensor> allDtypes() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f32", Tensor.of(new float[] {1.5f, -0f, Float.NaN, Float.MIN_VALUE, 3, 4}, 2, 3).transpose(0, 1)); // not contiguous
        m.put("f64", Tensor.of(new double[] {Math.PI, Double.NEGATIVE_INFINITY}, 2));
        m.put("i32", Tensor.of(new int[] {Integer.MIN_VALUE, 7}, 1, 2));
        m.put("i64", Tensor.of(new long[] {Long.MAX_VALUE, -1, 0}, 3));
        m.put("bool", Tensor.of(new boolean[] {true, false, true}, 3));
        m.put("scalar", Tensor.scalar(2.5f));
        m.put("empty", Tensor.zeros(0, 4));
        return m;
    }

    @Test
    void everyDtypeRoundTripsBitForBitWithMetadata() throws IOException {
        Path f = dir.resolve("all.safetensors");
        Map<String, Tensor> in = allDtypes();
        Safetensors.write(f, in, Map.of("format", "pt", "note", "quote \" and \\ and \u00e9"));
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(List.copyOf(in.keySet()), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt", "note", "quote \" and \\ and \u00e9"), c.metadata());
        for (var e : in.entrySet()) {
            Tensor a = e.getValue(), b = c.tensors().get(e.getKey());
            assertEquals(a.dtype(), b.dtype(), e.getKey());
            assertArrayEquals(a.shape(), b.shape(), e.getKey());
            switch (a.dtype()) {
                case FLOAT32 -> {
                    float[] x = a.toFloatArray(), y = b.toFloatArray();
                    for (int i = 0; i < x.length; i++) assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]));
                }
                case FLOAT64 -> assertArrayEquals(a.toDoubleArray(), b.toDoubleArray());
                case INT32 -> assertArrayEquals(a.toIntArray(), b.toIntArray());
                case INT64 -> assertArrayEquals(a.toLongArray(), b.toLongArray());
                case BOOL -> assertArrayEquals(a.toBoolArray(), b.toBoolArray());
            }
        }
        assertArrayEquals(new float[] {1.5f, Float.MIN_VALUE, -0f, 3, Float.NaN, 4}, c.tensors().get("f32").toFloatArray());
    }

    @Test
    void byteLayoutFollowsTheSpec() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("b", Tensor.of(new int[] {1, -2}, 2));
        m.put("a", Tensor.of(new double[] {0.5}, 1, 1));
        byte[] bytes = Safetensors.encode(m, Map.of("k", "v"));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"a\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[8,16]}}";
        assertEquals(json + " ".repeat((int) n - json.length()), header);
        assertEquals(8 + n + 16, bytes.length);
        b.position((int) (8 + n));
        assertEquals(1, b.getInt());
        assertEquals(-2, b.getInt());
        assertEquals(0.5, b.getDouble());
        // little-endian on disk: the first data byte of int 1 is 0x01
        assertEquals(1, bytes[(int) (8 + n)]);
    }

    @Test
    void readsAFileWrittenFromATorchStateDictAndItMatchesFathomsOwnInitialisation() throws IOException {
        Path f = dir.resolve("torch_mlp.safetensors");
        try (InputStream in = getClass().getResourceAsStream("/torch_mlp.safetensors")) {
            Files.copy(in, f);
        }
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(Map.of("format", "pt", "source", "make_safetensors_fixture.py"), c.metadata());
        Generator.manualSeed(0);
        Sequential own = mlp(); // Linear init draws exactly like torch's, so the weights are bit-identical
        for (var e : own.stateDict().entrySet())
            assertArrayEquals(e.getValue().toFloatArray(), c.tensors().get(e.getKey()).toFloatArray(), e.getKey());
        assertArrayEquals(new double[] {1.5, -2.25, 1e-300, Double.POSITIVE_INFINITY}, c.tensors().get("extra.f64").toDoubleArray());
        assertArrayEquals(new int[] {1, -2, Integer.MAX_VALUE}, c.tensors().get("extra.i32").toIntArray());
        assertArrayEquals(new long[] {-9007199254740993L}, c.tensors().get("extra.i64").toLongArray());
        assertArrayEquals(new int[] {1, 1}, c.tensors().get("extra.i64").shape());
        assertArrayEquals(new boolean[] {true, false, true}, c.tensors().get("extra.bool").toBoolArray());
        assertEquals(0, c.tensors().get("extra.scalar").ndim());
        assertEquals(3.5, c.tensors().get("extra.scalar").item());

        Generator.manualSeed(123);
        Sequential fresh = mlp();
        Module.LoadResult r = Safetensors.load(fresh, f, false);
        assertEquals(List.of(), r.missing());
        assertEquals(List.of("extra.bool", "extra.f64", "extra.i32", "extra.i64", "extra.scalar"), r.unexpected().stream().sorted().toList());
        for (var e : own.stateDict().entrySet())
            assertArrayEquals(e.getValue().toFloatArray(), fresh.stateDict().get(e.getKey()).toFloatArray());
    }

    @Test
    void moduleSaveAndStrictLoadRoundTrip() throws IOException {
        Generator.manualSeed(1);
        Sequential a = mlp();
        Path f = dir.resolve("sub/model.safetensors");
        Safetensors.save(a, f);
        Generator.manualSeed(2);
        Sequential b = mlp();
        Module.LoadResult r = Safetensors.load(b, f, true);
        assertEquals(List.of(), r.missing());
        assertEquals(List.of(), r.unexpected());
        for (var e : a.stateDict().entrySet())
            assertArrayEquals(e.getValue().toFloatArray(), b.stateDict().get(e.getKey()).toFloatArray());
        assertEquals(List.of("model.safetensors"), fileNames(f.getParent()));
    }

    @Test
    void writesReplaceAtomicallyAndAFailedWriteKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Safetensors.write(f, Map.of("x", Tensor.vector(1f, 2f)));
        Safetensors.write(f, Map.of("y", Tensor.vector(3f)));
        assertEquals(List.of("y"), List.copyOf(Safetensors.read(f).tensors().keySet()));
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("__metadata__", Tensor.vector(1f));
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, bad));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("reserved"), e.getMessage());
        assertEquals(List.of("y"), List.copyOf(Safetensors.read(f).tensors().keySet()));
        assertEquals(List.of("w.safetensors"), fileNames(dir));
    }

    static List<String> fileNames(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
