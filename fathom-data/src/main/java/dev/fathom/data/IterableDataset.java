package dev.fathom.data;

/**
 * A stream of examples with no random access (PyTorch's {@code IterableDataset}): a log being
 * tailed, a generator of synthetic data, a file too large to index. Each call to
 * {@link #iterator()} starts a fresh pass. A {@link DataLoader} batches it in stream order and can
 * read ahead on a background thread; it cannot shuffle it.
 *
 * {@snippet :
 * IterableDataset<Example> squares = () -> IntStream.range(0, 10)
 *         .mapToObj(i -> new Example(Tensor.scalar((float) i), Tensor.scalar((float) (i * i))))
 *         .iterator();
 * }
 *
 * @param <T> the item type, usually {@link Example}
 */
@FunctionalInterface
public interface IterableDataset<T> extends Iterable<T> {}
