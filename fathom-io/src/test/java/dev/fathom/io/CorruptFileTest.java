package dev.fathom.io;

import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.Tanh;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Every damaged file is refused with a message naming the file and the problem; nothing is loaded. */
class CorruptFileTest {
    @TempDir Path dir;

    /** A file from a raw header and data section (the header padded like a writer would). */
    Path raw(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    void assertRejected(Path f, String... fragments) {
        var e = assertThrows(FileFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertEquals(f, e.file());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
    }

    @Test
    void everyTruncationOfAValidFileIsRejected() throws IOException {
        Generator.manualSeed(0);
        Path good = dir.resolve("good.safetensors");
        Safetensors.save(new Sequential(new Linear(3, 2), new Tanh(), new Linear(2, 4)), good);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.safetensors");
        for (int n = 0; n < bytes.length; n++) {
            Files.write(cut, Arrays.copyOf(bytes, n));
            assertRejected(cut);
        }
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 3));
        assertRejected(cut, "tensor '2.bias' has data_offsets [64, 80], past the end of the 77-byte data section (truncated?)");
        Files.write(cut, Arrays.copyOf(bytes, 5));
        assertRejected(cut, "too short for the 8-byte header length");
        Files.write(cut, Arrays.copyOf(bytes, 40));
        assertRejected(cut, "runs past the end of the file");
    }

    @Test
    void flippedBytesInTheHeaderAreRejected() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, Map.of("w", Tensor.vector(1f, 2f, 3f)));
        byte[] bytes = Files.readAllBytes(good);
        String header = new String(bytes, 8, (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0), StandardCharsets.UTF_8);
        Path bad = dir.resolve("bad.safetensors");

        byte[] b1 = bytes.clone();
        b1[8] = '['; // the opening brace
        Files.write(bad, b1);
        assertRejected(bad, "does not start with '{'");

        byte[] b2 = bytes.clone();
        b2[8 + header.indexOf("\"shape\"") - 1] = ';'; // the comma between fields
        Files.write(bad, b2);
        assertRejected(bad, "not valid JSON", "character");

        byte[] b3 = bytes.clone();
        b3[8 + header.indexOf("12]")] = '6'; // data_offsets [0,12] -> [0,62]
        Files.write(bad, b3);
        assertRejected(bad, "tensor 'w'", "data_offsets [0, 62]", "past the end");

        byte[] b4 = bytes.clone();
        b4[8 + header.indexOf("[3]") + 1] = '4'; // shape [3] -> [4]
        Files.write(bad, b4);
        assertRejected(bad, "tensor 'w' has shape [4] of F32 (4 elements x 4 bytes) but data_offsets span 12 bytes");

        byte[] b5 = bytes.clone();
        b5[8 + header.indexOf("F32")] = (byte) 0xC3; // not UTF-8
        Files.write(bad, b5);
        assertRejected(bad, "not valid UTF-8");

        byte[] b6 = bytes.clone();
        b6[7] = 0x40; // the header length's top byte
        Files.write(bad, b6);
        assertRejected(bad, "header length", "not a safetensors file");
    }

    @Test
    void headerProblemsAreNamed() throws IOException {
        byte[] twelve = new byte[12];
        assertRejected(raw("dtype.st", "{" + entry("w", "F16", "[6]", 0, 12) + "}", twelve),
            "tensor 'w' has dtype 'F16'", "expected F32, F64, I32, I64 or BOOL");
        assertRejected(raw("dtype2.st", "{" + entry("w", "float", "[3]", 0, 12) + "}", twelve), "dtype 'float'");
        assertRejected(raw("dup.st", "{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[2]", 4, 12) + "}", twelve),
            "duplicate key \"w\"");
        assertRejected(raw("gap.st", "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", twelve),
            "tensor 'b' starts at data byte 8 but the previous tensor 'a' ends at 4");
        assertRejected(raw("overlap.st", "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", twelve),
            "tensor 'b' starts at data byte 4 but the previous tensor 'a' ends at 8");
        assertRejected(raw("trailing.st", "{" + entry("a", "F32", "[2]", 0, 8) + "}", twelve), "4 trailing bytes");
        assertRejected(raw("negative.st", "{" + entry("a", "F32", "[-3]", 0, 12) + "}", twelve), "dimensions must be integers");
        assertRejected(raw("offsets.st", "{" + entry("a", "F32", "[3]", 12, 0) + "}", twelve), "0 <= begin <= end");
        assertRejected(raw("field.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12],\"x\":1}}", twelve),
            "unknown field 'x'");
        assertRejected(raw("meta.st", "{\"__metadata__\":{\"k\":1}," + entry("a", "F32", "[3]", 0, 12) + "}", twelve),
            "__metadata__ entry 'k' is not a string");
        assertRejected(raw("array.st", "[1,2]   ", new byte[0]), "does not start with '{'");
        assertRejected(raw("after.st", "{} {}", new byte[0]), "after the JSON value");
        assertRejected(raw("bool.st", "{" + entry("b", "BOOL", "[2]", 0, 2) + "}", new byte[] {1, 2}), "element 1 is 2");
    }

    @Test
    void aShapeMismatchNamesTheFileAndLeavesTheModuleUnchanged() throws IOException {
        Generator.manualSeed(0);
        Path f = dir.resolve("small.safetensors");
        Safetensors.save(new Sequential(new Linear(3, 2), new Tanh(), new Linear(2, 4)), f);
        var other = new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 4));
        Map<String, float[]> before = new LinkedHashMap<>();
        other.stateDict().forEach((k, v) -> before.put(k, v.toFloatArray()));
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.load(other, f, false));
        assertTrue(e.getMessage().startsWith(f.toString() + ": ") && e.getMessage().contains("shapes differ")
            && e.getMessage().contains("0.weight"), e.getMessage());
        other.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k), v.toFloatArray(), k));

        // a corrupted file never reaches the module either
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 1));
        var same = new Sequential(new Linear(3, 2), new Tanh(), new Linear(2, 4));
        Map<String, float[]> before2 = new LinkedHashMap<>();
        same.stateDict().forEach((k, v) -> before2.put(k, v.toFloatArray()));
        assertThrows(FileFormatException.class, () -> Safetensors.load(same, f, true));
        same.stateDict().forEach((k, v) -> assertArrayEquals(before2.get(k), v.toFloatArray(), k));
    }

    @Test
    void damagedCheckpointMetadataIsRejected() throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        Safetensors.write(plain, Map.of("w", Tensor.vector(1f)));
        var e = assertThrows(FileFormatException.class, () -> TrainingCheckpoint.read(plain));
        assertTrue(e.getMessage().startsWith(plain + ": not a Fathom training checkpoint"), e.getMessage());

        Path bad = dir.resolve("bad.ckpt");
        String rng = java.util.Base64.getEncoder().encodeToString(new byte[10]);
        Safetensors.write(bad, Map.of("model.w", Tensor.vector(1f)), Map.of(TrainingCheckpoint.KEY,
            "{\"format_version\":1,\"epoch\":0,\"step\":0,\"param_groups\":[],\"scheduler\":{},\"global_rng\":\"" + rng
                + "\",\"generators\":{}}"));
        e = assertThrows(FileFormatException.class, () -> TrainingCheckpoint.read(bad));
        assertTrue(e.getMessage().contains("global_rng holds 10 bytes, expected " + Generator.STATE_BYTES), e.getMessage());

        Safetensors.write(bad, Map.of("model.w", Tensor.vector(1f)), Map.of(TrainingCheckpoint.KEY, "{\"format_version\":2}"));
        e = assertThrows(FileFormatException.class, () -> TrainingCheckpoint.read(bad));
        assertTrue(e.getMessage().contains("format_version is 2, expected 1"), e.getMessage());

        Safetensors.write(bad, Map.of("optimizer.state.x.m", Tensor.vector(1f)), Map.of(TrainingCheckpoint.KEY,
            "{\"format_version\":1,\"epoch\":0,\"step\":0,\"param_groups\":[],\"scheduler\":{},\"global_rng\":\""
                + java.util.Base64.getEncoder().encodeToString(new Generator().getState()) + "\",\"generators\":{}}"));
        e = assertThrows(FileFormatException.class, () -> TrainingCheckpoint.read(bad));
        assertTrue(e.getMessage().contains("tensor 'optimizer.state.x.m' is neither"), e.getMessage());

        Safetensors.write(bad, Map.of(), Map.of(TrainingCheckpoint.KEY, "{not json"));
        e = assertThrows(FileFormatException.class, () -> TrainingCheckpoint.read(bad));
        assertTrue(e.getMessage().contains("metadata is invalid: invalid JSON"), e.getMessage());
    }
}
