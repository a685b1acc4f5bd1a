package dev.fathom.train;

import dev.fathom.data.Batch;
import dev.fathom.nn.Layer;
import dev.fathom.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/** Data and models for the trainer tests. */
final class Fixtures {
    private Fixtures() {}

    /** Two Gaussian blobs in 2-D (class 0 around (-1, -1), class 1 around (1, 1), sd 0.6), in batches. */
    static List<Batch> blobs(long seed, int n, int batchSize) {
        Random r = new Random(seed);
        List<Batch> out = new ArrayList<>();
        for (int start = 0; start < n; start += batchSize) {
            int m = Math.min(batchSize, n - start);
            float[] x = new float[m * 2];
            long[] y = new long[m];
            for (int i = 0; i < m; i++) {
                y[i] = r.nextInt(2);
                float c = y[i] == 0 ? -1f : 1f;
                x[2 * i] = c + (float) (0.6 * r.nextGaussian());
                x[2 * i + 1] = c + (float) (0.6 * r.nextGaussian());
            }
            out.add(new Batch(Tensor.of(x, m, 2), Tensor.of(y, m)));
        }
        return out;
    }

    /** y = w * x with one weight starting at 0. */
    static final class Scale extends Layer {
        final Tensor w = registerParameter("w", Tensor.zeros(1));
        boolean sawTraining, sawEval, gradInEval;

        @Override
        public Tensor forward(Tensor x) {
            if (isTraining()) sawTraining = true;
            else { sawEval = true; gradInEval |= dev.fathom.autograd.Autograd.isGradEnabled(); }
            return x.mul(w);
        }
    }

    /** {@code count} batches of input 1 (one example each, target 0). */
    static List<Batch> ones(int count) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(new Batch(Tensor.ones(1, 1), Tensor.zeros(1, 1)));
        return out;
    }

    /**
     * A loss whose value is the next number of {@code script} at each call, and whose gradient with
     * respect to the output is 1 (so SGD with lr 0.1 on {@link Scale} lowers w by 0.1 per batch of input 1).
     */
    static BiFunction<Tensor, Tensor, Tensor> scripted(double... script) {
        int[] calls = {0};
        return (out, target) -> {
            double v = script[Math.min(calls[0]++, script.length - 1)];
            Tensor s = out.sum();
            return s.sub(s.detach()).add(v);
        };
    }
}
