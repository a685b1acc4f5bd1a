package dev.fathom.workloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one workload in this JVM and writes its figures, one {@link Figure#toLine()} per line, to a
 * file: {@code WorkloadMain <workload> <out file> [--quick]}. {@code ./fathom bench} starts one JVM per
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
        boolean quick = args.length > 2 && args[2].equals("--quick");
        List<Figure> figures = new ArrayList<>(Workloads.run(name, quick));
        if (List.of("mlp", "cnn", "lstm", "gpt").contains(name))
            figures.add(Figure.result(name + ".rss", name + " peak resident memory", LoadMeter.peakRssMiB(), "MiB", false));
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.write(tmp, figures.stream().map(Figure::toLine).toList());
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.exit(0);   // the worker pool's threads are daemons, but OpenBLAS may hold others
    }
}
