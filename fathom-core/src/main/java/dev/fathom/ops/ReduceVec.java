package dev.fathom.ops;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

// the project's one vector exp (Cephes expf with add/mul/fma and integer ops only: the same bits
// in the interpreter and in compiled code, unlike lanewise(EXP))
import static dev.fathom.backend.VectorMath.exp;

/**
 * Vector API kernels for {@link Reductions}. Only loaded after {@code Reductions} has checked that
 * {@code jdk.incubator.vector} is present, so Fathom runs (on plain loops) without the module.
 * Each kernel keeps four independent accumulators to hide add latency.
 */
final class ReduceVec {
    private ReduceVec() {}

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int FL = FS.length();
    private static final int DL = DS.length();

    /** Floats as wide as a preferred double vector has lanes, for float products summed in double. */
    private static final VectorSpecies<Float> FHALF =
        VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(64, DS.vectorBitSize() / 2)));

    /**
     * {@code Σ a[ao+i]·b[bo+i]} with each product rounded to float (as the scalar {@code a*b}) and the
     * sum taken in double, lane-wise then in lane order, the scalar tail after.
     */
    static double dotFloatProductsInDouble(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        double s = 0;
        if (FHALF.length() == DL) {
            DoubleVector acc = DoubleVector.zero(DS);
            for (; i <= n - DL; i += DL)
                acc = acc.add(FloatVector.fromArray(FHALF, a, ao + i).mul(FloatVector.fromArray(FHALF, b, bo + i))
                    .convertShape(VectorOperators.F2D, DS, 0));
            s = sumLanes(acc);
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** Floats per vector of these kernels. */
    static int floatLanes() { return FL; }

    /** Runs a tiny sum and max so a broken or missing module fails here, at detection time. */
    static boolean selfTest() {
        float[] a = new float[3 * FL + 3];
        for (int i = 0; i < a.length; i++) a[i] = i;
        double expect = (a.length - 1) * a.length / 2.0;
        return segF(Reductions.Op.SUM, a, 0, a.length, 0) == expect
            && segF(Reductions.Op.MAX, a, 0, a.length, 0) == a.length - 1;
    }

    // In a fixed order (see VectorMath.sumLanes): toArray's array escaped into the store intrinsic
    // and was allocated for every row (softmax rows, softmax-backward dots: 10 MB per gpt step).
    private static float sumLanes(FloatVector v) { return dev.fathom.backend.VectorMath.sumLanes(v); }

    private static double sumLanes(DoubleVector v) {
        double s = 0;
        for (int i = 0; i < DL; i++) s += v.lane(i);
        return s;
    }

    /** exp of every element (scalar tail included), for tests. */
    static float[] expArray(float[] x) {
        float[] out = new float[x.length];
        int i = 0;
        for (; i < FS.loopBound(x.length); i += FL) exp(FloatVector.fromArray(FS, x, i)).intoArray(out, i);
        for (; i < x.length; i++) out[i] = (float) Math.exp(x[i]);
        return out;
    }

    static double segF(Reductions.Op op, float[] a, int o, int n, double pv) {
        return switch (op) {
            case SUM -> sumF(a, o, n, pv);
            case MAX, MIN -> maxMinF(op, a, o, n);
            case SQDEV -> sqdevF(a, o, n, pv);
            case SUMEXP -> sumExpF(a, o, n, pv);
            default -> throw new IllegalStateException(op.toString());
        };
    }

    private static double sumF(float[] a, int o, int n, double pv) {
        int i = 0, up4 = n - 4 * FL, up1 = n - FL;
        FloatVector s0 = FloatVector.zero(FS), s1 = s0, s2 = s0, s3 = s0;
        for (; i <= up4; i += 4 * FL) {
            s0 = s0.add(FloatVector.fromArray(FS, a, o + i));
            s1 = s1.add(FloatVector.fromArray(FS, a, o + i + FL));
            s2 = s2.add(FloatVector.fromArray(FS, a, o + i + 2 * FL));
            s3 = s3.add(FloatVector.fromArray(FS, a, o + i + 3 * FL));
        }
        for (; i <= up1; i += FL) s0 = s0.add(FloatVector.fromArray(FS, a, o + i));
        float s = sumLanes(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) s += a[o + i];
        return s;
    }

    private static double maxMinF(Reductions.Op op, float[] a, int o, int n) {
        int i = 0, up4 = n - 4 * FL, up1 = n - FL;
        boolean max = op == Reductions.Op.MAX;
        float m = a[o];
        if (n >= 4 * FL) {
            FloatVector m0 = FloatVector.fromArray(FS, a, o), m1 = m0, m2 = m0, m3 = m0;
            if (max) {
                for (; i <= up4; i += 4 * FL) {
                    m0 = m0.max(FloatVector.fromArray(FS, a, o + i));
                    m1 = m1.max(FloatVector.fromArray(FS, a, o + i + FL));
                    m2 = m2.max(FloatVector.fromArray(FS, a, o + i + 2 * FL));
                    m3 = m3.max(FloatVector.fromArray(FS, a, o + i + 3 * FL));
                }
                m = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
            } else {
                for (; i <= up4; i += 4 * FL) {
                    m0 = m0.min(FloatVector.fromArray(FS, a, o + i));
                    m1 = m1.min(FloatVector.fromArray(FS, a, o + i + FL));
                    m2 = m2.min(FloatVector.fromArray(FS, a, o + i + 2 * FL));
                    m3 = m3.min(FloatVector.fromArray(FS, a, o + i + 3 * FL));
                }
                m = m0.min(m1).min(m2.min(m3)).reduceLanes(VectorOperators.MIN);
            }
        }
        if (max) for (; i < n; i++) m = Math.max(m, a[o + i]);
        else for (; i < n; i++) m = Math.min(m, a[o + i]);
        return m;
    }

    private static double sqdevF(float[] a, int o, int n, double pv) {
        int i = 0;
        float p = (float) pv;
        FloatVector vp = FloatVector.broadcast(FS, p);
        FloatVector s0 = FloatVector.zero(FS), s1 = s0;
        for (; i <= n - 2 * FL; i += 2 * FL) {
            FloatVector d0 = FloatVector.fromArray(FS, a, o + i).sub(vp);
            FloatVector d1 = FloatVector.fromArray(FS, a, o + i + FL).sub(vp);
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        float s = sumLanes(s0.add(s1));
        for (; i < n; i++) {
            float d = a[o + i] - p;
            s += d * d;
        }
        return s;
    }

    private static double sumExpF(float[] a, int o, int n, double pv) {
        int i = 0;
        float p = (float) pv;
        FloatVector vp = FloatVector.broadcast(FS, p);
        FloatVector s0 = FloatVector.zero(FS), s1 = s0;
        for (; i <= n - 2 * FL; i += 2 * FL) {
            s0 = s0.add(exp(FloatVector.fromArray(FS, a, o + i).sub(vp)));
            s1 = s1.add(exp(FloatVector.fromArray(FS, a, o + i + FL).sub(vp)));
        }
        double s = sumLanes(s0.add(s1));
        for (; i < n; i++) s += Math.exp(a[o + i] - p);
        return s;
    }

    static double segD(Reductions.Op op, double[] a, int o, int n, double p) {
        return switch (op) {
            case SUM -> sumD(a, o, n, p);
            case MAX, MIN -> maxMinD(op, a, o, n);
            case SQDEV -> sqdevD(a, o, n, p);
            case SUMEXP -> sumExpD(a, o, n, p);
            default -> throw new IllegalStateException(op.toString());
        };
    }

    private static double sumD(double[] a, int o, int n, double p) {
        int i = 0, up4 = n - 4 * DL, up1 = n - DL;
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0, s2 = s0, s3 = s0;
        for (; i <= up4; i += 4 * DL) {
            s0 = s0.add(DoubleVector.fromArray(DS, a, o + i));
            s1 = s1.add(DoubleVector.fromArray(DS, a, o + i + DL));
            s2 = s2.add(DoubleVector.fromArray(DS, a, o + i + 2 * DL));
            s3 = s3.add(DoubleVector.fromArray(DS, a, o + i + 3 * DL));
        }
        for (; i <= up1; i += DL) s0 = s0.add(DoubleVector.fromArray(DS, a, o + i));
        double s = sumLanes(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) s += a[o + i];
        return s;
    }

    private static double maxMinD(Reductions.Op op, double[] a, int o, int n) {
        int i = 0, up4 = n - 4 * DL, up1 = n - DL;
        boolean max = op == Reductions.Op.MAX;
        double m = a[o];
        if (n >= 4 * DL) {
            DoubleVector m0 = DoubleVector.fromArray(DS, a, o), m1 = m0, m2 = m0, m3 = m0;
            if (max) {
                for (; i <= up4; i += 4 * DL) {
                    m0 = m0.max(DoubleVector.fromArray(DS, a, o + i));
                    m1 = m1.max(DoubleVector.fromArray(DS, a, o + i + DL));
                    m2 = m2.max(DoubleVector.fromArray(DS, a, o + i + 2 * DL));
                    m3 = m3.max(DoubleVector.fromArray(DS, a, o + i + 3 * DL));
                }
                m = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
            } else {
                for (; i <= up4; i += 4 * DL) {
                    m0 = m0.min(DoubleVector.fromArray(DS, a, o + i));
                    m1 = m1.min(DoubleVector.fromArray(DS, a, o + i + DL));
                    m2 = m2.min(DoubleVector.fromArray(DS, a, o + i + 2 * DL));
                    m3 = m3.min(DoubleVector.fromArray(DS, a, o + i + 3 * DL));
                }
                m = m0.min(m1).min(m2.min(m3)).reduceLanes(VectorOperators.MIN);
            }
        }
        if (max) for (; i < n; i++) m = Math.max(m, a[o + i]);
        else for (; i < n; i++) m = Math.min(m, a[o + i]);
        return m;
    }

    private static double sqdevD(double[] a, int o, int n, double p) {
        int i = 0;
        DoubleVector vp = DoubleVector.broadcast(DS, p);
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0;
        for (; i <= n - 2 * DL; i += 2 * DL) {
            DoubleVector d0 = DoubleVector.fromArray(DS, a, o + i).sub(vp);
            DoubleVector d1 = DoubleVector.fromArray(DS, a, o + i + DL).sub(vp);
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        double s = sumLanes(s0.add(s1));
        for (; i < n; i++) {
            double d = a[o + i] - p;
            s += d * d;
        }
        return s;
    }

    private static double sumExpD(double[] a, int o, int n, double p) {

        int i = 0;
         // scalar: Math.exp is consistent across JIT tiers, the vector EXP is not
        double s = 0;
        for (; i < n; i++) s += Math.exp(a[o + i] - p);
        return s;
    }

    /**
     * {@code rows} rows of width {@code bw} (row stride B) reduced column-wise into {@code tmp}:
     * the input streams row by row while the accumulator row stays in L1.
     */
    static void colSegF(Reductions.Op op, float[] in, int o, int rows, int B, int bw, float[] tmp, double[] p, int pOff) {
        float[] pf = null;
        if (p != null) {
            pf = new float[bw];
            for (int b = 0; b < bw; b++) pf[b] = (float) p[pOff + b];
        }
        switch (op) {
            case SUM -> colSumF(in, o, rows, B, bw, tmp, pf);
            case MAX -> colMaxF(in, o, rows, B, bw, tmp, pf);
            case MIN -> colMinF(in, o, rows, B, bw, tmp, pf);
            case SQDEV -> colSqdevF(in, o, rows, B, bw, tmp, pf);
            case SUMEXP -> colSumexpF(in, o, rows, B, bw, tmp, pf);
            default -> throw new IllegalStateException(op.toString());
        }
    }

    private static void colSumF(float[] in, int o, int rows, int B, int bw, float[] tmp, float[] pf) {
        int vb = FS.loopBound(bw);
        java.util.Arrays.fill(tmp, 0, bw, 0f);
        int r = 0;
        // four rows per sweep: a quarter of the accumulator-row loads and stores
        for (; r + 3 < rows; r += 4) {
            int r0 = o + r * B, r1 = r0 + B, r2 = r1 + B, r3 = r2 + B, b = 0;
            for (; b < vb; b += FL) {
                FloatVector x01 = FloatVector.fromArray(FS, in, r0 + b).add(FloatVector.fromArray(FS, in, r1 + b));
                FloatVector x23 = FloatVector.fromArray(FS, in, r2 + b).add(FloatVector.fromArray(FS, in, r3 + b));
                FloatVector.fromArray(FS, tmp, b).add(x01.add(x23)).intoArray(tmp, b);
            }
            for (; b < bw; b++) tmp[b] += (in[r0 + b] + in[r1 + b]) + (in[r2 + b] + in[r3 + b]);
        }
        for (; r < rows; r++) {
            int ro = o + r * B, b = 0;
            for (; b < vb; b += FL)
                FloatVector.fromArray(FS, tmp, b).add(FloatVector.fromArray(FS, in, ro + b)).intoArray(tmp, b);
            for (; b < bw; b++) tmp[b] += in[ro + b];
        }
    }

    private static void colMaxF(float[] in, int o, int rows, int B, int bw, float[] tmp, float[] pf) {
        int vb = FS.loopBound(bw);
        System.arraycopy(in, o, tmp, 0, bw);
        for (int r = 1; r < rows; r++) {
            int ro = o + r * B, b = 0;
            for (; b < vb; b += FL)
                FloatVector.fromArray(FS, tmp, b).max(FloatVector.fromArray(FS, in, ro + b)).intoArray(tmp, b);
            for (; b < bw; b++) tmp[b] = Math.max(tmp[b], in[ro + b]);
        }
    }

    private static void colMinF(float[] in, int o, int rows, int B, int bw, float[] tmp, float[] pf) {
        int vb = FS.loopBound(bw);
        System.arraycopy(in, o, tmp, 0, bw);
        for (int r = 1; r < rows; r++) {
            int ro = o + r * B, b = 0;
            for (; b < vb; b += FL)
                FloatVector.fromArray(FS, tmp, b).min(FloatVector.fromArray(FS, in, ro + b)).intoArray(tmp, b);
            for (; b < bw; b++) tmp[b] = Math.min(tmp[b], in[ro + b]);
        }
    }

    private static void colSqdevF(float[] in, int o, int rows, int B, int bw, float[] tmp, float[] pf) {
        int vb = FS.loopBound(bw);
        java.util.Arrays.fill(tmp, 0, bw, 0f);
        for (int r = 0; r < rows; r++) {
            int ro = o + r * B, b = 0;
            for (; b < vb; b += FL) {
                FloatVector d = FloatVector.fromArray(FS, in, ro + b).sub(FloatVector.fromArray(FS, pf, b));
                d.fma(d, FloatVector.fromArray(FS, tmp, b)).intoArray(tmp, b);
            }
            for (; b < bw; b++) {
                float d = in[ro + b] - pf[b];
                tmp[b] = Math.fma(d, d, tmp[b]);
            }
        }
    }

    private static void colSumexpF(float[] in, int o, int rows, int B, int bw, float[] tmp, float[] pf) {
        int vb = FS.loopBound(bw);
        java.util.Arrays.fill(tmp, 0, bw, 0f);
        for (int r = 0; r < rows; r++) {
            int ro = o + r * B, b = 0;
            for (; b < vb; b += FL) {
                FloatVector e = exp(FloatVector.fromArray(FS, in, ro + b).sub(FloatVector.fromArray(FS, pf, b)));
                FloatVector.fromArray(FS, tmp, b).add(e).intoArray(tmp, b);
            }
            for (; b < bw; b++) tmp[b] += (float) Math.exp(in[ro + b] - pf[b]);
        }
    }

    /**
     * Position of the first maximum (or minimum) of a contiguous row: a vector max, then a vector
     * search for its first occurrence (the first NaN when the max is NaN, as torch).
     */
    static int argRowF(boolean max, float[] a, int o, int n) {
        float m = (float) segF(max ? Reductions.Op.MAX : Reductions.Op.MIN, a, o, n, 0);
        if (m != m) {
            for (int i = 0; i < n; i++) if (a[o + i] != a[o + i]) return i;
        }
        int i = 0, vb = FS.loopBound(n);
        for (; i < vb; i += FL) {
            var hit = FloatVector.fromArray(FS, a, o + i).compare(VectorOperators.EQ, m);
            if (hit.anyTrue()) return i + hit.firstTrue();
        }
        for (; i < n; i++) if (a[o + i] == m) return i;
        throw new IllegalStateException("argRowF: the maximum " + m + " was not found");
    }

    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;

    /**
     * First maxima (or minima) down the columns of an {@code [R, B]} block, {@code bw} wide: a
     * blend per row keeps the best value and its row; NaN wins once and then stays.
     */
    static void argColF(boolean max, float[] in, int o, int R, int B, int bw, float[] vals, long[] idx, int dst) {
        int[] at = new int[bw];
        System.arraycopy(in, o, vals, dst, bw);
        int vb = IS.length() == FL ? FS.loopBound(bw) : 0;
        for (int r = 1; r < R; r++) {
            int q = o + r * B, b = 0;
            IntVector vr = IntVector.broadcast(IS, r);
            for (; b < vb; b += FL) {
                FloatVector v = FloatVector.fromArray(FS, in, q + b), best = FloatVector.fromArray(FS, vals, dst + b);
                var take = v.compare(max ? VectorOperators.GT : VectorOperators.LT, best)
                    .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                best.blend(v, take).intoArray(vals, dst + b);
                IntVector.fromArray(IS, at, b).blend(vr, take.cast(IS)).intoArray(at, b);
            }
            for (; b < bw; b++) {
                float v = in[q + b], best = vals[dst + b];
                if ((max ? v > best : v < best) || (v != v && best == best)) { vals[dst + b] = v; at[b] = r; }
            }
        }
        for (int b = 0; b < bw; b++) idx[dst + b] = at[b];
    }

    /** Softmax (or log-softmax) down the columns of an {@code [R, B]} block, {@code bw} columns wide. */
    static void softmaxColF(float[] in, int io, float[] out, int oo, int R, int B, int bw, boolean log, float[] m, float[] sum) {
        colSegF(Reductions.Op.MAX, in, io, R, B, bw, m, null, 0);
        int vb = FS.loopBound(bw);
        java.util.Arrays.fill(sum, 0, bw, 0f);
        for (int r = 0; r < R; r++) {
            int ro = io + r * B, wo = oo + r * B, b = 0;
            for (; b < vb; b += FL) {
                FloatVector e = exp(FloatVector.fromArray(FS, in, ro + b).sub(FloatVector.fromArray(FS, m, b)));
                if (!log) e.intoArray(out, wo + b);
                FloatVector.fromArray(FS, sum, b).add(e).intoArray(sum, b);
            }
            for (; b < bw; b++) {
                float e = (float) Math.exp(in[ro + b] - m[b]);
                if (!log) out[wo + b] = e;
                sum[b] += e;
            }
        }
        if (log) {
            for (int b = 0; b < bw; b++) sum[b] = (float) Math.log(sum[b]);
            for (int r = 0; r < R; r++) {
                int ro = io + r * B, wo = oo + r * B, b = 0;
                for (; b < vb; b += FL)
                    FloatVector.fromArray(FS, in, ro + b).sub(FloatVector.fromArray(FS, m, b))
                        .sub(FloatVector.fromArray(FS, sum, b)).intoArray(out, wo + b);
                for (; b < bw; b++) out[wo + b] = (in[ro + b] - m[b]) - sum[b];
            }
        } else {
            for (int b = 0; b < bw; b++) sum[b] = 1f / sum[b];
            for (int r = 0; r < R; r++) {
                int wo = oo + r * B, b = 0;
                for (; b < vb; b += FL)
                    FloatVector.fromArray(FS, out, wo + b).mul(FloatVector.fromArray(FS, sum, b)).intoArray(out, wo + b);
                for (; b < bw; b++) out[wo + b] *= sum[b];
            }
        }
    }

    /**
     * One softmax (or log-softmax) row: max, then sum of exp (stored), then scale. The two forms are
     * separate methods with one inlined {@code exp} each: with both in one method C2 ran out of its
     * inlining node budget, and the vectors of the exp it did not inline were boxed and ran the
     * Java fallback (about 10x slower).
     */
    static void softmaxRowF(float[] in, int io, float[] out, int oo, int n, boolean log) {
        float m = (float) segF(Reductions.Op.MAX, in, io, n, 0);
        if (log) logSoftmaxRowF(in, io, out, oo, n, m);
        else softmaxRowF(in, io, out, oo, n, m);
    }

    private static void logSoftmaxRowF(float[] in, int io, float[] out, int oo, int n, float m) {
        FloatVector vm = FloatVector.broadcast(FS, m);
        FloatVector s0 = FloatVector.zero(FS);
        int vb = FS.loopBound(n), i = 0;
        for (; i < vb; i += FL) s0 = s0.add(exp(FloatVector.fromArray(FS, in, io + i).sub(vm)));
        double s = sumLanes(s0);
        for (; i < n; i++) s += Math.exp(in[io + i] - m);
        FloatVector ls = FloatVector.broadcast(FS, (float) Math.log(s));
        for (i = 0; i < vb; i += FL) FloatVector.fromArray(FS, in, io + i).sub(vm).sub(ls).intoArray(out, oo + i);
        float lsf = (float) Math.log(s);
        for (; i < n; i++) out[oo + i] = (in[io + i] - m) - lsf;
    }

    private static void softmaxRowF(float[] in, int io, float[] out, int oo, int n, float m) {
        FloatVector vm = FloatVector.broadcast(FS, m);
        FloatVector s0 = FloatVector.zero(FS);
        int vb = FS.loopBound(n), i = 0;
        for (; i < vb; i += FL) {
            FloatVector e = exp(FloatVector.fromArray(FS, in, io + i).sub(vm));
            e.intoArray(out, oo + i);
            s0 = s0.add(e);
        }
        double s = sumLanes(s0);
        for (; i < n; i++) {
            float e = (float) Math.exp(in[io + i] - m);
            out[oo + i] = e;
            s += e;
        }
        float inv = (float) (1.0 / s);
        FloatVector vi = FloatVector.broadcast(FS, inv);
        for (i = 0; i < vb; i += FL) FloatVector.fromArray(FS, out, oo + i).mul(vi).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] *= inv;
    }
}
