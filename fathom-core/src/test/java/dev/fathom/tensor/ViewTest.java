package dev.fathom.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ViewTest {
    private static Tensor m23() { return Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); }

    @Test
    void transposeIsAViewAndContiguousCopies() {
        Tensor t = m23().transpose(0, 1);
        assertArrayEquals(new int[] {3, 2}, t.shape());
        assertFalse(t.isContiguous());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toFloatArray());
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertNotSame(t.storage(), c.storage());
        assertSame(c, c.contiguous());
    }

    @Test
    void reshapeInfersMinusOneAndSharesStorage() {
        Tensor x = m23();
        Tensor r = x.reshape(-1, 2);
        assertArrayEquals(new int[] {3, 2}, r.shape());
        assertSame(x.storage(), r.storage());
        assertEquals(4.0, r.get(1, 1));
    }

    @Test
    void viewOfNonContiguousFailsWithAdvice() {
        Tensor t = m23().transpose(0, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> t.view(6));
        assertTrue(e.getMessage().contains("view"), e.getMessage());
        assertTrue(e.getMessage().contains("contiguous()"), e.getMessage());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.reshape(6).toFloatArray());
    }

    @Test
    void viewSplitsAndMergesCompatibleDims() {
        // a [4, 6] tensor sliced to every other row: rows are not adjacent, but each row is contiguous
        Tensor x = Tensor.arange(24).reshape(4, 6).slice(0, 0, 4, 2);
        Tensor v = x.view(2, 2, 3);
        assertSame(x.storage(), v.storage());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17}, v.toLongArray());
    }

    @Test
    void sliceWithStepAndNegativeBounds() {
        Tensor x = Tensor.arange(10);
        assertArrayEquals(new long[] {1, 4, 7}, x.slice(0, 1, 10, 3).toLongArray());
        assertArrayEquals(new long[] {7, 8}, x.slice(0, -3, -1).toLongArray());
        assertEquals(0, x.slice(0, 5, 2).numel());
    }

    @Test
    void selectNarrowSqueezeUnsqueeze() {
        Tensor x = m23();
        assertArrayEquals(new float[] {4, 5, 6}, x.select(0, 1).toFloatArray());
        assertArrayEquals(new float[] {3, 6}, x.select(1, -1).toFloatArray());
        assertArrayEquals(new float[] {2, 3, 5, 6}, x.narrow(1, 1, 2).toFloatArray());
        Tensor u = x.unsqueeze(1);
        assertArrayEquals(new int[] {2, 1, 3}, u.shape());
        assertArrayEquals(new int[] {2, 3}, u.squeeze().shape());
        assertArrayEquals(new int[] {2, 3, 1}, x.unsqueeze(-1).shape());
        assertSame(x, x.squeeze(0));
        var e = assertThrows(IndexOutOfBoundsException.class, () -> x.select(0, 2));
        assertTrue(e.getMessage().contains("select: index 2 is out of range for dimension 0 of size 2"), e.getMessage());
    }

    @Test
    void permuteAndExpand() {
        Tensor x = Tensor.arange(6).reshape(1, 2, 3);
        Tensor p = x.permute(2, 0, 1);
        assertArrayEquals(new int[] {3, 1, 2}, p.shape());
        assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, p.toLongArray());
        Tensor e = Tensor.vector(1f, 2f).reshape(2, 1).expand(2, 3);
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2}, e.toFloatArray());
        assertArrayEquals(new int[] {0, 0}, new int[] {e.strides()[1], 0});
        var err = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).expand(4, 3));
        assertTrue(err.getMessage().contains("only size-1 dimensions expand"), err.getMessage());
    }

    @Test
    void creation() {
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, Tensor.eye(2, 3).toFloatArray());
        assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 0.75f, 1f}, Tensor.linspace(0, 1, 5).toFloatArray());
        assertArrayEquals(new float[] {0f, 0.5f, 1f, 1.5f}, Tensor.arange(0.0, 2.0, 0.5).toFloatArray());
        assertArrayEquals(new long[] {5, 3, 1}, Tensor.arange(5, 0, -2).toLongArray());
        assertEquals(DType.INT64, Tensor.arange(3).dtype());
        Tensor n = Tensor.of(new double[][] {{1, 2}, {3, 4}, {5, 6}});
        assertEquals(DType.FLOAT64, n.dtype());
        assertArrayEquals(new int[] {3, 2}, n.shape());
        assertEquals(6.0, n.get(2, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[][] {{1, 2}, {3}}));
        assertTrue(e.getMessage().contains("ragged"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
        assertTrue(e2.getMessage().contains("3 values cannot fill shape [2, 2]"), e2.getMessage());
        assertEquals(7.0, Tensor.full(7, 2, 2).get(1, 1));
        assertEquals(0, Tensor.scalar(3f).ndim());
        assertEquals(3.0, Tensor.scalar(3f).item());
    }

    @Test
    void conversionsFollowPyTorch() {
        Tensor f = Tensor.vector(-1.7f, 0f, 2.9f);
        assertArrayEquals(new int[] {-1, 0, 2}, f.to(DType.INT32).toIntArray());
        assertArrayEquals(new boolean[] {true, false, true}, f.to(DType.BOOL).toBoolArray());
        assertEquals(DType.FLOAT64, f.to(DType.FLOAT64).dtype());
        assertEquals(DType.FLOAT32, DType.promote(DType.INT64, DType.FLOAT32));
        assertEquals(DType.INT64, DType.promote(DType.INT32, DType.INT64));
        assertEquals(DType.FLOAT32, DType.INT64.promoteWithScalar(true));
        assertEquals(DType.INT32, DType.INT32.promoteWithScalar(false));
    }

    @Test
    void emptyTensorsAreContiguousAndConvertToEmptyArrays() {
        Tensor z = Tensor.zeros(2, 0);
        assertTrue(z.isContiguous());
        assertEquals(0, z.select(0, 1).toDoubleArray().length);
        assertArrayEquals(new int[] {0, 2}, z.transpose(0, 1).shape());
    }

    @Test
    void asStridedAndWrapCheckTheStorageBounds() {
        Storage st = Storage.wrap(new float[] {0, 1, 2, 3, 4, 5});
        Tensor cols = Tensor.asStrided(st, new int[] {3, 2}, new int[] {1, 3}, 0);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, cols.toFloatArray());
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.asStrided(st, new int[] {3, 2}, new int[] {2, 1}, 1));
        assertTrue(e.getMessage().startsWith("Tensor.asStrided: shape [3, 2] with strides [2, 1] and offset 1 reaches elements [1, 6]"), e.getMessage());
        assertArrayEquals(new int[] {2, 3}, Tensor.wrap(st, 2, 3).shape());
        var w = assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(st, 4, 2));
        assertTrue(w.getMessage().contains("needs 8 elements but the storage has 6"), w.getMessage());
    }

    private static void assertMessage(Class<? extends RuntimeException> type, String expected, Runnable op) {
        var e = assertThrows(type, op::run);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void badViewArgumentsNameTheOpAndTheRule() {
        Tensor x = m23();
        assertMessage(IllegalArgumentException.class,
            "reshape: shape [4, -1] is invalid for a tensor of 6 elements (shape [2, 3])", () -> x.reshape(4, -1));
        assertMessage(IllegalArgumentException.class,
            "reshape: shape [4, 2] holds 8 elements but the tensor has 6 (shape [2, 3])", () -> x.reshape(4, 2));
        assertMessage(IllegalArgumentException.class,
            "view: only one dimension can be -1, got [-1, -1]", () -> x.view(-1, -1));
        assertMessage(IllegalArgumentException.class,
            "permute: dimension 0 repeats in [0, 0]", () -> x.permute(0, 0));
        assertMessage(IllegalArgumentException.class,
            "permute: got 3 dimensions [0, 1, 2] for a 2-d tensor of shape [2, 3]", () -> x.permute(0, 1, 2));
        assertMessage(IllegalArgumentException.class,
            "transpose: dimension 2 is out of range for a 2-d tensor; expected a value in [-2, 1]", () -> x.transpose(0, 2));
        assertMessage(IndexOutOfBoundsException.class,
            "narrow: start 2 with length 2 is out of range for dimension 1 of size 3", () -> x.narrow(1, 2, 2));
        assertMessage(IllegalArgumentException.class,
            "slice: step must be positive, got 0", () -> x.slice(1, 0, 3, 0));
        assertMessage(IllegalArgumentException.class,
            "t: expects a tensor with at most 2 dimensions, got shape [1, 2, 3]; use transpose(dim0, dim1) or mT()",
            () -> x.unsqueeze(0).t());
        assertMessage(IndexOutOfBoundsException.class,
            "get: index 3 is out of range for dimension 1 of size 3 (shape [2, 3])", () -> x.get(0, 3));
        assertMessage(IllegalArgumentException.class,
            "item: only a one-element tensor converts to a number; this one has shape [2, 3] (6 elements)", x::item);
        assertMessage(IllegalArgumentException.class,
            "broadcastTo: shapes [2, 3] and [3, 3] cannot be broadcast: dimension 0 (aligned from the right) has sizes 2 and 3; sizes must match or one of them be 1",
            () -> x.broadcastTo(3, 3));
    }
}
