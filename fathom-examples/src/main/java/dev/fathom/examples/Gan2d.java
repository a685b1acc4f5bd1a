package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.LeakyReLU;
import dev.fathom.nn.Linear;
import dev.fathom.nn.ReLU;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.io.PrintStream;

/**
 * A generative adversarial network learning a 2-D distribution: 8 Gaussians (σ = 0.1) evenly
 * spaced on a circle of radius 2. The generator (an MLP from 2-D noise) and the discriminator
 * (an MLP giving a logit) are trained in turn with binary cross-entropy on logits and Adam
 * (β1 = 0.5); the generator uses the non-saturating loss (it labels its own samples "real").
 * After training it draws 2,000 points and reports the share that fall within 2σ of a mode (how
 * sharp the samples are) and how many of the 8 modes hold at least 2% of them (mode coverage,
 * the usual failure of GANs being collapse onto a few modes). The headline figure is the number
 * of modes covered.
 */
public final class Gan2d implements WorkedExample {
    static final int MODES = 8;
    static final double RADIUS = 2, SIGMA = 0.1;

    @Override public String name() { return "gan-2d"; }

    @Override public String description() {
        return "GAN on a ring of 8 Gaussians (MLP generator and discriminator, BCEWithLogits, Adam): modes covered";
    }

    /** {@code n} points of the target distribution. */
    static Tensor real(Generator gen, int n) {
        float[] p = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * (int) gen.nextLong(0, MODES) / MODES;
            p[2 * i] = (float) (RADIUS * Math.cos(a) + SIGMA * gen.nextGaussian());
            p[2 * i + 1] = (float) (RADIUS * Math.sin(a) + SIGMA * gen.nextGaussian());
        }
        return Tensor.of(p, n, 2);
    }

    @Override
    public double run(Options options, PrintStream out) {
        Generator.manualSeed(options.seed());
        var gen = new Generator(options.seed() + 1);
        int steps = options.epochs() > 0 ? options.epochs() : options.quick() ? 800 : 4000;
        int batch = 128, noise = 2, hidden = 64;
        var g = new Sequential(new Linear(noise, hidden), new ReLU(), new Linear(hidden, hidden), new ReLU(),
            new Linear(hidden, 2));
        var d = new Sequential(new Linear(2, hidden), new LeakyReLU(0.2), new Linear(hidden, hidden), new LeakyReLU(0.2),
            new Linear(hidden, 1));
        var optG = new Adam(g.parameters(), new Adam.Options().lr(2e-3).betas(0.5, 0.999));
        var optD = new Adam(d.parameters(), new Adam.Options().lr(2e-3).betas(0.5, 0.999));
        Tensor ones = Tensor.ones(batch, 1), zeros = Tensor.zeros(batch, 1);
        out.printf("target: %d Gaussians (sigma %.2f) on a circle of radius %.1f; %d steps of batch %d%n",
            MODES, SIGMA, RADIUS, steps, batch);
        for (int step = 1; step <= steps; step++) {
            // discriminator: real -> 1, generated -> 0
            Tensor fake = g.forward(Tensor.randn(gen, batch, noise)).detach();
            Tensor lossD = Losses.binaryCrossEntropyWithLogits(d.forward(real(gen, batch)), ones)
                .add(Losses.binaryCrossEntropyWithLogits(d.forward(fake), zeros));
            optD.zeroGrad();
            lossD.backward();
            optD.step();
            // generator: make the discriminator say 1
            Tensor lossG = Losses.binaryCrossEntropyWithLogits(d.forward(g.forward(Tensor.randn(gen, batch, noise))), ones);
            optG.zeroGrad();
            lossG.backward();
            optG.step();
            if (step % Math.max(1, steps / 5) == 0) {
                Stats s = evaluate(g, gen, noise);
                out.printf("step %d: D loss %.3f, G loss %.3f, within 2 sigma %.1f%%, modes covered %d/%d%n",
                    step, lossD.item(), lossG.item(), 100 * s.withinTwoSigma, s.modes, MODES);
            }
        }
        Stats s = evaluate(g, gen, noise);
        out.printf("generated points within 2 sigma of a mode: %.1f%%%n", 100 * s.withinTwoSigma);
        out.printf("modes covered: %d of %d%n", s.modes, MODES);
        return s.modes;
    }

    record Stats(double withinTwoSigma, int modes) {}

    /** Draws 2,000 points; a mode is covered when at least 2% of them lie within 2σ of it. */
    static Stats evaluate(Sequential g, Generator gen, int noise) {
        int n = 2000;
        float[] p;
        try (var ignored = Autograd.noGrad()) {
            p = g.forward(Tensor.randn(gen, n, noise)).contiguous().toFloatArray();
        }
        int[] count = new int[MODES];
        int near = 0;
        for (int i = 0; i < n; i++)
            for (int m = 0; m < MODES; m++) {
                double a = 2 * Math.PI * m / MODES;
                double dx = p[2 * i] - RADIUS * Math.cos(a), dy = p[2 * i + 1] - RADIUS * Math.sin(a);
                if (Math.hypot(dx, dy) <= 2 * SIGMA) { count[m]++; near++; break; }
            }
        int modes = 0;
        for (int c : count) if (c >= 0.02 * n) modes++;
        return new Stats((double) near / n, modes);
    }
}
