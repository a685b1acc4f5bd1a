package dev.fathom.backend;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The padded input rows a padding-1 Winograd forward keeps for its weight gradient: the forward's
 * output and the backward's weight and input gradients are bit for bit those of the path that
 * gathers the input's rows again, on odd and even sizes, channel counts off the 16-lane grid and
 * batches whose blocks span images.
 */
class WinogradKeepTest {
    private static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private record Cfg(int n, int cin, int cout, int h, int w) {}

    @Test
    void keptRowsGiveTheSameBitsAsGatheringTheInputAgain() {
        assumeTrue(DirectConv.wideGemm(), "the Winograd kernels need 512-bit vectors");
        Random r = new Random(5);
        for (Cfg c : new Cfg[] {new Cfg(5, 32, 64, 14, 14), new Cfg(3, 17, 20, 9, 7), new Cfg(7, 16, 16, 6, 5), new Cfg(1, 20, 33, 10, 12)}) {
            int n = c.n, hw = c.h * c.w;
            float[] x = rand(r, n * c.cin * hw), wt = rand(r, c.cout * c.cin * 9), bias = rand(r, c.cout);
            float[] u = Winograd.weights(wt, 0, c.cin, c.cout, false);
            float[] y1 = new float[n * c.cout * hw], y2 = new float[n * c.cout * hw];
            float[] kept = new float[n * Winograd.keptFloats(c.cin, c.h, c.w)];
            Winograd.Planes xp = Winograd.nchw(x, 0, c.cin, c.h, c.w);
            Winograd.forward(xp, n, c.cin, c.h, c.w, u, bias, 0, c.cout, c.h, c.w, -1, -1, sink(y1, c), null, 0);
            Winograd.forward(xp, n, c.cin, c.h, c.w, u, bias, 0, c.cout, c.h, c.w, -1, -1, sink(y2, c), kept, 0);
            assertArrayEquals(y1, y2, c + ": forward output");
            boolean nonZero = false;
            for (float v : y1) nonZero |= v != 0;
            assertTrue(nonZero, c + ": the sink saw the output");

            float[] dy = rand(r, n * c.cout * hw);
            Winograd.Planes dyp = Winograd.nchw(dy, 0, c.cout, c.h, c.w);
            float[] uT = Winograd.weights(wt, 0, c.cout, c.cin, true);
            float[] gx1 = new float[n * c.cin * hw], gx2 = new float[n * c.cin * hw];
            float[] du1 = new float[Winograd.gradSize(c.cin, c.cout)], du2 = new float[du1.length];
            Winograd.backwardAdd(dyp, xp, n, c.cin, c.h, c.w, c.cout, uT, gx1, 0, du1);
            Winograd.backwardAdd(dyp, null, n, c.cin, c.h, c.w, c.cout, uT, gx2, 0, du2, kept, 0);
            assertArrayEquals(gx1, gx2, c + ": input gradient");
            // [16][cin][cout rounded up to 16]: the columns past cout are padding that nothing reads
            int op = du1.length / (16 * c.cin);
            for (int i = 0; i < du1.length; i++)
                if (i % op < c.cout) assertEquals(du1[i], du2[i], c + ": transformed weight gradient at " + i);
            float[] dw1 = new float[wt.length], dw2 = new float[wt.length];
            Winograd.weightGradFinish(du1, c.cin, c.cout, dw1, 0);
            Winograd.weightGradFinish(du2, c.cin, c.cout, dw2, 0);
            assertArrayEquals(dw1, dw2, c + ": weight gradient");
        }
    }

    @Test
    void onlyAPaddingOneConvolutionKeepsItsInput() {
        assumeTrue(DirectConv.wideGemm(), "the Winograd kernels need 512-bit vectors");
        float[] x = new float[2 * 16 * 36], u = Winograd.weights(new float[16 * 16 * 9], 0, 16, 16, false);
        float[] kept = new float[2 * Winograd.keptFloats(16, 6, 6)];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Winograd.forward(
            Winograd.nchw(x, 0, 16, 6, 6), 2, 16, 6, 6, u, null, 0, 16, 4, 4, 0, 0, (out, op, img, row0, rows) -> { },
            kept, 0));
        assertTrue(e.getMessage().contains("padding-1"), e.getMessage());
    }

    /** Output rows as {@link Winograd.Rows} documents them, stored NCHW into {@code y}. */
    private static Winograd.Rows sink(float[] y, Cfg c) {
        return (out, op, img, row0, rows) -> {
            for (int rr = 0; rr < rows; rr++)
                for (int j = 0; j < c.w; j++)
                    for (int co = 0; co < c.cout; co++)
                        y[((img * c.cout + co) * c.h + row0 + rr) * c.w + j] = out[(rr * c.w + j) * op + co];
        };
    }
}
