package dev.fathom.data;

import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the items of one batch into a {@link Batch} (PyTorch's {@code collate_fn}). The default,
 * {@link #stack()}, stacks the inputs and the targets of {@link Example}s along a new first
 * dimension, so scalar int64 class targets become a {@code [B]} label vector.
 *
 * {@snippet :
 * // variable-length sequences: pad to the longest in the batch instead of stacking
 * Collate<Example> pad = items -> ...;
 * DataLoader<Example> loader = DataLoader.builder(data).batchSize(16).collate(pad).build();
 * }
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface Collate<T> {
    /** The batch made of {@code items} (never empty). */
    Batch collate(List<T> items);

    /** Stacks inputs and targets of examples; every input (and every target) must have one shape. */
    static Collate<Example> stack() {
        return items -> {
            List<Tensor> inputs = new ArrayList<>(items.size()), targets = new ArrayList<>(items.size());
            for (Example e : items) {
                inputs.add(e.input());
                targets.add(e.target());
            }
            return new Batch(stackSame("inputs", inputs), stackSame("targets", targets));
        };
    }

    private static Tensor stackSame(String what, List<Tensor> ts) {
        int[] first = ts.getFirst().shape();
        for (int i = 1; i < ts.size(); i++)
            if (!Arrays.equals(first, ts.get(i).shape()))
                throw new IllegalArgumentException("Collate.stack: the " + what + " of one batch have different shapes ("
                        + Arrays.toString(first) + " at position 0, " + Arrays.toString(ts.get(i).shape()) + " at position "
                        + i + "); resize them with a transform or pass a custom collate function");
        return Tensor.stack(0, ts);
    }
}
