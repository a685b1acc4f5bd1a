package dev.fathom.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./fathom} command-line tool. */
@Command(name = "fathom", mixinStandardHelpOptions = true, version = "fathom 0.1.0",
    description = "Fathom, a deep learning framework for the JVM.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
