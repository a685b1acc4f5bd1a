package dev.fathom.nn.loss;

import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * The losses as functions, as PyTorch's {@code torch.nn.functional}: {@code mseLoss},
 * {@code crossEntropy}, {@code binaryCrossEntropyWithLogits}, ... Each computes exactly what the
 * module of the same name computes (the modules call these) and is built from differentiable
 * tensor ops, so gradients flow to the input (and to the target where the formula allows).
 * Defaults are PyTorch's: reduction mean, ignoreIndex -100, labelSmoothing 0, beta and delta 1,
 * margin 0.
 */
public final class Losses {
    private Losses() {}

    /** PyTorch's floor for the logarithms of binary cross entropy. */
    private static final double LOG_FLOOR = -100;
    /** {@code e^-100}: below it the clamped logarithm is constant (and its gradient zero). */
    private static final double EXP_LOG_FLOOR = Math.exp(LOG_FLOOR);
    /** Added to the squared norms of the cosine embedding loss, as PyTorch. */
    private static final double COSINE_EPS = 1e-12;

    // ------------------------------------------------------------------ regression

    /** Mean squared error {@code (input - target)²}, averaged. */
    public static Tensor mseLoss(Tensor input, Tensor target) { return mseLoss(input, target, Reduction.MEAN); }

    /** Squared error {@code (input - target)²}, reduced; input and target have the same shape. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        return mse("Losses.mseLoss", input, target, reduction);
    }

    /** Mean absolute error {@code |input - target|}. */
    public static Tensor l1Loss(Tensor input, Tensor target) { return l1Loss(input, target, Reduction.MEAN); }

    /** Absolute error {@code |input - target|}, reduced. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        return l1("Losses.l1Loss", input, target, reduction);
    }

    /** {@code smoothL1Loss(input, target, MEAN, 1)}. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) { return smoothL1Loss(input, target, Reduction.MEAN, 1); }

    /**
     * With {@code z = |input - target|}: {@code 0.5 z² / beta} where {@code z < beta}, else
     * {@code z - 0.5 beta}; {@code beta = 0} is the L1 loss.
     */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, double beta) {
        return smoothL1("Losses.smoothL1Loss", input, target, reduction, beta);
    }

    /** {@code huberLoss(input, target, MEAN, 1)}. */
    public static Tensor huberLoss(Tensor input, Tensor target) { return huberLoss(input, target, Reduction.MEAN, 1); }

    /**
     * With {@code z = |input - target|}: {@code 0.5 z²} where {@code z < delta}, else
     * {@code delta (z - 0.5 delta)}; delta must be positive.
     */
    public static Tensor huberLoss(Tensor input, Tensor target, Reduction reduction, double delta) {
        return huber("Losses.huberLoss", input, target, reduction, delta);
    }

    static Tensor mse(String who, Tensor input, Tensor target, Reduction r) {
        elementwise(who, input, target, r);
        Tensor d = input.sub(target);
        return reduce(d.mul(d), r);
    }

    static Tensor l1(String who, Tensor input, Tensor target, Reduction r) {
        elementwise(who, input, target, r);
        return reduce(input.sub(target).abs(), r);
    }

    static Tensor smoothL1(String who, Tensor input, Tensor target, Reduction r, double beta) {
        checkSmoothL1Beta(who, beta);
        elementwise(who, input, target, r);
        Tensor z = input.sub(target).abs();
        if (beta == 0) return reduce(z, r);
        return reduce(Tensor.where(z.lt(beta), z.mul(z).mul(0.5).div(beta), z.sub(0.5 * beta)), r);
    }

    static Tensor huber(String who, Tensor input, Tensor target, Reduction r, double delta) {
        checkHuberDelta(who, delta);
        elementwise(who, input, target, r);
        Tensor z = input.sub(target).abs();
        return reduce(Tensor.where(z.lt(delta), z.mul(z).mul(0.5), z.sub(0.5 * delta).mul(delta)), r);
    }

    static void checkSmoothL1Beta(String who, double beta) {
        if (!(beta >= 0) || Double.isInfinite(beta))
            throw new IllegalArgumentException(who + ": beta must be a finite value >= 0, got " + beta);
    }

    static void checkHuberDelta(String who, double delta) {
        if (!(delta > 0) || Double.isInfinite(delta))
            throw new IllegalArgumentException(who + ": delta must be a finite value > 0, got " + delta);
    }

    // ------------------------------------------------------------------ classification

    /** Cross entropy with PyTorch's defaults: no class weights, ignoreIndex -100, mean, no label smoothing. */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, null, -100, Reduction.MEAN, 0);
    }

    /**
     * Cross entropy of unnormalised scores {@code input} ({@code [C]}, {@code [N, C]} or
     * {@code [N, C, d1, ...]}) against {@code target}, as PyTorch's {@code cross_entropy}:
     * <ul>
     * <li>class indices (int64 or int32) of shape {@code []}, {@code [N]} or {@code [N, d1, ...]}:
     * {@code -weight[t]·logSoftmax(input)[t]} per element, zero where {@code t == ignoreIndex};
     * MEAN divides the sum by the total weight of the targets that are not ignored (their count
     * without weights). With label smoothing ε the loss is {@code (1-ε)·nll + ε/C·smooth}, where
     * {@code smooth = -Σ_c weight[c]·logSoftmax(input)[c]} reduced the same way;</li>
     * <li>class probabilities of the input's shape (floating): {@code -Σ_c weight[c]·p_c·logSoftmax(input)_c}
     * with {@code p} smoothed to {@code (1-ε)p + ε/C}; MEAN divides by the number of samples
     * ({@code input.numel() / C}), not by weights; ignoreIndex must be negative.</li>
     * </ul>
     * {@code weight} is null or one value per class; labelSmoothing lies in [0, 1].
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction,
                                      double labelSmoothing) {
        return crossEntropy("Losses.crossEntropy", input, target, weight, ignoreIndex, reduction, labelSmoothing);
    }

    /** Negative log likelihood with PyTorch's defaults: no class weights, ignoreIndex -100, mean. */
    public static Tensor nllLoss(Tensor input, Tensor target) { return nllLoss(input, target, null, -100, Reduction.MEAN); }

    /**
     * Negative log likelihood of log-probabilities {@code input} ({@code [C]}, {@code [N, C]} or
     * {@code [N, C, d1, ...]}) at the class indices {@code target} ({@code []}, {@code [N]} or
     * {@code [N, d1, ...]}): {@code -weight[t]·input[t]}, zero where {@code t == ignoreIndex};
     * MEAN divides the sum by the total weight of the targets that are not ignored (NaN if all are).
     */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
        return nll("Losses.nllLoss", input, target, weight, ignoreIndex, reduction);
    }

    static void checkLabelSmoothing(String who, double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new IllegalArgumentException(who + ": labelSmoothing must be between 0.0 and 1.0, got " + labelSmoothing);
    }

    static Tensor crossEntropy(String who, Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction r,
                               double labelSmoothing) {
        checkReduction(who, r);
        checkLabelSmoothing(who, labelSmoothing);
        int classes = checkClassInput(who, input, weight);
        boolean unbatched = input.ndim() == 1;
        if (Arrays.equals(target.shape(), input.shape())) {
            if (!target.dtype().isFloatingPoint())
                throw new IllegalArgumentException(who + ": a target with the input's shape " + fmt(input) + " holds class "
                    + "probabilities and must be floating-point, got " + target.dtype() + "; class indices have shape "
                    + Shapes.format(indexShape(input)));
            if (ignoreIndex >= 0)
                throw new IllegalArgumentException(who + ": ignoreIndex (" + ignoreIndex + ") is not supported with class "
                    + "probabilities (a floating-point target of the input's shape " + fmt(input) + ")");
            Tensor x = unbatched ? input.unsqueeze(0) : input;
            Tensor p = unbatched ? target.unsqueeze(0) : target;
            Tensor logp = x.logSoftmax(1);
            if (labelSmoothing > 0) p = p.mul(1 - labelSmoothing).add(labelSmoothing / classes);
            Tensor prod = logp.mul(p);
            if (weight != null) prod = prod.mul(classView(weight, x));
            return switch (r) {
                case NONE -> unbatched ? prod.sum(1).neg().squeeze(0) : prod.sum(1).neg();
                case SUM -> prod.sum().neg();
                default -> prod.sum().neg().div((double) (x.numel() / classes));
            };
        }
        long[] targets = checkClassTargets(who, input, target, classes, ignoreIndex, true);
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        if (weight == null && labelSmoothing == 0 && r != Reduction.NONE && x.ndim() == 2)
            return fusedCrossEntropy(x, targets, ignoreIndex, r == Reduction.MEAN);
        Tensor t = unbatched ? target.unsqueeze(0) : target;
        Tensor logp = x.logSoftmax(1);
        Picked nll = pick(logp, t, weight, ignoreIndex);
        Tensor loss = reduce(nll.loss, nll.totalWeight, r);
        if (labelSmoothing > 0) {
            Tensor smooth = (weight == null ? logp : logp.mul(classView(weight, x))).sum(1).neg().maskedFill(nll.ignored, 0);
            loss = loss.mul(1 - labelSmoothing).add(reduce(smooth, nll.totalWeight, r).mul(labelSmoothing / classes));
        }
        return unbatched && r == Reduction.NONE ? loss.squeeze(0) : loss;
    }

    /**
     * Cross entropy of {@code x [N, C]} at class indices {@code targets} without class weights or
     * label smoothing, reduced by sum or mean, as one graph node: the forward is one log-softmax
     * and a pass over the rows picking {@code -logp[n, t_n]}; the backward is
     * {@code (softmax(x) - onehot(t))·g·s_n} with {@code s_n} 0 for an ignored row and 1 (sum) or
     * 1/count (mean) otherwise, in tensor ops, so double backward works. Equal to the general path
     * up to the order of the summation.
     */
    private static Tensor fusedCrossEntropy(Tensor x, long[] targets, long ignoreIndex, boolean mean) {
        int n = x.size(0), c = x.size(1);
        int kept = 0;
        for (long t : targets) if (t != ignoreIndex) kept++;
        final int count = kept;
        double scale = mean ? 1.0 / count : 1;
        return Graph.run("crossEntropy", () -> {
            Tensor logp = x.logSoftmax(1).to(DType.FLOAT64).contiguous();
            double[] lp = logp.storage().doubles();
            int off = logp.offset();
            double sum = 0;
            for (int i = 0; i < n; i++) if (targets[i] != ignoreIndex) sum -= lp[off + i * c + (int) targets[i]];
            return Tensor.scalar(mean ? sum / count : sum, x.dtype());
        }, (s, g) -> {
            double[] hot = new double[n * c], rows = new double[n];
            for (int i = 0; i < n; i++)
                if (targets[i] != ignoreIndex) {
                    hot[i * c + (int) targets[i]] = 1;
                    rows[i] = scale;
                }
            DType dt = s.inputType(0);
            Tensor onehot = Tensor.of(hot, n, c).to(dt), perRow = Tensor.of(rows, n, 1).to(dt);
            return new Tensor[] {s.input(0).softmax(1).sub(onehot).mul(perRow.mul(g))};
        }, Saves.INPUTS, x);
    }

    static Tensor nll(String who, Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction r) {
        checkReduction(who, r);
        int classes = checkClassInput(who, input, weight);
        checkClassTargets(who, input, target, classes, ignoreIndex, false);
        boolean unbatched = input.ndim() == 1;
        Picked nll = pick(unbatched ? input.unsqueeze(0) : input, unbatched ? target.unsqueeze(0) : target, weight, ignoreIndex);
        Tensor loss = reduce(nll.loss, nll.totalWeight, r);
        return unbatched && r == Reduction.NONE ? loss.squeeze(0) : loss;
    }

    /** The per-element NLL terms, the ignored mask and the total weight of the targets that count (MEAN's divisor). */
    private record Picked(Tensor loss, Tensor ignored, Tensor totalWeight) {}

    /** {@code -weight[t]·logp[n, t, ...]} for batched {@code logp [N, C, ...]} and {@code t [N, ...]}. */
    private static Picked pick(Tensor logp, Tensor t, Tensor weight, long ignoreIndex) {
        Tensor ignored = t.eq((double) ignoreIndex);
        Tensor safe = t.maskedFill(ignored, 0);
        Tensor picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
        Tensor w = weight == null
            ? ignored.logicalNot().to(logp.dtype())
            : weight.to(logp.dtype()).indexSelect(0, safe.flatten()).reshape(t.shape()).maskedFill(ignored, 0);
        // maskedFill after the product: an ignored position's value (even -inf) never reaches the loss or gradient
        Tensor loss = (weight == null ? picked : picked.mul(w)).neg().maskedFill(ignored, 0);
        return new Picked(loss, ignored, w.sum());
    }

    private static Tensor reduce(Tensor loss, Tensor totalWeight, Reduction r) {
        return switch (r) {
            case NONE -> loss;
            case SUM -> loss.sum();
            default -> loss.sum().div(totalWeight);
        };
    }

    /** {@code weight} shaped {@code [1, C, 1, ...]} to broadcast over a batched input. */
    private static Tensor classView(Tensor weight, Tensor x) {
        int[] shape = new int[x.ndim()];
        Arrays.fill(shape, 1);
        shape[1] = weight.size(0);
        return weight.to(x.dtype()).reshape(shape);
    }

    /** Checks the scores' type and rank and the class weights; returns the number of classes. */
    private static int checkClassInput(String who, Tensor input, Tensor weight) {
        floating(who, "input", input);
        if (input.ndim() == 0)
            throw new IllegalArgumentException(who + ": expected an input of shape [C], [N, C] or [N, C, d1, ...], got a scalar");
        int classes = input.size(input.ndim() == 1 ? 0 : 1);
        if (weight != null && (weight.ndim() != 1 || weight.size(0) != classes))
            throw new IllegalArgumentException(who + ": weight must hold one value per class (shape [" + classes + "] for input "
                + fmt(input) + "), got shape " + fmt(weight));
        if (weight != null) floating(who, "weight", weight);
        return classes;
    }

    /** The shape of class-index targets for {@code input}: the input's shape without the class dimension. */
    private static int[] indexShape(Tensor input) {
        int[] s = input.shape();
        if (s.length == 1) return new int[0];
        int[] out = new int[s.length - 1];
        out[0] = s[0];
        System.arraycopy(s, 2, out, 1, s.length - 2);
        return out;
    }

    private static String probabilitiesAlternative(Tensor input, boolean allowed) {
        return allowed ? " (or class probabilities of the input's shape " + fmt(input) + ")" : "";
    }

    /** Checks the shape, type and range of class-index targets; returns them. */
    private static long[] checkClassTargets(String who, Tensor input, Tensor target, int classes, long ignoreIndex,
                                            boolean probabilitiesAllowed) {
        int[] expected = indexShape(input);
        // the message's alternative is only built on the way to an error: this check runs on every training step
        if (!Arrays.equals(target.shape(), expected))
            throw new IllegalArgumentException(who + ": expected a target of class indices with shape " + Shapes.format(expected)
                + probabilitiesAlternative(input, probabilitiesAllowed) + " for input " + fmt(input) + ", got target shape "
                + fmt(target));
        if (!target.dtype().isInteger())
            throw new IllegalArgumentException(who + ": class indices must be int64 (or int32), got a " + target.dtype()
                + " target of shape " + fmt(target) + probabilitiesAlternative(input, probabilitiesAllowed));
        long[] t = target.toLongArray();
        for (int i = 0; i < t.length; i++)
            if (t[i] != ignoreIndex && (t[i] < 0 || t[i] >= classes))
                throw new IllegalArgumentException(who + ": target class " + t[i] + (t.length == 1 && expected.length == 0 ? ""
                    : " at " + Arrays.toString(unravel(i, expected))) + " is out of range for " + classes + " classes; expected 0 to "
                    + (classes - 1) + " or the ignoreIndex " + ignoreIndex);
        return t;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    // ------------------------------------------------------------------ binary

    /** Binary cross entropy of probabilities, averaged. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        return binaryCrossEntropy(input, target, null, Reduction.MEAN);
    }

    /**
     * {@code -weight·(t·log(x) + (1 - t)·log(1 - x))} for probabilities {@code x} in [0, 1] and
     * targets of the same shape; each logarithm is clamped at -100 as in PyTorch, so the loss stays
     * finite at 0 and 1 (where the clamp holds, the gradient through that logarithm is zero).
     * {@code weight} (null for none) broadcasts to the input's shape.
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        return bce("Losses.binaryCrossEntropy", input, target, weight, reduction);
    }

    /** Binary cross entropy of logits, averaged. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, null, Reduction.MEAN, null);
    }

    /**
     * {@code -weight·(posWeight·t·log σ(x) + (1 - t)·log(1 - σ(x)))} for logits {@code x},
     * computed as PyTorch's stable form {@code (1 - t)·x + (1 + (posWeight - 1)·t)·(log(e^-m + e^(-x-m)) + m)}
     * with {@code m = max(-x, 0)}, which neither overflows nor loses the gradient at {@code x = 0}.
     * {@code weight} broadcasts to the input's shape, {@code posWeight} (one value per class, the
     * last dimension) too; either may be null.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Reduction reduction,
                                                      Tensor posWeight) {
        return bceWithLogits("Losses.binaryCrossEntropyWithLogits", input, target, weight, reduction, posWeight);
    }

    static Tensor bce(String who, Tensor input, Tensor target, Tensor weight, Reduction r) {
        elementwise(who, input, target, r);
        checkBroadcast(who, "weight", weight, input);
        if (input.numel() > 0) {
            Tensor x = input.detach();
            double lo = x.min().item(), hi = x.max().item();
            if (lo < 0 || hi > 1)
                throw new IllegalArgumentException(who + ": input values must be probabilities in [0, 1], found "
                    + (lo < 0 ? lo : hi) + " (for logits use BCEWithLogitsLoss)");
        }
        Tensor logX = input.clampMin(EXP_LOG_FLOOR).log().clampMin(LOG_FLOOR);
        Tensor log1mX = input.neg().add(1.0).clampMin(EXP_LOG_FLOOR).log().clampMin(LOG_FLOOR);
        Tensor loss = target.mul(logX).add(target.neg().add(1.0).mul(log1mX)).neg();
        if (weight != null) loss = loss.mul(weight);
        return reduce(loss, r);
    }

    static Tensor bceWithLogits(String who, Tensor input, Tensor target, Tensor weight, Reduction r, Tensor posWeight) {
        elementwise(who, input, target, r);
        checkBroadcast(who, "weight", weight, input);
        checkBroadcast(who, "posWeight", posWeight, input);
        Tensor maxVal = input.neg().clampMin(0);
        // log(1 + e^-x) = m + log(e^-m + e^(-x-m)); its derivative in m is zero, so the kink of m at x = 0 is harmless
        Tensor logTerm = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
        Tensor oneMinusT = target.neg().add(1.0);
        Tensor loss = posWeight == null
            ? oneMinusT.mul(input).add(logTerm)
            : oneMinusT.mul(input).add(posWeight.sub(1.0).mul(target).add(1.0).mul(logTerm));
        if (weight != null) loss = loss.mul(weight);
        return reduce(loss, r);
    }

    // ------------------------------------------------------------------ distributions

    /** KL divergence with PyTorch's defaults (mean over all elements, target given as probabilities). */
    public static Tensor klDiv(Tensor input, Tensor target) { return klDiv(input, target, Reduction.MEAN, false); }

    /**
     * The pointwise KL divergence {@code t·(log t - x)} of log-probabilities {@code input} from
     * the target distribution ({@code 0·log 0 = 0}); with {@code logTarget} the target holds
     * log-probabilities: {@code e^t·(t - x)}. BATCHMEAN divides the sum by the batch size
     * {@code input.size(0)} (the true KL divergence per sample); MEAN divides by the element count.
     */
    public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
        return kl("Losses.klDiv", input, target, reduction, logTarget);
    }

    static Tensor kl(String who, Tensor input, Tensor target, Reduction r, boolean logTarget) {
        if (r == null) throw new IllegalArgumentException(who + ": reduction is null");
        floating(who, "input", input);
        floating(who, "target", target);
        sameShape(who, input, target);
        Tensor loss;
        if (logTarget) {
            loss = target.exp().mul(target.sub(input));
        } else {
            Tensor zero = target.eq(0.0);
            // xlogy(t, t): 0 where t == 0 (log of 1 there), NaN for negative t as in PyTorch
            loss = target.mul(target.maskedFill(zero, 1).log()).sub(target.mul(input));
        }
        if (r == Reduction.BATCHMEAN) return input.ndim() == 0 ? loss.sum() : loss.sum().div((double) input.size(0));
        return reduce(loss, r);
    }

    /** Cosine embedding loss with margin 0, averaged. */
    public static Tensor cosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target) {
        return cosineEmbeddingLoss(input1, input2, target, 0, Reduction.MEAN);
    }

    /**
     * For pairs {@code input1, input2} ({@code [N, D]} with target {@code [N]}, or {@code [D]} with
     * a scalar target) and targets ±1: {@code 1 - cos} for similar pairs (target 1) and
     * {@code max(0, cos - margin)} for dissimilar ones (-1), where
     * {@code cos = x1·x2 / sqrt((|x1|² + 1e-12)(|x2|² + 1e-12))} as PyTorch computes it.
     */
    public static Tensor cosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, double margin, Reduction reduction) {
        return cosineEmbedding("Losses.cosineEmbeddingLoss", input1, input2, target, margin, reduction);
    }

    static Tensor cosineEmbedding(String who, Tensor input1, Tensor input2, Tensor target, double margin, Reduction r) {
        checkReduction(who, r);
        floating(who, "input1", input1);
        floating(who, "input2", input2);
        if (!Arrays.equals(input1.shape(), input2.shape()))
            throw new IllegalArgumentException(who + ": input1 and input2 must have the same shape, got " + fmt(input1)
                + " and " + fmt(input2));
        int d = target.ndim();
        if (d > 1 || input1.ndim() != d + 1 || (d == 1 && target.size(0) != input1.size(0)))
            throw new IllegalArgumentException(who + ": expected inputs [N, D] with a target [N], or inputs [D] with a scalar "
                + "target, got inputs " + fmt(input1) + " and target " + fmt(target));
        if (target.dtype() == DType.BOOL)
            throw new IllegalArgumentException(who + ": target must hold 1 or -1 (a numeric type), got bool");
        for (double v : target.toDoubleArray())
            if (v != 1 && v != -1)
                throw new IllegalArgumentException(who + ": target values must be 1 (similar) or -1 (dissimilar), found " + v);
        Tensor prod = input1.mul(input2).sum(d);
        Tensor mag1 = input1.mul(input1).sum(d).add(COSINE_EPS);
        Tensor mag2 = input2.mul(input2).sum(d).add(COSINE_EPS);
        Tensor cos = prod.div(mag1.mul(mag2).sqrt());
        Tensor loss = Tensor.where(target.eq(1.0), cos.neg().add(1.0), cos.sub(margin).clampMin(0));
        return reduce(loss, r);
    }

    // ------------------------------------------------------------------ shared checks

    private static Tensor reduce(Tensor loss, Reduction r) {
        return switch (r) {
            case NONE -> loss;
            case SUM -> loss.sum();
            case MEAN -> loss.mean();
            case BATCHMEAN -> throw new IllegalStateException("batchmean is handled by klDiv");
        };
    }

    static void checkReduction(String who, Reduction r) {
        if (r == null) throw new IllegalArgumentException(who + ": reduction is null");
        if (r == Reduction.BATCHMEAN)
            throw new IllegalArgumentException(who + ": reduction batchmean is only for KL divergence; use none, mean or sum");
    }

    /** Input and target floating-point with equal shapes, and a reduction other than batchmean. */
    private static void elementwise(String who, Tensor input, Tensor target, Reduction r) {
        checkReduction(who, r);
        floating(who, "input", input);
        floating(who, "target", target);
        sameShape(who, input, target);
    }

    private static void sameShape(String who, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape()))
            throw new IllegalArgumentException(who + ": expected a target of the input's shape " + fmt(input) + ", got "
                + fmt(target));
    }

    private static void floating(String who, String what, Tensor t) {
        if (!t.dtype().isFloatingPoint())
            throw new IllegalArgumentException(who + ": expected a floating-point " + what + ", got " + t.dtype() + " of shape "
                + fmt(t));
    }

    private static void checkBroadcast(String who, String what, Tensor t, Tensor input) {
        if (t == null) return;
        floating(who, what, t);
        int[] s = t.shape(), in = input.shape();
        boolean ok = s.length <= in.length;
        for (int i = 1; ok && i <= s.length; i++) ok = s[s.length - i] == 1 || s[s.length - i] == in[in.length - i];
        if (!ok)
            throw new IllegalArgumentException(who + ": " + what + " of shape " + fmt(t) + " does not broadcast to the input's "
                + "shape " + fmt(input));
    }

    private static String fmt(Tensor t) { return Shapes.format(t.shape()); }
}
