package dev.fathom.data;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * An indexed collection of examples (PyTorch's map-style {@code Dataset}): {@link #size()} items,
 * each fetched by {@link #get(int)}. A {@link DataLoader} batches, shuffles and prefetches it.
 *
 * <p>{@code get} may be called from several worker threads at once, so an implementation must be
 * safe for concurrent reads (the built-in datasets are).
 *
 * {@snippet :
 * Dataset<Example> data = Dataset.of(List.of(
 *         new Example(Tensor.vector(1f, 2f), Tensor.scalar(0L)),
 *         new Example(Tensor.vector(3f, 4f), Tensor.scalar(1L))));
 * Dataset<Example> doubled = data.map(e -> e.withInput(e.input().mul(2.0)));
 * }
 *
 * @param <T> the item type, usually {@link Example}
 */
public interface Dataset<T> {
    /** The number of items. */
    int size();

    /** The item at {@code index}, {@code 0 <= index < size()}. */
    T get(int index);

    /** A dataset over a fixed list (kept by reference, so the list must not change). */
    static <T> Dataset<T> of(List<T> items) {
        Objects.requireNonNull(items, "items");
        return new Dataset<>() {
            @Override public int size() { return items.size(); }
            @Override public T get(int index) { return items.get(Datasets.checkIndex(index, items.size())); }
        };
    }

    /**
     * Examples from two tensors whose first dimensions match (PyTorch's {@code TensorDataset}):
     * item {@code i} is {@code (inputs[i], targets[i])}.
     */
    static Dataset<Example> ofTensors(dev.fathom.tensor.Tensor inputs, dev.fathom.tensor.Tensor targets) {
        if (inputs.ndim() == 0 || targets.ndim() == 0 || inputs.size(0) != targets.size(0))
            throw new IllegalArgumentException("Dataset.ofTensors: inputs " + java.util.Arrays.toString(inputs.shape())
                    + " and targets " + java.util.Arrays.toString(targets.shape())
                    + " must both have a first dimension of the same length");
        int n = inputs.size(0);
        return new Dataset<>() {
            @Override public int size() { return n; }
            @Override public Example get(int index) {
                Datasets.checkIndex(index, n);
                return new Example(inputs.narrow(0, index, 1).squeeze(0), targets.narrow(0, index, 1).squeeze(0));
            }
        };
    }

    /** A view whose item {@code i} is {@code fn.apply(get(i))}, computed on each access (lazily). */
    default <R> Dataset<R> map(Function<? super T, ? extends R> fn) {
        Objects.requireNonNull(fn, "fn");
        Dataset<T> self = this;
        return new Dataset<>() {
            @Override public int size() { return self.size(); }
            @Override public R get(int index) { return fn.apply(self.get(index)); }
        };
    }

    /** A view of the items at {@code indices} (PyTorch's {@code Subset}), in that order. */
    default Dataset<T> subset(int... indices) {
        int[] idx = indices.clone();
        for (int i : idx) Datasets.checkIndex(i, size());
        Dataset<T> self = this;
        return new Dataset<>() {
            @Override public int size() { return idx.length; }
            @Override public T get(int index) { return self.get(idx[Datasets.checkIndex(index, idx.length)]); }
        };
    }

    /**
     * Splits this dataset at random into views of the given lengths, which must add up to
     * {@link #size()}; the same split as {@code torch.utils.data.random_split(dataset, lengths,
     * generator=g)} for the same seed.
     *
     * {@snippet :
     * List<Dataset<Example>> parts = Iris.load().randomSplit(new Generator(42), 120, 30);
     * }
     */
    default List<Dataset<T>> randomSplit(dev.fathom.tensor.Generator generator, int... lengths) {
        Objects.requireNonNull(generator, "generator");
        long total = 0;
        for (int l : lengths) {
            if (l < 0) throw new IllegalArgumentException("randomSplit: lengths must be non-negative, got " + java.util.Arrays.toString(lengths));
            total += l;
        }
        if (total != size())
            throw new IllegalArgumentException("randomSplit: lengths " + java.util.Arrays.toString(lengths) + " add up to " + total
                    + ", but the dataset has " + size() + " items");
        long[] perm = dev.fathom.tensor.Tensor.randperm(generator, size()).toLongArray();
        List<Dataset<T>> parts = new java.util.ArrayList<>(lengths.length);
        int start = 0;
        for (int l : lengths) {
            int[] idx = new int[l];
            for (int i = 0; i < l; i++) idx[i] = (int) perm[start + i];
            parts.add(subset(idx));
            start += l;
        }
        return List.copyOf(parts);
    }

    /**
     * Splits this dataset at random by fractions that add up to 1: each part gets
     * {@code floor(size * fraction)} items and the remainder goes one by one to the first parts,
     * as PyTorch's {@code random_split} does with fractions.
     */
    default List<Dataset<T>> randomSplit(dev.fathom.tensor.Generator generator, double... fractions) {
        double sum = 0;
        for (double f : fractions) {
            if (!(f >= 0 && f <= 1))
                throw new IllegalArgumentException("randomSplit: fractions must be in [0, 1], got " + java.util.Arrays.toString(fractions));
            sum += f;
        }
        if (fractions.length == 0 || Math.abs(sum - 1) > 1e-6)
            throw new IllegalArgumentException("randomSplit: fractions " + java.util.Arrays.toString(fractions) + " must add up to 1");
        int n = size(), assigned = 0;
        int[] lengths = new int[fractions.length];
        for (int i = 0; i < lengths.length; i++) assigned += lengths[i] = (int) Math.floor(n * fractions[i]);
        for (int i = 0; assigned < n; i++, assigned++) lengths[i % lengths.length]++;
        return randomSplit(generator, lengths);
    }

    /** Items {@code [from, to)} as a view. */
    default Dataset<T> range(int from, int to) {
        if (from < 0 || to > size() || from > to)
            throw new IndexOutOfBoundsException("Dataset.range: [" + from + ", " + to + ") is not within [0, " + size() + "]");
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) idx[i] = from + i;
        return subset(idx);
    }
}
