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
        // the conversions written out here, not through helper methods: with them C2 ran out of its
        // node budget before inlining the last store and boxed a vector per iteration
        for (; i + L <= e; i += L) {
            DoubleVector p = (DoubleVector) FloatVector.fromArray(F, pa, op + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector g = (DoubleVector) FloatVector.fromArray(F, ga, og + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w = p.mul(decay), gi = g.mul(sign).add(p.mul(coupled));
            DoubleVector m0 = (DoubleVector) FloatVector.fromArray(F, ma, om + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector v0 = (DoubleVector) FloatVector.fromArray(F, va, ov + i).convertShape(VectorOperators.F2D, D, 0);
            // m and v rounded to float (stored) and widened back: the values float variables would hold
            FloatVector mf = (FloatVector) m0.mul(b1).add(gi.mul(c1)).convertShape(VectorOperators.D2F, F, 0);
            FloatVector vf = (FloatVector) v0.mul(b2).add(gi.mul(gi).mul(c2)).convertShape(VectorOperators.D2F, F, 0);
            mf.intoArray(ma, om + i);
            vf.intoArray(va, ov + i);
            DoubleVector mi = (DoubleVector) mf.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector vi = (DoubleVector) vf.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector step = mi.div(vi.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps)).mul(stepSize);
            ((FloatVector) w.sub(step).convertShape(VectorOperators.D2F, F, 0)).intoArray(pa, op + i);
        }
        return i;
    }
}
