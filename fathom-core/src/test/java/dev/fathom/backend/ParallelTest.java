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
}
