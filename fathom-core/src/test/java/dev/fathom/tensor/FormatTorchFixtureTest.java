package dev.fathom.tensor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Rebuilds each tensor of {@code fixtures/format_torch.txt} from its stored bits and compares
 * {@code toString} with torch 1.13's repr (dtype suffix spelt without {@code torch.}).
 */
class FormatTorchFixtureTest {
    @TestFactory
    List<DynamicTest> reprMatchesTorch() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/format_torch.txt")) {
            assertNotNull(in, "fixture missing");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<DynamicTest> tests = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("case ")) continue;
            String name = lines[i].substring(5);
            DType dt = DType.valueOf(lines[i + 1].substring(6).toUpperCase());
            String sh = lines[i + 2].substring(5).trim();
            int[] shape = sh.isEmpty() ? new int[0] : Arrays.stream(sh.split(" ")).mapToInt(Integer::parseInt).toArray();
            String vs = lines[i + 3].substring(6).trim();
            String[] vals = vs.isEmpty() ? new String[0] : vs.split(" ");
            int precision = Integer.parseInt(lines[i + 4].substring(10));
            assertEquals("expect", lines[i + 5]);
            StringBuilder want = new StringBuilder();
            int j = i + 6;
            for (; !lines[j].equals("end"); j++) want.append(want.isEmpty() ? "" : "\n").append(lines[j]);
            Tensor t = build(dt, shape, vals);
            String expected = want.toString();
            tests.add(DynamicTest.dynamicTest(name, () ->
                assertEquals(expected, precision == 4 ? t.toString() : t.toString(precision))));
            i = j;
        }
        assertTrue(tests.size() >= 30);
        return tests;
    }

    private static Tensor build(DType dt, int[] shape, String[] v) {
        int n = v.length;
        return switch (dt) {
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int k = 0; k < n; k++) a[k] = Float.intBitsToFloat(Integer.parseUnsignedInt(v[k], 16));
                yield Tensor.of(a, shape);
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int k = 0; k < n; k++) a[k] = Double.longBitsToDouble(Long.parseUnsignedLong(v[k], 16));
                yield Tensor.of(a, shape);
            }
            case INT32 -> Tensor.of(Arrays.stream(v).mapToInt(Integer::parseInt).toArray(), shape);
            case INT64 -> Tensor.of(Arrays.stream(v).mapToLong(Long::parseLong).toArray(), shape);
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int k = 0; k < n; k++) a[k] = v[k].equals("1");
                yield Tensor.of(a, shape);
            }
        };
    }
}
