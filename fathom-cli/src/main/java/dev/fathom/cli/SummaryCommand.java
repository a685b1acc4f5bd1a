package dev.fathom.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./fathom summary}: the layers and parameter counts of a saved model. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Show the layers and parameter counts of a model saved by 'train --out'.")
final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "model file written by ./fathom train --out")
    Path modelFile;

    @Override
    public Integer call() throws Exception {
        TabularModel model = TabularModel.load(modelFile);
        System.out.println(model.net());
        System.out.println("features: " + String.join(", ", model.features()));
        System.out.println("classes:  " + String.join(", ", model.classes()));
        return 0;
    }
}
