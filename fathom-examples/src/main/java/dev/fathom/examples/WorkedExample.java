package dev.fathom.examples;

import java.io.PrintStream;

/**
 * A worked example that trains a real model and reports what it reached. Each example is a small,
 * readable program: the place to copy from when building something similar.
 */
public interface WorkedExample {
    /** The name used on the command line ({@code ./fathom examples run <name>}). */
    String name();

    /** One line: the task, the model, and the result it reaches. */
    String description();

    /**
     * Trains and evaluates, printing progress and the final figures to {@code out}.
     *
     * @param options {@code epochs} (0 = the example's default) and {@code quick} (a shortened run for tests)
     * @return the headline figure (for example test accuracy), also printed
     */
    double run(Options options, PrintStream out) throws Exception;

    /** How to run an example. */
    record Options(int epochs, boolean quick, long seed) {
        public static Options defaults() { return new Options(0, false, 0); }
    }
}
