package dev.fathom.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class MainTest {
    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void theMlpsEarlyCompilationFlagsAreAcceptedByThisJvm() throws Exception {
        java.util.List<String> flags = BenchCommand.workloadJvmFlags("mlp");
        assertTrue(flags.containsAll(BenchCommand.EARLY_GLUE_COMPILATION), flags.toString());
        assertFalse(BenchCommand.workloadJvmFlags("cnn").stream().anyMatch(f -> f.startsWith("-XX:CompileCommand")));
        String out = registered(BenchCommand.EARLY_GLUE_COMPILATION);
        for (String pkg : new String[] {"dev/fathom/autograd/*.*", "dev/fathom/nn/*.*", "dev/fathom/optim/SGD.*", "dev/fathom/ops/Linalg.*"})
            assertTrue(out.contains("CompileThresholdScaling " + pkg + " double CompileThresholdScaling = 0.100000"), out);
    }

    @Test
    void theInferenceEarlyCompilationFlagsAreAcceptedByThisJvm() throws Exception {
        assertTrue(BenchCommand.workloadJvmFlags("infer").containsAll(BenchCommand.EARLY_INFERENCE_COMPILATION));
        assertFalse(BenchCommand.workloadJvmFlags("gemm").stream().anyMatch(f -> f.startsWith("-XX:CompileCommand")));
        String out = registered(BenchCommand.EARLY_INFERENCE_COMPILATION);
        for (String cls : new String[] {"dev/fathom/nn/*.*", "dev/fathom/backend/VectorGemm.*", "dev/fathom/backend/Parallel$Worker.*"})
            assertTrue(out.contains("CompileThresholdScaling " + cls + " double CompileThresholdScaling = 0.050000"), out);
    }

    /**
     * What this JVM prints registering {@code flags} (without "quiet" it echoes each command; a
     * misspelt one stops it with exit code 1, failing the test).
     */
    private static String registered(java.util.List<String> flags) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String f : flags) if (!f.endsWith("=quiet")) cmd.add(f);
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void infoNamesTheGemmInUse() {
        Result r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gemm:"), r.out());
        assertTrue(r.out().contains("threads:"), r.out());
    }

    @Test
    void benchGemmPrintsAThroughputPerSize() {
        Result r = run("bench", "gemm", "--sizes", "8,16", "--samples", "1");
        assertEquals(0, r.code(), r.err());
        // the figures are measurements: they must be numbers, but their size depends on the machine's load
        // (under heavy load a tiny GEMM rounds to 0.0 GFLOP/s), so no bound is asserted
        for (int n : new int[] {8, 16}) {
            var row = java.util.regex.Pattern.compile("\\| gemm n=" + n + " \\(Tensor.matmul\\) \\| ([0-9.]+) GFLOP/s \\| (\\d+)% \\|")
                .matcher(r.out());
            assertTrue(row.find(), r.out());
            assertTrue(Double.parseDouble(row.group(1)) >= 0, r.out());
            assertTrue(Integer.parseInt(row.group(2)) <= 100, r.out());
        }
    }

    @Test
    void benchCompareWithoutPyTorchsSideSaysWhatToPass() {
        Result r = run("bench", "mlp", "--compare", "--torch-script", "/nonexistent/pytorch_bench.py");
        assertEquals(2, r.code());
        assertEquals("fathom bench: --compare: PyTorch's side /nonexistent/pytorch_bench.py does not exist; pass --torch-script PATH "
            + "(shared/bench/pytorch_bench.py)", r.err().strip());
    }

    @Test
    void badValuesGiveOneClearLineAndExitCode2() {
        Result r = run("bench", "gemm", "--sizes", "0");
        assertEquals(2, r.code());
        assertEquals("fathom bench: --sizes: every size must be positive, got 0", r.err().strip());
    }

    @Test
    void unknownOptionIsRejected() {
        Result r = run("bench", "--no-such-flag");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--no-such-flag'"), r.err());
    }

    @Test
    void trainEvaluatePredictSummaryAsAUserRunsThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path model = dir.resolve("iris.safetensors"), plot = dir.resolve("curves.png");
        Result t = run("train", "--epochs", "40", "--out", model.toString(), "--plot", plot.toString());
        assertEquals(0, t.code(), t.err());
        var m = java.util.regex.Pattern.compile("validation accuracy: ([0-9.]+)% \\((\\d+) of 30\\)").matcher(t.out());
        assertTrue(m.find(), t.out());
        assertTrue(Double.parseDouble(m.group(1)) >= 90, t.out());
        assertTrue(java.nio.file.Files.size(model) > 0);
        assertTrue(java.nio.file.Files.size(plot) > 0);

        Result e = run("evaluate", "--model", model.toString());
        assertEquals(0, e.code(), e.err());
        var a = java.util.regex.Pattern.compile("accuracy: ([0-9.]+)% \\((\\d+) of 150\\)").matcher(e.out());
        assertTrue(a.find(), e.out());
        assertTrue(Double.parseDouble(a.group(1)) >= 90, e.out());
        assertTrue(e.out().contains("virginica"), e.out());

        Result p = run("predict", "--model", model.toString(), "5.1,3.5,1.4,0.2", "6.7,3.0,5.2,2.3");
        assertEquals(0, p.code(), p.err());
        String[] lines = p.out().strip().split("\n");
        assertTrue(lines[0].startsWith("5.1,3.5,1.4,0.2 -> setosa ("), p.out());
        assertTrue(lines[1].startsWith("6.7,3.0,5.2,2.3 -> virginica ("), p.out());

        Result s = run("summary", "--model", model.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("(0): Linear(in=4, out=16, bias=true)  # 80 parameters"), s.out());
        assertTrue(s.out().contains("classes:  setosa, versicolor, virginica"), s.out());
    }

    @Test
    void badInputIsOneLineAndExitCode2(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Result unknown = run("train", "--bogus");
        assertEquals(2, unknown.code());
        assertEquals("fathom train: Unknown option: '--bogus' (see ./fathom train --help)", unknown.err().strip());

        Result missing = run("evaluate", "--model", dir.resolve("none.safetensors").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("does not exist; train one with: ./fathom train --out"), missing.err());

        Result epochs = run("train", "--epochs", "0");
        assertEquals(2, epochs.code());
        assertEquals("fathom train: --epochs must be positive, got 0", epochs.err().strip());

        Result data = run("train", "--data", dir.resolve("no.csv").toString());
        assertEquals(2, data.code());
        assertTrue(data.err().strip().endsWith("no.csv does not exist"), data.err());
    }
    @Test
    void examplesListsEachExampleWithItsDescription() {
        Result r = run("examples");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("fashion-mnist-mlp "), r.out());
        assertTrue(lines[0].contains("MLP 784-512-256-10"), r.out());
        assertTrue(r.out().contains("\nfashion-mnist-cnn "), r.out());
        assertTrue(r.out().contains("\nfashion-mnist-cnn-aug "), r.out());
        assertTrue(r.out().contains("run one with: ./fathom examples run <name> [--epochs N] [--seed S]"), r.out());
    }

    @Test
    void examplesRunOfAnUnknownNameIsOneLineListingTheNames() {
        Result r = run("examples", "run", "mnist-gan");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("fathom examples run: no example called 'mnist-gan'; the examples are: fashion-mnist-mlp, fashion-mnist-cnn, "),
            r.err());
        assertEquals("", r.out());
    }

    @Test
    void examplesRunRejectsBadEpochsAndAMissingName() {
        Result epochs = run("examples", "run", "fashion-mnist-mlp", "--epochs", "0");
        assertEquals(2, epochs.code());
        assertEquals("fathom examples run: --epochs must be positive, got 0", epochs.err().strip());

        Result missing = run("examples", "run");
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().startsWith("fathom examples run: Missing required parameter: 'NAME'"), missing.err());
    }

    @Test
    void examplesRunQuickTrainsAndReportsTheAccuracy() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of("/usr/share/datasets/fashion-mnist")),
            "Fashion-MNIST is not installed");
        Result r = run("examples", "run", "fashion-mnist-mlp", "--quick", "--epochs", "2", "--seed", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("batch 128, 2 epochs, 535,818 parameters, seed 1"), r.out());
        var m = java.util.regex.Pattern.compile("test accuracy ([0-9.]+)% after 2 epochs").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) > 50, r.out());
    }
}
