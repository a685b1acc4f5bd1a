package dev.fathom.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** Item i is (input [i, 10i], target i). */
    static Dataset<Example> numbers(int n) {
        return new Dataset<>() {
            @Override public int size() { return n; }
            @Override public Example get(int i) { return new Example(Tensor.vector(i, 10f * i), Tensor.scalar((long) i)); }
        };
    }

    static List<Long> order(DataLoader<Example> loader) {
        List<Long> ids = new ArrayList<>();
        for (Batch b : loader) for (long t : b.target().toLongArray()) ids.add(t);
        return ids;
    }

    @Test
    void batchesInOrderAndStacksInputsAndTargets() {
        DataLoader<Example> loader = DataLoader.builder(numbers(5)).batchSize(2).build();
        List<Batch> batches = new ArrayList<>();
        loader.forEach(batches::add);
        assertEquals(3, batches.size());
        assertEquals(3, loader.numBatches());
        assertArrayEquals(new int[] {2, 2}, batches.get(0).input().shape());
        assertArrayEquals(new float[] {2, 20, 3, 30}, batches.get(1).input().toFloatArray());
        assertArrayEquals(new long[] {2, 3}, batches.get(1).target().toLongArray());
        assertArrayEquals(new int[] {1, 2}, batches.get(2).input().shape());
        assertArrayEquals(new long[] {4}, batches.get(2).target().toLongArray());
        assertEquals(1, batches.get(2).size());
    }

    @Test
    void dropLastCounts() {
        for (int n : new int[] {9, 10, 11}) {
            DataLoader<Example> keep = DataLoader.builder(numbers(n)).batchSize(5).build();
            DataLoader<Example> drop = DataLoader.builder(numbers(n)).batchSize(5).dropLast(true).build();
            int expectKeep = (n + 4) / 5, expectDrop = n / 5;
            assertEquals(expectKeep, keep.numBatches());
            assertEquals(expectDrop, drop.numBatches());
            assertEquals(n, order(keep).size());
            assertEquals(expectDrop * 5, order(drop).size());
            int count = 0;
            for (Batch b : drop) { assertEquals(5, b.size()); count++; }
            assertEquals(expectDrop, count);
        }
    }

    @Test
    void shufflingIsReproducibleAndNewEachEpoch() {
        DataLoader<Example> a = DataLoader.builder(numbers(20)).batchSize(3).shuffle(123).build();
        DataLoader<Example> b = DataLoader.builder(numbers(20)).batchSize(3).shuffle(new Generator(123)).build();
        List<Long> a1 = order(a), a2 = order(a), b1 = order(b), b2 = order(b);
        assertEquals(a1, b1, "same seed, same first epoch");
        assertEquals(a2, b2, "same seed, same second epoch");
        assertNotEquals(a1, a2, "a new permutation each epoch");
        assertEquals(LongList.range(20), a1.stream().sorted().toList(), "a permutation");
        // the order is torch.randperm(20, generator=torch.Generator().manual_seed(123))
        long[] perm = Tensor.randperm(new Generator(123), 20).toLongArray();
        assertEquals(Arrays.stream(perm).boxed().toList(), a1);
        assertNotEquals(order(DataLoader.builder(numbers(20)).batchSize(3).shuffle(124).build()), a1);
    }

    @Test
    void workersKeepTheSamplersOrder() {
        DataLoader<Example> serial = DataLoader.builder(numbers(37)).batchSize(4).shuffle(7).build();
        DataLoader<Example> parallel = DataLoader.builder(numbers(37)).batchSize(4).shuffle(7).numWorkers(3).prefetch(2).build();
        for (int epoch = 0; epoch < 3; epoch++) assertEquals(order(serial), order(parallel));
    }

    @Test
    void customCollate() {
        Dataset<Example> data = numbers(6);
        Collate<Example> sums = items -> new Batch(
                Tensor.scalar((float) items.stream().mapToDouble(e -> e.input().get(0)).sum()),
                Tensor.scalar((long) items.size()));
        List<Double> sumsSeen = new ArrayList<>();
        for (Batch b : DataLoader.builder(data).batchSize(4).collate(sums).build()) sumsSeen.add(b.input().item());
        assertEquals(List.of(0.0 + 1 + 2 + 3, 4.0 + 5), sumsSeen);

        Dataset<String> words = Dataset.of(List.of("a", "bb", "ccc"));
        DataLoader<String> plain = DataLoader.builder(words).batchSize(2).build();
        DataLoaderException e = assertThrows(DataLoaderException.class, () -> plain.iterator().next());
        assertTrue(e.getMessage().contains("pass collate"), e.getMessage());
        Collate<String> lengths = items -> new Batch(
                Tensor.vector(items.stream().mapToLong(String::length).toArray()), Tensor.scalar(0L));
        Batch first = DataLoader.builder(words).batchSize(2).collate(lengths).build().iterator().next();
        assertArrayEquals(new long[] {1, 2}, first.input().toLongArray());
    }

    @Test
    void collateRejectsMixedShapesNamingThem() {
        Dataset<Example> data = Dataset.of(List.of(
                new Example(Tensor.zeros(2), Tensor.scalar(0L)), new Example(Tensor.zeros(3), Tensor.scalar(1L))));
        DataLoaderException e = assertThrows(DataLoaderException.class,
                () -> DataLoader.builder(data).batchSize(2).build().iterator().next());
        assertTrue(e.getCause().getMessage().contains("[2] at position 0, [3] at position 1"), e.getCause().getMessage());
    }

    /**
     * Proves overlap without timing: the dataset's get() for the items of batch 1 is only entered by
     * a worker while the consumer still holds batch 0 and has not asked for more. And four get()
     * calls meet at a latch that only opens when all four run at once.
     */
    @Test
    void prefetchLoadsTheNextBatchWhileTheConsumerHoldsThisOne() throws Exception {
        CountDownLatch batchOneStarted = new CountDownLatch(1);
        CountDownLatch fourAtOnce = new CountDownLatch(4);
        Dataset<Example> data = new Dataset<>() {
            @Override public int size() { return 8; }
            @Override public Example get(int i) {
                if (i < 4) {
                    fourAtOnce.countDown();
                    try {
                        if (!fourAtOnce.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("loads did not overlap");
                    } catch (InterruptedException e) { throw new IllegalStateException(e); }
                }
                if (i == 1) batchOneStarted.countDown();
                return numbers(8).get(i);
            }
        };
        try (BatchIterator it = DataLoader.builder(data).batchSize(1).numWorkers(4).prefetch(1).build().iterator()) {
            Batch b0 = it.next(); // returns only once items 0..3 were being loaded concurrently
            assertTrue(batchOneStarted.await(10, TimeUnit.SECONDS), "item 1 is loaded while batch 0 is held");
            assertEquals(0L, b0.target().itemLong());
            List<Long> rest = new ArrayList<>();
            while (it.hasNext()) rest.add(it.next().target().itemLong());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), rest);
        }
        // without workers nothing is loaded ahead
        CountDownLatch ahead = new CountDownLatch(1);
        Dataset<Example> watched = numbers(4).map(e -> {
            if (e.target().itemLong() == 1) ahead.countDown();
            return e;
        });
        try (BatchIterator it = DataLoader.builder(watched).batchSize(1).build().iterator()) {
            it.next();
            assertEquals(1, ahead.getCount());
        }
    }

    @Test
    void prefetchIsFasterThanTheSumOfTheLoads() {
        Dataset<Example> slow = numbers(8).map(e -> {
            try { Thread.sleep(50); } catch (InterruptedException ex) { throw new IllegalStateException(ex); }
            return e;
        });
        DataLoader<Example> loader = DataLoader.builder(slow).batchSize(1).numWorkers(4).build();
        long t0 = System.nanoTime();
        assertEquals(LongList.range(8), order(loader));
        double ms = (System.nanoTime() - t0) / 1e6;
        assertTrue(ms < 0.6 * 400, "8 loads of 50 ms on 4 workers took " + ms + " ms");
    }

    @Test
    void workerExceptionsSurfaceWithTheirCause() {
        Dataset<Example> bad = numbers(10).map(e -> {
            if (e.target().itemLong() == 5) throw new IllegalStateException("corrupt record 5");
            return e;
        });
        for (int workers : new int[] {0, 2}) {
            BatchIterator it = DataLoader.builder(bad).batchSize(2).numWorkers(workers).build().iterator();
            assertEquals(1L, it.next().target().toLongArray()[1]);
            assertEquals(3L, it.next().target().toLongArray()[1]);
            DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals("corrupt record 5", e.getCause().getMessage());
            assertTrue(e.getMessage().contains("batch 2") && e.getMessage().contains("[4, 5]"), e.getMessage());
            assertFalse(it.hasNext(), "a failed iterator is closed");
        }
    }

    @Test
    void closingStopsTheWorkerThreads() throws Exception {
        Dataset<Example> slow = numbers(100).map(e -> {
            try { Thread.sleep(5); } catch (InterruptedException ex) { Thread.currentThread().interrupt(); }
            return e;
        });
        DataLoader<Example> loader = DataLoader.builder(slow).batchSize(2).numWorkers(3).build();
        int before = workerThreads();
        BatchIterator it = loader.iterator();
        it.next();
        assertTrue(workerThreads() > before);
        it.close();
        assertFalse(it.hasNext());
        awaitWorkers(before);
        // an epoch run to the end also shuts its workers down by itself
        assertEquals(100, order(loader).size());
        awaitWorkers(before);
    }

    static int workerThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("fathom-data-worker-")).count();
    }

    static void awaitWorkers(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (workerThreads() > expected && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(expected, workerThreads(), "worker threads left running");
    }

    @Test
    void iterableDatasetsBatchInStreamOrder() throws Exception {
        IterableDataset<Example> stream = () -> IntStream.range(0, 7).mapToObj(i -> numbers(7).get(i)).iterator();
        for (int workers : new int[] {0, 1, 3}) {
            DataLoader<Example> loader = DataLoader.builder(stream).batchSize(3).numWorkers(workers).build();
            assertEquals(LongList.range(7), order(loader));
            assertEquals(LongList.range(7), order(loader), "each epoch a fresh pass");
            DataLoader<Example> drop = DataLoader.builder(stream).batchSize(3).dropLast(true).numWorkers(workers).build();
            assertEquals(LongList.range(6), order(drop));
        }
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(stream).shuffle(1));
        assertThrows(UnsupportedOperationException.class, () -> DataLoader.builder(stream).build().numBatches());

        IterableDataset<Example> failing = () -> IntStream.range(0, 7).mapToObj(i -> {
            if (i == 4) throw new IllegalStateException("stream broke at 4");
            return numbers(7).get(i);
        }).iterator();
        BatchIterator it = DataLoader.builder(failing).batchSize(2).numWorkers(1).build().iterator();
        it.next();
        it.next();
        DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
        assertEquals("stream broke at 4", e.getCause().getMessage());
        awaitWorkers(0);

        IterableDataset<Example> endless = () -> IntStream.iterate(0, i -> i + 1).mapToObj(i -> numbers(1).get(0)).iterator();
        BatchIterator forever = DataLoader.builder(endless).batchSize(4).numWorkers(1).prefetch(2).build().iterator();
        forever.next();
        forever.close();
        awaitWorkers(0);
    }

    @Test
    void builderValidates() {
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(numbers(3)).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(numbers(3)).numWorkers(-1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(numbers(3)).prefetch(0));
    }

    @Test
    void datasetViews() {
        Dataset<Example> d = Dataset.ofTensors(Tensor.of(new float[][] {{1, 2}, {3, 4}, {5, 6}}), Tensor.vector(7L, 8L, 9L));
        assertEquals(3, d.size());
        assertArrayEquals(new float[] {3, 4}, d.get(1).input().toFloatArray());
        assertEquals(8L, d.get(1).target().itemLong());
        Dataset<Example> sub = d.subset(2, 0);
        assertEquals(9L, sub.get(0).target().itemLong());
        assertEquals(7L, sub.get(1).target().itemLong());
        assertEquals(8L, d.range(1, 2).get(0).target().itemLong());
        assertThrows(IndexOutOfBoundsException.class, () -> d.get(3));
        assertThrows(IllegalArgumentException.class, () -> Dataset.ofTensors(Tensor.zeros(2, 2), Tensor.zeros(3)));
    }

    @Test
    void randomSplitMatchesPyTorch() {
        // torch.utils.data.random_split(range(10), [7, 3], generator=torch.Generator().manual_seed(42))
        List<Dataset<Example>> parts = numbers(10).randomSplit(new Generator(42), 7, 3);
        assertEquals(List.of(2L, 6L, 1L, 8L, 4L, 5L, 0L), ids(parts.get(0)));
        assertEquals(List.of(9L, 3L, 7L), ids(parts.get(1)));
        // fractions [0.5, 0.5] of 11 items with seed 1: lengths 6 and 5
        List<Dataset<Example>> halves = numbers(11).randomSplit(new Generator(1), 0.5, 0.5);
        assertEquals(List.of(0L, 10L, 2L, 3L, 7L, 6L), ids(halves.get(0)));
        assertEquals(List.of(4L, 8L, 1L, 9L, 5L), ids(halves.get(1)));
        List<Dataset<Example>> three = numbers(10).randomSplit(new Generator(1), 0.5, 0.3, 0.2);
        assertEquals(List.of(7L, 4L), ids(three.get(2)));
        assertThrows(IllegalArgumentException.class, () -> numbers(10).randomSplit(new Generator(1), 7, 2));
        assertThrows(IllegalArgumentException.class, () -> numbers(10).randomSplit(new Generator(1), 0.5, 0.4));
    }

    static List<Long> ids(Dataset<Example> d) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) out.add(d.get(i).target().itemLong());
        return out;
    }

    /** Small helper for expected id lists. */
    static final class LongList {
        static List<Long> range(int n) { return IntStream.range(0, n).mapToObj(i -> (long) i).toList(); }
    }
}
