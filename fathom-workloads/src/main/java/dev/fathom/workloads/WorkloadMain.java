package dev.fathom.workloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one workload in this JVM and writes its figures, one {@link Figure#toLine()} per line, to a
 * file: {@code WorkloadMain <workload> <out file> [--quick] [--sizes=N,N...] [--samples=N]} (the last two
 * for gemm only). {@code ./fathom bench} starts one JVM per
 * workload so that each has a fresh heap and its own peak memory, as {@code pytorch_bench.py all}
 * runs each workload in its own process. Training workloads add their peak resident memory
 * ({@code <name>.rss}).
 */
public final class WorkloadMain {
    private WorkloadMain() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2)
            throw new IllegalArgumentException("usage: WorkloadMain <" + String.join("|", Workloads.NAMES) + "> <out file> [--quick]");
        String name = args[0];
        Path out = Path.of(args[1]);
        boolean quick = false;
        int[] sizes = null;
        int samples = 7;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) quick = true;
            else if (a.startsWith("--sizes=") && name.equals("gemm"))
                sizes = java.util.Arrays.stream(a.substring(8).split(",")).mapToInt(Integer::parseInt).toArray();
            else if (a.startsWith("--samples=") && name.equals("gemm")) samples = Integer.parseInt(a.substring(10));
            else throw new IllegalArgumentException("WorkloadMain: unknown argument '" + a + "' for workload " + name
                + "; expected --quick" + (name.equals("gemm") ? ", --sizes=N,N... or --samples=N" : ""));
        }
        List<Figure> figures = new ArrayList<>(Workloads.run(name, quick, sizes, samples));
        if (List.of("mlp", "cnn", "lstm", "gpt").contains(name))
            figures.add(Figure.result(name + ".rss", name + " peak resident memory", LoadMeter.peakRssMiB(), "MiB", false));
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.write(tmp, figures.stream().map(Figure::toLine).toList());
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.exit(0);   // the worker pool's threads are daemons, but OpenBLAS may hold others
    }
}
