package dev.fathom.cli;

import dev.fathom.data.CsvDataset;
import dev.fathom.data.DataLoader;
import dev.fathom.data.Dataset;
import dev.fathom.data.Example;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.CrossEntropyLoss;
import dev.fathom.optim.Adam;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import dev.fathom.train.History;
import dev.fathom.train.Trainer;
import dev.fathom.train.metrics.Accuracy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./fathom train}: trains an MLP classifier on the bundled Iris data or a CSV file and reports its accuracy. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train an MLP classifier on a table of numbers and report its validation accuracy.",
        "With no options: the bundled Iris data (150 flowers, 4 measurements, 3 species; CC BY 4.0, Fisher 1936 via UCI)."})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    TableOptions.Data data;
    @Option(names = "--hidden", split = ",", paramLabel = "N", description = "hidden layer sizes (default: ${DEFAULT-VALUE})", defaultValue = "16")
    int[] hidden;
    @Option(names = "--epochs", description = "passes over the training data (default: ${DEFAULT-VALUE})", defaultValue = "60")
    int epochs;
    @Option(names = "--batch-size", description = "examples per step (default: ${DEFAULT-VALUE})", defaultValue = "16")
    int batchSize;
    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE})", defaultValue = "0.01")
    double lr;
    @Option(names = "--val-fraction", description = "share of the rows held out for validation (default: ${DEFAULT-VALUE})", defaultValue = "0.2")
    double valFraction;
    @Option(names = "--seed", description = "seed for initialisation, the split and shuffling (default: ${DEFAULT-VALUE})", defaultValue = "0")
    long seed;
    @Option(names = "--out", paramLabel = "FILE", description = "save the trained model here (safetensors)")
    Path out;
    @Option(names = "--plot", paramLabel = "PNG", description = "write the training curves to this PNG file")
    Path plot;

    @Override
    public Integer call() throws Exception {
        if (epochs <= 0) throw new IllegalArgumentException("--epochs must be positive, got " + epochs);
        if (batchSize <= 0) throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be positive, got " + lr);
        if (!(valFraction > 0 && valFraction < 1)) throw new IllegalArgumentException("--val-fraction must be between 0 and 1, got " + valFraction);
        for (int h : hidden) if (h <= 0) throw new IllegalArgumentException("--hidden sizes must be positive, got " + h);

        CsvDataset table = data.load();
        if (table.numClasses() < 2)
            throw new IllegalArgumentException("the label column of " + data.describe() + " has "
                + table.numClasses() + " class; a classifier needs at least 2");
        Generator.manualSeed(seed);
        List<Dataset<Example>> parts = table.randomSplit(new Generator(seed), 1 - valFraction, valFraction);
        Dataset<Example> train = parts.get(0), val = parts.get(1);

        // standardise with the training rows' statistics
        List<Tensor> rows = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) rows.add(train.get(i).input());
        Tensor x = Tensor.stack(0, rows).to(DType.FLOAT32);
        Tensor mean = x.mean(0), std = x.std(0).clampMin(1e-6);

        int[] sizes = new int[hidden.length + 2];
        sizes[0] = table.features().size(1);
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = table.numClasses();
        Sequential net = TabularModel.mlp(sizes);
        TabularModel model = new TabularModel(net, sizes, mean, std, table.featureNames(), table.classNames());

        Dataset<Example> trainN = train.map(e -> new Example(model.normalize(e.input().to(DType.FLOAT32)), e.target()));
        Dataset<Example> valN = val.map(e -> new Example(model.normalize(e.input().to(DType.FLOAT32)), e.target()));
        var trainLoader = DataLoader.builder(trainN).batchSize(batchSize).shuffle(seed).build();
        var valLoader = DataLoader.builder(valN).batchSize(256).build();

        System.out.printf("data: %s, %d rows (%d train, %d validation), %d features, classes %s%n",
            data.describe(), table.size(), train.size(), val.size(), sizes[0], table.classNames());
        System.out.println("model: " + net.toString().replace("\n", "\n       "));
        Trainer trainer = new Trainer(net, new CrossEntropyLoss()::forward, new Adam(net.parameters(), lr))
            .metrics(new Accuracy()).progress(System.out, System.console() != null);
        if (plot != null) trainer.plot(plot);
        long t0 = System.nanoTime();
        History h = trainer.fit(trainLoader, valLoader, epochs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double acc = last(h, "val_accuracy");
        System.out.printf("validation accuracy: %.1f%% (%d of %d), loss %.4f, after %d epochs in %.1f s%n",
            100 * acc, Math.round(acc * val.size()), val.size(), last(h, "val_loss"), h.get("loss").size(), seconds);
        if (out != null) {
            model.save(out);
            System.out.println("saved: " + out + " (try: ./fathom evaluate --model " + out + ")");
        }
        if (plot != null) System.out.println("plot: " + plot);
        return 0;
    }

    private static double last(History h, String key) {
        List<Double> v = h.get(key);
        return v.get(v.size() - 1);
    }
}
