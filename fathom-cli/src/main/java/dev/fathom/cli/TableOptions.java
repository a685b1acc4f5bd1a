package dev.fathom.cli;

import dev.fathom.data.CsvDataset;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** Options shared by the commands that read a table ({@code --data}, {@code --label}) or a saved model ({@code --model}). */
final class TableOptions {
    private TableOptions() {}

    /** {@code --data} and {@code --label}: the bundled Iris data, or a CSV file and its label column. */
    static final class Data {
        @Option(names = "--data", paramLabel = "FILE",
            description = "CSV file with a header row and numeric feature columns (default: bundled Iris)")
        Path file;
        @Option(names = "--label", paramLabel = "COLUMN", description = "name of the CSV's label column (default: the last column)")
        String label;

        CsvDataset load() { return TabularModel.data(file, label); }

        /** How messages name the data. */
        String describe() { return file == null ? "bundled Iris" : file.toString(); }
    }

    /** {@code --model}: a file written by {@code ./fathom train --out}. */
    static final class Model {
        @Option(names = "--model", required = true, paramLabel = "FILE", description = "model file written by ./fathom train --out")
        Path file;

        TabularModel load() throws IOException { return TabularModel.load(file); }
    }
}
