package dev.fathom.nn;

import dev.fathom.ops.Resize;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * Up- (or down-) sampling as PyTorch's {@code nn.Upsample} on {@code [N, C, L]},
 * {@code [N, C, H, W]} or {@code [N, C, D, H, W]}: to a given {@code size} or by a
 * {@code scaleFactor} (output size {@code floor(in·scale)}), with mode {@code nearest},
 * {@code linear} (3-d input), {@code bilinear} (4-d) or {@code trilinear} (5-d); the linear modes
 * take {@code alignCorners} (false by default, as PyTorch). A single size or scale applies to every
 * spatial dimension. Differentiable (see {@link Resize}).
 */
public class Upsample extends Layer {
    private final int[] size;
    private final double[] scaleFactor;
    public final String mode;
    public final boolean alignCorners;

    /** Nearest-neighbour up-sampling by {@code scaleFactor} in every spatial dimension. */
    public Upsample(double scaleFactor) { this(scaleFactor, "nearest"); }

    public Upsample(double scaleFactor, String mode) { this(scaleFactor, mode, false); }

    public Upsample(double scaleFactor, String mode, boolean alignCorners) {
        this(null, new double[] {scaleFactor}, mode, alignCorners);
    }

    /** By a scale factor per spatial dimension (or one for all). */
    public Upsample(double[] scaleFactor, String mode, boolean alignCorners) { this(null, scaleFactor, mode, alignCorners); }

    /** To {@code size}, one value per spatial dimension (or one for all). */
    public Upsample(int[] size, String mode, boolean alignCorners) { this(size, null, mode, alignCorners); }

    private Upsample(int[] size, double[] scaleFactor, String mode, boolean alignCorners) {
        String m = mode == null ? "" : mode.toLowerCase(Locale.ROOT);
        if (!m.equals("nearest") && !m.equals("linear") && !m.equals("bilinear") && !m.equals("trilinear"))
            throw new IllegalArgumentException("Upsample: mode must be nearest, linear, bilinear or trilinear, got '" + mode + "'");
        if (m.equals("nearest") && alignCorners)
            throw new IllegalArgumentException("Upsample: alignCorners applies only to the linear modes, not nearest");
        if (size != null && (size.length == 0 || Arrays.stream(size).anyMatch(s -> s <= 0)))
            throw new IllegalArgumentException("Upsample: size must be positive, got " + Arrays.toString(size));
        if (scaleFactor != null && (scaleFactor.length == 0 || Arrays.stream(scaleFactor).anyMatch(s -> !(s > 0) || Double.isInfinite(s))))
            throw new IllegalArgumentException("Upsample: scaleFactor must be positive and finite, got " + Arrays.toString(scaleFactor));
        this.size = size == null ? null : size.clone();
        this.scaleFactor = scaleFactor == null ? null : scaleFactor.clone();
        this.mode = m;
        this.alignCorners = alignCorners;
    }

    @Override
    public Tensor forward(Tensor x) {
        int need = switch (mode) {
            case "linear" -> 3;
            case "bilinear" -> 4;
            case "trilinear" -> 5;
            default -> 0;
        };
        if (need == 0) LayerChecks.expectRank(this, x, "[N, C, L], [N, C, H, W] or [N, C, D, H, W]", 3, 4, 5);
        else LayerChecks.expectRank(this, x, "with " + need + " dimensions for mode " + mode, need);
        int sp = x.ndim() - 2;
        int given = size != null ? size.length : scaleFactor.length;
        if (given != 1 && given != sp)
            throw new IllegalArgumentException(typeName() + "(" + extraRepr() + "): has " + given + " sizes/scales but the input "
                + dev.fathom.tensor.Shapes.format(x.shape()) + " has " + sp + " spatial dimensions");
        int[] s = null;
        double[] f = null;
        if (size != null) {
            s = new int[sp];
            for (int i = 0; i < sp; i++) s[i] = size[given == 1 ? 0 : i];
        } else {
            f = new double[sp];
            for (int i = 0; i < sp; i++) f[i] = scaleFactor[given == 1 ? 0 : i];
        }
        return Resize.interpolate(x, s, f, mode, alignCorners);
    }

    @Override
    protected String extraRepr() {
        return (size != null ? "size=" + Arrays.toString(size) : "scaleFactor=" + (scaleFactor.length == 1
            ? String.valueOf(scaleFactor[0]) : Arrays.toString(scaleFactor))) + ", mode=" + mode
            + (alignCorners ? ", alignCorners=true" : "");
    }
}
