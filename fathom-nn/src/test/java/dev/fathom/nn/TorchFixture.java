package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a fixture written by tools/fixtures/nnfix.py: PyTorch's values by name. */
public final class TorchFixture {
    private TorchFixture() {}

    /** The tensors of {@code fixtures/<name>.txt} on the test classpath, by name. */
    public static Map<String, Tensor> load(String name) {
        String path = "/fixtures/" + name + ".txt";
        InputStream in = TorchFixture.class.getResourceAsStream(path);
        if (in == null) throw new IllegalArgumentException("TorchFixture: no fixture " + path + " on the test classpath");
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.trim().split(" ");
                int[] shape = f[2].equals("scalar") ? new int[0] : java.util.Arrays.stream(f[2].split(",")).mapToInt(Integer::parseInt).toArray();
                int n = f.length - 3;
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = Double.parseDouble(f[3 + i]);
                DType t = switch (f[1]) {
                    case "float32" -> DType.FLOAT32;
                    case "float64" -> DType.FLOAT64;
                    case "int64" -> DType.INT64;
                    case "int32" -> DType.INT32;
                    case "bool" -> DType.BOOL;
                    default -> throw new IllegalArgumentException("TorchFixture " + path + ": unknown dtype " + f[1]);
                };
                out.put(f[0], Tensor.of(v, shape).to(t));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("TorchFixture: reading " + path, e);
        }
        return out;
    }
}
