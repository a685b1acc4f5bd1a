package dev.fathom.cli;

import dev.fathom.backend.Gemm;
import dev.fathom.backend.Parallel;
import dev.fathom.workloads.Comparison;
import dev.fathom.workloads.Figure;
import dev.fathom.workloads.WorkloadMain;
import dev.fathom.workloads.Workloads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./fathom bench}: the reference workloads of {@code shared/bench/WORKLOADS.md} on this
 * machine, and with {@code --compare} PyTorch's side ({@code pytorch_bench.py}) run back to back in
 * its best thread setting for each workload, with the ratio Fathom / PyTorch for every figure.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure the reference workloads (shared/bench/WORKLOADS.md) on this machine.",
        "Every workload runs in a JVM of its own (fresh heap and heap settings of its own, its own peak memory)."})
final class BenchCommand implements Callable<Integer> {
    enum Workload { gemm, mlp, cnn, lstm, gpt, infer, all }

    @Parameters(index = "0", defaultValue = "gemm", description = "Workload: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Workload workload;

    @Option(names = "--compare", description = "Also run PyTorch's side (pytorch_bench.py) back to back and print Fathom/PyTorch ratios.")
    boolean compare;

    @Option(names = "--quick", description = "Shortened runs (as pytorch_bench.py --quick): fewer epochs/steps and gemm sizes.")
    boolean quick;

    @Option(names = "--sizes", split = ",", description = "gemm only: matrix sizes n (default: 256,512,1024,2048; --quick: 256,512,1024).")
    int[] sizes;

    @Option(names = "--samples", defaultValue = "7", description = "gemm only: timed samples per size; the median is reported (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--torch-script", description = "PyTorch's side (default: shared/bench/pytorch_bench.py beside the Fathom checkout).")
    Path torchScript;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (default: ${DEFAULT-VALUE}).")
    Path python;

    @Option(names = "--out", description = "Also write the table (Markdown) to this file.")
    Path out;

    /**
     * PyTorch's best thread setting per workload, measured in shared/bench/PYTORCH_RESULTS.md:
     * {torch threads, OpenBLAS threads or "default"}. Inference runs all three settings measured
     * there and keeps the best value of each figure.
     */
    private static final Map<String, List<String[]>> TORCH_SETTINGS = Map.of(
        "gemm", List.<String[]>of(new String[] {"2", "default"}),
        "mlp", List.<String[]>of(new String[] {"1", "default"}),
        "cnn", List.<String[]>of(new String[] {"2", "1"}),
        "lstm", List.<String[]>of(new String[] {"1", "default"}),
        "gpt", List.<String[]>of(new String[] {"1", "default"}),
        "infer", List.of(new String[] {"2", "default"}, new String[] {"1", "default"}, new String[] {"1", "1"}));

    @Override
    public Integer call() throws Exception {
        if (samples < 1) throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        if (sizes != null)
            for (int n : sizes)
                if (n < 1) throw new IllegalArgumentException("--sizes: every size must be positive, got " + n);
        Path script = compare ? checkPeer() : null;
        List<String> names = workload == Workload.all ? Workloads.NAMES : List.of(workload.name());
        List<Figure> fathom = new ArrayList<>();
        Map<String, Comparison.Peer> torch = new LinkedHashMap<>();
        for (String name : names) {
            System.out.println("=== " + name + ": Fathom");
            List<Figure> figs = inChildJvm(name);
            fathom.addAll(figs);
            if (script != null) {
                Map<String, Boolean> higher = new HashMap<>();
                for (Figure f : figs) higher.put(f.key(), f.higherIsBetter());
                for (String[] s : TORCH_SETTINGS.get(name)) {
                    String setting = "torch " + s[0] + " thr, OpenBLAS " + (s[1].equals("default") ? "default (2)" : s[1]);
                    System.out.println("=== " + name + ": PyTorch (" + setting + ")");
                    Comparison.keepBest(torch, runPeer(script, name, s[0], s[1], setting), higher);
                }
            }
        }
        String table = Comparison.table(Comparison.rows(fathom, script == null ? null : torch), script != null);
        System.out.println();
        System.out.println("Fathom " + (script != null ? "vs PyTorch " : "") + "on " + Parallel.threads() + " threads ("
            + Gemm.description() + "); load = other processes' share of the CPUs during the measurement");
        System.out.print(table);
        if (out != null) {
            Path tmp = out.toAbsolutePath().resolveSibling(out.getFileName() + ".tmp");
            Files.writeString(tmp, table);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return 0;
    }

    // ------------------------------------------------------------------ Fathom's side

    /**
     * The mlp's JVM compiles Fathom's framework code (autograd, layers, tensors, SGD, the Linear
     * dispatch) with C2 after a tenth of HotSpot's default invocation counts. An mlp step is about
     * 2 ms and runs about 25 ops, so their per-op code runs a few times a step: at the default
     * thresholds it stayed in C1's profiling tier for three of the five epochs, and the epochs the
     * median is taken from ran 10-25% below the later ones (C2 was still compiling Engine.run,
     * Linalg.linearForward and SGD.update in epoch 3). Measured back to back (2-core Zen 5, idle,
     * 2026-11-26, epochs 1-5): default 44.5k-51.0k, 51.7k-57.2k median; with these flags 48.9k-58.4k
     * in epoch 2 and a median of 58.8k-65.2k over 6 runs. Only these packages: the same scaling for
     * all of dev.fathom compiled DirectConv's Vector API blocks before their callees were profiled,
     * and they ran on the API's Java fallback (the cnn at 1,400 instead of 6,800 samples/s); the
     * kernels (backend, the elementwise and reduction ops) keep the default. The cnn's steps are 5x
     * longer, so its framework code is compiled within the first epoch anyway (its epoch 2 was not
     * faster with the flags).
     */
    static final List<String> EARLY_GLUE_COMPILATION = earlyCompilation(0.1, "dev.fathom.autograd.*", "dev.fathom.nn.*",
        "dev.fathom.tensor.*", "dev.fathom.optim.SGD", "dev.fathom.optim.Optimizer", "dev.fathom.optim.ParamGroup",
        "dev.fathom.ops.Linalg");

    /**
     * The inference JVM compiles the code of a forward pass early: the framework code above, the
     * GEMM dispatch and the worker pool at a twentieth of HotSpot's default invocation counts, and
     * (unlike the mlp's training JVM) the matrix-vector kernels too. The workload times 3 x 2000
     * calls after only 300 warm-up calls, each repetition after an idle wait: at the default
     * thresholds the matrix-vector kernels themselves (VectorGemm.gemv4 and its callers) ran on C1
     * through the warm-up and were compiled by C2 during the first repetition, and the framework
     * code during the second, so the figure measured the JIT (repetition medians 73-106, 30-47 and
     * 19-35 µs for the mlp at batch 1). Measured back to back with the whole infer workload (2-core
     * Zen 5, 2026-11-26, 4 pairs): mlp batch-1 median 28.8, 47.2, 41.8, 56.1 µs at the default,
     * 25.6, 24.6, 30.1, 23.2 µs with these flags; batch 256 and the cnn unchanged within noise. A
     * hundredth (0.01) compiled the kernels before their Vector API callees had run, and they stayed
     * at 45-50 µs on the API's Java fallback.
     */
    static final List<String> EARLY_INFERENCE_COMPILATION = earlyCompilation(0.05, "dev.fathom.autograd.*", "dev.fathom.nn.*",
        "dev.fathom.tensor.*", "dev.fathom.ops.Linalg", "dev.fathom.ops.Unary", "dev.fathom.backend.Gemm",
        "dev.fathom.backend.Parallel", "dev.fathom.backend.Parallel$Region", "dev.fathom.backend.Parallel$Worker",
        "dev.fathom.backend.VectorGemm", "dev.fathom.backend.VectorMath", "dev.fathom.backend.Scratch");

    private static List<String> earlyCompilation(double scale, String... classes) {
        List<String> flags = new ArrayList<>(List.of("-XX:CompileCommand=quiet"));
        for (String c : classes) flags.add("-XX:CompileCommand=CompileThresholdScaling," + c + "::*," + scale);
        return List.copyOf(flags);
    }

    /**
     * Heap flags of the workload JVMs (beside this JVM's own module and native-access flags), and
     * for mlp and infer the early compilation above.
     * ParallelGC: G1 places the large activation arrays in humongous regions and stalls on them.
     * The young generation is sized to what a step keeps alive and throws away; for mlp and cnn
     * the heap is also capped so that peak resident memory stays below PyTorch's (a figure of issue
     * 6). Measured (2-core Zen 5, idle): mlp with a 1 GiB heap peaked at 652 MiB RSS, with 512 MiB
     * and a 48 MiB young generation at 440 MiB (230 MiB once the images stayed 8-bit). cnn with a
     * 768 MiB heap peaked at 852 MiB (the evaluation at batch 1000 makes the most garbage), capped at
     * 560 MiB at 628 MiB, same speed (GC 1.3-1.7 s of a 26 s epoch either way). gpt keeps about
     * 200 MB of activations alive through a step and throws away several hundred: with a 256 MiB
     * young generation they were promoted and collected by 42 full GCs, 36 s of a 45 s run; a 2 GiB
     * young generation brought the run to 18 s with 1.6 s of GC. With the fused causal attention and
     * in-place gradient accumulation a step allocates 179 MB instead of 320, and a 1 GiB heap with a
     * 768 MiB young generation and survivor spaces a fifth of it each (about 100 MB of activations
     * are alive at a collection) ran as fast (14,463 vs 14,109 tokens/s back to back; 116 young
     * collections, 0.5 s, no full GC) at 1.12 GB peak RSS instead of 3.2 GB; with a 512 MiB young
     * generation and the default survivor ratio it spent 1.56 s of every 65 steps in GC. A young
     * generation that large must
     * be pre-touched: otherwise every allocation lands on a fresh page (the kernel zeroes it on first
     * touch) until the eden has been cycled once, and mlp batch-256 inference fell from 133k to 33k
     * samples/s, the lstm's first window from 32k to 22k tokens/s. The inference workload is
     * pre-touched for the same reason: a batch-1 mlp forward allocates 7.8 KB (its five activations),
     * so its 6,300 calls use 49 MB of a fresh 256 MiB eden and nearly two first-touch page faults land
     * in every call. Back to back (WorkloadMain infer, load average 8): batch-1 median 74.0 µs
     * without, 33.9 µs with (the three sgemv calls alone take 28-30 µs), batch 256 30k vs 69k samples/s;
     * peak RSS 945 vs 903 MiB (the cnn fills the heap either way). gemm gets the same: it allocates
     * each product's result (1 MiB at n = 512), and in the launcher's own JVM (G1, default heap)
     * Tensor.matmul at n = 512 ran 134-147 GFLOP/s against 153-157 for the same product into a reused
     * array; in its own JVM with these flags 146-160 (idle, 2026-11-26). The issue sets no memory
     * target for gemm, lstm, gpt and inference.
     */
    static List<String> workloadJvmFlags(String name) {
        return switch (name) {
            case "mlp" -> with(EARLY_GLUE_COMPILATION, "-XX:+UseParallelGC", "-Xmx512m", "-Xmn48m");
            case "cnn" -> List.of("-XX:+UseParallelGC", "-Xmx560m", "-Xmn256m");
            case "gpt" -> List.of("-XX:+UseParallelGC", "-Xms1g", "-Xmx1g", "-Xmn768m", "-XX:SurvivorRatio=3",
                "-XX:+AlwaysPreTouch");
            case "infer" -> with(EARLY_INFERENCE_COMPILATION, "-XX:+UseParallelGC", "-Xmx1g", "-Xmn256m", "-XX:+AlwaysPreTouch");
            case "gemm" -> List.of("-XX:+UseParallelGC", "-Xmx1g", "-Xmn256m", "-XX:+AlwaysPreTouch");
            default -> List.of("-XX:+UseParallelGC", "-Xmx1g", "-Xmn256m");
        };
    }

    /** {@code heap} followed by {@code compilation}. */
    private static List<String> with(List<String> compilation, String... heap) {
        List<String> flags = new ArrayList<>(List.of(heap));
        flags.addAll(compilation);
        return flags;
    }

    /** Runs one workload in a fresh JVM (inheriting this one's output) and reads back its figures. */
    private List<Figure> inChildJvm(String name) throws IOException, InterruptedException {
        Path results = Files.createTempFile("fathom-bench-" + name, ".tsv");
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
                if (!a.startsWith("-Xm") && !a.startsWith("-XX:+Use") && !a.startsWith("-agentlib")) cmd.add(a);
            cmd.addAll(workloadJvmFlags(name));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkloadMain.class.getName(), name,
                results.toString()));
            if (quick) cmd.add("--quick");
            if (name.equals("gemm")) {
                cmd.add("--samples=" + samples);
                if (sizes != null)
                    cmd.add("--sizes=" + String.join(",", java.util.Arrays.stream(sizes).mapToObj(String::valueOf).toList()));
            }
            int rc = new ProcessBuilder(cmd).inheritIO().start().waitFor();
            if (rc != 0) throw new IllegalStateException("workload " + name + " failed (exit code " + rc + "); see its output above");
            return Files.readAllLines(results).stream().filter(l -> !l.isBlank()).map(Figure::parse).toList();
        } finally {
            Files.deleteIfExists(results);
        }
    }

    // ------------------------------------------------------------------ PyTorch's side

    private Path checkPeer() throws IOException, InterruptedException {
        Path script = torchScript;
        if (script == null) {
            String home = System.getProperty("fathom.home");
            if (home == null)
                throw new IllegalArgumentException("--compare: pass --torch-script PATH (shared/bench/pytorch_bench.py)");
            script = Path.of(home).toAbsolutePath().getParent().resolve("shared/bench/pytorch_bench.py");
        }
        if (!Files.isRegularFile(script))
            throw new IllegalArgumentException("--compare: PyTorch's side " + script + " does not exist; pass --torch-script PATH "
                + "(shared/bench/pytorch_bench.py)");
        if (!Files.isExecutable(python))
            throw new IllegalArgumentException("--compare: " + python + " not found; install Debian's PyTorch: "
                + "apt-get install -y python3-torch libopenblas0-pthread (or pass --python PATH)");
        Process p = new ProcessBuilder(python.toString(), "-c", "import torch").redirectErrorStream(true).start();
        String err = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0)
            throw new IllegalArgumentException("--compare: " + python + " cannot import torch (" + lastLine(err)
                + "); install it: apt-get install -y python3-torch libopenblas0-pthread");
        return script;
    }

    private static String lastLine(String s) {
        String[] lines = s.split("\n");
        return lines[lines.length - 1];
    }

    /** Runs torch_peer.py (a resource) around pytorch_bench.py, echoing its output, and parses its figures. */
    private Map<String, Comparison.Peer> runPeer(Path script, String name, String threads, String blas, String setting)
            throws IOException, InterruptedException {
        Path wrapper = Files.createTempFile("fathom-torch-peer", ".py");
        try {
            try (InputStream in = Workloads.class.getResourceAsStream("torch_peer.py")) {
                if (in == null) throw new IllegalStateException("torch_peer.py is missing from fathom-workloads' resources");
                Files.copy(in, wrapper, StandardCopyOption.REPLACE_EXISTING);
            }
            Process p = new ProcessBuilder(python.toString(), wrapper.toString(), script.toString(), name, threads, blas,
                quick ? "1" : "0").redirectErrorStream(true).start();
            List<String> lines = new ArrayList<>();
            try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    if (!line.startsWith("FIGURE\t") && !line.startsWith("-> ")) System.out.println("  torch| " + line);
                }
            }
            int rc = p.waitFor();
            if (rc != 0)
                throw new IllegalStateException("PyTorch's " + name + " run failed (exit code " + rc + "); see its output above");
            return Comparison.parsePeer(lines, setting);
        } catch (IOException e) {
            throw new UncheckedIOException("--compare: cannot run " + python, e);
        } finally {
            Files.deleteIfExists(wrapper);
        }
    }
}
