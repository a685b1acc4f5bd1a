package dev.fathom.workloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What else ran on the machine while a figure was measured, as {@code pytorch_bench.py} computes it:
 * the <em>foreign load</em> is the machine's busy CPU time (from {@code /proc/stat}, idle and iowait
 * excluded) minus this process's own CPU time, as a fraction of the capacity of all CPUs over the
 * wall time. Before a timed repetition, {@link #waitIdle()} waits (up to 60 s, or the seconds in the
 * environment variable {@code BENCH_IDLE_TIMEOUT} as for the PyTorch script; 0 skips the wait) until
 * other processes use less than 5% of the CPUs for 1.5 s. Where {@code /proc} is missing (not Linux) the load reads 0.
 */
public final class LoadMeter {
    private LoadMeter() {}

    /** A repetition counts as clean when other processes used less than this share of the CPUs. */
    public static final double CLEAN = 0.05;

    private static final int CPUS = Runtime.getRuntime().availableProcessors();
    private static final double CLK_TCK = 100.0; // USER_HZ: 100 on every Linux ABI Fathom runs on

    private static final double IDLE_TIMEOUT = idleTimeout();

    private static double idleTimeout() {
        String v = System.getenv("BENCH_IDLE_TIMEOUT");
        try {
            return v == null ? 60 : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("BENCH_IDLE_TIMEOUT must be a number of seconds, got '" + v + "'");
        }
    }

    /** Busy seconds of the whole machine, CPU seconds of this process (all threads), and wall time. */
    public record Snapshot(double machineBusy, double own, long nanos) {}

    public static Snapshot snapshot() {
        double busy = 0, own = 0;
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i <= Math.min(8, cpu.length - 1); i++) total += Long.parseLong(cpu[i]);
            busy = (total - Long.parseLong(cpu[4]) - Long.parseLong(cpu[5])) / CLK_TCK;
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            own = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;   // utime + stime
        } catch (IOException | RuntimeException e) {
            // not Linux: no load figures, every repetition counts as clean
        }
        return new Snapshot(busy, own, System.nanoTime());
    }

    /**
     * Share (0..1) of the machine's CPU capacity used by other processes since {@code since}. The
     * counters tick every 10 ms, so over intervals shorter than a second or so the figure is coarse
     * (it is clamped to [0, 1]); the timed repetitions it describes last seconds.
     */
    public static double foreignLoad(Snapshot since) {
        Snapshot now = snapshot();
        double wall = Math.max(1e-9, (now.nanos - since.nanos) / 1e9);
        return Math.min(1, Math.max(0, ((now.machineBusy - since.machineBusy) - (now.own - since.own)) / (wall * CPUS)));
    }

    /** Waits until other processes use less than 5% of the CPUs over 1.5 s, at most 60 s; returns the seconds waited. */
    public static double waitIdle() {
        if (IDLE_TIMEOUT <= 0) return 0;
        long start = System.nanoTime();
        while (true) {
            Snapshot s = snapshot();
            sleep(1500);
            double load = foreignLoad(s);
            double waited = (System.nanoTime() - start) / 1e9;
            if (load < CLEAN) {
                if (waited > 2) System.out.printf("(waited %.0fs for an idle machine)%n", waited);
                return waited;
            }
            if (waited > IDLE_TIMEOUT) {
                System.out.printf("WARNING: machine not idle after %.0fs (foreign load %.0f%%); measuring anyway%n",
                    IDLE_TIMEOUT, load * 100);
                return waited;
            }
        }
    }

    /** Peak resident memory of this process so far in MiB ({@code VmHWM}), or NaN where unknown. */
    public static double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Double.NaN;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an idle machine", e);
        }
    }
}
