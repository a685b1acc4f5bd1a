package dev.fathom.nn.loss;

import java.util.Locale;

/**
 * How a loss turns its per-element values into the result, as PyTorch's {@code reduction}
 * argument: {@link #NONE} keeps one value per element (or per sample), {@link #MEAN} averages
 * (losses with class weights divide by the total weight, see {@link NLLLoss}), {@link #SUM} adds.
 * {@link #BATCHMEAN} (the sum divided by the batch size) is for {@link KLDivLoss} only.
 */
public enum Reduction {
    NONE("none"), MEAN("mean"), SUM("sum"), BATCHMEAN("batchmean");

    private final String label;

    Reduction(String label) { this.label = label; }

    /** The reduction PyTorch names {@code name}: "none", "mean", "sum" or "batchmean". */
    public static Reduction of(String name) {
        for (Reduction r : values()) if (r.label.equals(name.toLowerCase(Locale.ROOT))) return r;
        throw new IllegalArgumentException("Reduction: unknown reduction '" + name + "'; expected none, mean, sum or batchmean");
    }

    /** PyTorch's name: none, mean, sum, batchmean. */
    @Override
    public String toString() { return label; }
}
