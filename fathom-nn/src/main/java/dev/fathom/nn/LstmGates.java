package dev.fathom.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 gate activations of {@link LstmSequence}'s forward on the Vector API (only touched
 * when {@code Simd.AVAILABLE}), in self-contained loops: σ for i, f, o and tanh(x) = 2σ(2x) − 1
 * for g and the cell state, all from one inline e^{−|x|}.
 *
 * <p>Why not {@code VectorMath.sigmoid}/{@code tanh}: inside the LSTM's per-step lambda C2 inlined
 * them, then failed to inline their {@code exp(FloatVector)} ("too big": its C1 code already
 * existed), and the boxed vector calls that remain ran ~7x slower than the same functions compiled
 * alone (JFR: {@code lanewiseTemplate}, {@code defaultReinterpret} under {@code forwardRow}; 13% of
 * a training step). Here no method takes or returns a vector, so however C2 inlines this code the
 * vector operations stay intrinsic.
 */
final class LstmGates {
    private LstmGates() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    // e^y for y in [EXP_LO, 0]: y = n ln2 + r, e^r by Cephes expf's degree-7 minimax, 2^n from bits
    // (n >= -126, so one scale factor is a normal float)
    private static final float EXP_LO = -87f, LOG2E = 1.44269504088896341f, MAGIC = 12582912f;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;

    /**
     * {@code a[o + j] = mul·σ(scale·a[o + j]) + add} for {@code j < n}: σ with
     * {@code (scale, mul, add) = (1, 1, 0)}, tanh with {@code (2, 2, −1)}; from {@code src} into
     * {@code dst}.
     */
    static void sigmoid(float[] src, int so, float[] dst, int dOff, int n, float scale, float mul, float add) {
        int L = S.length(), j = 0;
        for (; j <= n - L; j += L) {
            FloatVector x = FloatVector.fromArray(S, src, so + j).mul(scale);
            FloatVector y = x.abs().neg().max(EXP_LO);
            FloatVector t = y.fma(LOG2E, MAGIC);
            FloatVector k = t.sub(MAGIC);
            IntVector ki = t.reinterpretAsInts().sub(MAGIC_BITS);
            FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), y);
            r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
            p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
            p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
            p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
            p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
            FloatVector e = p.fma(r.mul(r), r).add(1f)
                .mul(ki.add(127).lanewise(jdk.incubator.vector.VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector q = e.add(1f);
            FloatVector s = FloatVector.broadcast(S, 1f).div(q);
            s = s.blend(e.div(q), x.lt(0f));
            s.fma(mul, add).intoArray(dst, dOff + j);
        }
        for (; j < n; j++) {
            double x = scale * src[so + j];
            dst[dOff + j] = (float) (mul / (1 + Math.exp(-x)) + add);
        }
    }

    /** The gate pre-activations {@code a[ao..ao+4H)} (i, f, g, o) replaced by σ(i), σ(f), tanh(g), σ(o). */
    static void gates(float[] a, int ao, int hid) {
        sigmoid(a, ao, a, ao, 2 * hid, 1f, 1f, 0f);
        tanh(a, ao + 2 * hid, a, ao + 2 * hid, hid);
        sigmoid(a, ao + 3 * hid, a, ao + 3 * hid, hid, 1f, 1f, 0f);
    }

    /** {@code dst[dOff + j] = tanh(src[so + j])} for {@code j < n}, as 2σ(2x) − 1. */
    static void tanh(float[] src, int so, float[] dst, int dOff, int n) {
        sigmoid(src, so, dst, dOff, n, 2f, 2f, -1f);
    }
}
