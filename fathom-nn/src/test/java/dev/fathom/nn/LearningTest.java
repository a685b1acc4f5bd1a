package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Small models that must actually learn, each with a stated threshold. The optimisers are written
 * inline (a few lines each) so these tests depend only on modules, layers and autograd.
 */
class LearningTest {
    /** Plain SGD: {@code p -= lr·g}. */
    private static void sgdStep(List<Tensor> params, double lr) {
        try (var ignored = Autograd.noGrad()) {
            for (Tensor p : params) p.addInPlace(p.grad(), -lr);
        }
    }

    /** Adam (Kingma & Ba 2015) as PyTorch documents it, with bias correction. */
    private static final class Adam {
        final List<Tensor> params;
        final Tensor[] m, v;
        final double lr, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        int t;

        Adam(List<Tensor> params, double lr) {
            this.params = params;
            this.lr = lr;
            m = new Tensor[params.size()];
            v = new Tensor[params.size()];
            for (int i = 0; i < m.length; i++) {
                m[i] = params.get(i).zerosLike();
                v[i] = params.get(i).zerosLike();
            }
        }

        void step() {
            t++;
            double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
            try (var ignored = Autograd.noGrad()) {
                for (int i = 0; i < m.length; i++) {
                    Tensor p = params.get(i), g = p.grad();
                    m[i].mulInPlace(b1).addInPlace(g, 1 - b1);
                    v[i].mulInPlace(b2).addInPlace(g.mul(g), 1 - b2);
                    p.addInPlace(m[i].div(c1).div(v[i].div(c2).sqrt().add(eps)), -lr);
                }
            }
        }
    }

    @Test
    void xorWithATwoLayerMlpAndPlainSgd() {
        Generator.manualSeed(0);
        Sequential model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
        Tensor x = Tensor.of(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Tensor y = Tensor.of(new float[][] {{0}, {1}, {1}, {0}});
        double loss = Double.NaN;
        for (int step = 0; step < 500; step++) {
            model.zeroGrad();
            Tensor l = model.forward(x).sub(y).pow(2).mean();      // MSE
            l.backward();
            sgdStep(model.parameters(), 0.2);
            loss = l.item();
        }
        Tensor predicted = model.forward(x).gt(0.5).to(DType.FLOAT32);
        assertTrue(predicted.equal(y), "XOR must be solved exactly: " + model.forward(x));
        assertTrue(loss < 0.01, "MSE " + loss);
    }

    /** Two interleaved spirals of {@code n} points each: two turns, radius 0.1 to 1, class k rotated by kπ. */
    private static Tensor[] spirals(int n) {
        float[][] pts = new float[2 * n][2];
        long[] labels = new long[2 * n];
        java.util.Random rnd = new java.util.Random(1);
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < n; i++) {
                double t = (double) i / (n - 1), r = 0.1 + 0.9 * t, a = 4 * Math.PI * t + k * Math.PI;
                pts[k * n + i][0] = (float) (r * Math.cos(a) + 0.01 * rnd.nextGaussian());
                pts[k * n + i][1] = (float) (r * Math.sin(a) + 0.01 * rnd.nextGaussian());
                labels[k * n + i] = k;
            }
        return new Tensor[] {Tensor.of(pts), Tensor.of(labels, 2 * n)};
    }

    @Test
    void twoInterleavedSpiralsWithSoftmaxCrossEntropyAndAdam() {
        Generator.manualSeed(0);
        Tensor[] data = spirals(100);
        Tensor x = data[0], y = data[1];
        Sequential model = new Sequential(new Linear(2, 64), new Tanh(), new Linear(64, 64), new Tanh(), new Linear(64, 2));
        Adam opt = new Adam(model.parameters(), 0.01);
        for (int step = 0; step < 300; step++) {
            model.zeroGrad();
            Tensor logits = model.forward(x.mul(3.0));
            Tensor loss = Functional.logSoftmax(logits, 1).gather(1, y.unsqueeze(1)).neg().mean();   // cross-entropy
            loss.backward();
            opt.step();
        }
        Tensor predicted = model.forward(x.mul(3.0)).argmax(1);
        double accuracy = predicted.eq(y).to(DType.FLOAT64).mean().item();
        assertTrue(accuracy >= 0.99, "training accuracy " + accuracy);
    }

    @Test
    void sineRegression() {
        Generator.manualSeed(0);
        Tensor x = Tensor.linspace(-Math.PI, Math.PI, 200).reshape(200, 1);
        Tensor y = x.sin();
        Sequential model = new Sequential(new Linear(1, 32), new Tanh(), new Linear(32, 32), new Tanh(), new Linear(32, 1));
        Adam opt = new Adam(model.parameters(), 0.01);
        for (int step = 0; step < 500; step++) {
            model.zeroGrad();
            model.forward(x).sub(y).pow(2).mean().backward();
            opt.step();
        }
        double mse = model.forward(x).sub(y).pow(2).mean().item();
        assertTrue(mse < 0.01, "MSE " + mse);
        // between the training points too
        Tensor xt = Tensor.linspace(-3, 3, 37).reshape(37, 1);
        double testMse = model.forward(xt).sub(xt.sin()).pow(2).mean().item();
        assertTrue(testMse < 0.01, "test MSE " + testMse);
    }
}
