package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.Linear;
import dev.fathom.nn.RBF;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.io.PrintStream;

/**
 * A radial basis function network (an {@link RBF} layer of 24 Gaussian units followed by a
 * {@link Linear} readout) fitting the 1-D function {@code f(x) = sin(2x) + 0.3x} on
 * {@code [-3, 3]} from 256 noisy samples. The centres are spread evenly over the input range
 * before training (the layer's default initialisation assumes inputs near the unit ball), then
 * centres, widths and readout are trained together with Adam. It reports the mean squared error
 * against the noiseless function on a fine grid, before and after training, next to the
 * variance of the function (the MSE of predicting its mean).
 */
public final class RbfNetwork implements WorkedExample {
    @Override public String name() { return "rbf-network"; }

    @Override public String description() {
        return "RBF layer (24 Gaussian units) + Linear fitting sin(2x) + 0.3x on [-3, 3]: test MSE";
    }

    static Tensor target(Tensor x) { return x.mul(2).sin().add(x.mul(0.3)); }

    @Override
    public double run(Options options, PrintStream out) {
        Generator.manualSeed(options.seed());
        var gen = new Generator(options.seed() + 1);
        int steps = options.epochs() > 0 ? options.epochs() : options.quick() ? 300 : 1000;
        int centres = 24;
        Tensor x = Tensor.uniform(gen, -3, 3, 256, 1);
        Tensor y = target(x).add(Tensor.normal(gen, 0, 0.05, 256, 1));
        Tensor grid = Tensor.linspace(-3, 3, 601).reshape(601, 1);
        Tensor truth = target(grid);
        double variance = truth.var().item();

        var rbf = new RBF(1, centres);
        var net = new Sequential(rbf, new Linear(centres, 1));
        try (var ignored = Autograd.noGrad()) {
            rbf.centres.copyFrom(Tensor.linspace(-3, 3, centres).reshape(centres, 1));
            rbf.logSigmas.fillInPlace(Math.log(6.0 / (centres - 1)));   // width = spacing of the centres
        }
        var opt = new Adam(net.parameters(), 0.01);
        double before = testMse(net, grid, truth);
        out.printf("256 noisy samples of sin(2x) + 0.3x; variance of the function on [-3, 3]: %.4f%n", variance);
        out.printf("test MSE before training: %.5f%n", before);
        for (int step = 1; step <= steps; step++) {
            Tensor loss = Losses.mseLoss(net.forward(x), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (step % Math.max(1, steps / 5) == 0)
                out.printf("step %d: train MSE %.5f, test MSE %.5f%n", step, loss.item(), testMse(net, grid, truth));
        }
        double after = testMse(net, grid, truth);
        out.printf("test MSE after %d full-batch Adam steps: %.5f (%.2f%% of the variance)%n", steps, after, 100 * after / variance);
        return after;
    }

    private static double testMse(Sequential net, Tensor grid, Tensor truth) {
        try (var ignored = Autograd.noGrad()) {
            return Losses.mseLoss(net.forward(grid), truth).item();
        }
    }
}
