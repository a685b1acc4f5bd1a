package dev.fathom.tensor;

/**
 * Scalar float replicas of the Cephes-style {@code log256_ps} and {@code sincos256_ps} from
 * PyTorch's {@code avx_mathfun.h}, used by its AVX2 {@code normal_fill}. The order of operations
 * and the places where GCC fuses a multiply into the following add (checked against torch 1.13's
 * outputs) are reproduced exactly, so float32 {@code randn} matches PyTorch bit for bit.
 * Constants are written as C does, a double literal rounded to float.
 *
 * <p>Attribution: the algorithms and polynomial coefficients are Stephen Moshier's Cephes
 * {@code logf}/{@code sinf}/{@code cosf} as vectorised by Julien Pommier (sse_mathfun) and
 * Giovanni Garberoglio (avx_mathfun, zlib licence), the version PyTorch ships; this is an
 * independent scalar Java rendering of that arithmetic, written for bit-compatibility.
 */
final class CephesAvx {
    private CephesAvx() {}

    private static final float SQRTHF = (float) 0.707106781186547524;
    private static final float LOG_P0 = (float) 7.0376836292E-2, LOG_P1 = (float) -1.1514610310E-1,
        LOG_P2 = (float) 1.1676998740E-1, LOG_P3 = (float) -1.2420140846E-1, LOG_P4 = (float) 1.4249322787E-1,
        LOG_P5 = (float) -1.6668057665E-1, LOG_P6 = (float) 2.0000714765E-1, LOG_P7 = (float) -2.4999993993E-1,
        LOG_P8 = (float) 3.3333331174E-1;
    private static final float LOG_Q1 = (float) -2.12194440e-4, LOG_Q2 = (float) 0.693359375;

    private static final float DP1 = (float) -0.78515625, DP2 = (float) -2.4187564849853515625e-4,
        DP3 = (float) -3.77489497744594108e-8;
    private static final float SIN_P0 = (float) -1.9515295891E-4, SIN_P1 = (float) 8.3321608736E-3,
        SIN_P2 = (float) -1.6666654611E-1;
    private static final float COS_P0 = (float) 2.443315711809948E-005, COS_P1 = (float) -1.388731625493765E-003,
        COS_P2 = (float) 4.166664568298827E-002;
    private static final float FOPI = (float) 1.27323954473516;
    private static final float TWO_PI = (float) (2.0 * Math.PI);

    /** Natural log for x > 0 (NaN for x <= 0), as {@code log256_ps}. */
    static float log(float x) {
        boolean invalid = x <= 0;
        x = Math.max(x, Float.MIN_NORMAL); // cut off denormals
        int bits = Float.floatToRawIntBits(x);
        int imm0 = (bits >>> 23) - 0x7f;
        x = Float.intBitsToFloat((bits & ~0x7f800000) | 0x3f000000); // mantissa in [0.5, 1)
        float e = (float) imm0 + 1f;
        boolean mask = x < SQRTHF;
        float tmp = mask ? x : 0f;
        x = x - 1f;
        e = e - (mask ? 1f : 0f);
        x = x + tmp;
        float z = x * x;
        float y = Math.fma(LOG_P0, x, LOG_P1);
        y = Math.fma(y, x, LOG_P2);
        y = Math.fma(y, x, LOG_P3);
        y = Math.fma(y, x, LOG_P4);
        y = Math.fma(y, x, LOG_P5);
        y = Math.fma(y, x, LOG_P6);
        y = Math.fma(y, x, LOG_P7);
        y = Math.fma(y, x, LOG_P8);
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = y - z * 0.5f;
        x = x + y;
        x = Math.fma(e, LOG_Q2, x);
        return invalid ? Float.NaN : x;
    }

    /**
     * Box-Muller on 16 uniforms in place: element j (j &lt; 8) supplies u1 = 1 - a[j], element j+8
     * supplies u2; they become {@code r cos θ} and {@code r sin θ}, scaled by std and shifted by mean
     * with a fused multiply-add.
     */
    static void normal16(float[] a, int o, float mean, float std) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - a[o + j];
            float u2 = a[o + j + 8];
            float radius = (float) Math.sqrt(-2f * log(u1));
            float x = TWO_PI * u2;

            // sincos256_ps
            int signSin = Float.floatToRawIntBits(x) & 0x80000000;
            x = Math.abs(x);
            float y = x * FOPI;
            int q = (int) y;
            q = (q + 1) & ~1;
            y = (float) q;
            int swapSin = (q & 4) << 29;
            boolean polyMask = (q & 2) == 0;
            x = Math.fma(y, DP1, x);
            x = Math.fma(y, DP2, x);
            x = Math.fma(y, DP3, x);
            int signCos = (~(q - 2) & 4) << 29;
            signSin ^= swapSin;
            float z = x * x;
            float yc = Math.fma(COS_P0, z, COS_P1);
            yc = Math.fma(yc, z, COS_P2);
            yc = yc * z;
            yc = Math.fma(yc, z, -(z * 0.5f));
            yc = yc + 1f;
            float ys = Math.fma(SIN_P0, z, SIN_P1);
            ys = Math.fma(ys, z, SIN_P2);
            ys = ys * z;
            ys = Math.fma(ys, x, x);
            float ysin2 = polyMask ? ys : 0f;
            float ysin1 = polyMask ? 0f : yc;
            ys = ys - ysin2;
            yc = yc - ysin1;
            float sin = Float.intBitsToFloat(Float.floatToRawIntBits(ysin1 + ysin2) ^ signSin);
            float cos = Float.intBitsToFloat(Float.floatToRawIntBits(yc + ys) ^ signCos);

            a[o + j] = Math.fma(radius * cos, std, mean);
            a[o + j + 8] = Math.fma(radius * sin, std, mean);
        }
    }
}
