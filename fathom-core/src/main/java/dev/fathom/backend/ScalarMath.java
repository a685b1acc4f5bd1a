package dev.fathom.backend;

/**
 * Scalar special functions that {@link Math} lacks, accurate to about 1e-15 relative in double, and
 * the plain-Java forms of kernels that {@link VectorMath} vectorises (their tails run here).
 */
public final class ScalarMath {
    private ScalarMath() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;

    /** The error function. */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        double r = a < 2.5 ? erfSeries(a) : 1 - erfcFraction(a);
        return Math.copySign(r, x);
    }

    /** The complementary error function {@code 1 - erf(x)}, accurate in its tails. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2 - erfc(-x);
        return x < 2.5 ? 1 - erfSeries(x) : erfcFraction(x);
    }

    /**
     * erf(x) = 2/√π e^{-x²} Σ 2^n x^{2n+1} / (1·3·…·(2n+1)) for x >= 0: every term is positive, so
     * there is no cancellation; about 45 terms reach double precision at x = 2.5.
     */
    private static double erfSeries(double x) {
        double x2 = 2 * x * x, term = x, sum = x;
        for (int k = 3; term > 1e-17 * sum; k += 2) {
            term *= x2 / k;
            sum += term;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
    }

    /**
     * erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) for x >= 2.5, evaluated by
     * the modified Lentz method.
     */
    private static double erfcFraction(double x) {
        if (x > 27) return 0; // e^{-729} underflows
        double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 500; k++) {
            double an = k * 0.5;
            d = x + an * d;
            d = d == 0 ? 1 / tiny : 1 / d;
            c = x + an / c;
            if (c == 0) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return INV_SQRT_PI * Math.exp(-x * x) / f;
    }

    /**
     * erfc with float-level accuracy (fractional error below 1.2e-7, Numerical Recipes' erfcc),
     * about ten times cheaper than {@link #erfc}; enough for float32 results.
     */
    public static double erfcFast(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
            + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /** {@link VectorMath#sgd} one element at a time (the reference; no Vector API needed). */
    public static void sgd(float[] p, int po, float[] g, int go, float[] b, int bo, int n, float sign, boolean decay,
                           float decayRate, boolean momentum, boolean first, float m, float keep, boolean nesterov,
                           float step) {
        for (int i = 0; i < n; i++) {
            float d = sign * g[go + i];
            if (decay) d = d + decayRate * p[po + i];
            if (momentum) {
                float bi = first ? d : b[bo + i] * m + keep * d;
                b[bo + i] = bi;
                d = nesterov ? d + m * bi : bi;
            }
            p[po + i] = p[po + i] + step * d;
        }
    }
}
