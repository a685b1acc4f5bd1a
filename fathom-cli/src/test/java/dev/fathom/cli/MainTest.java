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
        String[] lines = r.out().strip().split("\n");
        assertEquals(4, lines.length, r.out());
        assertTrue(lines[2].strip().startsWith("8 "), lines[2]);
        assertTrue(lines[3].strip().startsWith("16 "), lines[3]);
        String[] cols = lines[3].strip().split("\\s+");
        assertEquals(5, cols.length, lines[3]);
        // the figures are measurements: they must be numbers, but their size depends on the machine's load
        // (under heavy load a tiny GEMM rounds to 0.0 GFLOP/s), so no bound is asserted
        assertTrue(Double.parseDouble(cols[1]) >= 0, r.out());
        assertTrue(Double.parseDouble(cols[3]) >= 0, r.out());
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
}
