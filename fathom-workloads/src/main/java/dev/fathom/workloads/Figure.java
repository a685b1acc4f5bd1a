package dev.fathom.workloads;

/**
 * One measured figure of a workload: a key shared with the PyTorch side ({@code mlp.train},
 * {@code infer.cnn.b1.median}, ...), what it is, its value and unit, whether more is better, and the
 * foreign load while it was measured (NaN for figures that are not timings).
 */
public record Figure(String key, String label, double value, String unit, boolean higherIsBetter, double foreignLoad) {

    /** A figure that is not a timing (an accuracy, a loss, a memory peak). */
    public static Figure result(String key, String label, double value, String unit, boolean higherIsBetter) {
        return new Figure(key, label, value, unit, higherIsBetter, Double.NaN);
    }

    /** One tab-separated line: key, value, unit, higherIsBetter, foreign load, label. */
    public String toLine() {
        return key + "\t" + value + "\t" + unit + "\t" + higherIsBetter + "\t" + foreignLoad + "\t" + label;
    }

    /** Reads {@link #toLine()}. */
    public static Figure parse(String line) {
        String[] f = line.split("\t", 6);
        if (f.length != 6) throw new IllegalArgumentException("Figure: expected 6 tab-separated fields, got: " + line);
        return new Figure(f[0], f[5], Double.parseDouble(f[1]), f[2], Boolean.parseBoolean(f[3]), Double.parseDouble(f[4]));
    }
}
