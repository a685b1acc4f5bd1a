package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.*;

/** Ops keep for backward only what their rule reads, so activations no rule needs are freed during the forward. */
class SavedValuesTest {
    static boolean collected(WeakReference<?> ref) {
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            try { Thread.sleep(5); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        return ref.get() == null;
    }

    @Test
    void activationsNoRuleReadsAreNotKeptAlive() {
        Generator g = new Generator(3);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 16, 8);
        Tensor w = Tensor.randn(g, DType.FLOAT64, 8, 4).requiresGrad(true);
        Tensor b = Tensor.randn(g, DType.FLOAT64, 4).requiresGrad(true);
        Tensor xw = x.matmul(w);                 // matmul keeps x and w, not xw
        Tensor pre = xw.add(b);                  // add keeps nothing
        Tensor y = pre.tanh();                   // tanh keeps its output only
        WeakReference<Tensor> xwRef = new WeakReference<>(xw), preRef = new WeakReference<>(pre);
        xw = null;
        pre = null;
        Tensor loss = y.mul(y).sum();
        assertTrue(collected(xwRef), "the matmul result, read by no rule, was kept alive by the graph");
        assertTrue(collected(preRef), "tanh's input, which its rule does not read, was kept alive by the graph");
        loss.backward();
        // the gradient is still right: d/dw sum(tanh(xw+b)^2) = xᵀ·(2y(1-y²))
        Tensor dy;
        try (var ignored = Autograd.noGrad()) {
            dy = y.mul(2.0).mul(y.mul(y).neg().add(1.0));
        }
        assertTrue(w.grad().allClose(x.t().matmul(dy), 1e-12, 1e-12));
        assertTrue(b.grad().allClose(dy.sum(0), 1e-12, 1e-12));
    }

    @Test
    void readingWhatWasNotSavedIsAnErrorNamingTheOp() {
        Tensor x = Tensor.vector(1.0, 2.0).requiresGrad(true);
        Tensor y = Graph.record("custom", x.detach().mul(2.0), (s, g) -> new Tensor[] {g.mul(s.input(0))}, Saves.OUTPUT, x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("backward of custom read input 0"), e.getMessage());
    }
}
