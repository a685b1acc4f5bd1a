package dev.fathom.tensor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Replays every case of {@code fixtures/random_torch.txt} (written by
 * tools/fixtures/make_random_fixtures.py from torch 1.13 outputs) and demands the same bits.
 * The one exception is float64 normal sampling, whose log/sin/cos PyTorch takes
 * from glibc while Fathom uses the portable StrictMath: there a result may differ by a few ulps.
 */
class RandomTorchFixtureTest {
    record Case(String name, Map<String, String> params, DType dtype, int[] shape, String[] values) {}

    static List<Case> load() throws IOException {
        try (InputStream in = RandomTorchFixtureTest.class.getResourceAsStream("/fixtures/random_torch.txt")) {
            assertNotNull(in, "fixture missing");
            List<Case> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] tok = line.split(" ");
                Map<String, String> p = new HashMap<>();
                for (int i = 1; i < tok.length; i++) {
                    if (tok[i].isEmpty()) continue;
                    int eq = tok[i].indexOf('=');
                    p.put(tok[i].substring(0, eq), tok[i].substring(eq + 1));
                }
                String sh = p.get("shape");
                int[] shape = sh.isEmpty() ? new int[0] : Arrays.stream(sh.split(",")).mapToInt(Integer::parseInt).toArray();
                String v = p.get("values");
                out.add(new Case(tok[0], p, DType.valueOf(p.get("dtype").toUpperCase()), shape,
                    v.isEmpty() ? new String[0] : v.split(",")));
            }
            return out;
        }
    }

    static Tensor run(Case c) {
        long seed = Long.parseUnsignedLong(c.params.get("seed"));
        Generator g = new Generator(seed);
        DType dt = c.dtype;
        int[] s = c.shape;
        return switch (c.params.get("op")) {
            case "rand" -> Tensor.rand(g, dt, s);
            case "rand_default" -> Tensor.rand(new Generator(), dt, s);
            case "randn" -> Tensor.randn(g, dt, s);
            case "uniform" -> Tensor.uniform(g, d(c, "low"), d(c, "high"), dt, s);
            case "normal" -> Tensor.normal(g, d(c, "mean"), d(c, "std"), dt, s);
            case "randn_seq" -> {
                double[] a = Tensor.randn(g, dt, 1).toDoubleArray();
                double[] b = Tensor.randn(g, dt, 3).toDoubleArray();
                double[] all = new double[4];
                all[0] = a[0];
                System.arraycopy(b, 0, all, 1, 3);
                yield Tensor.of(all, 4).to(dt);
            }
            case "uniform_t" -> Tensor.zeros(dt, 5, 4).t().uniformInPlace(0, 1, g);
            case "normal_t" -> Tensor.zeros(dt, 5, 4).t().normalInPlace(0, 1, g);
            case "uniform_p" -> Tensor.zeros(dt, 3, 4, 5).permute(2, 0, 1).uniformInPlace(0, 1, g);
            case "bernoulli_tensor" -> Tensor.bernoulli(g, linspace(dt, 100).reshape(100));
            case "bernoulli_tensor_t" -> Tensor.bernoulli(g, linspace(dt, 20).reshape(4, 5).t());
            case "bernoulli_scalar" -> Tensor.bernoulli(g, d(c, "p"), s);
            case "randint" -> Tensor.randint(g, Long.parseLong(c.params.get("low")), Long.parseLong(c.params.get("high")), s);
            case "randperm" -> Tensor.randperm(g, Integer.parseInt(c.params.get("n")));
            default -> throw new IllegalStateException(c.params.get("op"));
        };
    }

    /** torch.linspace(0, 1, n) in float64, converted (its float32 values are the rounded doubles). */
    private static Tensor linspace(DType dt, int n) {
        double[] v = new double[n];
        double step = 1.0 / (n - 1);
        for (int i = 0; i < n; i++) v[i] = i < n / 2 ? step * i : 1 - step * (n - 1 - i);
        return Tensor.of(v, n).to(dt);
    }

    private static double d(Case c, String k) { return Double.parseDouble(c.params.get(k)); }

    private static boolean glibcNormal(Case c) {
        String op = c.params.get("op");
        return c.dtype == DType.FLOAT64 && (op.equals("randn") || op.equals("normal") || op.equals("randn_seq")
            || op.equals("normal_t"));
    }

    @TestFactory
    List<DynamicTest> matchesTorch() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : load()) {
            tests.add(DynamicTest.dynamicTest(c.name, () -> {
                Tensor t = run(c);
                assertArrayEquals(c.shape, t.shape(), "shape");
                assertEquals(c.dtype, t.dtype());
                switch (c.dtype) {
                    case FLOAT32 -> {
                        float[] got = t.toFloatArray();
                        for (int i = 0; i < got.length; i++)
                            assertEquals(c.values[i], String.format("%08x", Float.floatToRawIntBits(got[i])),
                                c.name + " element " + i + " got " + got[i]);
                    }
                    case FLOAT64 -> {
                        double[] got = t.toDoubleArray();
                        for (int i = 0; i < got.length; i++) {
                            long want = Long.parseUnsignedLong(c.values[i], 16);
                            long have = Double.doubleToRawLongBits(got[i]);
                            if (glibcNormal(c)) {
                                assertTrue(Math.abs(want - have) <= 4, c.name + " element " + i + " got " + got[i]
                                    + " want " + Double.longBitsToDouble(want));
                            } else {
                                assertEquals(want, have, c.name + " element " + i + " got " + got[i]
                                    + " want " + Double.longBitsToDouble(want));
                            }
                        }
                    }
                    default -> {
                        long[] got = t.toLongArray();
                        long[] want = Arrays.stream(c.values).mapToLong(Long::parseLong).toArray();
                        assertArrayEquals(want, got, c.name);
                    }
                }
            }));
        }
        return tests;
    }

    /** How many float64 normal values differ from glibc-based torch at all (documents the gap). */
    @org.junit.jupiter.api.Test
    void float64NormalMostlyBitExact() throws IOException {
        int total = 0, differ = 0;
        for (Case c : load()) {
            if (!glibcNormal(c)) continue;
            double[] got = run(c).toDoubleArray();
            for (int i = 0; i < got.length; i++, total++)
                if (Double.doubleToRawLongBits(got[i]) != Long.parseUnsignedLong(c.values[i], 16)) differ++;
        }
        assertTrue(total > 3000);
        assertTrue(differ < total / 4, differ + " of " + total + " differ");
    }
}
