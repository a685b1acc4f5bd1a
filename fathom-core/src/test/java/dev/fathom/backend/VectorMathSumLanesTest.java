package dev.fathom.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link VectorMath#sumLanes} adds the lanes first to last, whatever the species and whether the
 * caller is interpreted or compiled: the kernels that reduce a dot product's lanes with it (conv
 * weight gradients, batch-1 Linear, pooled bias gradients) then give the same bits in every run.
 */
class VectorMathSumLanesTest {

    private static float sequential(float[] a) {
        float s = 0;
        for (float v : a) s += v;
        return s;
    }

    @Test
    void addsLanesFirstToLastForEverySpecies() {
        for (VectorSpecies<Float> sp : new VectorSpecies[] {FloatVector.SPECIES_128, FloatVector.SPECIES_256,
                FloatVector.SPECIES_512, FloatVector.SPECIES_PREFERRED}) {
            int n = sp.length();
            // order-sensitive values: a pairwise tree and the left-to-right sum disagree on them
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = i % 2 == 0 ? 1e8f : 3f;
            a[n - 1] = -1e8f;
            assertEquals(sequential(a), VectorMath.sumLanes(FloatVector.fromArray(sp, a, 0)), 0f, sp.toString());
            var r = new SplittableRandom(n);
            for (int rep = 0; rep < 2000; rep++) {
                for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(9)));
                assertEquals(sequential(a), VectorMath.sumLanes(FloatVector.fromArray(sp, a, 0)), 0f, sp + " rep " + rep);
            }
        }
    }
}
