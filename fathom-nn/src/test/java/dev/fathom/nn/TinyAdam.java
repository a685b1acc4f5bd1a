package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.Tensor;

import java.util.List;

/** Adam (Kingma &amp; Ba, PyTorch's defaults but the rate) for learning tests, until the optimiser classes exist. */
final class TinyAdam {
    private final List<Tensor> params;
    private final Tensor[] m, v;
    private final double lr;
    private int t;

    TinyAdam(List<Tensor> params, double lr) {
        this.params = params;
        this.lr = lr;
        m = new Tensor[params.size()];
        v = new Tensor[params.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = params.get(i).detach().zerosLike();
            v[i] = params.get(i).detach().zerosLike();
        }
    }

    /** One update from the current gradients, which it then clears. */
    void step() {
        t++;
        double c1 = 1 - Math.pow(0.9, t), c2 = 1 - Math.pow(0.999, t);
        try (var ignored = Autograd.noGrad()) {
            for (int i = 0; i < m.length; i++) {
                Tensor p = params.get(i), g = p.grad();
                if (g == null) continue;
                m[i].mulInPlace(0.9).addInPlace(g, 0.1);
                v[i].mulInPlace(0.999).addInPlace(g.mul(g), 0.001);
                p.subInPlace(m[i].div(c1).div(v[i].div(c2).sqrt().add(1e-8)).mul(lr));
                p.zeroGrad();
            }
        }
    }

    /** Mean cross-entropy of {@code logits [n, C]} against class indices {@code y [n]} (int64). */
    static Tensor crossEntropy(Tensor logits, Tensor y) {
        return logits.logSoftmax(1).gather(1, y.unsqueeze(1)).mean().neg();
    }

    /** Fraction of rows whose arg-max is the label. */
    static double accuracy(Tensor logits, Tensor y) {
        long[] p = logits.argmax(1).toLongArray(), t = y.toLongArray();
        int ok = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == t[i]) ok++;
        return ok / (double) p.length;
    }
}
