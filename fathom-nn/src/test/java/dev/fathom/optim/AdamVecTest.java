package dev.fathom.optim;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Adam's float32 update on the Vector API gives the same bits as the scalar loop it replaces
 * (widen to double, update, round to float), per element, over odd lengths (the scalar tail),
 * parameters big enough to be split across the pool, weight decay (coupled and AdamW's decoupled)
 * and maximize.
 */
class AdamVecTest {
    /** The scalar update of Adam's float32 {@code fused} loop, amsgrad off. */
    private static void reference(float[] p, float[] g, float[] m, float[] v, double decay, double sign, double coupled,
                                  double b1, double b2, double stepSize, double bc2Sqrt, double eps) {
        for (int i = 0; i < p.length; i++) {
            double w = p[i] * decay, gi = sign * g[i] + coupled * p[i];
            float mi = (float) (m[i] * b1 + (1 - b1) * gi), vi = (float) (v[i] * b2 + (1 - b2) * (gi * gi));
            m[i] = mi;
            v[i] = vi;
            p[i] = (float) (w - stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps)));
        }
    }

    private static float[] rand(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    @Test
    void optimizerMatchesScalarUpdateBitForBit() {
        Random r = new Random(9);
        for (int n : new int[] {1, 7, 33, 1000, 70_001})
            for (String mode : new String[] {"adam", "adam wd", "adamw", "maximize"}) {
                double lr = 1e-3, wd = mode.equals("adam") || mode.equals("maximize") ? 0 : 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
                boolean decoupled = mode.equals("adamw"), maximize = mode.equals("maximize");
                float[] p0 = rand(r, n, 1);
                Tensor p = Tensor.of(p0.clone(), n).requiresGrad(true);
                Optimizer opt = decoupled
                    ? new AdamW(List.of(p), new AdamW.Options().lr(lr).weightDecay(wd))
                    : new Adam(List.of(p), new Adam.Options().lr(lr).weightDecay(wd).maximize(maximize));
                float[] rp = p0.clone(), rm = new float[n], rv = new float[n];
                for (int step = 1; step <= 3; step++) {
                    float[] g = rand(r, n, step == 2 ? 1e-3f : 1);
                    Autograd.setGrad(p, Tensor.of(g.clone(), n));
                    opt.step();
                    double bc1 = 1 - Math.pow(b1, step), bc2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
                    reference(rp, g, rm, rv, decoupled ? 1 - lr * wd : 1, maximize ? -1 : 1, decoupled ? 0 : wd, b1, b2,
                        lr / bc1, bc2Sqrt, eps);
                    float[] got = p.detach().toFloatArray();
                    for (int i = 0; i < n; i++)
                        assertEquals(Float.floatToRawIntBits(rp[i]), Float.floatToRawIntBits(got[i]),
                            mode + " n=" + n + " step " + step + " at " + i + ": " + rp[i] + " vs " + got[i]);
                }
            }
    }

    @Test
    void kernelRangeMatchesScalarUpdate() {
        Random r = new Random(10);
        int n = 301;
        float[] p = rand(r, n, 1), g = rand(r, n, 1), m = rand(r, n, 0.1f), v = rand(r, n, 0.01f);
        for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
        float[] rp = p.clone(), rm = m.clone(), rv = v.clone();
        reference(rp, g, rm, rv, 0.99, -1, 0.02, 0.8, 0.99, 3e-3, 0.3, 1e-6);
        // an offset range: elements [5, 5 + done) updated by the vector kernel, the rest left alone
        int done = AdamVec.update(p, 0, g, 0, m, 0, v, 0, 5, n, 0.99, -1, 0.02, 0.8, 0.99, 3e-3, 0.3, 1e-6);
        assertTrue(done > 5 && done <= n);
        for (int i = 5; i < done; i++) {
            assertEquals(Float.floatToRawIntBits(rp[i]), Float.floatToRawIntBits(p[i]), "p at " + i);
            assertEquals(Float.floatToRawIntBits(rm[i]), Float.floatToRawIntBits(m[i]), "m at " + i);
            assertEquals(Float.floatToRawIntBits(rv[i]), Float.floatToRawIntBits(v[i]), "v at " + i);
        }
    }
}
