package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.BatchNorm2d;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.ConvTranspose2d;
import dev.fathom.nn.Layer;
import dev.fathom.nn.ReLU;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.io.PrintStream;

/**
 * Semantic segmentation with a small U-Net: an encoder (two convolution stages with max pooling),
 * a bottleneck and a decoder that upsamples with {@link ConvTranspose2d} and concatenates the
 * encoder's feature maps of the same resolution (the skip connections) before convolving again;
 * a 1x1 convolution gives per-pixel class logits. The data are generated: noisy 24x24 images each
 * holding a filled disc and a filled square (class 1 and 2; background 0) at random places and
 * sizes, with the true masks. Trained with pixel-wise cross-entropy and Adam; it reports pixel
 * accuracy, the foreground IoU (shape against background) and the mean intersection-over-union of
 * the two shape classes on held-out images (the headline figure; telling the disc from the square
 * takes longer to learn than finding the shapes).
 */
public final class UNetSegmentation implements WorkedExample {
    static final int SIZE = 24, CLASSES = 3;

    @Override public String name() { return "unet-segmentation"; }

    @Override public String description() {
        return "small U-Net (skip connections, ConvTranspose2d) segmenting generated discs and squares: mean IoU";
    }

    static Sequential convBlock(int in, int out) {
        return new Sequential(new Conv2d(in, out, 3, 1, 1), new BatchNorm2d(out), new ReLU(),
            new Conv2d(out, out, 3, 1, 1), new BatchNorm2d(out), new ReLU());
    }

    /** Encoder 1→c→2c, bottleneck 4c, decoder with skips back to c, then 1x1 to the classes. */
    static final class UNet extends Layer {
        final Sequential enc1, enc2, bottleneck, dec2, dec1;
        final ConvTranspose2d up2, up1;
        final Conv2d out;

        UNet(int c) {
            enc1 = registerModule("enc1", convBlock(1, c));
            enc2 = registerModule("enc2", convBlock(c, 2 * c));
            bottleneck = registerModule("bottleneck", convBlock(2 * c, 4 * c));
            up2 = registerModule("up2", new ConvTranspose2d(4 * c, 2 * c, 2, 2, 0, 0));
            dec2 = registerModule("dec2", convBlock(4 * c, 2 * c));
            up1 = registerModule("up1", new ConvTranspose2d(2 * c, c, 2, 2, 0, 0));
            dec1 = registerModule("dec1", convBlock(2 * c, c));
            out = registerModule("out", new Conv2d(c, CLASSES, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor e1 = enc1.forward(x);                       // [N, c, 24, 24]
            Tensor e2 = enc2.forward(e1.maxPool2d(2));         // [N, 2c, 12, 12]
            Tensor b = bottleneck.forward(e2.maxPool2d(2));    // [N, 4c, 6, 6]
            Tensor d2 = dec2.forward(Tensor.cat(1, up2.forward(b), e2));
            Tensor d1 = dec1.forward(Tensor.cat(1, up1.forward(d2), e1));
            return out.forward(d1);                            // [N, classes, 24, 24]
        }
    }

    /** {@code n} noisy images {@code [n, 1, S, S]} and their masks {@code [n, S, S]} (int64). */
    static Tensor[] shapes(Generator gen, int n) {
        float[] img = new float[n * SIZE * SIZE];
        long[] mask = new long[n * SIZE * SIZE];
        for (int k = 0; k < n; k++) {
            int base = k * SIZE * SIZE;
            // square first, then the disc drawn over it
            int side = 5 + (int) gen.nextLong(0, 6), sx = (int) gen.nextLong(0, SIZE - side), sy = (int) gen.nextLong(0, SIZE - side);
            for (int y = sy; y < sy + side; y++) for (int x = sx; x < sx + side; x++) mask[base + y * SIZE + x] = 2;
            double r = 3 + gen.nextDouble() * 3, cx = r + gen.nextDouble() * (SIZE - 2 * r), cy = r + gen.nextDouble() * (SIZE - 2 * r);
            for (int y = 0; y < SIZE; y++)
                for (int x = 0; x < SIZE; x++)
                    if ((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy) <= r * r) mask[base + y * SIZE + x] = 1;
            for (int i = 0; i < SIZE * SIZE; i++)
                img[base + i] = (float) ((mask[base + i] == 0 ? 0 : 0.8) + 0.3 * gen.nextGaussian());
        }
        return new Tensor[] {Tensor.of(img, n, 1, SIZE, SIZE), Tensor.of(mask, n, SIZE, SIZE)};
    }

    @Override
    public double run(Options options, PrintStream out) {
        Generator.manualSeed(options.seed());
        var gen = new Generator(options.seed() + 1);
        boolean quick = options.quick();
        int steps = options.epochs() > 0 ? options.epochs() : quick ? 60 : 400;
        int batch = 16, channels = quick ? 4 : 8;
        var model = new UNet(channels);
        var opt = new Adam(model.parameters(), 5e-3);
        Tensor[] test = shapes(new Generator(options.seed() + 1000), quick ? 64 : 256);
        out.printf("generated %dx%d images of a disc and a square in noise; U-Net with %,d parameters, %d steps of batch %d%n",
            SIZE, SIZE, model.parameterCount(), steps, batch);
        for (int step = 1; step <= steps; step++) {
            Tensor[] b = shapes(gen, batch);
            Tensor loss = Losses.crossEntropy(model.forward(b[0]), b[1]);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (step % Math.max(1, steps / 5) == 0) {
                double[] m = evaluate(model, test);
                out.printf("step %d: loss %.4f, pixel accuracy %.3f, mean IoU %.3f%n", step, loss.item(), m[0], m[1]);
            }
        }
        double[] m = evaluate(model, test);
        out.printf("held-out pixel accuracy: %.3f%n", m[0]);
        out.printf("held-out foreground IoU (shape vs background): %.3f%n", m[2]);
        out.printf("held-out mean IoU (disc, square): %.3f%n", m[1]);
        return m[1];
    }

    /** Pixel accuracy, the mean IoU of classes 1 and 2, and the IoU of the foreground (either shape). */
    static double[] evaluate(UNet model, Tensor[] data) {
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            long[] pred = model.forward(data[0]).argmax(1).contiguous().toLongArray();
            long[] truth = data[1].contiguous().toLongArray();
            long correct = 0;
            long[] inter = new long[CLASSES], union = new long[CLASSES];
            long fgInter = 0, fgUnion = 0;
            for (int i = 0; i < pred.length; i++) {
                if (pred[i] == truth[i]) correct++;
                if (pred[i] != 0 && truth[i] != 0) fgInter++;
                if (pred[i] != 0 || truth[i] != 0) fgUnion++;
                for (int c = 1; c < CLASSES; c++) {
                    boolean p = pred[i] == c, t = truth[i] == c;
                    if (p && t) inter[c]++;
                    if (p || t) union[c]++;
                }
            }
            double iou = 0;
            for (int c = 1; c < CLASSES; c++) iou += union[c] == 0 ? 1 : (double) inter[c] / union[c];
            return new double[] {(double) correct / pred.length, iou / (CLASSES - 1), (double) fgInter / fgUnion};
        } finally {
            model.train();
        }
    }
}
