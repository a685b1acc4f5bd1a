package dev.fathom.cli;

import dev.fathom.data.CsvDataset;
import dev.fathom.data.Iris;
import dev.fathom.io.Safetensors;
import dev.fathom.nn.Linear;
import dev.fathom.nn.ReLU;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command-line tool's model: an MLP classifier over the numeric columns of a table (the
 * bundled Iris data or a CSV file), with the feature standardisation learned on the training
 * split. Saved as one safetensors file: the weights under {@code model.}, the standardisation
 * under {@code normalize.}, and the layer sizes, feature and class names in its metadata, so
 * {@code evaluate}, {@code predict} and {@code summary} rebuild it from the file alone.
 */
record TabularModel(Sequential net, int[] sizes, Tensor mean, Tensor std, List<String> features, List<String> classes) {
    static final String FORMAT = "fathom-cli tabular MLP 1";

    /** A fresh MLP with the given layer sizes (input, hidden..., classes), ReLU between layers. */
    static Sequential mlp(int[] sizes) {
        Sequential s = new Sequential();
        for (int i = 0; i + 1 < sizes.length; i++) {
            if (i > 0) s.add(new ReLU());
            s.add(new Linear(sizes[i], sizes[i + 1]));
        }
        return s;
    }

    /** Standardised features, as the model sees them. */
    Tensor normalize(Tensor x) { return x.sub(mean).div(std); }

    /** Class scores (logits) for raw feature rows. */
    Tensor scores(Tensor x) { return net.forward(normalize(x)); }

    void save(Path file) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        net.stateDict().forEach((k, v) -> t.put("model." + k, v));
        t.put("normalize.mean", mean);
        t.put("normalize.std", std);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("sizes", join(Arrays.stream(sizes).mapToObj(Integer::toString).toList()));
        meta.put("features", join(features));
        meta.put("classes", join(classes));
        Safetensors.write(file, t, meta);
    }

    static TabularModel load(Path file) throws IOException {
        if (!Files.exists(file))
            throw new IllegalArgumentException("model file " + file + " does not exist; train one with: ./fathom train --out " + file);
        Safetensors.Contents c = Safetensors.read(file);
        if (!FORMAT.equals(c.metadata().get("format")))
            throw new IllegalArgumentException("model file " + file + " was not written by ./fathom train (its metadata has no format \""
                + FORMAT + "\")");
        int[] sizes = split(c.metadata().get("sizes")).stream().mapToInt(Integer::parseInt).toArray();
        Sequential net = mlp(sizes);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> { if (k.startsWith("model.")) weights.put(k.substring(6), v); });
        net.loadStateDict(weights, true);
        net.eval();
        return new TabularModel(net, sizes, c.tensors().get("normalize.mean"), c.tensors().get("normalize.std"),
            split(c.metadata().get("features")), split(c.metadata().get("classes")));
    }

    /** The bundled Iris data, or a CSV file whose label column is {@code label} (default: the last). */
    static CsvDataset data(Path csv, String label) {
        if (csv == null) return Iris.load();
        if (!Files.exists(csv)) throw new IllegalArgumentException("data file " + csv + " does not exist");
        var b = dev.fathom.data.Csv.builder();
        if (label != null) b = b.label(label);
        return b.read(csv);
    }

    private static String join(List<String> parts) { return String.join("\t", parts); }

    private static List<String> split(String s) { return s == null || s.isEmpty() ? List.of() : List.of(s.split("\t")); }
}
