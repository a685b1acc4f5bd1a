package dev.fathom.cli;

import dev.fathom.backend.Gemm;
import dev.fathom.backend.Parallel;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code ./fathom info}: what this machine gives Fathom. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the JVM, threads and GEMM Fathom uses here.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("Fathom 0.1.0");
        System.out.println("java:    " + System.getProperty("java.vm.name") + " " + Runtime.version());
        System.out.println("os:      " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        System.out.println("threads: " + Parallel.threads() + " (set with -Dfathom.threads=N)");
        System.out.println("vector:  " + (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            ? "jdk.incubator.vector available" : "jdk.incubator.vector absent: plain-Java kernels"));
        System.out.println("gemm:    " + Gemm.description());
        return 0;
    }
}
