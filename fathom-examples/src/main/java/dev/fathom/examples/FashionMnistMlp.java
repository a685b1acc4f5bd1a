package dev.fathom.examples;

import dev.fathom.nn.Flatten;
import dev.fathom.nn.Linear;
import dev.fathom.nn.ReLU;
import dev.fathom.nn.Sequential;
import dev.fathom.optim.SGD;
import dev.fathom.tensor.Generator;

import java.io.PrintStream;

/**
 * Fashion-MNIST with a multilayer perceptron: the {@code mlp} reference workload of the benchmarks.
 * Flatten - Linear(784, 512) - ReLU - Linear(512, 256) - ReLU - Linear(256, 10) (535,818 parameters,
 * PyTorch's default initialisation), trained with SGD (lr 0.05, momentum 0.9) on batches of 128
 * reshuffled every epoch (the last, partial batch kept), mean cross-entropy, 5 epochs. PyTorch reaches
 * 87.4% test accuracy after 5 epochs.
 *
 * {@snippet :
 * Generator.manualSeed(0);
 * var model = new Sequential(new Flatten(), new Linear(784, 512), new ReLU(), new Linear(512, 256), new ReLU(), new Linear(256, 10));
 * var sgd = new SGD(model.parameters(), new SGD.Options().lr(0.05).momentum(0.9));
 * var train = DataLoader.builder(FashionMnist.train()).batchSize(128).shuffle(0).numWorkers(1).build();
 * var test = DataLoader.builder(FashionMnist.test()).batchSize(1000).build();
 * History h = new Trainer(model, new CrossEntropyLoss()::forward, sgd).metrics(new Accuracy()).fit(train, test, 5);
 * }
 */
public final class FashionMnistMlp implements WorkedExample {
    /** Epochs of the reference run. */
    public static final int EPOCHS = 5;
    /** Epochs of a quick run (16 SGD steps per epoch on 2,000 images: one epoch is too few to show much). */
    public static final int QUICK_EPOCHS = 3;

    @Override public String name() { return "fashion-mnist-mlp"; }

    @Override public String description() {
        return "Fashion-MNIST clothes, MLP 784-512-256-10, SGD with momentum, 5 epochs: about 87% test accuracy (PyTorch 87.4%)";
    }

    /** The model, initialised from the global generator. */
    public static Sequential model() {
        return new Sequential(new Flatten(), new Linear(784, 512), new ReLU(), new Linear(512, 256), new ReLU(), new Linear(256, 10));
    }

    @Override public double run(Options options, PrintStream out) {
        int epochs = options.epochs() > 0 ? options.epochs() : options.quick() ? QUICK_EPOCHS : EPOCHS;
        var data = FashionMnistRun.Data.load(options.quick());
        Generator.manualSeed(options.seed());
        Sequential model = model();
        var sgd = new SGD(model.parameters(), new SGD.Options().lr(0.05).momentum(0.9));
        String reference = !options.quick() && epochs == EPOCHS ? "PyTorch 87.4% after 5 epochs (82.6% after 1)" : null;
        return FashionMnistRun.fit(new FashionMnistRun.Plan(name(), model, sgd, null, 128, epochs, options.seed(), null),
                data, reference, out);
    }
}
