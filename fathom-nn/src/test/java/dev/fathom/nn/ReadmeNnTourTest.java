package dev.fathom.nn;

import dev.fathom.nn.loss.CrossEntropyLoss;
import dev.fathom.optim.Adam;
import dev.fathom.optim.Optimizer;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The README's nn tour, run as written. */
class ReadmeNnTourTest {
    @Test
    void tourTrainsAClassifier() {
        Generator.manualSeed(0);
        Sequential model = new Sequential(
            new Linear(2, 32), new ReLU(),
            new Linear(32, 32), new ReLU(),
            new Linear(32, 2));
        Optimizer opt = new Adam(model.parameters(), 0.01);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Tensor x = Tensor.randn(512, 2);
        Tensor y = x.select(1, 0).mul(x.select(1, 1)).gt(0.0).to(DType.INT64);   // class 1 where the signs agree
        for (int step = 0; step < 300; step++) {
            Tensor loss = lossFn.forward(model.forward(x), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        model.eval();
        double accuracy = model.forward(x).argmax(1).eq(y).to(DType.FLOAT32).mean().item();

        assertTrue(accuracy >= 0.97, "accuracy " + accuracy);
        assertEquals("""
            Sequential(
              (0): Linear(in=2, out=32, bias=true)  # 96 parameters
              (1): ReLU()
              (2): Linear(in=32, out=32, bias=true)  # 1,056 parameters
              (3): ReLU()
              (4): Linear(in=32, out=2, bias=true)  # 66 parameters
            )  # 1,218 parameters
            parameters: 1,218""", model.toString());
    }
}
