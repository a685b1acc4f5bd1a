package dev.fathom.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code ./fathom summary}: the layers and parameter counts of a saved model. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Show the layers and parameter counts of a model saved by 'train --out'.")
final class SummaryCommand implements Callable<Integer> {
    @Mixin
    TableOptions.Model model;

    @Override
    public Integer call() throws Exception {
        TabularModel model = this.model.load();
        System.out.println(model.net());
        System.out.println("features: " + String.join(", ", model.features()));
        System.out.println("classes:  " + String.join(", ", model.classes()));
        return 0;
    }
}
