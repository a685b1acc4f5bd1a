package dev.fathom.cli;

import dev.fathom.examples.Examples;
import dev.fathom.examples.WorkedExample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code ./fathom examples}: lists the worked examples; {@code ./fathom examples run <name>} runs one. */
@Command(name = "examples", mixinStandardHelpOptions = true,
    description = "List the worked examples (real models on real data); run one with: ./fathom examples run <name>",
    subcommands = ExamplesCommand.Run.class)
final class ExamplesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        int width = Examples.all().stream().mapToInt(e -> e.name().length()).max().orElse(0);
        for (WorkedExample e : Examples.all())
            System.out.printf("%-" + width + "s  %s%n", e.name(), e.description());
        System.out.println();
        System.out.println("run one with: ./fathom examples run <name> [--epochs N] [--seed S]");
        return 0;
    }

    /** {@code ./fathom examples run <name>}. */
    @Command(name = "run", mixinStandardHelpOptions = true, description = "Train and evaluate one worked example, printing its figures.")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "the example (./fathom examples lists them)")
        String name;
        @Option(names = "--epochs", description = "passes over the training data (default: the example's own)")
        Integer epochs;
        @Option(names = "--seed", description = "seed for initialisation, shuffling and augmentation (default: ${DEFAULT-VALUE})", defaultValue = "0")
        long seed;
        @Option(names = "--quick", description = "a shortened run on a small subset (a smoke test)")
        boolean quick;

        @Override
        public Integer call() throws Exception {
            WorkedExample example = Examples.find(name);
            if (epochs != null && epochs <= 0) throw new IllegalArgumentException("--epochs must be positive, got " + epochs);
            example.run(new WorkedExample.Options(epochs == null ? 0 : epochs, quick, seed), System.out);
            return 0;
        }
    }
}
