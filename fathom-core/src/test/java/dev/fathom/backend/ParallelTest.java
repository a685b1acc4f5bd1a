package dev.fathom.backend;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

class ParallelTest {
    @Test
    void everyIndexRunsExactlyOnce() {
        for (int n : new int[] {1, 2, 3, 7, 1000, 100_003}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            Parallel.forRange(n, 1, (s, e) -> { for (int i = s; i < e; i++) hits.incrementAndGet(i); });
            for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "n=" + n + " i=" + i);
        }
    }

    @Test
    void bigLoopsUseSeveralThreadsAndSmallOnesStayOnTheCaller() {
        // each chunk waits (up to 10 s) until every thread has joined, so the caller cannot take them all
        var names = ConcurrentHashMap.<String>newKeySet();
        Parallel.forRange(Parallel.threads(), 1, (s, e) -> {
            names.add(Thread.currentThread().getName());
            long until = System.nanoTime() + 10_000_000_000L;
            while (names.size() < Parallel.threads() && System.nanoTime() < until) Thread.onSpinWait();
        });
        assertEquals(Parallel.threads(), names.size(), names.toString());
        var small = ConcurrentHashMap.<String>newKeySet();
        Parallel.forRange(10, 100, (s, e) -> small.add(Thread.currentThread().getName()));
        assertEquals(java.util.Set.of(Thread.currentThread().getName()), small);
    }

    @Test
    void manySmallRegionsBackToBackEachRunEveryChunkOnce() {
        // regions follow each other faster than a worker may pick them up: a chunk is run by whoever
        // takes it first, never twice, never lost
        for (int r = 0; r < 20_000; r++) {
            AtomicIntegerArray hits = new AtomicIntegerArray(8);
            Parallel.forRange(8, 1, (s, e) -> { for (int i = s; i < e; i++) hits.incrementAndGet(i); });
            for (int i = 0; i < 8; i++) assertEquals(1, hits.get(i), "region " + r + " index " + i);
        }
    }

    @Test
    void nestedLoopsRunInlineAndComplete() {
        AtomicInteger total = new AtomicInteger();
        Parallel.forRange(4, 1, (s, e) -> {
            for (int i = s; i < e; i++)
                Parallel.forRange(1000, 1, (a, b) -> total.addAndGet(b - a));
        });
        assertEquals(4000, total.get());
    }

    @Test
    void aFailureInAnyChunkReachesTheCallerAndThePoolStaysUsable() {
        for (int bad : new int[] {0, 99}) {
            var e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(100, 1, (s, end) -> {
                if (s <= bad && bad < end) throw new IllegalStateException("chunk with " + bad);
            }));
            assertEquals("chunk with " + bad, e.getMessage());
        }
        AtomicInteger sum = new AtomicInteger();
        Parallel.forRange(100, 1, (s, e) -> sum.addAndGet(e - s));
        assertEquals(100, sum.get());
    }

    @Test
    void concurrentCallersEachGetTheirWholeRange() throws InterruptedException {
        AtomicInteger total = new AtomicInteger();
        Thread[] callers = new Thread[4];
        for (int t = 0; t < callers.length; t++) {
            callers[t] = new Thread(() -> {
                for (int r = 0; r < 200; r++) Parallel.forRange(5000, 1, (s, e) -> total.addAndGet(e - s));
            });
            callers[t].start();
        }
        for (Thread c : callers) c.join();
        assertEquals(4 * 200 * 5000, total.get());
    }

    @Test
    void twoPhaseRegionsRunEveryChunkOnceAndTheSecondSeesAllOfTheFirst() {
        // back to back, faster than a worker may pick them up; sizes where the phases have fewer,
        // as many, and more chunks than threads
        for (int r = 0; r < 5_000; r++) {
            int n1 = 1 + r % 7, n2 = 1 + (r / 7) % 5;
            int[] first = new int[n1];
            AtomicIntegerArray seen = new AtomicIntegerArray(n2), hits2 = new AtomicIntegerArray(n2);
            Parallel.forRanges(n1, 1, (s, e) -> { for (int i = s; i < e; i++) first[i]++; }, n2, 1, (s, e) -> {
                for (int i = s; i < e; i++) {
                    int sum = 0;
                    for (int v : first) sum += v;
                    seen.set(i, sum);
                    hits2.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n1; i++) assertEquals(1, first[i], "region " + r + " first-phase index " + i);
            for (int i = 0; i < n2; i++) {
                assertEquals(1, hits2.get(i), "region " + r + " second-phase index " + i);
                assertEquals(n1, seen.get(i), "region " + r + ": second phase ran before the first had finished");
            }
        }
    }

    @Test
    void aFailureInTheFirstPhaseSkipsTheSecondAndReachesTheCaller() {
        AtomicInteger second = new AtomicInteger();
        var e = assertThrows(IllegalStateException.class, () -> Parallel.forRanges(64, 1, (s, end) -> {
            if (s <= 5 && 5 < end) throw new IllegalStateException("first phase chunk with 5");
        }, 64, 1, (s, end) -> second.addAndGet(end - s)));
        assertEquals("first phase chunk with 5", e.getMessage());
        assertEquals(0, second.get());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Parallel.forRanges(64, 1, (s, end) -> {},
            64, 1, (s, end) -> { if (s <= 63 && 63 < end) throw new IllegalArgumentException("second phase"); }));
        assertEquals("second phase", e2.getMessage());
        AtomicInteger sum = new AtomicInteger();
        Parallel.forRanges(10, 1, (s, end) -> sum.addAndGet(end - s), 0, 1, null);
        Parallel.forRanges(0, 1, null, 10, 1, (s, end) -> sum.addAndGet(end - s));
        assertEquals(20, sum.get());
    }
}
