package dev.fathom.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./fathom} command-line tool. */
@Command(name = "fathom", mixinStandardHelpOptions = true, version = "fathom 0.1.0",
    description = "Fathom, a deep learning framework for the JVM.",
    subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, SummaryCommand.class, InfoCommand.class,
        BenchCommand.class, ExamplesCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit code: bad input gives one clear line, not a stack trace. */
    static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException
                    || ex instanceof dev.fathom.data.DataFileException) {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName(" ") + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, badArgs) -> {
            CommandLine cmd = ex.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName(" ");
            cmd.getErr().println(name + ": " + ex.getMessage() + " (see ./" + name + " --help)");
            return 2;
        });
        return cl.execute(args);
    }
}
