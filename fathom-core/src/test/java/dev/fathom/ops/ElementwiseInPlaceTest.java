package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.f;

class ElementwiseInPlaceTest {
    @Test
    void inPlaceArithmeticReturnsThisAndBumpsVersion() {
        Tensor x = f(1, 2, 3);
        int v0 = x.storage().version();
        assertSame(x, x.addInPlace(f(1, 1, 1)));
        assertArrayEquals(new float[] {2, 3, 4}, x.toFloatArray());
        x.subInPlace(1.0).mulInPlace(f(2, 3, 4)).divInPlace(2.0);
        assertArrayEquals(new float[] {1, 3, 6}, x.toFloatArray());
        x.addInPlace(f(10, 10, 10), -0.5);
        assertArrayEquals(new float[] {-4, -2, 1}, x.toFloatArray());
        x.divInPlace(f(2, 2, 4));
        assertArrayEquals(new float[] {-2, -1, 0.25f}, x.toFloatArray());
        x.mulInPlace(4L).subInPlace(f(1, 1, 1)).addInPlace(1L);
        assertArrayEquals(new float[] {-8, -4, 1}, x.toFloatArray());
        assertEquals(v0 + 9, x.storage().version()); // one bump per in-place call
    }

    @Test
    void otherOperandBroadcastsButSelfShapeIsFixed() {
        Tensor x = Tensor.zeros(2, 3);
        x.addInPlace(f(1, 2, 3));
        x.mulInPlace(Tensor.of(new float[] {1, 10}, 2, 1));
        assertArrayEquals(new float[] {1, 2, 3, 10, 20, 30}, x.toFloatArray());
        x.subInPlace(Tensor.scalar(1f));
        assertArrayEquals(new float[] {0, 1, 2, 9, 19, 29}, x.toFloatArray());
        Tensor row = Tensor.zeros(3);
        var e = assertThrows(IllegalArgumentException.class, () -> row.addInPlace(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().startsWith("addInPlace:") && e.getMessage().contains("[2, 3]")
            && e.getMessage().contains("[3]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> row.mulInPlace(Tensor.zeros(4)));
        assertTrue(e2.getMessage().startsWith("mulInPlace: shapes [3] and [4]"), e2.getMessage());
    }

    @Test
    void writesThroughViews() {
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = base.t();                                   // [3,2] view
        t.addInPlace(Tensor.of(new float[] {100, 200}, 1, 2)); // column 0 of t = row 0 of base gets +100
        assertArrayEquals(new float[] {101, 102, 103, 204, 205, 206}, base.toFloatArray());
        Tensor sl = base.slice(1, 0, 3, 2);                    // columns 0 and 2
        sl.mulInPlace(-1.0);
        assertArrayEquals(new float[] {-101, 102, -103, -204, 205, -206}, base.toFloatArray());
        base.select(0, 1).fillInPlace(7);
        assertArrayEquals(new float[] {-101, 102, -103, 7, 7, 7}, base.toFloatArray());
        base.t().narrow(0, 1, 1).zeroInPlace();                // column 1
        assertArrayEquals(new float[] {-101, 0, -103, 7, 0, 7}, base.toFloatArray());
        // reading another view of the same storage while writing is safe
        Tensor sq = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        sq.addInPlace(sq.t());
        assertArrayEquals(new float[] {2, 5, 5, 8}, sq.toFloatArray());
        // an expanded view cannot be written elementwise
        Tensor ex = f(1).expand(3);
        var e = assertThrows(IllegalArgumentException.class, () -> ex.addInPlace(f(1, 2, 3)));
        assertTrue(e.getMessage().startsWith("addInPlace:") && e.getMessage().contains("expanded"), e.getMessage());
    }

    @Test
    void inPlaceTypeRules() {
        Tensor i = Tensor.vector(1L, 2L);
        i.addInPlace(Tensor.of(new int[] {1, 1}, 2)).mulInPlace(3L);
        assertEquals(DType.INT64, i.dtype());
        assertArrayEquals(new long[] {6, 9}, i.toLongArray());
        var e = assertThrows(IllegalArgumentException.class, () -> i.addInPlace(0.5));
        assertTrue(e.getMessage().startsWith("addInPlace: the result type float32 cannot be stored in this int64 tensor"),
            e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> i.divInPlace(Tensor.vector(2L, 2L)));
        assertTrue(e2.getMessage().startsWith("divInPlace:"), e2.getMessage());
        // float32 self with a float64 operand stays float32
        Tensor x = f(1, 2);
        x.addInPlace(Tensor.vector(0.5, 0.25));
        assertEquals(DType.FLOAT32, x.dtype());
        assertArrayEquals(new float[] {1.5f, 2.25f}, x.toFloatArray());
        Tensor b = Tensor.of(new boolean[] {true, false}, 2);
        b.addInPlace(Tensor.of(new boolean[] {false, true}, 2));
        assertArrayEquals(new boolean[] {true, true}, b.toBoolArray());
        assertThrows(IllegalArgumentException.class, () -> b.addInPlace(1L));
        Tensor l = Tensor.vector(1L, 2L);
        l.addInPlace(Tensor.vector(3L, 4L), 2);
        assertArrayEquals(new long[] {7, 10}, l.toLongArray());
    }

    @Test
    void fillWorksForEveryType() {
        assertArrayEquals(new long[] {7, 7}, Tensor.zeros(DType.INT64, 2).fillInPlace(7).toLongArray());
        assertArrayEquals(new int[] {-2, -2}, Tensor.zeros(DType.INT32, 2).fillInPlace(-2.9).toIntArray());
        assertArrayEquals(new double[] {0.1, 0.1}, Tensor.zeros(DType.FLOAT64, 2).fillInPlace(0.1).toDoubleArray());
        assertArrayEquals(new boolean[] {true}, Tensor.zeros(DType.BOOL, 1).fillInPlace(3).toBoolArray());
        Tensor ones = Tensor.ones(2, 2);
        int v = ones.storage().version();
        ones.zeroInPlace();
        assertArrayEquals(new float[] {0, 0, 0, 0}, ones.toFloatArray());
        assertEquals(v + 1, ones.storage().version());
    }

    @Test
    void largeInPlaceIntoTransposedView() {
        int r = 517, c = 263; // > parallel threshold
        float[] data = new float[r * c];
        for (int i = 0; i < data.length; i++) data[i] = i % 97;
        Tensor base = Tensor.of(data.clone(), r, c);
        Tensor rowv = Tensor.arange(0, r, 1).to(DType.FLOAT32);   // broadcast along the transposed rows
        base.t().addInPlace(rowv, 2);
        float[] got = base.toFloatArray();
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                assertEquals(data[i * c + j] + 2f * i, got[i * c + j], 0f);
    }
}
