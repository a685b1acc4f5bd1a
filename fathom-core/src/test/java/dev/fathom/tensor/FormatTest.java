package dev.fathom.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class FormatTest {
    @Test
    void matrixLikePyTorch() {
        assertEquals("tensor([[1., 2.],\n        [3., 4.]])", Tensor.of(new float[][] {{1, 2}, {3, 4}}).toString());
    }

    @Test
    void dtypeSuffixOnlyForNonDefaultTypes() {
        assertEquals("tensor([1, 2, 3])", Tensor.vector(1L, 2L, 3L).toString());
        assertEquals("tensor([1, 2, 3], dtype=int32)", Tensor.of(new int[] {1, 2, 3}, 3).toString());
        assertEquals("tensor([1.5000, 2.0000], dtype=float64)", Tensor.vector(1.5, 2.0).toString());
        assertEquals("tensor([ True, False])", Tensor.of(new boolean[] {true, false}, 2).toString());
    }

    @Test
    void scalars() {
        assertEquals("tensor(3.5000)", Tensor.scalar(3.5f).toString());
        assertEquals("tensor(7)", Tensor.scalar(7L).toString());
        assertEquals("tensor(-2.)", Tensor.scalar(-2f).toString());
    }

    @Test
    void commonWidthAndNotation() {
        // one width for every element, the sign column kept
        assertEquals("tensor([ 0.5000, -1.2500, 10.0000])", Tensor.vector(0.5f, -1.25f, 10f).toString());
        // a tiny value switches the whole tensor to scientific notation
        assertEquals("tensor([1.0000e-05, 1.0000e+00])", Tensor.vector(1e-5f, 1f).toString());
        // integral floats print as "1." unless the range is wide
        assertEquals("tensor([   1., 1000.])", Tensor.vector(1f, 1000f).toString());
        assertEquals("tensor([1.0000e+00, 1.0000e+04])", Tensor.vector(1f, 10000f).toString());
        assertEquals("tensor([1.0000e+00, 1.0001e+04])", Tensor.vector(1f, 10001f).toString());
        assertEquals("tensor([nan, inf, 1.])", Tensor.vector(Float.NaN, Float.POSITIVE_INFINITY, 1f).toString());
        assertEquals("tensor([0., 0.])", Tensor.zeros(2).toString());
    }

    @Test
    void summarisesLargeTensors() {
        assertEquals("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])", Tensor.arange(2000).toString());
        String s = Tensor.zeros(1001, 2).toString();
        assertEquals("tensor([[0., 0.],\n        [0., 0.],\n        [0., 0.],\n        ...,\n"
            + "        [0., 0.],\n        [0., 0.],\n        [0., 0.]])", s);
    }

    @Test
    void printsViewsInLogicalOrder() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t();
        assertEquals("tensor([[1., 3.],\n        [2., 4.]])", t.toString());
        assertEquals("tensor([1, 3, 5])", Tensor.arange(6).slice(0, 1, 6, 2).toString());
        assertEquals("tensor([[7, 7, 7],\n        [7, 7, 7]])", Tensor.scalar(7L).expand(2, 3).toString());
    }

    @Test
    void emptyTensorsShowTheirSize() {
        assertEquals("tensor([])", Tensor.zeros(0).toString());
        assertEquals("tensor([], size=(2, 0))", Tensor.zeros(2, 0).toString());
        assertEquals("tensor([], dtype=int64)", Tensor.arange(0).toString());
    }

    @Test
    void optionsFromTheTorchDocs() {
        // torch.set_printoptions(threshold=5); torch.arange(10)
        assertEquals("tensor([0, 1, 2,  ..., 7, 8, 9])", TensorFormat.DEFAULT.withThreshold(5).format(Tensor.arange(10)));
        // torch.set_printoptions(precision=2); torch.tensor([1.12345])
        assertEquals("tensor([1.12])", Tensor.vector(1.12345f).toString(2));
        assertEquals("tensor([1.1235])", Tensor.vector(1.12345f).toString());
        assertEquals("tensor([1.5000e+00, 2.0000e+00])", TensorFormat.DEFAULT.withSciMode(true).format(Tensor.vector(1.5f, 2f)));
        assertEquals("tensor([0, 1,  ..., 8, 9])", TensorFormat.DEFAULT.withThreshold(5).withEdgeItems(2).format(Tensor.arange(10)));
        // a narrow line width wraps the vector
        assertEquals("tensor([0, 1,\n        2, 3])", TensorFormat.DEFAULT.withLineWidth(14).format(Tensor.arange(4)));
        var e = assertThrows(IllegalArgumentException.class, () -> TensorFormat.DEFAULT.withPrecision(-1));
        assertTrue(e.getMessage().startsWith("TensorFormat: invalid options precision=-1"), e.getMessage());
    }

    @Test
    void pythonNumberFormatting() {
        // round half to even on the exact binary value, as Python's format()
        assertEquals("0.12", TensorFormat.fixed(0.125, 2));
        assertEquals("0.38", TensorFormat.fixed(0.375, 2));
        assertEquals("2", TensorFormat.fixed(2.5, 0));
        assertEquals("0.1000", TensorFormat.fixed(0.1f, 4)); // 0.100000001490116...
        assertEquals("-0.0000", TensorFormat.fixed(-0.00004, 4));
        assertEquals("-0", TensorFormat.fixed(-0.0, 0));
        assertEquals("1.2346e+05", TensorFormat.scientific(123456, 4));
        assertEquals("1.0000e+05", TensorFormat.scientific(99999.5, 4));
        assertEquals("-2.5000e-07", TensorFormat.scientific(-2.5e-7, 4));
        assertEquals("1.0000e+100", TensorFormat.scientific(1e100, 4));
        assertEquals("0.0000e+00", TensorFormat.scientific(0, 4));
        assertEquals("3e+00", TensorFormat.scientific(3, 0));
        assertEquals("-inf", TensorFormat.scientific(Double.NEGATIVE_INFINITY, 4));
    }
}
