package dev.fathom.optim;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Adam}'s float32 update ({@code fused} in Adam) on the Vector API, only called when
 * {@code Simd.AVAILABLE}. The scalar loop widens each float to double, does the update in double and
 * rounds back; this does exactly the same operations in the same order on lanes of doubles (widened
 * from floats, rounded back at the same points; no fused multiply-adds), so every element gets the
 * same bits. The scalar loop was bound by its double square root and division one element at a time.
 */
final class AdamVec {
    private AdamVec() {}

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** As many float lanes as {@link #D} has doubles. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    /** Elements {@code [s, e)}: the loop body of Adam's float32 {@code fused}, lanes at a time; returns where the scalar tail starts. */
    static int update(float[] pa, int op, float[] ga, int og, float[] ma, int om, float[] va, int ov, int s, int e,
                      double decay, double sign, double coupled, double b1, double b2, double stepSize, double bc2Sqrt,
                      double eps) {
        int L = D.length(), i = s;
        double c1 = 1 - b1, c2 = 1 - b2;
        for (; i + L <= e; i += L) {
            DoubleVector p = wide(pa, op + i), g = wide(ga, og + i);
            DoubleVector w = p.mul(decay), gi = g.mul(sign).add(p.mul(coupled));
            DoubleVector mi = narrowRound(wide(ma, om + i).mul(b1).add(gi.mul(c1)));
            DoubleVector vi = narrowRound(wide(va, ov + i).mul(b2).add(gi.mul(gi).mul(c2)));
            store(mi, ma, om + i);
            store(vi, va, ov + i);
            DoubleVector step = mi.div(vi.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps)).mul(stepSize);
            store(w.sub(step), pa, op + i);
        }
        return i;
    }

    /** {@code L} floats from {@code a[at]}, widened to double lanes. */
    private static DoubleVector wide(float[] a, int at) {
        return (DoubleVector) FloatVector.fromArray(F, a, at).convertShape(VectorOperators.F2D, D, 0);
    }

    /** The lanes rounded to float and widened back: the value a float variable would hold. */
    private static DoubleVector narrowRound(DoubleVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.D2F, F, 0).convertShape(VectorOperators.F2D, D, 0);
    }

    /** The lanes rounded to float, stored at {@code a[at]}. */
    private static void store(DoubleVector v, float[] a, int at) {
        ((FloatVector) v.convertShape(VectorOperators.D2F, F, 0)).intoArray(a, at);
    }
}
