package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.data.FashionMnist;
import dev.fathom.nn.AdaptiveAvgPool2d;
import dev.fathom.nn.BatchNorm2d;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.Flatten;
import dev.fathom.nn.Layer;
import dev.fathom.nn.Linear;
import dev.fathom.nn.ReLU;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.io.PrintStream;

/**
 * A small residual network on Fashion-MNIST: a convolutional stem, a residual block
 * ({@code Conv-BN-ReLU-Conv-BN} plus the identity skip, then ReLU), a strided convolution that
 * halves the resolution and doubles the channels, a second residual block, global average
 * pooling and a linear classifier. It shows how a custom {@link Layer} with a skip connection is
 * written and combined with {@link Sequential}, and BatchNorm's train/eval switch. Trained with
 * Adam on a subset of the training images (the quick run on 14x14 downsampled images); the headline
 * figure is the test accuracy.
 */
public final class SmallResNet implements WorkedExample {
    @Override public String name() { return "small-resnet"; }

    @Override public String description() {
        return "small ResNet (2 residual blocks, BatchNorm, global pooling) on Fashion-MNIST: test accuracy";
    }

    /** {@code relu(x + bn(conv(relu(bn(conv(x))))))}: the basic block of ResNet-18. */
    static final class ResidualBlock extends Layer {
        final Conv2d conv1, conv2;
        final BatchNorm2d bn1, bn2;

        ResidualBlock(int channels) {
            conv1 = registerModule("conv1", new Conv2d(channels, channels, 3, 1, 1, 1, 1, false));
            bn1 = registerModule("bn1", new BatchNorm2d(channels));
            conv2 = registerModule("conv2", new Conv2d(channels, channels, 3, 1, 1, 1, 1, false));
            bn2 = registerModule("bn2", new BatchNorm2d(channels));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = bn1.forward(conv1.forward(x)).relu();
            return bn2.forward(conv2.forward(h)).add(x).relu();
        }
    }

    static Sequential model(int c) {
        return new Sequential(
            new Conv2d(1, c, 3, 1, 1, 1, 1, false), new BatchNorm2d(c), new ReLU(),    // 28x28
            new ResidualBlock(c),
            new Conv2d(c, 2 * c, 3, 2, 1, 1, 1, false), new BatchNorm2d(2 * c), new ReLU(),   // 14x14
            new ResidualBlock(2 * c),
            new AdaptiveAvgPool2d(1), new Flatten(), new Linear(2 * c, 10));
    }

    @Override
    public double run(Options options, PrintStream out) {
        Generator.manualSeed(options.seed());
        var gen = new Generator(options.seed() + 1);
        boolean quick = options.quick();
        int epochs = options.epochs() > 0 ? options.epochs() : 3;
        int nTrain = quick ? 1024 : 6000, nTest = quick ? 500 : 2000, batch = quick ? 32 : 64, channels = quick ? 4 : 16;
        var trainSet = FashionMnist.train();
        var testSet = FashionMnist.test();
        Tensor xTrain = trainSet.images().narrow(0, 0, nTrain), yTrain = trainSet.labels().narrow(0, 0, nTrain);
        Tensor xTest = testSet.images().narrow(0, 0, nTest), yTest = testSet.labels().narrow(0, 0, nTest);
        if (quick) {   // the quick run works on 14x14 images (2x2 average pooling) to take a few seconds
            xTrain = xTrain.avgPool2d(2);
            xTest = xTest.avgPool2d(2);
        }
        var model = model(channels);
        var opt = new Adam(model.parameters(), quick ? 5e-3 : 1e-3);
        out.printf("Fashion-MNIST: %d training, %d test images of %dx%d; %,d parameters%n", nTrain, nTest, xTrain.size(2),
            xTrain.size(3), model.parameterCount());
        for (int epoch = 1; epoch <= epochs; epoch++) {
            model.train();
            Tensor order = Tensor.randperm(gen, nTrain);
            double sum = 0;
            int steps = 0;
            long t0 = System.nanoTime();
            for (int start = 0; start + batch <= nTrain; start += batch) {
                Tensor idx = order.narrow(0, start, batch);
                Tensor loss = Losses.crossEntropy(model.forward(xTrain.indexSelect(0, idx)), yTrain.indexSelect(0, idx));
                opt.zeroGrad();
                loss.backward();
                opt.step();
                sum += loss.item();
                steps++;
            }
            out.printf("epoch %d/%d: train loss %.4f, test accuracy %.3f (%.1f s)%n", epoch, epochs, sum / steps,
                accuracy(model, xTest, yTest), (System.nanoTime() - t0) / 1e9);
        }
        double acc = accuracy(model, xTest, yTest);
        out.printf("test accuracy: %.3f%n", acc);
        return acc;
    }

    static double accuracy(Sequential model, Tensor x, Tensor y) {
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            long correct = 0;
            for (int s = 0; s < x.size(0); s += 500) {
                int n = Math.min(500, x.size(0) - s);
                correct += model.forward(x.narrow(0, s, n)).argmax(1).eq(y.narrow(0, s, n)).to(DType.INT64).sum().itemLong();
            }
            return (double) correct / x.size(0);
        } finally {
            model.train();
        }
    }
}
