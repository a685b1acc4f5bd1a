package dev.fathom.nn;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;

/**
 * Group normalisation as PyTorch's {@code nn.GroupNorm}: the channels of {@code [N, C, *]} input
 * are split into {@code numGroups} groups, and each sample's group is normalised over its channels
 * and positions (biased variance), then scaled and shifted per channel by {@code weight} (ones)
 * and {@code bias} (zeros) when {@code affine}. The same in training and evaluation.
 */
public class GroupNorm extends Layer {
    public final int numGroups, numChannels;
    public final double eps;
    public final boolean affine;
    /** {@code [numChannels]}, or null without {@code affine}. */
    public final Tensor weight, bias;

    public GroupNorm(int numGroups, int numChannels) { this(numGroups, numChannels, 1e-5, true, DType.FLOAT32); }

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        this(numGroups, numChannels, eps, affine, DType.FLOAT32);
    }

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine, DType dtype) {
        if (numGroups <= 0 || numChannels <= 0)
            throw new IllegalArgumentException("GroupNorm: numGroups and numChannels must be positive, got " + numGroups + " and "
                + numChannels);
        if (numChannels % numGroups != 0)
            throw new IllegalArgumentException("GroupNorm: numChannels (" + numChannels + ") must be divisible by numGroups ("
                + numGroups + ")");
        if (!(eps > 0)) throw new IllegalArgumentException("GroupNorm: eps must be positive, got " + eps);
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.affine = affine;
        this.weight = registerParameter("weight", affine ? Tensor.ones(dtype, numChannels) : null);
        this.bias = registerParameter("bias", affine ? Tensor.zeros(dtype, numChannels) : null);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.ndim() < 2 || x.size(1) != numChannels)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): expected input [N, " + numChannels
                + ", *] with " + numChannels + " channels in dimension 1, got shape " + Shapes.format(x.shape()));
        int n = x.size(0);
        Tensor g = x.reshape(n, numGroups, -1);
        Tensor mean = g.mean(2, true), var = g.var(new int[] {2}, 0, true);
        Tensor y = g.sub(mean).mul(var.add(eps).rsqrt()).reshape(x.shape());
        if (!affine) return y;
        int[] channelShape = new int[x.ndim()];
        Arrays.fill(channelShape, 1);
        channelShape[1] = numChannels;
        return y.mul(weight.reshape(channelShape)).add(bias.reshape(channelShape));
    }

    @Override
    protected String extraRepr() { return numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + affine; }
}
