package dev.fathom.data;

import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches a dataset: PyTorch's {@code DataLoader} with batch size, seeded shuffling, drop-last, a
 * collate function and background prefetch.
 *
 * <p><b>Shuffling.</b> Each epoch (each call to {@link #iterator()}) draws a fresh permutation
 * from the loader's {@link Generator}, like {@code torch.randperm(n, generator=g)}; so the same
 * seed gives the same sequence of epoch orders, and every epoch a new order.
 *
 * <p><b>Prefetch.</b> With {@code numWorkers > 0}, batches are loaded and collated on that many
 * daemon threads, up to {@code numWorkers * prefetch} batches ahead of the consumer (PyTorch's
 * {@code prefetch_factor}). The order of batches is always the sampler's order, whatever the
 * threads' timing. An exception in a worker is rethrown to the consumer by {@code next()} as a
 * {@link DataLoaderException} naming the batch, with the original as its cause. An
 * {@link IterableDataset} is read on one background thread (a stream has one reader).
 *
 * {@snippet :
 * DataLoader<Example> loader = DataLoader.builder(FashionMnist.train())
 *         .batchSize(64).shuffle(42).numWorkers(4).build();
 * for (int epoch = 0; epoch < 3; epoch++)
 *     for (Batch b : loader) { ... b.input() [64,1,28,28], b.target() [64] ... }
 * }
 *
 * @param <T> the item type
 */
public final class DataLoader<T> implements Iterable<Batch> {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger ITERATORS = new AtomicInteger();

    private final Dataset<T> dataset;
    private final IterableDataset<T> stream;
    private final int batchSize;
    private final boolean dropLast;
    private final Generator shuffle;
    private final Collate<T> collate;
    private final int numWorkers;
    private final int prefetch;

    private DataLoader(Builder<T> b) {
        this.dataset = b.dataset;
        this.stream = b.stream;
        this.batchSize = b.batchSize;
        this.dropLast = b.dropLast;
        this.shuffle = b.shuffle;
        this.collate = b.collate != null ? b.collate : defaultCollate();
        this.numWorkers = b.numWorkers;
        this.prefetch = b.prefetch;
    }

    /** A builder over an indexed dataset (batch size 1, no shuffling, no workers by default). */
    public static <T> Builder<T> builder(Dataset<T> dataset) {
        return new Builder<>(Objects.requireNonNull(dataset, "dataset"), null);
    }

    /** A builder over a stream; batches follow the stream's order and shuffling is refused. */
    public static <T> Builder<T> builder(IterableDataset<T> stream) {
        return new Builder<>(null, Objects.requireNonNull(stream, "stream"));
    }

    /** The batch size. */
    public int batchSize() { return batchSize; }

    /**
     * The number of batches per epoch: {@code floor(n / batchSize)} with drop-last, else
     * {@code ceil(n / batchSize)} (like {@code len(loader)}); only for indexed datasets.
     */
    public int numBatches() {
        if (dataset == null)
            throw new UnsupportedOperationException("DataLoader.numBatches: an IterableDataset has no known length");
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** One epoch: a new permutation when shuffling. Close it if you stop early. */
    @Override
    public BatchIterator iterator() {
        if (dataset == null)
            return numWorkers == 0 ? new StreamIterator(stream.iterator()) : new PrefetchStreamIterator();
        List<int[]> plan = plan();
        return numWorkers == 0 ? new IndexedIterator(plan) : new PrefetchIndexedIterator(plan);
    }

    private List<int[]> plan() {
        int n = dataset.size();
        int[] order = new int[n];
        if (shuffle != null) {
            long[] perm = Tensor.randperm(shuffle, n).toLongArray();
            for (int i = 0; i < n; i++) order[i] = (int) perm[i];
        } else {
            for (int i = 0; i < n; i++) order[i] = i;
        }
        List<int[]> plan = new ArrayList<>(n / batchSize + 1);
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            if (end - start < batchSize && dropLast) break;
            plan.add(Arrays.copyOfRange(order, start, end));
        }
        return plan;
    }

    private Batch load(int batchIndex, int[] indices) {
        try {
            List<T> items = new ArrayList<>(indices.length);
            for (int i : indices) items.add(dataset.get(i));
            return collate.collate(items);
        } catch (RuntimeException | Error e) {
            throw new DataLoaderException("DataLoader: loading batch " + batchIndex + " (dataset indices "
                    + abbreviate(indices) + ") failed: " + e, e);
        }
    }

    private Batch collateStream(long batchIndex, List<T> items) {
        try {
            return collate.collate(items);
        } catch (RuntimeException | Error e) {
            throw new DataLoaderException("DataLoader: collating batch " + batchIndex + " of the stream failed: " + e, e);
        }
    }

    private static String abbreviate(int[] indices) {
        if (indices.length <= 16) return Arrays.toString(indices);
        return Arrays.toString(Arrays.copyOf(indices, 16)).replace("]", ", ... (" + indices.length + " in all)]");
    }

    @SuppressWarnings("unchecked")
    private static <T> Collate<T> defaultCollate() {
        Collate<Example> stack = Collate.stack();
        return items -> {
            for (Object o : items)
                if (!(o instanceof Example))
                    throw new IllegalArgumentException("DataLoader: the default collate stacks Example items, but got a "
                            + (o == null ? "null" : o.getClass().getName()) + "; pass collate(...) to the builder");
            return stack.collate((List<Example>) items);
        };
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + count.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /** The prefix of the worker thread names of the next iterator (for tests and thread dumps). */
    static String threadPrefix(int id) { return "fathom-data-worker-" + id; }

    // ------------------------------------------------------------------ indexed, on the caller's thread

    private final class IndexedIterator implements BatchIterator {
        private final List<int[]> plan;
        private int next;
        private boolean closed;

        IndexedIterator(List<int[]> plan) { this.plan = plan; }

        @Override public boolean hasNext() { return !closed && next < plan.size(); }

        @Override public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: the epoch is over");
            int k = next++;
            try {
                return load(k, plan.get(k));
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override public void close() { closed = true; }
    }

    // ------------------------------------------------------------------ indexed, on worker threads

    /** What the cleaner needs to stop the workers; holds no reference to the iterator. */
    private record Pool(ExecutorService executor) implements Runnable {
        @Override public void run() { executor.shutdownNow(); }
    }

    private final class PrefetchIndexedIterator implements BatchIterator {
        private final List<int[]> plan;
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private final Pool pool;
        private final Cleaner.Cleanable cleanable;
        private int submitted, consumed;
        private boolean closed;

        PrefetchIndexedIterator(List<int[]> plan) {
            this.plan = plan;
            ExecutorService executor = Executors.newFixedThreadPool(numWorkers,
                    daemonThreads(threadPrefix(ITERATORS.getAndIncrement())));
            this.pool = new Pool(executor);
            this.cleanable = CLEANER.register(this, pool);
            int window = numWorkers * prefetch;
            while (submitted < plan.size() && inFlight.size() < window) submit();
            if (plan.isEmpty()) close();
        }

        private void submit() {
            int k = submitted++;
            int[] indices = plan.get(k);
            DataLoader<T> loader = DataLoader.this; // the task must not keep this iterator reachable
            inFlight.addLast(pool.executor().submit(() -> loader.load(k, indices)));
        }

        @Override public boolean hasNext() { return !closed && consumed < plan.size(); }

        @Override public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: the epoch is over");
            Future<Batch> f = inFlight.removeFirst();
            consumed++;
            if (submitted < plan.size()) submit();
            try {
                Batch b = f.get();
                if (consumed == plan.size()) close();
                return b;
            } catch (ExecutionException e) {
                close();
                Throwable cause = e.getCause();
                if (cause instanceof DataLoaderException d)
                    throw new DataLoaderException(d.getMessage() + " (on a worker thread)", d.getCause());
                throw new DataLoaderException("DataLoader: batch " + (consumed - 1) + " failed on a worker thread: " + cause, cause);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new DataLoaderException("DataLoader: interrupted while waiting for batch " + (consumed - 1), e);
            }
        }

        @Override public void close() {
            if (closed) return;
            closed = true;
            for (Future<Batch> f : inFlight) f.cancel(true);
            inFlight.clear();
            cleanable.clean();
        }
    }

    // ------------------------------------------------------------------ streams

    private final class StreamIterator implements BatchIterator {
        private final Iterator<T> source;
        private long batches;
        private boolean closed;
        private Batch pending;

        StreamIterator(Iterator<T> source) { this.source = source; }

        @Override public boolean hasNext() {
            if (closed) return false;
            if (pending == null) pending = readBatch();
            return pending != null;
        }

        private Batch readBatch() {
            List<T> items = new ArrayList<>(batchSize);
            while (items.size() < batchSize && source.hasNext()) items.add(source.next());
            if (items.isEmpty() || (dropLast && items.size() < batchSize)) return null;
            return collateStream(batches++, items);
        }

        @Override public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: the stream is exhausted");
            Batch b = pending;
            pending = null;
            return b;
        }

        @Override public void close() { closed = true; pending = null; }
    }

    private static final Object END = new Object();
    private record Failure(RuntimeException error) {}

    /** Stops the reader thread; holds no reference to the iterator. */
    private record Reader(Thread thread) implements Runnable {
        @Override public void run() { thread.interrupt(); }
    }

    private final class PrefetchStreamIterator implements BatchIterator {
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(numWorkers * prefetch);
        private final Cleaner.Cleanable cleanable;
        private Object pending;
        private boolean closed;

        PrefetchStreamIterator() {
            BlockingQueue<Object> q = queue;
            Thread t = daemonThreads(threadPrefix(ITERATORS.getAndIncrement())).newThread(() -> produce(q));
            cleanable = CLEANER.register(this, new Reader(t));
            t.start();
        }

        private void produce(BlockingQueue<Object> q) {
            try {
                try {
                    StreamIterator it = new StreamIterator(stream.iterator());
                    while (it.hasNext()) q.put(it.next());
                    q.put(END);
                } catch (RuntimeException | Error e) {
                    q.put(new Failure(e instanceof DataLoaderException d ? d
                            : new DataLoaderException("DataLoader: reading the stream failed on its reader thread: " + e, e)));
                }
            } catch (InterruptedException stop) {
                // closed by the consumer: nothing more to deliver
            }
        }

        @Override public boolean hasNext() {
            if (closed) return false;
            if (pending == null) {
                try {
                    pending = queue.take();
                } catch (InterruptedException e) {
                    close();
                    Thread.currentThread().interrupt();
                    throw new DataLoaderException("DataLoader: interrupted while waiting for the next batch", e);
                }
            }
            if (pending == END) {
                close();
                return false;
            }
            return true;
        }

        @Override public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: the stream is exhausted");
            Object p = pending;
            pending = null;
            if (p instanceof Failure(RuntimeException error)) {
                close();
                throw error;
            }
            return (Batch) p;
        }

        @Override public void close() {
            if (closed) return;
            closed = true;
            pending = null;
            queue.clear();
            cleanable.clean();
        }
    }

    // ------------------------------------------------------------------ builder

    /** Configures a {@link DataLoader}; every setter validates its argument. */
    public static final class Builder<T> {
        private final Dataset<T> dataset;
        private final IterableDataset<T> stream;
        private int batchSize = 1;
        private boolean dropLast;
        private Generator shuffle;
        private Collate<T> collate;
        private int numWorkers;
        private int prefetch = 2;

        private Builder(Dataset<T> dataset, IterableDataset<T> stream) {
            this.dataset = dataset;
            this.stream = stream;
        }

        /** Items per batch (default 1). */
        public Builder<T> batchSize(int batchSize) {
            if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batchSize must be at least 1, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /** Whether to drop a last batch smaller than the batch size (default false). */
        public Builder<T> dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Shuffles each epoch with permutations drawn from {@code generator}. */
        public Builder<T> shuffle(Generator generator) {
            if (stream != null)
                throw new IllegalArgumentException("DataLoader: an IterableDataset cannot be shuffled (it has no random access)");
            this.shuffle = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /** Shuffles each epoch with a new {@code Generator(seed)}. */
        public Builder<T> shuffle(long seed) { return shuffle(new Generator(seed)); }

        /** The collate function (default: {@link Collate#stack()} of {@link Example}s). */
        public Builder<T> collate(Collate<T> collate) {
            this.collate = Objects.requireNonNull(collate, "collate");
            return this;
        }

        /** Background worker threads (default 0: load on the caller's thread). */
        public Builder<T> numWorkers(int numWorkers) {
            if (numWorkers < 0) throw new IllegalArgumentException("DataLoader: numWorkers must be >= 0, got " + numWorkers);
            this.numWorkers = numWorkers;
            return this;
        }

        /** Batches loaded ahead per worker (default 2, PyTorch's {@code prefetch_factor}). */
        public Builder<T> prefetch(int prefetch) {
            if (prefetch < 1) throw new IllegalArgumentException("DataLoader: prefetch must be at least 1, got " + prefetch);
            this.prefetch = prefetch;
            return this;
        }

        public DataLoader<T> build() { return new DataLoader<>(this); }
    }
}
