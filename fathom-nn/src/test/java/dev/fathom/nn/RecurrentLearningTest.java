package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The adding problem (Hochreiter & Schmidhuber): each step carries a value in [0, 1) and a marker;
 * exactly two steps are marked and the target is the sum of their values. Predicting the mean (1)
 * gives MSE = 2·Var(U(0,1)) = 1/6 ≈ 0.167; the recurrent layer must carry both values to the end.
 */
class RecurrentLearningTest {
    private static final int SEQ = 12, BATCH = 64, HIDDEN = 24;

    /** Inputs [seq, batch, 2] (value, marker) and targets [batch, 1]. */
    private static Tensor[] batch(Generator g) {
        float[] x = new float[SEQ * BATCH * 2], y = new float[BATCH];
        for (int b = 0; b < BATCH; b++) {
            int i = (int) (g.nextDouble() * SEQ), j;
            do j = (int) (g.nextDouble() * SEQ); while (j == i);
            for (int t = 0; t < SEQ; t++) {
                float v = (float) g.nextDouble();
                x[(t * BATCH + b) * 2] = v;
                if (t == i || t == j) {
                    x[(t * BATCH + b) * 2 + 1] = 1;
                    y[b] += v;
                }
            }
        }
        return new Tensor[] {Tensor.of(x, SEQ, BATCH, 2), Tensor.of(y, BATCH, 1)};
    }

    /** Adam as PyTorch documents it (β = 0.9, 0.999, ε = 1e-8), written out here. */
    private static final class Adam {
        final List<Tensor> params;
        final Tensor[] m, v;
        final double lr;
        int step;

        Adam(List<Tensor> params, double lr) {
            this.params = params;
            this.lr = lr;
            m = new Tensor[params.size()];
            v = new Tensor[params.size()];
            for (int k = 0; k < m.length; k++) {
                m[k] = params.get(k).zerosLike();
                v[k] = params.get(k).zerosLike();
            }
        }

        void step() {
            step++;
            double c1 = 1 - Math.pow(0.9, step), c2 = 1 - Math.pow(0.999, step);
            try (var ignored = Autograd.noGrad()) {
                for (int k = 0; k < m.length; k++) {
                    Tensor p = params.get(k), g = p.grad();
                    m[k].mulInPlace(0.9).addInPlace(g, 0.1);
                    v[k].mulInPlace(0.999).addInPlace(g.mul(g), 0.001);
                    p.subInPlace(m[k].div(c1).div(v[k].div(c2).sqrt().add(1e-8)).mul(lr));
                    p.zeroGrad();
                }
            }
        }
    }

    /** Trains {@code head(rnn(x))} on fresh batches; returns the MSE on a held-out batch. */
    private static double train(Module model, Function<Tensor, Tensor> predict, int steps, long seed) {
        Generator data = new Generator(seed);
        Adam opt = new Adam(model.parameters(), 0.01);
        for (int s = 0; s < steps; s++) {
            Tensor[] xy = batch(data);
            Tensor loss = predict.apply(xy[0]).sub(xy[1]).pow(2.0).mean();
            loss.backward();
            opt.step();
        }
        Tensor[] test = batch(new Generator(seed + 1000));
        try (var ignored = Autograd.noGrad()) {
            return predict.apply(test[0]).sub(test[1]).pow(2.0).mean().item();
        }
    }

    private static final class Net<R extends RNNBase> extends Module {
        final R rnn;
        final Linear head;

        Net(R rnn) {
            this.rnn = registerModule("rnn", rnn);
            this.head = registerModule("head", new Linear(HIDDEN, 1));
        }
    }

    @Test
    void lstmSolvesTheAddingProblem() {
        Generator.manualSeed(1);
        Net<LSTM> net = new Net<>(new LSTM(2, HIDDEN));
        long t0 = System.nanoTime();
        double mse = train(net, x -> net.head.forward(net.rnn.forward(x).hn().select(0, 0)), 400, 1);
        System.out.printf("LSTM adding problem (seq %d): test MSE %.5f (mean predictor 0.167) in %.1f s%n", SEQ, mse,
            (System.nanoTime() - t0) / 1e9);
        assertTrue(mse < 0.01, "LSTM test MSE " + mse + " (mean predictor ≈ 0.167)");
    }

    @Test
    void gruSolvesTheAddingProblem() {
        Generator.manualSeed(2);
        Net<GRU> net = new Net<>(new GRU(2, HIDDEN));
        long t0 = System.nanoTime();
        double mse = train(net, x -> net.head.forward(net.rnn.forward(x).hn().select(0, 0)), 300, 2);
        System.out.printf("GRU adding problem (seq %d): test MSE %.5f (mean predictor 0.167) in %.1f s%n", SEQ, mse,
            (System.nanoTime() - t0) / 1e9);
        assertTrue(mse < 0.01, "GRU test MSE " + mse + " (mean predictor ≈ 0.167)");
    }
}
