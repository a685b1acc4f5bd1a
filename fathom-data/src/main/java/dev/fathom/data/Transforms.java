package dev.fathom.data;

import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Storage;
import dev.fathom.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The standard image transforms, on float tensors {@code [C, H, W]} (or {@code [H, W]}), with
 * torchvision's semantics and random draws (the same draws as PyTorch after the same seed).
 * Every transform returns a new float32 tensor.
 */
public final class Transforms {
    private Transforms() {}

    /** The transforms applied in order (an empty list is the identity). */
    public static Transform compose(Transform... transforms) {
        Transform[] ts = transforms.clone();
        for (Transform t : ts) Objects.requireNonNull(t, "transform");
        return x -> {
            for (Transform t : ts) x = t.apply(x);
            return x;
        };
    }

    /**
     * {@code (x[c] - mean[c]) / std[c]} per channel (torchvision's {@code Normalize}); a single
     * mean/std applies to every channel.
     */
    public static Transform normalize(double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length)
            throw new IllegalArgumentException("normalize: mean " + Arrays.toString(mean) + " and std " + Arrays.toString(std)
                    + " must be non-empty and of one length (one value per channel)");
        for (double s : std)
            if (!(s > 0)) throw new IllegalArgumentException("normalize: every std must be positive, got " + Arrays.toString(std));
        double[] m = mean.clone(), s = std.clone();
        return x -> {
            Image img = Image.of("normalize", x);
            if (m.length != 1 && m.length != img.channels)
                throw new IllegalArgumentException("normalize: " + m.length + " means for an image with " + img.channels
                        + " channels " + Arrays.toString(x.shape()));
            float[] out = new float[img.data.length];
            int plane = img.h * img.w;
            for (int c = 0; c < img.channels; c++) {
                double mc = m[m.length == 1 ? 0 : c], sc = s[s.length == 1 ? 0 : c];
                for (int i = c * plane; i < (c + 1) * plane; i++) out[i] = (float) ((img.data[i] - mc) / sc);
            }
            return img.with(out, img.h, img.w);
        };
    }

    /**
     * Pads every side with {@code padding} zeros, then cuts a {@code height x width} window at a
     * random position (torchvision's {@code RandomCrop(size, padding)}: the top row is drawn
     * first, uniformly in {@code [0, H + 2p - height]}, then the left column).
     */
    public static Transform randomCrop(int height, int width, int padding, Generator generator) {
        if (height < 1 || width < 1 || padding < 0)
            throw new IllegalArgumentException("randomCrop: size " + height + "x" + width + " must be positive and padding "
                    + padding + " non-negative");
        Generator g = Objects.requireNonNull(generator, "generator");
        return x -> {
            Image img = Image.of("randomCrop", x);
            int ph = img.h + 2 * padding, pw = img.w + 2 * padding;
            if (height > ph || width > pw)
                throw new IllegalArgumentException("randomCrop: a " + height + "x" + width + " crop does not fit in a padded "
                        + ph + "x" + pw + " image " + Arrays.toString(x.shape()));
            int top = (int) g.nextLong(0, ph - height + 1), left = (int) g.nextLong(0, pw - width + 1);
            return crop(img, top - padding, left - padding, height, width);
        };
    }

    /** The {@code height x width} window whose top-left corner is at {@code (top, left)}; outside is zero. */
    static Tensor crop(Image img, int top, int left, int height, int width) {
        float[] out = new float[img.channels * height * width];
        for (int c = 0; c < img.channels; c++)
            for (int y = 0; y < height; y++) {
                int sy = top + y;
                if (sy < 0 || sy >= img.h) continue;
                for (int x = 0; x < width; x++) {
                    int sx = left + x;
                    if (sx >= 0 && sx < img.w) out[(c * height + y) * width + x] = img.data[(c * img.h + sy) * img.w + sx];
                }
            }
        return img.with(out, height, width);
    }

    /** Mirrors left-right with probability {@code p} (one uniform draw per call, flipped when it is below p). */
    public static Transform randomHorizontalFlip(double p, Generator generator) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("randomHorizontalFlip: p must be in [0, 1], got " + p);
        Generator g = Objects.requireNonNull(generator, "generator");
        return x -> {
            Image img = Image.of("randomHorizontalFlip", x);
            if (!(g.nextFloat() < p)) return img.with(img.data.clone(), img.h, img.w);
            float[] out = new float[img.data.length];
            for (int r = 0; r < img.channels * img.h; r++)
                for (int c = 0; c < img.w; c++) out[r * img.w + c] = img.data[r * img.w + img.w - 1 - c];
            return img.with(out, img.h, img.w);
        };
    }

    /** Adds independent normal noise of standard deviation {@code std} to every element. */
    public static Transform gaussianNoise(double std, Generator generator) {
        if (!(std >= 0)) throw new IllegalArgumentException("gaussianNoise: std must be non-negative, got " + std);
        Generator g = Objects.requireNonNull(generator, "generator");
        return x -> {
            Image img = Image.of("gaussianNoise", x);
            float[] noise = Tensor.randn(g, img.data.length).toFloatArray(), out = new float[noise.length];
            for (int i = 0; i < out.length; i++) out[i] = (float) (img.data[i] + std * noise[i]);
            return img.with(out, img.h, img.w);
        };
    }

    /** A float image flattened to channels x rows x columns, remembering whether it had a channel dimension. */
    record Image(float[] data, int channels, int h, int w, boolean hasChannels) {
        static Image of(String op, Tensor x) {
            if (!x.dtype().isFloatingPoint() || (x.ndim() != 2 && x.ndim() != 3))
                throw new IllegalArgumentException(op + ": expected a float image [C, H, W] or [H, W], got " + x.dtype()
                        + " " + Arrays.toString(x.shape()));
            boolean chw = x.ndim() == 3;
            return new Image(x.toFloatArray(), chw ? x.size(0) : 1, x.size(-2), x.size(-1), chw);
        }

        Tensor with(float[] out, int height, int width) {
            return hasChannels ? Tensor.wrap(Storage.wrap(out), channels, height, width) : Tensor.wrap(Storage.wrap(out), height, width);
        }
    }
}
