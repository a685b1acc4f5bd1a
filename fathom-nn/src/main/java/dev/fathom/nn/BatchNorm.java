package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * Batch normalisation as PyTorch's {@code _BatchNorm}, per channel (dimension 1):
 * {@code y = (x - mean) / √(var + eps) · weight + bias}.
 *
 * <p>In training mode {@code mean} and the biased {@code var} are the batch's, taken over every
 * dimension but the channel one, and (with {@code trackRunningStats}) the buffers are updated
 * without recording: {@code running_mean ← (1-m)·running_mean + m·mean} and
 * {@code running_var ← (1-m)·running_var + m·var·n/(n-1)} (the unbiased variance, n values per
 * channel), {@code num_batches_tracked ← +1}; {@code momentum} null means the cumulative average,
 * {@code m = 1/num_batches_tracked}. In evaluation mode the running statistics are used (without
 * {@code trackRunningStats} there are none, and batch statistics are used in both modes).
 * {@code weight} starts at ones and {@code bias} at zeros (no random draws).
 */
public abstract class BatchNorm extends Layer {
    public final int numFeatures;
    public final double eps;
    /** The running-average factor, or null for a cumulative average. */
    public final Double momentum;
    public final boolean affine, trackRunningStats;
    /** {@code [numFeatures]}, or null without {@code affine}. */
    public final Tensor weight, bias;
    /** The buffers {@code running_mean}, {@code running_var} ({@code [numFeatures]}) and int64 {@code num_batches_tracked}, or null without {@code trackRunningStats}. */
    public final Tensor runningMean, runningVar, numBatchesTracked;

    BatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        if (numFeatures <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": numFeatures must be positive, got " + numFeatures);
        if (!(eps > 0)) throw new IllegalArgumentException(getClass().getSimpleName() + ": eps must be positive, got " + eps);
        if (momentum != null && !(momentum >= 0 && momentum <= 1))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": momentum must be in [0, 1] or null, got " + momentum);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        this.weight = registerParameter("weight", affine ? Tensor.ones(dtype, numFeatures) : null);
        this.bias = registerParameter("bias", affine ? Tensor.zeros(dtype, numFeatures) : null);
        this.runningMean = registerBuffer("running_mean", trackRunningStats ? Tensor.zeros(dtype, numFeatures) : null);
        this.runningVar = registerBuffer("running_var", trackRunningStats ? Tensor.ones(dtype, numFeatures) : null);
        this.numBatchesTracked = registerBuffer("num_batches_tracked", trackRunningStats ? Tensor.scalar(0L) : null);
    }

    /** Checks the rank and channel count of the input. */
    abstract void checkInput(Tensor x);

    /** Sets the running statistics back to mean 0, variance 1 and no batches (PyTorch's {@code reset_running_stats}). */
    public void resetRunningStats() {
        if (!trackRunningStats) return;
        try (var ignored = Autograd.noGrad()) {
            runningMean.zeroInPlace();
            runningVar.fillInPlace(1);
            numBatchesTracked.zeroInPlace();
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        int c = numFeatures;
        int[] dims = new int[x.ndim() - 1];
        int[] channelShape = new int[x.ndim()];
        java.util.Arrays.fill(channelShape, 1);
        channelShape[1] = c;
        for (int d = 0, k = 0; d < x.ndim(); d++) if (d != 1) dims[k++] = d;
        boolean batchStats = isTraining() || runningMean == null;
        Tensor y;
        if (batchStats) {
            long n = x.numel() / c;
            if (isTraining() && n <= 1)
                throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected more than 1 value per channel "
                    + "when training, got input shape " + Shapes.format(x.shape()));
            Tensor mean = x.mean(dims, true), var = x.var(dims, 0, true);
            y = x.sub(mean).mul(var.add(eps).rsqrt());
            if (isTraining() && trackRunningStats) {
                try (var ignored = Autograd.noGrad()) {
                    numBatchesTracked.addInPlace(1L);
                    double m = momentum == null ? 1.0 / numBatchesTracked.itemLong() : momentum;
                    runningMean.mulInPlace(1 - m).addInPlace(mean.detach().reshape(c), m);
                    runningVar.mulInPlace(1 - m).addInPlace(var.detach().reshape(c), m * n / (n - 1.0));
                }
            }
        } else {
            y = x.sub(runningMean.reshape(channelShape)).mul(runningVar.reshape(channelShape).add(eps).rsqrt());
        }
        return affine ? y.mul(weight.reshape(channelShape)).add(bias.reshape(channelShape)) : y;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine + ", trackRunningStats=" + trackRunningStats;
    }
}
