package dev.fathom.cli;

import dev.fathom.autograd.Autograd;
import dev.fathom.data.CsvDataset;
import dev.fathom.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code ./fathom evaluate}: accuracy and confusion of a saved model on a table. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Measure a model saved by 'train --out' on the bundled Iris data or a CSV file.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    TableOptions.Model model;
    @Mixin
    TableOptions.Data data;

    @Override
    public Integer call() throws Exception {
        TabularModel model = this.model.load();
        CsvDataset table = data.load();
        if (!table.classNames().equals(model.classes()))
            throw new IllegalArgumentException("the data's classes " + table.classNames() + " differ from the model's " + model.classes());
        if (table.features().size(1) != model.sizes()[0])
            throw new IllegalArgumentException("the data has " + table.features().size(1) + " feature columns, the model expects "
                + model.sizes()[0] + " (" + model.features() + ")");
        int k = model.classes().size();
        long[] pred, truth = table.targets().toLongArray();
        try (var ignored = Autograd.noGrad()) {
            pred = model.scores(table.features().to(DType.FLOAT32)).argmax(1).toLongArray();
        }
        int[][] confusion = new int[k][k];
        int right = 0;
        for (int i = 0; i < pred.length; i++) {
            confusion[(int) truth[i]][(int) pred[i]]++;
            if (pred[i] == truth[i]) right++;
        }
        System.out.printf("accuracy: %.1f%% (%d of %d)%n", 100.0 * right / pred.length, right, pred.length);
        System.out.println("confusion (rows: true class, columns: predicted):");
        int w = Math.max(6, model.classes().stream().mapToInt(String::length).max().orElse(6));
        StringBuilder head = new StringBuilder(" ".repeat(w + 1));
        for (String c : model.classes()) head.append(String.format("%" + w + "s ", c));
        System.out.println(head.toString().stripTrailing());
        for (int i = 0; i < k; i++) {
            StringBuilder row = new StringBuilder(String.format("%" + w + "s ", model.classes().get(i)));
            for (int j = 0; j < k; j++) row.append(String.format("%" + w + "d ", confusion[i][j]));
            System.out.println(row.toString().stripTrailing());
        }
        return 0;
    }
}
