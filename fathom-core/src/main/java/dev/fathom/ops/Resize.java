package dev.fathom.ops;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * {@code torch.nn.functional.interpolate} for the modes {@code nearest} (3-, 4- and 5-d input),
 * {@code linear} (3-d), {@code bilinear} (4-d) and {@code trilinear} (5-d), on channels-first
 * input {@code [N, C, *spatial]}, with PyTorch's source-index rules (including its float32
 * arithmetic for float32 input, so the chosen neighbours and weights are PyTorch's).
 *
 * <p>Every mode is separable: the spatial dimensions are resized one at a time. Nearest picks one
 * source slice per output position ({@link Indexing#indexSelect}); linear mixes two neighbouring
 * slices, {@code x[i0]·λ0 + x[i1]·λ1}. Both are built from differentiable ops, so gradients of
 * any order follow from indexSelect's rule (its adjoint, indexAdd, sums each output position's
 * gradient back onto the source slices it read).
 */
public final class Resize {
    private Resize() {}

    /**
     * Resizes the spatial dimensions of {@code input [N, C, *spatial]} to {@code size} (one value
     * per spatial dimension) or by {@code scaleFactor} (one value per spatial dimension; the
     * output size is {@code floor(in·scale)}, and the scale itself, not the rounded size ratio,
     * sets the source positions, as PyTorch without {@code recompute_scale_factor}). Exactly one
     * of {@code size} and {@code scaleFactor} is non-null. {@code mode} is {@code "nearest"},
     * {@code "linear"}, {@code "bilinear"} or {@code "trilinear"}; {@code alignCorners} applies to
     * the linear modes only (PyTorch's default is false).
     */
    public static Tensor interpolate(Tensor input, int[] size, double[] scaleFactor, String mode, boolean alignCorners) {
        String m = mode == null ? "" : mode.toLowerCase(Locale.ROOT);
        int sp = input.ndim() - 2;
        if (sp < 1 || sp > 3)
            throw new IllegalArgumentException("interpolate: expected a 3-d, 4-d or 5-d input [N, C, *spatial], got shape "
                + Shapes.format(input.shape()));
        int need = switch (m) {
            case "nearest" -> sp;
            case "linear" -> 1;
            case "bilinear" -> 2;
            case "trilinear" -> 3;
            default -> throw new IllegalArgumentException("interpolate: unknown mode '" + mode
                + "'; expected nearest, linear, bilinear or trilinear");
        };
        if (need != sp)
            throw new IllegalArgumentException("interpolate: mode " + m + " needs a " + (need + 2) + "-d input, got shape "
                + Shapes.format(input.shape()));
        if (m.equals("nearest") && alignCorners)
            throw new IllegalArgumentException("interpolate: alignCorners applies only to the linear modes, not nearest");
        if ((size == null) == (scaleFactor == null))
            throw new IllegalArgumentException("interpolate: give exactly one of size and scaleFactor");
        int[] out = new int[sp];
        double[] scales = new double[sp];
        if (size != null) {
            if (size.length != sp)
                throw new IllegalArgumentException("interpolate: size must have " + sp + " value(s) for input shape "
                    + Shapes.format(input.shape()) + ", got " + Arrays.toString(size));
            for (int i = 0; i < sp; i++) {
                if (size[i] <= 0) throw new IllegalArgumentException("interpolate: size must be positive, got " + Arrays.toString(size));
                out[i] = size[i];
            }
        } else {
            if (scaleFactor.length != sp)
                throw new IllegalArgumentException("interpolate: scaleFactor must have " + sp + " value(s) for input shape "
                    + Shapes.format(input.shape()) + ", got " + Arrays.toString(scaleFactor));
            for (int i = 0; i < sp; i++) {
                double s = scaleFactor[i];
                if (!(s > 0) || Double.isInfinite(s))
                    throw new IllegalArgumentException("interpolate: scaleFactor must be positive and finite, got "
                        + Arrays.toString(scaleFactor));
                out[i] = (int) Math.floor(input.size(i + 2) * s);
                if (out[i] <= 0)
                    throw new IllegalArgumentException("interpolate: scaleFactor " + Arrays.toString(scaleFactor)
                        + " gives an empty output for input shape " + Shapes.format(input.shape()));
                scales[i] = s;
            }
        }
        if (!input.dtype().isFloatingPoint())
            throw new IllegalArgumentException("interpolate: expected a floating-point input, got " + input.dtype());
        Tensor x = input;
        for (int i = 0; i < sp; i++)
            x = m.equals("nearest") ? nearestDim(x, i + 2, out[i], scales[i]) : linearDim(x, i + 2, out[i], alignCorners, scales[i]);
        return x;
    }

    /** Nearest-neighbour resize of one dimension to {@code out}; {@code scale} 0 means none given. */
    static Tensor nearestDim(Tensor x, int dim, int out, double scale) {
        int in = x.size(dim);
        if (out == in) return x;
        long[] idx = new long[out];
        // PyTorch's nearest_idx (for every dtype): a float scale, floorf(i * scale), clamped to the last input index
        float s = scale > 0 ? (float) (1.0 / scale) : (float) in / out;
        for (int i = 0; i < out; i++)
            idx[i] = out == 2 * in ? i >> 1 : Math.min((long) Math.floor(i * s), in - 1);
        return Indexing.indexSelect(x, dim, Tensor.of(idx, out));
    }

    /** Linear resize of one dimension to {@code out}; {@code scale} 0 means none given. */
    static Tensor linearDim(Tensor x, int dim, int out, boolean alignCorners, double scale) {
        int in = x.size(dim);
        if (out == in && !alignCorners) return x;
        long[] i0 = new long[out], i1 = new long[out];
        double[] l0 = new double[out], l1 = new double[out];
        boolean f32 = x.dtype() == DType.FLOAT32;
        if (f32) {
            float ratio = alignCorners ? (out > 1 ? (float) (in - 1) / (out - 1) : 0f)
                : scale > 0 ? (float) (1.0 / scale) : (float) in / out;
            for (int i = 0; i < out; i++) {
                // area_pixel_compute_source_index: the unaligned position is computed in double, then rounded
                float src = alignCorners ? ratio * i : Math.max((float) (ratio * (i + 0.5) - 0.5), 0f);
                int a = (int) src;
                i0[i] = a;
                i1[i] = a + (a < in - 1 ? 1 : 0);
                float lam = Math.min(Math.max(src - a, 0f), 1f);
                l1[i] = lam;
                l0[i] = 1f - lam;
            }
        } else {
            double ratio = alignCorners ? (out > 1 ? (double) (in - 1) / (out - 1) : 0)
                : scale > 0 ? 1.0 / scale : (double) in / out;
            for (int i = 0; i < out; i++) {
                double src = alignCorners ? ratio * i : Math.max(ratio * (i + 0.5) - 0.5, 0);
                int a = (int) src;
                i0[i] = a;
                i1[i] = a + (a < in - 1 ? 1 : 0);
                double lam = Math.min(Math.max(src - a, 0), 1);
                l1[i] = lam;
                l0[i] = 1 - lam;
            }
        }
        int[] wShape = new int[x.ndim() - dim];
        Arrays.fill(wShape, 1);
        wShape[0] = out;
        Tensor w0 = Tensor.of(l0, wShape).to(x.dtype()), w1 = Tensor.of(l1, wShape).to(x.dtype());
        Tensor a = Indexing.indexSelect(x, dim, Tensor.of(i0, out)), b = Indexing.indexSelect(x, dim, Tensor.of(i1, out));
        return a.mul(w0).add(b.mul(w1));
    }
}
