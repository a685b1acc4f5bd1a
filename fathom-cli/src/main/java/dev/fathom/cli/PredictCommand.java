package dev.fathom.cli;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code ./fathom predict}: the class of each given row of features, with its probability. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Classify rows of features with a model saved by 'train --out'.",
        "Example: ./fathom predict --model iris.safetensors 5.1,3.5,1.4,0.2 6.7,3.0,5.2,2.3"})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    TableOptions.Model model;
    @Parameters(arity = "1..*", paramLabel = "ROW", description = "comma-separated feature values, one row per argument")
    String[] rows;

    @Override
    public Integer call() throws Exception {
        TabularModel model = this.model.load();
        int n = model.sizes()[0];
        float[][] x = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            String[] f = rows[r].split(",");
            if (f.length != n)
                throw new IllegalArgumentException("row " + (r + 1) + " '" + rows[r] + "' has " + f.length + " values; the model expects "
                    + n + " (" + String.join(", ", model.features()) + ")");
            x[r] = new float[n];
            for (int j = 0; j < n; j++) {
                try {
                    x[r][j] = Float.parseFloat(f[j].strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("row " + (r + 1) + ", value " + (j + 1) + ": '" + f[j] + "' is not a number");
                }
            }
        }
        Tensor p;
        try (var ignored = Autograd.noGrad()) {
            p = model.scores(Tensor.of(x)).softmax(1);
        }
        for (int r = 0; r < rows.length; r++) {
            int best = (int) p.select(0, r).argmax().itemLong();
            System.out.printf("%s -> %s (%.1f%%)%n", rows[r], model.classes().get(best), 100 * p.get(r, best));
        }
        return 0;
    }
}
