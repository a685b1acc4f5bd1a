package dev.fathom.workloads;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fathom's figures beside PyTorch's for the same workloads, with the ratio Fathom / PyTorch and the
 * targets of issue 6: throughput ratios (more is better), latency and memory ratios (less is
 * better), accuracies within half a point and losses within 2% (a faster run that learns less does
 * not count).
 */
public final class Comparison {
    private Comparison() {}

    /** PyTorch's figure for a key: its value, the foreign load while measured, and the thread setting that gave it. */
    public record Peer(double value, double foreignLoad, String setting) {}

    /** A target on a figure. */
    public sealed interface Target {
        boolean met(double fathom, double torch);
        String describe();
    }

    /** Fathom / PyTorch at least {@code ratio}. */
    public record AtLeast(double ratio) implements Target {
        public boolean met(double f, double t) { return f / t >= ratio; }
        public String describe() { return String.format(Locale.ROOT, "≥ %.2f×", ratio); }
    }

    /** Fathom / PyTorch at most {@code ratio}. */
    public record AtMost(double ratio) implements Target {
        public boolean met(double f, double t) { return f / t <= ratio; }
        public String describe() { return String.format(Locale.ROOT, "≤ %.2f×", ratio); }
    }

    /** |Fathom − PyTorch| at most {@code delta} (accuracies). */
    public record Within(double delta) implements Target {
        public boolean met(double f, double t) { return Math.abs(f - t) <= delta + 1e-12; }
        public String describe() { return String.format(Locale.ROOT, "±%.3f", delta); }
    }

    /** |Fathom / PyTorch − 1| at most {@code fraction} (losses). */
    public record WithinRelative(double fraction) implements Target {
        public boolean met(double f, double t) { return Math.abs(f / t - 1) <= fraction + 1e-12; }
        public String describe() { return String.format(Locale.ROOT, "±%.0f%%", fraction * 100); }
    }

    /** The target of issue 6 for a figure key, or null where the issue sets none. */
    public static Target target(String key) {
        if (key.startsWith("gemm.n")) return Integer.parseInt(key.substring(6)) >= 512 ? new AtLeast(0.95) : null;
        if (key.matches("(mlp|cnn)\\.acc\\d+")) return new Within(0.005);
        if (key.matches("lstm\\.loss\\d+\\.(train|val)") || key.matches("gpt\\.(loss1|loss100|last10|val)"))
            return new WithinRelative(0.02);
        return switch (key) {
            case "mlp.train", "lstm.train", "gpt.train" -> new AtLeast(1.5);
            case "cnn.train" -> new AtLeast(2.0);
            case "infer.mlp.b1.median" -> new AtMost(0.25);
            case "infer.cnn.b1.median" -> new AtMost(0.5);
            case "infer.mlp.b256" -> new AtLeast(1.2);
            case "mlp.rss", "cnn.rss" -> new AtMost(1.0);
            default -> null;
        };
    }

    /** One line of the table. */
    public record Row(Figure fathom, Peer torch) {
        public double ratio() { return torch == null ? Double.NaN : fathom.value() / torch.value(); }
        public Target target() { return Comparison.target(fathom.key()); }
        /** True/false against the target, null without a peer figure or target. */
        public Boolean met() {
            Target t = target();
            return t == null || torch == null || Double.isNaN(torch.value()) || Double.isNaN(fathom.value()) ? null
                : t.met(fathom.value(), torch.value());
        }
    }

    public static List<Row> rows(List<Figure> fathom, Map<String, Peer> torch) {
        List<Row> rows = new ArrayList<>();
        for (Figure f : fathom) rows.add(new Row(f, torch == null ? null : torch.get(f.key())));
        return rows;
    }

    /** The table in Markdown; with peers, also their values, the ratio, the target and whether it was met. */
    public static String table(List<Row> rows, boolean withPeer) {
        var sb = new StringBuilder();
        if (withPeer) {
            sb.append("| figure | Fathom | load | PyTorch | load | PyTorch setting | Fathom/PyTorch | target | met |\n");
            sb.append("|---|---:|---:|---:|---:|---|---:|---|---|\n");
        } else {
            sb.append("| figure | Fathom | load |\n|---|---:|---:|\n");
        }
        for (Row r : rows) {
            Figure f = r.fathom();
            sb.append("| ").append(f.label()).append(" | ").append(value(f.value(), f.unit())).append(" | ")
                .append(load(f.foreignLoad())).append(" |");
            if (withPeer) {
                Peer p = r.torch();
                Target t = r.target();
                Boolean met = r.met();
                sb.append(' ').append(p == null ? "–" : value(p.value(), f.unit())).append(" | ")
                    .append(p == null ? "" : load(p.foreignLoad())).append(" | ")
                    .append(p == null ? "" : p.setting()).append(" | ")
                    .append(p == null ? "" : String.format(Locale.ROOT, "%.2f", r.ratio())).append(" | ")
                    .append(t == null ? "" : t.describe()).append(" | ")
                    .append(met == null ? "" : met ? "yes" : "**no**").append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String load(double l) {
        return Double.isNaN(l) ? "" : String.format(Locale.ROOT, "%.0f%%", l * 100);
    }

    static String value(double v, String unit) {
        if (Double.isNaN(v)) return "n/a";
        String u = unit.isEmpty() ? "" : " " + unit;
        if (unit.equals("samples/s") || unit.equals("tokens/s")) return String.format(Locale.ROOT, "%,.0f%s", v, u);
        if (unit.equals("nats/char") || unit.isEmpty()) return String.format(Locale.ROOT, "%.4f%s", v, u);
        return String.format(Locale.ROOT, "%.1f%s", v, u);
    }

    /** Keeps, per key, the better of two peer figures (higher or lower per the Fathom figure's direction). */
    public static void keepBest(Map<String, Peer> best, Map<String, Peer> candidate, Map<String, Boolean> higherIsBetter) {
        for (var e : candidate.entrySet()) {
            Peer old = best.get(e.getKey());
            boolean higher = higherIsBetter.getOrDefault(e.getKey(), true);
            if (old == null || Double.isNaN(old.value())
                || (higher ? e.getValue().value() > old.value() : e.getValue().value() < old.value()))
                best.put(e.getKey(), e.getValue());
        }
    }

    /** A float as Python prints it ({@code nan}, {@code inf} included). */
    static double pythonFloat(String s) {
        return switch (s) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    /** Reads the FIGURE lines of {@code torch_peer.py} into peers carrying {@code setting}. */
    public static Map<String, Peer> parsePeer(List<String> lines, String setting) {
        Map<String, Peer> m = new LinkedHashMap<>();
        for (String line : lines) {
            if (!line.startsWith("FIGURE\t")) continue;
            String[] f = line.split("\t");
            if (f.length != 4) throw new IllegalArgumentException("torch_peer.py: malformed figure line: " + line);
            m.put(f[1], new Peer(pythonFloat(f[2]), pythonFloat(f[3]), setting));
        }
        return m;
    }
}
