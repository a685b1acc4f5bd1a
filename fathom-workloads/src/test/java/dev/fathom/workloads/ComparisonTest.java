package dev.fathom.workloads;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ComparisonTest {
    @Test
    void targetsOfTheIssue() {
        assertNull(Comparison.target("gemm.n256"));
        assertTrue(Comparison.target("gemm.n512").met(95.0, 100.0));
        assertFalse(Comparison.target("gemm.n2048").met(94.9, 100.0));
        assertTrue(Comparison.target("mlp.train").met(150, 100));
        assertFalse(Comparison.target("mlp.train").met(149, 100));
        assertFalse(Comparison.target("cnn.train").met(199, 100));
        assertTrue(Comparison.target("infer.mlp.b1.median").met(25, 100));
        assertFalse(Comparison.target("infer.mlp.b1.median").met(26, 100));
        assertTrue(Comparison.target("infer.cnn.b1.median").met(50, 100));
        assertTrue(Comparison.target("infer.mlp.b256").met(120, 100));
        assertTrue(Comparison.target("mlp.rss").met(500, 500));
        assertFalse(Comparison.target("cnn.rss").met(501, 500));
        // accuracy within half a point, losses within 2%
        assertTrue(Comparison.target("mlp.acc5").met(0.8793, 0.8743));
        assertFalse(Comparison.target("cnn.acc3").met(0.8980, 0.9038));
        assertTrue(Comparison.target("lstm.loss1000.val").met(1.6073 * 1.019, 1.6073));
        assertFalse(Comparison.target("gpt.val").met(2.8796 * 0.97, 2.8796));
        assertNull(Comparison.target("lstm.rss"));
        assertNull(Comparison.target("infer.cnn.b1.p99"));
    }

    @Test
    void peerLinesParseWithPythonsSpellings() {
        var m = Comparison.parsePeer(List.of("[mlp] epoch 1: ...", "FIGURE\tmlp.train\t33065.0\t0.01",
            "FIGURE\tmlp.acc1\t0.8262\tnan"), "torch 1 thr");
        assertEquals(2, m.size());
        assertEquals(33065.0, m.get("mlp.train").value());
        assertEquals(0.01, m.get("mlp.train").foreignLoad());
        assertTrue(Double.isNaN(m.get("mlp.acc1").foreignLoad()));
        assertEquals("torch 1 thr", m.get("mlp.acc1").setting());
        assertThrows(IllegalArgumentException.class, () -> Comparison.parsePeer(List.of("FIGURE\tx\t1"), "s"));
    }

    @Test
    void keepBestTakesTheBetterValuePerDirection() {
        Map<String, Comparison.Peer> best = new LinkedHashMap<>();
        Map<String, Boolean> higher = new HashMap<>(Map.of("lat", false, "thr", true));
        Comparison.keepBest(best, Map.of("lat", new Comparison.Peer(200, 0, "a"), "thr", new Comparison.Peer(10, 0, "a")), higher);
        Comparison.keepBest(best, Map.of("lat", new Comparison.Peer(180, 0, "b"), "thr", new Comparison.Peer(9, 0, "b")), higher);
        assertEquals("b", best.get("lat").setting());
        assertEquals(180, best.get("lat").value());
        assertEquals("a", best.get("thr").setting());
    }

    @Test
    void tableShowsRatioTargetAndVerdict() {
        var rows = Comparison.rows(List.of(
                new Figure("mlp.train", "mlp training", 40000, "samples/s", true, 0.02),
                Figure.result("mlp.acc1", "mlp acc 1", 0.8261, "", true),
                new Figure("gemm.n256", "gemm n=256", 120, "GFLOP/s", true, 0.0)),
            Map.of("mlp.train", new Comparison.Peer(32000, 0.01, "torch 1 thr"),
                "mlp.acc1", new Comparison.Peer(0.8262, Double.NaN, "torch 1 thr")));
        assertEquals(1.25, rows.get(0).ratio(), 1e-12);
        assertEquals(Boolean.FALSE, rows.get(0).met());
        assertEquals(Boolean.TRUE, rows.get(1).met());
        assertNull(rows.get(2).met());
        String t = Comparison.table(rows, true);
        assertTrue(t.contains("| mlp training | 40,000 samples/s | 2% | 32,000 samples/s | 1% | torch 1 thr | 1.25 | ≥ 1.50× | **no** |"), t);
        assertTrue(t.contains("| mlp acc 1 | 0.8261 |  | 0.8262 |  | torch 1 thr | 1.00 | ±0.005 | yes |"), t);
        assertTrue(t.contains("| gemm n=256 | 120.0 GFLOP/s | 0% | – |"), t);
    }

    @Test
    void figureLinesRoundTrip() {
        Figure f = new Figure("infer.cnn.b1.median", "cnn batch 1", 212.5, "µs", false, 0.03);
        assertEquals(f, Figure.parse(f.toLine()));
        assertThrows(IllegalArgumentException.class, () -> Figure.parse("a\tb"));
    }

    @Test
    void statisticsAsNumpy() {
        assertEquals(2.5, Workloads.median(new double[] {4, 1, 3, 2}));
        assertEquals(3, Workloads.median(new double[] {5, 3, 1}));
        double[] xs = new double[100];
        for (int i = 0; i < 100; i++) xs[i] = i + 1;   // numpy.percentile(1..100, 99) = 99.01
        assertEquals(99.01, Workloads.percentile(xs, 99), 1e-9);
        // repetitions with ≥ 5% foreign load are left out while a clean one exists
        assertEquals(10, Workloads.cleanMedian(new double[] {10, 3, 4}, new double[] {0.01, 0.5, 0.6}));
        assertEquals(4, Workloads.cleanMedian(new double[] {10, 3, 4}, new double[] {0.2, 0.5, 0.6}));
    }

    @Test
    void loadMeterReadsThisMachine() {
        var s = LoadMeter.snapshot();
        double x = 0;
        long end = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < end) x += Math.sqrt(x + 1);
        double load = LoadMeter.foreignLoad(s);
        assertTrue(load >= 0 && load <= 1, "load " + load + " " + x);
        if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/status")))
            assertTrue(LoadMeter.peakRssMiB() > 1, "peak RSS " + LoadMeter.peakRssMiB());
    }
}
