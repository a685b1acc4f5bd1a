package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.data.FashionMnist;
import dev.fathom.nn.Linear;
import dev.fathom.nn.ReLU;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.Sigmoid;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.io.PrintStream;

/**
 * A dense autoencoder that squeezes 28x28 Fashion-MNIST images (784 pixels) through a
 * 32-number bottleneck and rebuilds them: encoder {@code 784-256-32}, decoder
 * {@code 32-256-784} with a sigmoid output, trained with mean squared error and Adam. It shows
 * unsupervised training (the input is its own target) and reports the reconstruction MSE on
 * held-out images before and after training; the headline figure is the final MSE.
 */
public final class Autoencoder implements WorkedExample {
    @Override public String name() { return "autoencoder"; }

    @Override public String description() {
        return "Fashion-MNIST dense autoencoder (784-256-32-256-784): reconstruction MSE before/after training";
    }

    @Override
    public double run(Options options, PrintStream out) {
        Generator.manualSeed(options.seed());
        boolean quick = options.quick();
        int epochs = options.epochs() > 0 ? options.epochs() : quick ? 2 : 10;
        int nTrain = quick ? 2000 : 60000, nTest = quick ? 500 : 10000, batch = 64;
        Tensor train = FashionMnist.train().images().narrow(0, 0, nTrain).reshape(nTrain, 784);
        Tensor test = FashionMnist.test().images().narrow(0, 0, nTest).reshape(nTest, 784);
        out.printf("Fashion-MNIST: %d training, %d test images of 784 pixels%n", nTrain, nTest);

        var encoder = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 32));
        var decoder = new Sequential(new Linear(32, 256), new ReLU(), new Linear(256, 784), new Sigmoid());
        var model = new Sequential(encoder, decoder);
        var opt = new Adam(model.parameters(), 1e-3);

        double before = mse(model, test);
        out.printf("test reconstruction MSE before training: %.4f%n", before);
        var gen = new Generator(options.seed() + 1);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Tensor order = Tensor.randperm(gen, nTrain);
            double sum = 0;
            int steps = 0;
            for (int start = 0; start + batch <= nTrain; start += batch) {
                Tensor x = train.indexSelect(0, order.narrow(0, start, batch));
                Tensor loss = Losses.mseLoss(model.forward(x), x);
                opt.zeroGrad();
                loss.backward();
                opt.step();
                sum += loss.item();
                steps++;
            }
            out.printf("epoch %d/%d: train MSE %.4f, test MSE %.4f%n", epoch, epochs, sum / steps, mse(model, test));
        }
        double after = mse(model, test);
        out.printf("test reconstruction MSE after training: %.4f (%.1f%% of the untrained %.4f)%n",
            after, 100 * after / before, before);
        return after;
    }

    private static double mse(Sequential model, Tensor images) {
        try (var ignored = Autograd.noGrad()) {
            return Losses.mseLoss(model.forward(images), images).item();
        }
    }
}
