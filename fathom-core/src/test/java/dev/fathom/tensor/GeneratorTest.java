package dev.fathom.tensor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

class GeneratorTest {
    @Test
    void stateBytesRoundTripIncludingTheCachedNormal() {
        Generator g = new Generator(11);
        for (int i = 0; i < 700; i++) g.nextUnsignedInt(); // past one twist
        g.nextGaussian();                                   // leaves a cached normal
        byte[] state = g.getState();
        assertEquals(Generator.STATE_BYTES, state.length);
        double[] expected = {g.nextGaussian(), g.nextGaussian(), g.nextDouble()};
        Generator h = new Generator(99).setState(state);
        assertArrayEquals(expected, new double[] {h.nextGaussian(), h.nextGaussian(), h.nextDouble()});
        assertEquals(11, h.initialSeed());
        assertArrayEquals(Tensor.rand(g, 5).toFloatArray(), Tensor.rand(h, 5).toFloatArray());
    }

    @Test
    void badStateBytesAreRejectedAndLeaveTheGeneratorAlone() {
        Generator g = new Generator(3);
        byte[] before = g.getState();
        var e = assertThrows(IllegalArgumentException.class, () -> g.setState(new byte[10]));
        assertTrue(e.getMessage().contains("expected " + Generator.STATE_BYTES + " bytes, got 10"), e.getMessage());
        byte[] bad = before.clone();
        bad[4 * 624] = (byte) 200; // the position word becomes 200 + 10 * 256, past the 624 state words
        bad[4 * 624 + 1] = 10;
        e = assertThrows(IllegalArgumentException.class, () -> g.setState(bad));
        assertTrue(e.getMessage().contains("position"), e.getMessage());
        assertArrayEquals(before, g.getState());
    }
    @Test
    void mt19937MatchesTheStandardReferenceOutputs() {
        // C++ [rand.predef]: the 10000th output of a default-constructed mt19937 (seed 5489) is 4123659995
        Generator g = new Generator(5489);
        assertEquals(3499211612L, g.nextUnsignedInt()); // first output of seed 5489 (reference mt19937ar)
        for (int i = 2; i < 10000; i++) g.nextUnsignedInt();
        assertEquals(4123659995L, g.nextUnsignedInt());
    }

    @Test
    void onlyTheLow32BitsOfTheSeedReachTheEngine() {
        Generator a = new Generator(5), b = new Generator((1L << 32) + 5);
        for (int i = 0; i < 100; i++) assertEquals(a.nextUnsignedInt(), b.nextUnsignedInt());
        assertEquals((1L << 32) + 5, b.initialSeed());
        assertEquals(Generator.DEFAULT_SEED, new Generator().initialSeed());
    }

    @Test
    void floatsAndDoublesTakeTorchsBits() {
        Generator g = new Generator(77), raw = g.copy();
        float f = g.nextFloat();
        assertEquals((raw.nextUnsignedInt() & 0xffffff) / 16777216.0f, f);
        double d = g.nextDouble();
        long hi = raw.nextUnsignedInt(), lo = raw.nextUnsignedInt();
        assertEquals((((hi << 32) | lo) & ((1L << 53) - 1)) / 9007199254740992.0, d);
    }

    @Test
    void knownTorchValues() {
        // torch.manual_seed(42); torch.rand(3) -> tensor([0.8823, 0.9150, 0.3829])
        float[] r = Tensor.rand(new Generator(42), 3).toFloatArray();
        assertEquals(0.8822692632675171, r[0], 0);
        assertEquals(0.9150039553642273, r[1], 0);
        assertEquals(0.38286375999450684, r[2], 0);
        // torch.manual_seed(0); torch.randn(3) -> tensor([ 1.5410, -0.2934, -2.1788])
        float[] n = Tensor.randn(new Generator(0), 3).toFloatArray();
        assertEquals(1.5410, n[0], 5e-5);
        assertEquals(-0.2934, n[1], 5e-5);
        assertEquals(-2.1788, n[2], 5e-5);
    }

    @Test
    void manualSeedResetsTheGlobalGenerator() {
        Generator.manualSeed(3);
        float[] a = Tensor.rand(5).toFloatArray();
        Generator.manualSeed(3);
        float[] b = Tensor.rand(5).toFloatArray();
        assertArrayEquals(a, b);
        assertArrayEquals(a, Tensor.rand(new Generator(3), 5).toFloatArray());
        assertSame(Generator.global(), Generator.manualSeed(4));
        assertEquals(4, Generator.global().initialSeed());
    }

    @Test
    void reseedingDropsTheCachedSecondNormal() {
        Generator g = new Generator(8);
        double first = g.nextGaussian();
        g.seed(8);
        assertEquals(first, g.nextGaussian());
        // the second of a Box-Muller pair comes from the cache: same uniforms, sine branch
        Generator u = new Generator(8);
        double u1 = u.nextDouble(), u2 = u.nextDouble();
        double r = Math.sqrt(-2 * Math.log(1 - u2));
        assertEquals(r * Math.sin(2 * Math.PI * u1), g.nextGaussian(), 1e-12);
    }

    @Test
    void copyIsIndependent() {
        Generator g = new Generator(1);
        g.nextFloat();
        Generator c = g.copy();
        assertEquals(g.nextUnsignedInt(), c.nextUnsignedInt());
        c.nextUnsignedInt();
        assertNotEquals(g.nextUnsignedInt(), c.nextUnsignedInt());
    }

    @Test
    void setStateRestoresASnapshot() {
        Generator g = new Generator(31);
        g.nextGaussian(); // leaves a cached normal in the snapshot
        Generator snap = g.copy();
        double[] first = Tensor.randn(g, DType.FLOAT64, 5).toDoubleArray();
        Tensor.rand(g, 100);
        g.setState(snap);
        assertArrayEquals(first, Tensor.randn(g, DType.FLOAT64, 5).toDoubleArray());
        assertEquals(31, new Generator(1).setState(snap).initialSeed());
    }

    @Test
    void nextLongStaysInRangeAndValidates() {
        Generator g = new Generator(2);
        for (int i = 0; i < 1000; i++) {
            long v = g.nextLong(-3, 4);
            assertTrue(v >= -3 && v < 4);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> g.nextLong(5, 3));
        assertTrue(e.getMessage().startsWith("nextLong: low 5 must be less than high 3"), e.getMessage());
    }

    @Test
    void resultsDoNotDependOnThreads() throws Exception {
        // big fills transform blocks in parallel; blocks of 16 are independent, so a prefix of a big
        // randn equals a small (single-threaded) randn with the same seed
        float[] big = Tensor.randn(new Generator(99), 100_000).toFloatArray();
        float[] small = Tensor.randn(new Generator(99), 1600).toFloatArray();
        for (int i = 0; i < small.length; i++) assertEquals(small[i], big[i]);
        double[] bigD = Tensor.randn(new Generator(99), DType.FLOAT64, 100_000).toDoubleArray();
        double[] smallD = Tensor.randn(new Generator(99), DType.FLOAT64, 1600).toDoubleArray();
        for (int i = 0; i < smallD.length; i++) assertEquals(smallD[i], bigD[i]);
        // and many threads sampling from their own generators agree
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            for (int k = 0; k < 4; k++) fs.add(pool.submit(() -> Tensor.randn(new Generator(99), 100_000).toFloatArray()));
            for (Future<float[]> f : fs) assertArrayEquals(big, f.get());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void sharedGeneratorIsThreadSafe() throws Exception {
        // 4 threads draw 250 fills of 40 from one generator: the multiset of draws equals one thread's 1000 fills
        Generator shared = new Generator(5);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<float[]>>> fs = new ArrayList<>();
        for (int k = 0; k < 4; k++)
            fs.add(pool.submit(() -> {
                List<float[]> out = new ArrayList<>();
                for (int i = 0; i < 250; i++) out.add(Tensor.rand(shared, 40).toFloatArray());
                return out;
            }));
        List<Float> all = new ArrayList<>();
        for (var f : fs) for (float[] a : f.get()) for (float v : a) all.add(v);
        pool.shutdown();
        List<Float> ref = new ArrayList<>();
        for (float v : Tensor.rand(new Generator(5), 40_000).toFloatArray()) ref.add(v);
        all.sort(null);
        ref.sort(null);
        assertEquals(ref, all);
    }
}
