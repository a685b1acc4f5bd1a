package dev.fathom.nn.loss;

import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** Hand-computed values, gradchecks in float64, modules against the functional forms, state dicts and error messages. */
class LossTest {
    private static final double LN2 = Math.log(2);

    private static Tensor d(double... v) { return Tensor.vector(v); }

    private static Tensor d2(double[][] v) { return Tensor.of(v); }

    private static Tensor idx(long... v) { return Tensor.vector(v); }

    private static void value(double expected, Tensor got) {
        assertEquals(0, got.ndim(), "a scalar loss");
        assertEquals(expected, got.item(), 1e-12);
    }

    private static Tensor randn(long seed, int... shape) { return Tensor.randn(new Generator(seed), DType.FLOAT64, shape); }

    private static void gradcheck(Function<Tensor[], Tensor> f, Tensor... in) {
        for (Tensor t : in) t.requiresGrad(true);
        GradCheck.Report r = GradCheck.check(f, in);
        assertTrue(r.passed(), r.toString());
    }

    private static void fails(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    // ------------------------------------------------------------------ hand-computed values

    @Test
    void regressionLossesByHand() {
        value(2.5, new MSELoss().forward(d(1, 2), d(0, 0)));
        value(5, new MSELoss(Reduction.SUM).forward(d(1, 2), d(0, 0)));
        assertTrue(new MSELoss(Reduction.NONE).forward(d(1, 2), d(0, 0)).equal(d(1, 4)));
        value(2, new L1Loss().forward(d(1, -3), d(0, 0)));
        // z = [0.5, 2]: 0.5·0.25/1 and 2 - 0.5
        value((0.125 + 1.5) / 2, new SmoothL1Loss().forward(d(0.5, -2), d(0, 0)));
        // beta 2: z = [1, 3] -> 0.5·1/2 = 0.25 and 3 - 1 = 2
        value(2.25, new SmoothL1Loss(Reduction.SUM, 2).forward(d(1, 3), d(0, 0)));
        // Huber delta 2: z = [1, 3] -> 0.5 and 2·(3 - 1) = 4
        value(2.25, new HuberLoss(2).forward(d(1, 3), d(0, 0)));
        value(LN2, new KLDivLoss(Reduction.SUM).forward(d(Math.log(0.5), Math.log(0.5)), d(1, 0)));
        // batchmean over two rows: (ln 2 + 0) / 2; log target e^t (t - x)
        value(LN2 / 2, new KLDivLoss(Reduction.BATCHMEAN).forward(
            d2(new double[][] {{Math.log(0.5), Math.log(0.5)}, {Math.log(0.5), Math.log(0.5)}}), d2(new double[][] {{1, 0}, {0.5, 0.5}})));
        value(0.5 * LN2 + 0.5 * Math.log(2.0 / 3), new KLDivLoss(Reduction.SUM, true).forward(d(Math.log(0.25), Math.log(0.75)),
            d(Math.log(0.5), Math.log(0.5))));
    }

    @Test
    void crossEntropyByHand() {
        double ln34 = Math.log(0.75), ln14 = Math.log(0.25);
        Tensor x = d2(new double[][] {{0, Math.log(3)}, {0, 0}});   // probabilities [1/4, 3/4] and [1/2, 1/2]
        value((-ln34 + LN2) / 2, new CrossEntropyLoss().forward(x, idx(1, 0)));
        // weights [2, 1]: the first target (class 1) weighs 1, the second (class 0) 2; mean divides by 1 + 2
        value((-ln34 + 2 * LN2) / 3, new CrossEntropyLoss(d(2, 1)).forward(x, idx(1, 0)));
        // the ignored target adds nothing and does not count
        value(-ln34, new CrossEntropyLoss().forward(x, idx(1, -100)));
        value(-ln34, new CrossEntropyLoss(null, 0, Reduction.MEAN, 0).forward(x, idx(1, 0)));
        assertTrue(Double.isNaN(new CrossEntropyLoss().forward(x, idx(-100, -100)).item()), "all ignored: 0/0 as PyTorch");
        // label smoothing 0.2 on the first row: 0.8·nll + 0.2/2·(-(ln ¼ + ln ¾))
        value(0.8 * -ln34 + 0.1 * -(ln14 + ln34), new CrossEntropyLoss(null, -100, Reduction.MEAN, 0.2).forward(x.narrow(0, 0, 1), idx(1)));
        // probabilities: -(½ ln ¼ + ½ ln ¾) for the first row; one-hot rows equal class indices
        value(-(0.5 * ln14 + 0.5 * ln34), new CrossEntropyLoss().forward(x.narrow(0, 0, 1), d2(new double[][] {{0.5, 0.5}})));
        value(new CrossEntropyLoss().forward(x, idx(1, 0)).item(),
            new CrossEntropyLoss().forward(x, d2(new double[][] {{0, 1}, {1, 0}})));
        // NLL of logSoftmax is cross entropy; unbatched input [C] with a scalar target
        value(-ln34, new NLLLoss().forward(x.logSoftmax(1).select(0, 0), Tensor.scalar(1L)));
        value(-ln34, new CrossEntropyLoss().forward(x.select(0, 0), Tensor.scalar(1L)));
    }

    @Test
    void binaryLossesByHandIncludingTheClampAndLargeLogits() {
        value(LN2, new BCELoss().forward(d(0.5), d(1)));
        value(100, new BCELoss().forward(d(0), d(1)));               // log 0 clamped at -100
        value(100, new BCELoss().forward(d(1), d(0)));
        value(0, new BCELoss().forward(d(0, 1), d(0, 1)));
        Tensor p = d(0, 1, 0.5).requiresGrad(true);
        new BCELoss(Reduction.SUM).forward(p, d(0, 1, 0.5)).backward();
        for (double g : p.grad().toDoubleArray()) assertTrue(Double.isFinite(g), "finite gradient at 0 and 1: " + p.grad());
        value(LN2, new BCEWithLogitsLoss().forward(d(0), d(1)));
        value(3 * LN2, new BCEWithLogitsLoss(null, Reduction.MEAN, d(3)).forward(d(0), d(1)));
        value(LN2, new BCEWithLogitsLoss(null, Reduction.MEAN, d(3)).forward(d(0), d(0)));
        value(1000, new BCEWithLogitsLoss().forward(d(1000), d(0)));  // no overflow
        value(1000, new BCEWithLogitsLoss().forward(d(-1000), d(1)));
        Tensor z = d(0, 1000, -1000).requiresGrad(true);
        new BCEWithLogitsLoss(Reduction.SUM).forward(z, d(1, 1, 0)).backward();   // σ(x) - t
        assertTrue(z.grad().allClose(d(-0.5, 0, 0), 0, 1e-12), z.grad().toString());
        // weight 2 on the loss of BCE
        value(2 * LN2, new BCELoss(d(2), Reduction.MEAN).forward(d(0.5), d(1)));
    }

    @Test
    void cosineEmbeddingByHand() {
        Tensor a = d2(new double[][] {{1, 0}, {1, 0}, {1, 0}}), b = d2(new double[][] {{0, 1}, {1, 0}, {1, 0}});
        // cos = [0, 1, 1]; targets [1, -1, 1] -> 1 - 0, max(0, 1 - 0.5), 1 - 1
        Tensor loss = new CosineEmbeddingLoss(0.5, Reduction.NONE).forward(a, b, idx(1, -1, 1));
        assertTrue(loss.allClose(d(1, 0.5, 0), 0, 1e-9), loss.toString());
        value(0, new CosineEmbeddingLoss().forward(d(1, 0), d(0, 1), Tensor.scalar(-1L)));
        // a float target works too: losses [1, 0.5, 0.5]
        value(2.0 / 3, new CosineEmbeddingLoss(0.5).forward(a, b, Tensor.vector(0.0, -1, 0).add(d(1, 0, -1))));
    }

    @Test
    void float32InputsGiveFloat32LossesCloseToFloat64() {
        Tensor x = randn(3, 4, 5), t = Tensor.randint(new Generator(4), 0, 5, 4);
        Tensor l64 = new CrossEntropyLoss(d(1, 2, 3, 4, 5), -100, Reduction.MEAN, 0.1).forward(x, t);
        Tensor l32 = new CrossEntropyLoss(d(1, 2, 3, 4, 5).to(DType.FLOAT32), -100, Reduction.MEAN, 0.1).forward(x.to(DType.FLOAT32), t);
        assertEquals(DType.FLOAT32, l32.dtype());
        assertEquals(l64.item(), l32.item(), 1e-5);
        Tensor b32 = new BCEWithLogitsLoss().forward(x.to(DType.FLOAT32), x.sigmoid().to(DType.FLOAT32));
        assertEquals(DType.FLOAT32, b32.dtype());
    }

    // ------------------------------------------------------------------ gradcheck (float64)

    @Test
    void gradcheckElementwiseLossesWithRespectToInputAndTarget() {
        Tensor x = randn(1, 3, 4), y = randn(2, 3, 4);
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
            gradcheck(in -> new MSELoss(r).forward(in[0], in[1]), x, y);
            gradcheck(in -> new L1Loss(r).forward(in[0], in[1]), x, y);
            gradcheck(in -> new SmoothL1Loss(r, 0.7).forward(in[0], in[1]), x, y);
            gradcheck(in -> new HuberLoss(r, 0.8).forward(in[0], in[1]), x, y);
        }
        Tensor logp = randn(3, 3, 5).logSoftmax(1), p = randn(4, 3, 5).softmax(1), lt = randn(5, 3, 5).logSoftmax(1);
        gradcheck(in -> new KLDivLoss(Reduction.BATCHMEAN).forward(in[0], in[1]), logp, p);
        gradcheck(in -> new KLDivLoss(Reduction.NONE, true).forward(in[0], in[1]), logp, lt);
    }

    @Test
    void gradcheckClassificationLosses() {
        Tensor x = randn(6, 5, 4), t = idx(0, 3, -100, 2, 1);
        Tensor w = d(0.5, 1, 1.5, 2);
        gradcheck(in -> new CrossEntropyLoss(w, -100, Reduction.MEAN, 0.1).forward(in[0], t), x);
        gradcheck(in -> new CrossEntropyLoss(null, 3, Reduction.NONE, 0.2).forward(in[0], idx(0, 3, 3, 2, 1)), x);
        gradcheck(in -> new NLLLoss(w, -100, Reduction.SUM).forward(in[0].logSoftmax(1), t), x);
        Tensor xk = randn(7, 2, 4, 3, 2), tk = Tensor.randint(new Generator(8), 0, 4, 2, 3, 2);
        gradcheck(in -> new CrossEntropyLoss(w, 1, Reduction.MEAN, 0.1).forward(in[0], tk), xk);
        // probability targets: the gradient reaches the targets too
        Tensor p = randn(9, 5, 4).softmax(1);
        gradcheck(in -> new CrossEntropyLoss(w, -100, Reduction.MEAN, 0.1).forward(in[0], in[1]), x, p);
    }

    @Test
    void gradcheckBinaryAndCosineLosses() {
        Tensor x = randn(10, 3, 4), y = randn(11, 3, 4).sigmoid();
        Tensor w = randn(12, 4).abs(), pw = randn(13, 4).abs();
        gradcheck(in -> new BCELoss(w, Reduction.MEAN).forward(in[0].sigmoid(), y), x);
        gradcheck(in -> new BCEWithLogitsLoss(w, Reduction.SUM, pw).forward(in[0], in[1]), x, y);
        gradcheck(in -> new BCEWithLogitsLoss(Reduction.NONE).forward(in[0], in[1]), x, y);
        Tensor a = randn(14, 4, 3), b = randn(15, 4, 3), t = idx(1, -1, -1, 1);
        gradcheck(in -> new CosineEmbeddingLoss(-0.3, Reduction.MEAN).forward(in[0], in[1], t), a, b);
    }

    @Test
    void secondOrderGradcheckOfCrossEntropyAndBceWithLogits() {
        Tensor x = randn(16, 3, 4).requiresGrad(true), t = idx(2, -100, 0);
        GradCheck.Report r = GradCheck.checkSecondOrder(in -> new CrossEntropyLoss(d(1, 2, 3, 4), -100, Reduction.MEAN, 0.1)
            .forward(in[0], t), x);
        assertTrue(r.passed(), r.toString());
        Tensor z = randn(17, 2, 3).requiresGrad(true), y = randn(18, 2, 3).sigmoid();
        r = GradCheck.checkSecondOrder(in -> new BCEWithLogitsLoss(null, Reduction.SUM, d(2, 1, 0.5)).forward(in[0], y), z);
        assertTrue(r.passed(), r.toString());
    }

    // ------------------------------------------------------------------ modules, functions, state

    @Test
    void modulesEqualTheFunctionalForms() {
        Tensor x = randn(20, 4, 3), y = randn(21, 4, 3), t = idx(0, 2, 1, -100), w = d(1, 2, 3);
        assertTrue(new MSELoss().forward(x, y).equal(Losses.mseLoss(x, y)));
        assertTrue(new L1Loss().forward(x, y).equal(Losses.l1Loss(x, y)));
        assertTrue(new SmoothL1Loss().forward(x, y).equal(Losses.smoothL1Loss(x, y)));
        assertTrue(new HuberLoss().forward(x, y).equal(Losses.huberLoss(x, y)));
        assertTrue(new CrossEntropyLoss().forward(x, t).equal(Losses.crossEntropy(x, t)));
        assertTrue(new CrossEntropyLoss(w, 1, Reduction.SUM, 0.3).forward(x, idx(0, 1, 2, 1))
            .equal(Losses.crossEntropy(x, idx(0, 1, 2, 1), w, 1, Reduction.SUM, 0.3)));
        assertTrue(new NLLLoss().forward(x, t).equal(Losses.nllLoss(x, t)));
        assertTrue(new BCELoss().forward(x.sigmoid(), y.sigmoid()).equal(Losses.binaryCrossEntropy(x.sigmoid(), y.sigmoid())));
        assertTrue(new BCEWithLogitsLoss().forward(x, y.sigmoid()).equal(Losses.binaryCrossEntropyWithLogits(x, y.sigmoid())));
        assertTrue(new KLDivLoss().forward(x.logSoftmax(1), y.softmax(1)).equal(Losses.klDiv(x.logSoftmax(1), y.softmax(1))));
        Tensor c = idx(1, -1, 1, -1);
        assertTrue(new CosineEmbeddingLoss().forward(x, y, c).equal(Losses.cosineEmbeddingLoss(x, y, c)));
        // NLL of logSoftmax is cross entropy, with weights and an ignored target
        assertTrue(new NLLLoss(w).forward(x.logSoftmax(1), t).allClose(new CrossEntropyLoss(w).forward(x, t), 1e-12, 1e-12));
        assertEquals(Reduction.BATCHMEAN, Reduction.of("batchmean"));
        assertEquals("mean", Reduction.MEAN.toString());
    }

    @Test
    void weightsAreBuffersWithPyTorchNamesAndPrinting() {
        assertEquals(List.of("weight"), List.copyOf(new CrossEntropyLoss(d(1, 2)).stateDict().keySet()));
        assertEquals(List.of("weight"), List.copyOf(new NLLLoss(d(1, 2)).stateDict().keySet()));
        assertEquals(List.of("weight", "pos_weight"), List.copyOf(new BCEWithLogitsLoss(d(1), Reduction.MEAN, d(2)).stateDict().keySet()));
        assertEquals(List.of("pos_weight"), List.copyOf(new BCEWithLogitsLoss(null, Reduction.MEAN, d(2)).stateDict().keySet()));
        assertTrue(new CrossEntropyLoss().stateDict().isEmpty());
        assertEquals(0, new CrossEntropyLoss(d(1, 2)).parameterCount());
        assertEquals("CrossEntropyLoss(weight=[2], ignoreIndex=-100, labelSmoothing=0.1, reduction=mean)\nparameters: 0",
            new CrossEntropyLoss(d(1, 2), -100, Reduction.MEAN, 0.1).toString());
        assertEquals("KLDivLoss(reduction=batchmean, logTarget=true)\nparameters: 0", new KLDivLoss(Reduction.BATCHMEAN, true).toString());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void wrongShapesAndTypesNameTheLossTheShapesAndWhatIsExpected() {
        fails("MSELoss(reduction=mean): expected a target of the input's shape [2, 3], got [3]",
            () -> new MSELoss().forward(Tensor.zeros(2, 3), Tensor.zeros(3)));
        fails("L1Loss(reduction=sum): expected a floating-point target, got int64 of shape [2]",
            () -> new L1Loss(Reduction.SUM).forward(Tensor.zeros(2), idx(1, 2)));
        fails("Losses.mseLoss: expected a floating-point input, got int64 of shape [2]", () -> Losses.mseLoss(idx(1, 2), d(1, 2)));
        fails("CrossEntropyLoss(ignoreIndex=-100, reduction=mean): expected a target of class indices with shape [4] (or class "
                + "probabilities of the input's shape [4, 3]) for input [4, 3], got target shape [4, 1]",
            () -> new CrossEntropyLoss().forward(Tensor.zeros(4, 3), Tensor.zeros(DType.INT64, 4, 1)));
        fails("CrossEntropyLoss(ignoreIndex=-100, reduction=mean): class indices must be int64 (or int32), got a float32 target "
                + "of shape [4] (or class probabilities of the input's shape [4, 3])",
            () -> new CrossEntropyLoss().forward(Tensor.zeros(4, 3), Tensor.zeros(4)));
        fails("CrossEntropyLoss(ignoreIndex=-100, reduction=mean): a target with the input's shape [4, 3] holds class "
                + "probabilities and must be floating-point, got int64; class indices have shape [4]",
            () -> new CrossEntropyLoss().forward(Tensor.zeros(4, 3), Tensor.zeros(DType.INT64, 4, 3)));
        fails("NLLLoss(ignoreIndex=-100, reduction=mean): expected a target of class indices with shape [2, 5, 5] for input "
                + "[2, 3, 5, 5], got target shape [2, 5]",
            () -> new NLLLoss().forward(Tensor.zeros(2, 3, 5, 5), Tensor.zeros(DType.INT64, 2, 5)));
        fails("CrossEntropyLoss(weight=[2], ignoreIndex=-100, reduction=mean): weight must hold one value per class (shape [3] "
                + "for input [4, 3]), got shape [2]",
            () -> new CrossEntropyLoss(d(1, 2)).forward(Tensor.zeros(4, 3), idx(0, 1, 2, 0)));
        fails("Losses.crossEntropy: expected an input of shape [C], [N, C] or [N, C, d1, ...], got a scalar",
            () -> Losses.crossEntropy(Tensor.scalar(1.0), Tensor.scalar(0L)));
        fails("BCELoss(reduction=mean): expected a target of the input's shape [3], got [3, 1]",
            () -> new BCELoss().forward(Tensor.zeros(3), Tensor.zeros(3, 1)));
        fails("BCEWithLogitsLoss(posWeight=[3], reduction=mean): posWeight of shape [3] does not broadcast to the input's shape [2, 4]",
            () -> new BCEWithLogitsLoss(null, Reduction.MEAN, d(1, 2, 3)).forward(Tensor.zeros(2, 4), Tensor.zeros(2, 4)));
        fails("KLDivLoss(reduction=batchmean): expected a target of the input's shape [2, 3], got [2]",
            () -> new KLDivLoss(Reduction.BATCHMEAN).forward(Tensor.zeros(2, 3), Tensor.zeros(2)));
        fails("CosineEmbeddingLoss(margin=0.0, reduction=mean): expected inputs [N, D] with a target [N], or inputs [D] with a "
                + "scalar target, got inputs [4, 3] and target [3]",
            () -> new CosineEmbeddingLoss().forward(Tensor.zeros(4, 3), Tensor.zeros(4, 3), idx(1, 1, 1)));
        fails("CosineEmbeddingLoss(margin=0.0, reduction=mean): input1 and input2 must have the same shape, got [4, 3] and [4, 2]",
            () -> new CosineEmbeddingLoss().forward(Tensor.zeros(4, 3), Tensor.zeros(4, 2), idx(1, 1, 1, 1)));
    }

    @Test
    void badValuesAndOptionsAreExplained() {
        fails("CrossEntropyLoss(ignoreIndex=-100, reduction=mean): target class 3 at [1] is out of range for 3 classes; "
                + "expected 0 to 2 or the ignoreIndex -100",
            () -> new CrossEntropyLoss().forward(Tensor.zeros(2, 3), idx(0, 3)));
        fails("NLLLoss(ignoreIndex=-1, reduction=sum): target class -100 at [1, 0, 1] is out of range for 3 classes; "
                + "expected 0 to 2 or the ignoreIndex -1",
            () -> new NLLLoss(null, -1, Reduction.SUM).forward(Tensor.zeros(2, 3, 1, 2), Tensor.of(new long[] {0, -1, -1, -100}, 2, 1, 2)));
        fails("CrossEntropyLoss(ignoreIndex=-100, reduction=mean): target class 5 is out of range for 3 classes; expected 0 to 2 "
                + "or the ignoreIndex -100",
            () -> new CrossEntropyLoss().forward(Tensor.zeros(3), Tensor.scalar(5L)));
        fails("CrossEntropyLoss(ignoreIndex=0, reduction=mean): ignoreIndex (0) is not supported with class probabilities "
                + "(a floating-point target of the input's shape [2, 3])",
            () -> new CrossEntropyLoss(null, 0, Reduction.MEAN, 0).forward(Tensor.zeros(2, 3), Tensor.zeros(2, 3)));
        fails("BCELoss(reduction=mean): input values must be probabilities in [0, 1], found 1.5 (for logits use BCEWithLogitsLoss)",
            () -> new BCELoss().forward(d(0.5, 1.5), d(0, 1)));
        fails("CosineEmbeddingLoss(margin=0.0, reduction=mean): target values must be 1 (similar) or -1 (dissimilar), found 0.0",
            () -> new CosineEmbeddingLoss().forward(Tensor.zeros(2, 3), Tensor.zeros(2, 3), idx(1, 0)));
        fails("MSELoss: reduction batchmean is only for KLDivLoss; use none, mean or sum", () -> new MSELoss(Reduction.BATCHMEAN));
        fails("Losses.l1Loss: reduction batchmean is only for KL divergence; use none, mean or sum",
            () -> Losses.l1Loss(d(1), d(1), Reduction.BATCHMEAN));
        fails("SmoothL1Loss: beta must be a finite value >= 0, got -1.0", () -> new SmoothL1Loss(-1));
        fails("HuberLoss: delta must be a finite value > 0, got 0.0", () -> new HuberLoss(0));
        fails("CrossEntropyLoss: labelSmoothing must be between 0.0 and 1.0, got 1.5",
            () -> new CrossEntropyLoss(null, -100, Reduction.MEAN, 1.5));
        fails("Reduction: unknown reduction 'avg'; expected none, mean, sum or batchmean", () -> Reduction.of("avg"));
    }
}
