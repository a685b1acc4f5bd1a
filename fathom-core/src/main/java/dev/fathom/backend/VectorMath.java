package dev.fathom.backend;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 transcendental kernels on the Vector API ({@code jdk.incubator.vector}), using our own
 * polynomials (Cephes-style range reduction) so results do not depend on a platform math library.
 * Typical relative error is below 2e-7 (a couple of ulp).
 *
 * <p>This class references incubator classes, so it must only be touched after
 * {@link Simd#AVAILABLE} said the module is present; callers keep plain-Java fallbacks.
 * Each kernel reads {@code n} floats from {@code src[so..]} and writes {@code dst[dOff..]};
 * {@code src == dst} with {@code so == dOff} (in place) is allowed.
 */
public final class VectorMath {

    /**
     * The lanes of {@code v} added first to last. {@code reduceLanes(ADD)} may add them in any order,
     * and the order differs between the interpreter and compiled code, so a kernel using it gives
     * different bits before and after the JIT compiles it: training runs then diverge from run to
     * run. Lane by lane, C2 unrolls the constant-count loop into register extracts (an array via
     * {@code toArray} escaped into the store intrinsic and was allocated on every call).
     */
    public static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0, n = v.length(); i < n; i++) s += v.lane(i);
        return s;
    }
    private VectorMath() {}

    /**
     * The lane sums of a group of vectors stored one after another, {@code v.length()} floats each,
     * at {@code lanes[lanesOff ..]}: {@code out[outOff + r]} is the sum of row r's lanes, added first to
     * last as {@link #sumLanes} adds them (the same bits), for every r below the vector length;
     * rows not filled give values nobody reads, so {@code lanes} holds a whole square of rows. One
     * gather per lane serves every row at once: lane by lane, a row's sum costs about as much as a
     * 784-long dot product. {@code lanes} must not overlap the output.
     */
    public static void sumLanesOfRows(VectorSpecies<Float> species, float[] lanes, int lanesOff, float[] out, int outOff) {
        int[] map = species.length() == 16 ? ROWS16 : species.length() == 8 ? ROWS8 : rowsMap(species.length());
        FloatVector total = FloatVector.zero(species);
        for (int l = 0; l < species.length(); l++) total = total.add(FloatVector.fromArray(species, lanes, lanesOff + l, map, 0));
        total.intoArray(out, outOff);
    }

    private static final int[] ROWS16 = rowsMap(16), ROWS8 = rowsMap(8);

    /** Lane l of row r at {@code r * n + l}: the gather map of lane 0. */
    private static int[] rowsMap(int n) {
        int[] m = new int[n];
        for (int r = 0; r < n; r++) m[r] = r * n;
        return m;
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Lanes per vector; touching this also proves the incubator classes link. */
    public static int lanes() { return S.length(); }

    // exp: x = n ln2 + r, |r| <= ln2/2; e^r by a degree-7 minimax (Cephes expf); 2^n built from bits
    // in two halves so results down to the smallest subnormal are scaled without overflow.
    private static final float EXP_HI = 89f, EXP_LO = -104f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float MAGIC = 12582912f; // 1.5 * 2^23: adding it rounds to an integer
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;

    /** e^x on every lane; overflows to +inf, underflows to 0, keeps NaN. */
    public static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI); // NaN-propagating min/max keep NaN lanes NaN
        FloatVector t = x.fma(LOG2E, MAGIC);
        FloatVector n = t.sub(MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(MAGIC_BITS);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector z = r.mul(r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector y = p.fma(z, r).add(1f);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        return y.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
            .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /**
     * e^{a+b} without rounding a+b first: the reduction subtracts n·ln2 from {@code a} (exact when
     * n·ln2 is near a) and only then adds {@code b}. For |b| up to a few units this is as accurate
     * as exp of an exact argument.
     */
    static FloatVector expSum(FloatVector a, FloatVector b) {
        FloatVector s = a.add(b);
        FloatVector x = s.max(EXP_LO).min(EXP_HI);
        FloatVector t = x.fma(LOG2E, MAGIC);
        FloatVector n = t.sub(MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(MAGIC_BITS);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), a).add(b);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector z = r.mul(r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector y = p.fma(z, r).add(1f);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        // out of range the reduction above is meaningless: the result is 0 or inf outright
        return y.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
            .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
            .blend(0f, s.lt(EXP_LO)).blend(Float.POSITIVE_INFINITY, s.compare(VectorOperators.GT, EXP_HI));
    }

    private static final float SQRTHF = 0.707106781186547524f;
    private static final float TWO23 = 8388608f, MIN_NORMAL = Float.MIN_NORMAL;

    static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.lt(MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(TWO23), sub);
        IntVector bits = xs.reinterpretAsInts();
        FloatVector e = (FloatVector) bits.lanewise(VectorOperators.LSHR, 23).sub(126)
            .convert(VectorOperators.I2F, 0);
        e = e.blend(e.sub(23f), sub);
        FloatVector m = bits.and(0x807FFFFF).or(0x3F000000).reinterpretAsFloats(); // in [0.5, 1)
        VectorMask<Float> lowM = m.lt(SQRTHF);
        e = e.blend(e.sub(1f), lowM);
        m = m.blend(m.add(m), lowM).sub(1f);
        FloatVector z = m.mul(m);
        FloatVector y = m.fma(7.0376836292e-2f, -1.1514610310e-1f);
        y = y.fma(m, FloatVector.broadcast(S, 1.1676998740e-1f));
        y = y.fma(m, FloatVector.broadcast(S, -1.2420140846e-1f));
        y = y.fma(m, FloatVector.broadcast(S, 1.4249322787e-1f));
        y = y.fma(m, FloatVector.broadcast(S, -1.6668057665e-1f));
        y = y.fma(m, FloatVector.broadcast(S, 2.0000714765e-1f));
        y = y.fma(m, FloatVector.broadcast(S, -2.4999993993e-1f));
        y = y.fma(m, FloatVector.broadcast(S, 3.3333331174e-1f));
        y = y.mul(m).mul(z);
        y = e.fma(FloatVector.broadcast(S, LN2_LO), y);
        y = z.fma(FloatVector.broadcast(S, -0.5f), y);
        FloatVector r = m.add(y);
        r = e.fma(FloatVector.broadcast(S, LN2_HI), r);
        // special inputs: log(+inf)=inf, log(0)=-inf, log(<0)=NaN, NaN stays NaN
        r = r.blend(Float.POSITIVE_INFINITY, x.eq(Float.POSITIVE_INFINITY));
        r = r.blend(Float.NEGATIVE_INFINITY, x.eq(0f));
        r = r.blend(Float.NaN, x.lt(0f).or(x.test(VectorOperators.IS_NAN)));
        return r;
    }

    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final float SQRT_2_OVER_PI = 0.79788456080286536f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;

    // ------------------------------------------------------------------ array kernels
    //
    // Composite kernels keep their math inside the loop and call only exp/expSum/log: a vector
    // passed to a call C2 does not inline is boxed on the heap, which costs 10-20x. Tails run the
    // same loop over a zero-padded copy, so every element sees identical arithmetic.

    private static float[] pad(float[] src, int from, int n) {
        float[] t = new float[S.length()];
        System.arraycopy(src, from, t, 0, n);
        return t;
    }

    /**
     * Bytes per float vector's worth of lanes: the unsigned bytes one {@link #unsignedBytesOver} step
     * widens; null where that is under the smallest vector shape (64 bits: 4-lane, 128-bit floats),
     * and then the conversion runs element by element.
     */
    private static final VectorSpecies<Byte> SB = S.length() >= 8
        ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * S.length())) : null;
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;

    /**
     * {@code dst[dOff + i] = (src[so + i] & 0xff) / divisor} for {@code i < n}: unsigned bytes (8-bit
     * pixels) widened to int, converted exactly to float and divided in float32, the very quotients
     * of the scalar expression, a vector of them at a time.
     */
    public static void unsignedBytesOver(byte[] src, int so, float[] dst, int dOff, int n, float divisor) {
        int i = 0;
        for (int end = SB == null ? 0 : n - n % S.length(); i < end; i += S.length()) {
            IntVector v = (IntVector) ByteVector.fromArray(SB, src, so + i).convertShape(VectorOperators.B2I, SI, 0);
            ((FloatVector) v.and(0xff).convertShape(VectorOperators.I2F, S, 0)).div(divisor).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) dst[dOff + i] = (src[so + i] & 0xff) / divisor;
    }

    /** {@code dst = max(src, 0)} lane by lane, with Math.max's NaN and signed-zero rules (the scalar loop's bits). */
    public static void relu(float[] src, int so, float[] dst, int dOff, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int end = S.loopBound(n); i < end; i += S.length())
            FloatVector.fromArray(S, src, so + i).max(zero).intoArray(dst, dOff + i);
        for (; i < n; i++) dst[dOff + i] = Math.max(src[so + i], 0f);
    }

    /**
     * relu's backward, {@code dst[i] = x[i] > 0 ? g[i] : 0}, as a blend: the plain loop branches
     * and mispredicts on mixed signs.
     */
    public static void reluBackward(float[] g, int go, float[] x, int xo, float[] dst, int dOff, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector xv = FloatVector.fromArray(S, x, xo + i);
            zero.blend(FloatVector.fromArray(S, g, go + i), xv.compare(VectorOperators.GT, 0f)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) dst[dOff + i] = x[xo + i] > 0 ? g[go + i] : 0f;
    }

    /**
     * One SGD step over {@code n} float32 elements, the operations of the tensor-op path in the same
     * order and precision (separate multiply and add, no FMA), so the bits are identical:
     * {@code d = sign*g (+ decay*p)}; with momentum {@code b = first ? d : b*m + keep*d} and
     * {@code d = nesterov ? d + m*b : b}; then {@code p = p + step*d}. Without momentum {@code b} is
     * not touched (it may be null).
     */
    public static void sgd(float[] p, int po, float[] g, int go, float[] b, int bo, int n, float sign, boolean decay,
                           float decayRate, boolean momentum, boolean first, float m, float keep, boolean nesterov,
                           float step) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i);
            FloatVector d = FloatVector.fromArray(S, g, go + i).mul(sign);
            if (decay) d = d.add(pv.mul(decayRate));
            if (momentum) {
                FloatVector bi = first ? d : FloatVector.fromArray(S, b, bo + i).mul(m).add(d.mul(keep));
                bi.intoArray(b, bo + i);
                d = nesterov ? d.add(bi.mul(m)) : bi;
            }
            pv.add(d.mul(step)).intoArray(p, po + i);
        }
        ScalarMath.sgd(p, po + i, g, go + i, b, bo + i, n - i, sign, decay, decayRate, momentum, first, m, keep, nesterov, step);
    }

    public static void exp(float[] src, int so, float[] dst, int dOff, int n) {
        int L = S.length(), i = 0;
        for (; i <= n - L; i += L) exp(FloatVector.fromArray(S, src, so + i)).intoArray(dst, dOff + i);
        if (i < n) { float[] t = pad(src, so + i, n - i); exp(t, 0, t, 0, L); System.arraycopy(t, 0, dst, dOff + i, n - i); }
    }

    public static void log(float[] src, int so, float[] dst, int dOff, int n) {
        int L = S.length(), i = 0;
        for (; i <= n - L; i += L) log(FloatVector.fromArray(S, src, so + i)).intoArray(dst, dOff + i);
        if (i < n) { float[] t = pad(src, so + i, n - i); log(t, 0, t, 0, L); System.arraycopy(t, 0, dst, dOff + i, n - i); }
    }

    /** tanh: |x| < 0.625 by an odd polynomial (Cephes tanhf), else ±(1 - 2/(e^{2|x|}+1)). */
    public static void tanh(float[] src, int so, float[] dst, int dOff, int n) {
        int L = S.length(), i = 0;
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f);
        for (; i <= n - L; i += L) {
            FloatVector x = FloatVector.fromArray(S, src, so + i);
            FloatVector a = x.abs();
            FloatVector z = x.mul(x);
            FloatVector p = z.fma(-5.70498872745e-3f, 2.06390887954e-2f);
            p = p.fma(z, FloatVector.broadcast(S, -5.37397155531e-2f));
            p = p.fma(z, FloatVector.broadcast(S, 1.33314422036e-1f));
            p = p.fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
            FloatVector small = p.mul(z).fma(x, x);
            FloatVector big = one.sub(two.div(exp(a.add(a)).add(1f)));
            big = big.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
            big.blend(small, a.lt(0.625f)).intoArray(dst, dOff + i);
        }
        if (i < n) { float[] t = pad(src, so + i, n - i); tanh(t, 0, t, 0, L); System.arraycopy(t, 0, dst, dOff + i, n - i); }
    }

    /** sigmoid with e = e^{-|x|}, which never overflows: 1/(1+e) for x >= 0, e/(1+e) below. */
    public static void sigmoid(float[] src, int so, float[] dst, int dOff, int n) {
        int L = S.length(), i = 0;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i <= n - L; i += L) {
            FloatVector x = FloatVector.fromArray(S, src, so + i);
            FloatVector e = exp(x.abs().neg());
            FloatVector r = one.div(e.add(1f));
            r.blend(e.mul(r), x.lt(0f)).intoArray(dst, dOff + i);
        }
        if (i < n) { float[] t = pad(src, so + i, n - i); sigmoid(t, 0, t, 0, L); System.arraycopy(t, 0, dst, dOff + i, n - i); }
    }

    /**
     * Exact GELU: 0.5 x (1 + erf(x/√2)) = 0.5 x erfc(z) with z = -x/√2, which never cancels.
     * erfc(|z|) = t·exp(-z² + P(t)) with t = 1/(1 + |z|/2) is Numerical Recipes' erfcc (fractional
     * error below 1.2e-7); erfc(-|z|) = 2 - erfc(|z|). The dominant term z² = x²/2 is taken from x
     * exactly (hi + lo via fma) rather than from a rounded z, and -hi + (P - lo) goes to
     * {@link #expSum} unrounded: rounding either to float would cost up to 1e-5 relative in the tail.
     */
    public static void gelu(float[] src, int so, float[] dst, int dOff, int n) {
        int L = S.length(), i = 0;
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f);
        for (; i <= n - L; i += L) {
            FloatVector x = FloatVector.fromArray(S, src, so + i);
            // beyond |x| = 20, erfc(z) is 0 or 2 in float; clamping keeps x² and its fma residue finite
            FloatVector c = x.max(-20f).min(20f);
            FloatVector t = one.div(c.abs().mul(0.5f * INV_SQRT2).add(1f));
            FloatVector sq = c.mul(c);
            FloatVector hi = sq.mul(0.5f), lo = c.fma(c, sq.neg()).mul(0.5f);
            FloatVector r = t.mul(expSum(hi.neg(), erfcPoly(t).sub(lo)));   // erfc(|z|)
            r = r.blend(two.sub(r), c.compare(VectorOperators.GT, 0f));   // z < 0
            x.mul(0.5f).mul(r).blend(-0f, x.eq(Float.NEGATIVE_INFINITY))  // the limit, not -inf * 0
                .intoArray(dst, dOff + i);
        }
        if (i < n) { float[] t = pad(src, so + i, n - i); gelu(t, 0, t, 0, L); System.arraycopy(t, 0, dst, dOff + i, n - i); }
    }

    /**
     * Exact GELU's backward, {@code dst[i] = g[i]·(Φ(x) + x·φ(x))}: Φ(x) = erfc(z)/2 exactly as in
     * {@link #gelu}, and the density φ(x) = e^{-x²/2}/√(2π) from the same exact split of x²/2. Each
     * block is two loops with one {@link #expSum} each, in two methods that take arrays: C2 stops
     * inlining at its node budget (NodeCountInliningCutoff), and a vector handed to a call it did
     * not inline is boxed and its operations run the Java fallback (about 10x slower, 18 bytes of
     * garbage per element), which two loops in one method hit.
     */
    public static void geluBackward(float[] g, int go, float[] src, int so, float[] dst, int dOff, int n) {
        int L = S.length(), end = n - n % L;
        float[] cdf = new float[Math.min(end, GELU_BLOCK)];   // not dst: it may alias g or src
        for (int start = 0; start < end; start += GELU_BLOCK) {
            int stop = Math.min(end, start + GELU_BLOCK);
            geluCdf(src, so + start, cdf, stop - start);
            geluBackwardBlock(g, go + start, src, so + start, cdf, dst, dOff + start, stop - start);
        }
        if (end < n) {
            float[] t = pad(src, so + end, n - end), u = pad(g, go + end, n - end);
            geluBackward(u, 0, t, 0, t, 0, L);
            System.arraycopy(t, 0, dst, dOff + end, n - end);
        }
    }

    /** {@code cdf[i] = Φ(src[so + i])} for {@code n} a multiple of the lane count. */
    private static void geluCdf(float[] src, int so, float[] cdf, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f);
        for (int i = 0; i < n; i += S.length()) {
            FloatVector c = FloatVector.fromArray(S, src, so + i).max(-20f).min(20f);
            FloatVector t = one.div(c.abs().mul(0.5f * INV_SQRT2).add(1f));
            FloatVector sq = c.mul(c);
            FloatVector hi = sq.mul(0.5f), lo = c.fma(c, sq.neg()).mul(0.5f);
            FloatVector r = t.mul(expSum(hi.neg(), erfcPoly(t).sub(lo)));   // erfc(|z|)
            r.blend(two.sub(r), c.compare(VectorOperators.GT, 0f)).mul(0.5f).intoArray(cdf, i);
        }
    }

    /** {@code dst[i] = g[i]·(cdf[i] + x·φ(x))} with x = src[so + i], for {@code n} a multiple of the lane count. */
    private static void geluBackwardBlock(float[] g, int go, float[] src, int so, float[] cdf, float[] dst, int dOff,
                                          int n) {
        for (int i = 0; i < n; i += S.length()) {
            FloatVector x = FloatVector.fromArray(S, src, so + i), c = x.max(-20f).min(20f), sq = c.mul(c);
            FloatVector pdf = expSum(sq.mul(-0.5f), c.fma(c, sq.neg()).mul(-0.5f)).mul(INV_SQRT_2PI);
            FloatVector.fromArray(S, cdf, i).add(x.mul(pdf)).mul(FloatVector.fromArray(S, g, go + i))
                .intoArray(dst, dOff + i);
        }
    }

    /** Elements per block of {@link #geluBackward}'s two loops (stays in L1). */
    private static final int GELU_BLOCK = 512;

    /** The exponent polynomial P(t) of Numerical Recipes' erfcc, erfc(z) = t·exp(-z² + P(t)). */
    private static FloatVector erfcPoly(FloatVector t) {
        FloatVector p = t.fma(0.17087277f, -0.82215223f);
        p = p.fma(t, FloatVector.broadcast(S, 1.48851587f));
        p = p.fma(t, FloatVector.broadcast(S, -1.13520398f));
        p = p.fma(t, FloatVector.broadcast(S, 0.27886807f));
        p = p.fma(t, FloatVector.broadcast(S, -0.18628806f));
        p = p.fma(t, FloatVector.broadcast(S, 0.09678418f));
        p = p.fma(t, FloatVector.broadcast(S, 0.37409196f));
        p = p.fma(t, FloatVector.broadcast(S, 1.00002368f));
        return p.fma(t, FloatVector.broadcast(S, -1.26551223f));
    }

    /** GELU's tanh form as x·sigmoid(2u), accurate where tanh(u) is near -1. */
    public static void geluTanh(float[] src, int so, float[] dst, int dOff, int n) {
        int L = S.length(), i = 0;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i <= n - L; i += L) {
            FloatVector x = FloatVector.fromArray(S, src, so + i);
            FloatVector u2 = x.mul(x).fma(0.044715f, 1f).mul(x).mul(2f * SQRT_2_OVER_PI);
            FloatVector e = exp(u2.abs().neg());
            FloatVector r = one.div(e.add(1f));
            r = r.blend(e.mul(r), u2.lt(0f));
            x.mul(r).blend(-0f, x.eq(Float.NEGATIVE_INFINITY)).intoArray(dst, dOff + i);
        }
        if (i < n) { float[] t = pad(src, so + i, n - i); geluTanh(t, 0, t, 0, L); System.arraycopy(t, 0, dst, dOff + i, n - i); }
    }

    /** log(1 + e^{βx})/β, or x where βx exceeds the threshold (or 30, beyond which they agree). */
    public static void softplus(float[] src, int so, float[] dst, int dOff, int n, float beta, float threshold) {
        int L = S.length(), i = 0;
        FloatVector b = FloatVector.broadcast(S, beta);
        for (; i <= n - L; i += L) {
            FloatVector x = FloatVector.fromArray(S, src, so + i);
            FloatVector y = x.mul(b);
            // e^{βx} = e^y (1 + lo) with βx = y + lo exactly: where softplus ≈ e^{βx}/β, the rounding
            // of βx would otherwise be amplified |βx|-fold
            FloatVector corr = x.fma(b, y.neg()).add(1f).blend(1f, y.test(VectorOperators.IS_INFINITE));
            FloatVector e = exp(y).mul(corr);
            FloatVector u = e.add(1f);
            // log1p(e) = log(u) - ((u - 1) - e)/u corrects the rounding of 1 + e
            FloatVector lp = log(u).sub(u.sub(1f).sub(e).div(u));
            lp.div(b).blend(x, y.compare(VectorOperators.GT, threshold).or(y.compare(VectorOperators.GT, 30f)))
                .intoArray(dst, dOff + i);
        }
        if (i < n) {
            float[] t = pad(src, so + i, n - i);
            softplus(t, 0, t, 0, L, beta, threshold);
            System.arraycopy(t, 0, dst, dOff + i, n - i);
        }
    }
}
