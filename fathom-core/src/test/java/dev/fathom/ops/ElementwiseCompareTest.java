package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fathom.ops.OpsTestSupport.f;

class ElementwiseCompareTest {
    @Test
    void comparisonsProduceBool() {
        Tensor a = f(1, 2, 3, Float.NaN), b = f(3, 2, 1, Float.NaN);
        Tensor eq = a.eq(b);
        assertEquals(DType.BOOL, eq.dtype());
        assertArrayEquals(new boolean[] {false, true, false, false}, eq.toBoolArray());
        assertArrayEquals(new boolean[] {true, false, true, true}, a.ne(b).toBoolArray());
        assertArrayEquals(new boolean[] {true, false, false, false}, a.lt(b).toBoolArray());
        assertArrayEquals(new boolean[] {true, true, false, false}, a.le(b).toBoolArray());
        assertArrayEquals(new boolean[] {false, false, true, false}, a.gt(b).toBoolArray());
        assertArrayEquals(new boolean[] {false, true, true, false}, a.ge(b).toBoolArray());
        assertArrayEquals(new boolean[] {false, true, true, false}, a.ge(2).toBoolArray());
        assertArrayEquals(new boolean[] {false, true, false, false}, a.eq(2.0).toBoolArray());
    }

    @Test
    void comparisonsAcrossTypesAndShapes() {
        Tensor i = Tensor.vector(1L, 2L, 3L);
        assertArrayEquals(new boolean[] {false, false, false}, i.eq(2.5).toBoolArray());
        assertArrayEquals(new boolean[] {false, false, true}, i.gt(2.5).toBoolArray());
        assertArrayEquals(new boolean[] {false, true, false}, i.eq(Tensor.vector(0.0, 2.0, 4.0)).toBoolArray());
        Tensor i32 = Tensor.of(new int[] {5, -5}, 2);
        assertArrayEquals(new boolean[] {false, true}, i32.lt(Tensor.vector(0L, 0L)).toBoolArray());
        Tensor col = f(1, 2).reshape(2, 1), row = f(1, 2, 3);
        Tensor c = col.lt(row);
        assertArrayEquals(new int[] {2, 3}, c.shape());
        assertArrayEquals(new boolean[] {false, true, true, false, false, true}, c.toBoolArray());
        Tensor bt = Tensor.of(new boolean[] {true, false}, 2), bf = Tensor.of(new boolean[] {false, false}, 2);
        assertArrayEquals(new boolean[] {true, false}, bt.gt(bf).toBoolArray());
        // strided: the transpose compared with itself
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new boolean[] {true, false, false, true}, m.t().eq(m).toBoolArray());
    }

    @Test
    void predicates() {
        Tensor x = f(0, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -2);
        assertArrayEquals(new boolean[] {false, true, false, false, false}, x.isNaN().toBoolArray());
        assertArrayEquals(new boolean[] {false, false, true, true, false}, x.isInf().toBoolArray());
        assertArrayEquals(new boolean[] {true, false, false, false, true}, x.isFinite().toBoolArray());
        assertArrayEquals(new boolean[] {true, false, false, false, false}, x.logicalNot().toBoolArray());
        Tensor i = Tensor.vector(0L, 3L);
        assertArrayEquals(new boolean[] {false, false}, i.isNaN().toBoolArray());
        assertArrayEquals(new boolean[] {true, true}, i.isFinite().toBoolArray());
        assertArrayEquals(new boolean[] {true, false}, i.logicalNot().toBoolArray());
        assertArrayEquals(new boolean[] {false, true}, Tensor.of(new boolean[] {true, false}, 2).logicalNot().toBoolArray());
        Tensor t = Tensor.of(new double[] {Double.NaN, 1, 2, 3}, 2, 2).t();
        assertArrayEquals(new boolean[] {true, false, false, false}, t.isNaN().toBoolArray());
    }

    @Test
    void logicalOpsTreatNonZeroAsTrue() {
        Tensor a = f(0, 0, 2, Float.NaN), b = Tensor.vector(0L, 5L, 0L, 1L);
        assertArrayEquals(new boolean[] {false, false, false, true}, a.logicalAnd(b).toBoolArray());
        assertArrayEquals(new boolean[] {false, true, true, true}, a.logicalOr(b).toBoolArray());
        assertArrayEquals(new boolean[] {false, true, true, false}, a.logicalXor(b).toBoolArray());
        Tensor r = Tensor.of(new boolean[] {true, false}, 2, 1).logicalAnd(Tensor.of(new boolean[] {true, true, false}, 3));
        assertArrayEquals(new int[] {2, 3}, r.shape());
        assertArrayEquals(new boolean[] {true, true, false, false, false, false}, r.toBoolArray());
    }

    @Test
    void whereSelectsAndBroadcasts() {
        Tensor x = f(-1, 2, -3, 4);
        Tensor w = Tensor.where(x.gt(0), x, Tensor.scalar(0f));
        assertArrayEquals(new float[] {0, 2, 0, 4}, w.toFloatArray());
        // cond [2,1], a [3] int64, b 0-d float64 -> float64 [2,3]
        Tensor cond = Tensor.of(new boolean[] {true, false}, 2, 1);
        Tensor r = Tensor.where(cond, Tensor.vector(1L, 2L, 3L), Tensor.scalar(-1.0));
        assertEquals(DType.FLOAT64, r.dtype());
        assertArrayEquals(new int[] {2, 3}, r.shape());
        assertArrayEquals(new double[] {1, 2, 3, -1, -1, -1}, r.toDoubleArray());
        // strided operands
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new float[] {1, 0, 0, 4}, Tensor.where(m.t().eq(m), m.t(), Tensor.zeros(2, 2)).toFloatArray());
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.where(x, x, x));
        assertTrue(e.getMessage().startsWith("where: the condition must be a bool tensor, got float32"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Tensor.where(x.gt(0), Tensor.zeros(3), x));
        assertTrue(e2.getMessage().startsWith("where:") && e2.getMessage().contains("[3]"), e2.getMessage());
    }

    @Test
    void allCloseSemantics() {
        Tensor a = f(1, 2, 3);
        assertTrue(a.allClose(f(1, 2, 3)));
        assertTrue(a.allClose(f(1 + 5e-6f, 2, 3)));          // within rtol 1e-5 * 1
        assertFalse(a.allClose(f(1.001f, 2, 3)));
        assertTrue(a.allClose(f(1.001f, 2, 3), 1e-2, 0));
        assertTrue(f(0).allClose(f(1e-9f)));                  // atol 1e-8
        assertFalse(f(0).allClose(f(1e-7f)));
        // tolerance scales with |other|, not |this| (asymmetric, as torch)
        assertTrue(f(100).allClose(f(110), 0.1, 0));
        assertFalse(f(110).allClose(f(100), 0.09, 0));
        // NaN is never close; equal infinities are
        assertFalse(f(Float.NaN).allClose(f(Float.NaN)));
        assertTrue(f(Float.POSITIVE_INFINITY).allClose(f(Float.POSITIVE_INFINITY)));
        assertFalse(f(Float.POSITIVE_INFINITY).allClose(f(Float.NEGATIVE_INFINITY)));
        assertFalse(f(1).allClose(f(Float.POSITIVE_INFINITY), 1, 1));
        // broadcasting and mixed types
        assertTrue(Tensor.full(2.0, 2, 3).allClose(Tensor.scalar(2L)));
        assertTrue(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t().allClose(Tensor.of(new double[] {1, 3, 2, 4}, 2, 2)));
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).allClose(Tensor.zeros(4)));
        assertTrue(e.getMessage().startsWith("allClose:") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.allClose(a, -1, 0));
    }

    @Test
    void equalNeedsSameShapeAndValues() {
        Tensor a = f(1, 2, 3);
        assertTrue(a.equal(f(1, 2, 3)));
        assertFalse(a.equal(f(1, 2, 4)));
        assertFalse(a.equal(a.reshape(1, 3)));
        assertFalse(f(Float.NaN).equal(f(Float.NaN)));
        assertTrue(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t().equal(Tensor.of(new float[] {1, 3, 2, 4}, 2, 2)));
        assertTrue(Tensor.zeros(0, 2).equal(Tensor.zeros(0, 2)));
    }
}
