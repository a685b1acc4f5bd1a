package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.fathom.nn.ConvTest.assertClose;
import static dev.fathom.nn.ConvTest.gradcheck;
import static dev.fathom.nn.ConvTest.input;
import static dev.fathom.nn.ConvTest.set;
import static org.junit.jupiter.api.Assertions.*;

/** BatchNorm1d/2d, LayerNorm, GroupNorm. */
class NormTest {
    static final DType F64 = DType.FLOAT64;

    @Test
    void batchNormTrainingStepsAndEvalEqualPyTorch() {
        Map<String, Tensor> f = TorchFixture.load("norm");
        BatchNorm2d bn = new BatchNorm2d(3);
        assertClose(f.get("bn.y1"), bn.forward(f.get("bn.x1")), 1e-5, "first training output");
        assertClose(f.get("bn.y2"), bn.forward(f.get("bn.x2")), 1e-5, "second training output");
        assertClose(f.get("bn.running_mean"), bn.runningMean, 1e-6, "running_mean");
        assertClose(f.get("bn.running_var"), bn.runningVar, 1e-5, "running_var");
        assertEquals(2, bn.numBatchesTracked.itemLong());
        assertEquals(f.get("bn.num_batches_tracked").itemLong(), bn.numBatchesTracked.itemLong());
        bn.eval();
        assertClose(f.get("bn.eval"), bn.forward(f.get("bn.x1")), 1e-5, "eval output");

        BatchNorm1d cum = new BatchNorm1d(4, 1e-5, null, true, true);
        cum.forward(f.get("cum.z1"));
        cum.forward(f.get("cum.z2"));
        assertClose(f.get("cum.running_mean"), cum.runningMean, 1e-6, "cumulative running_mean");
        assertClose(f.get("cum.running_var"), cum.runningVar, 1e-5, "cumulative running_var");

        BatchNorm1d bn1 = new BatchNorm1d(4, 1e-3, 0.3, true, true);
        set(bn1.weight, f.get("bn1.weight"));
        set(bn1.bias, f.get("bn1.bias"));
        assertClose(f.get("bn1.y"), bn1.forward(f.get("bn1.z")), 1e-5, "BatchNorm1d [N, C] with affine");
        assertClose(f.get("bn1.running_mean"), bn1.runningMean, 1e-6, "bn1 running_mean");
        assertClose(f.get("bn1.running_var"), bn1.runningVar, 1e-5, "bn1 running_var");
    }

    @Test
    void layerNormAndGroupNormEqualPyTorch() {
        Map<String, Tensor> f = TorchFixture.load("norm");
        LayerNorm ln = new LayerNorm(4, 5);
        set(ln.weight, f.get("ln.weight"));
        set(ln.bias, f.get("ln.bias"));
        assertClose(f.get("ln.y"), ln.forward(f.get("ln.x")), 1e-5, "LayerNorm");
        GroupNorm gn = new GroupNorm(2, 6);
        set(gn.weight, f.get("gn.weight"));
        set(gn.bias, f.get("gn.bias"));
        assertClose(f.get("gn.y"), gn.forward(f.get("gn.x")), 1e-5, "GroupNorm");
        ln.eval();
        gn.eval();
        assertClose(f.get("ln.y"), ln.forward(f.get("ln.x")), 1e-5, "LayerNorm is the same in eval mode");
        assertClose(f.get("gn.y"), gn.forward(f.get("gn.x")), 1e-5, "GroupNorm is the same in eval mode");
    }

    @Test
    void handComputedValues() {
        // one channel, values 1..4: mean 2.5, biased var 1.25, unbiased 5/3
        BatchNorm1d bn = new BatchNorm1d(1, 1e-5, 0.1, false, true, F64);
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 4, 1);
        Tensor y = bn.forward(x);
        double sd = Math.sqrt(1.25 + 1e-5);
        assertArrayEquals(new double[] {-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd}, y.toDoubleArray(), 1e-12);
        assertEquals(0.25, bn.runningMean.get(0), 1e-12);
        assertEquals(0.9 + 0.1 * 5 / 3.0, bn.runningVar.get(0), 1e-12);
        // LayerNorm of [1, 3]: mean 2, var 1 -> ±1/√(1+eps)
        LayerNorm ln = new LayerNorm(new int[] {2}, 1e-5, false, F64);
        double s = 1 / Math.sqrt(1 + 1e-5);
        assertArrayEquals(new double[] {-s, s, -s, s}, ln.forward(Tensor.of(new double[] {1, 3, 10, 12}, 2, 2)).toDoubleArray(), 1e-12);
        // GroupNorm with 2 groups of 2 channels, each channel one value
        GroupNorm gn = new GroupNorm(2, 4, 1e-5, false, F64);
        assertArrayEquals(new double[] {-s, s, s, -s},
            gn.forward(Tensor.of(new double[] {1, 3, 12, 10}, 1, 4)).toDoubleArray(), 1e-12);
    }

    @Test
    void batchNormTrainAndEvalDiffer() {
        Generator.manualSeed(3);
        BatchNorm2d bn = new BatchNorm2d(2, 1e-5, 0.5, true, true, F64);
        Tensor x = Tensor.randn(new Generator(4), F64, 8, 2, 3, 3).mul(3).add(5);
        Tensor train = bn.forward(x);
        // training: batch statistics, so each channel of the output has mean 0 and variance 1
        assertTrue(train.mean(new int[] {0, 2, 3}, false).abs().max().item() < 1e-12);
        assertArrayEquals(new double[] {1, 1}, train.var(new int[] {0, 2, 3}, 0, false).toDoubleArray(), 1e-4);
        assertEquals(1, bn.numBatchesTracked.itemLong());
        Tensor rm = bn.runningMean.copy(), rv = bn.runningVar.copy();
        bn.eval();
        Tensor eval = bn.forward(x);
        // eval: the running statistics (half-way from 0/1 to the batch's after momentum 0.5), untouched by the call
        Tensor expected = x.sub(rm.reshape(1, 2, 1, 1)).div(rv.add(1e-5).sqrt().reshape(1, 2, 1, 1));
        assertClose(expected, eval, 1e-12, "eval uses running statistics");
        assertFalse(eval.allClose(train, 1e-3, 1e-3));
        assertTrue(bn.runningMean.equal(rm) && bn.runningVar.equal(rv));
        assertEquals(1, bn.numBatchesTracked.itemLong());
        // without running statistics both modes use the batch
        BatchNorm2d noStats = new BatchNorm2d(2, 1e-5, 0.1, true, false, F64);
        assertNull(noStats.runningMean);
        assertEquals(List.of("weight", "bias"), List.copyOf(noStats.stateDict().keySet()));
        Tensor a = noStats.forward(x);
        noStats.eval();
        assertClose(a, noStats.forward(x), 1e-15, "no running statistics");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(Tensor.zeros(1, 3)));
        assertTrue(e.getMessage().contains("more than 1 value per channel"), e.getMessage());
        bn.resetRunningStats();
        assertEquals(0, bn.numBatchesTracked.itemLong());
        assertEquals(1, bn.runningVar.get(1));
    }

    @Test
    void stateDictNamesAsPyTorch() {
        BatchNorm2d bn = new BatchNorm2d(5);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
        assertEquals(DType.INT64, bn.numBatchesTracked.dtype());
        assertEquals(10, bn.parameterCount());
        assertEquals(List.of("weight", "bias"), List.copyOf(new LayerNorm(3, 4).stateDict().keySet()));
        assertArrayEquals(new int[] {3, 4}, new LayerNorm(3, 4).weight.shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(new GroupNorm(2, 4).stateDict().keySet()));
        assertTrue(new GroupNorm(2, 4, 1e-5, false).stateDict().isEmpty());
    }

    @Test
    void gradcheckOfEachLayerInFloat64() {
        BatchNorm2d bn2 = new BatchNorm2d(3, 1e-5, 0.1, true, true, F64);
        set(bn2.weight, Tensor.randn(new Generator(1), F64, 3));
        set(bn2.bias, Tensor.randn(new Generator(2), F64, 3));
        Tensor x4 = input(3, 2, 3, 2, 3);
        gradcheck("BatchNorm2d train", in -> bn2.forward(in[0]), x4, bn2.weight, bn2.bias);
        bn2.eval();
        gradcheck("BatchNorm2d eval", in -> bn2.forward(in[0]), x4, bn2.weight, bn2.bias);
        BatchNorm1d bn1 = new BatchNorm1d(4, 1e-5, null, true, true, F64);
        gradcheck("BatchNorm1d [N, C, L]", in -> bn1.forward(in[0]), input(4, 3, 4, 2), bn1.weight, bn1.bias);
        gradcheck("BatchNorm1d [N, C]", in -> bn1.forward(in[0]), input(5, 5, 4), bn1.weight, bn1.bias);
        LayerNorm ln = new LayerNorm(new int[] {3, 4}, 1e-5, true, F64);
        set(ln.weight, Tensor.randn(new Generator(6), F64, 3, 4));
        gradcheck("LayerNorm", in -> ln.forward(in[0]), input(7, 2, 3, 4), ln.weight, ln.bias);
        GroupNorm gn = new GroupNorm(2, 4, 1e-5, true, F64);
        set(gn.weight, Tensor.randn(new Generator(8), F64, 4));
        gradcheck("GroupNorm", in -> gn.forward(in[0]), input(9, 2, 4, 3), gn.weight, gn.bias);
    }

    @Test
    void wrongChannelCountNamesTheLayerAndShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new BatchNorm2d(16).forward(Tensor.zeros(2, 8, 4, 4)));
        assertEquals("BatchNorm2d(16, eps=1.0E-5, momentum=0.1, affine=true, trackRunningStats=true): expected input with 16 channels "
            + "in dimension 1 and 4 dimensions, got shape [2, 8, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(4).forward(Tensor.zeros(2, 4, 3, 3)));
        assertTrue(e.getMessage().startsWith("BatchNorm1d(4,") && e.getMessage().endsWith("and 2 or 3 dimensions, got shape [2, 4, 3, 3]"),
            e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(4, 5).forward(Tensor.zeros(2, 5, 4)));
        assertEquals("LayerNorm([4, 5], eps=1.0E-5, elementwiseAffine=true): expected input whose last 2 dimensions are [4, 5], "
            + "got shape [2, 5, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(2, 6).forward(Tensor.zeros(2, 4, 3)));
        assertEquals("GroupNorm(2, 6, eps=1.0E-5, affine=true): expected input [N, 6, *] with 6 channels in dimension 1, "
            + "got shape [2, 4, 3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6));
    }
}
