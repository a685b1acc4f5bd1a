package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AttentionLearningTest {
    static final int VOCAB = 6, LEN = 6, DIM = 16;

    /** Random token sequences with one marked position: features [n, LEN, VOCAB + 1] (one-hot token, marker bit), labels [n]. */
    static Tensor[] batch(Generator g, int n) {
        long[] tokens = Tensor.randint(g, 0, VOCAB, n, LEN).toLongArray();
        long[] marks = Tensor.randint(g, 0, LEN, n).toLongArray();
        float[] x = new float[n * LEN * (VOCAB + 1)];
        long[] y = new long[n];
        for (int b = 0; b < n; b++) {
            for (int t = 0; t < LEN; t++) x[(b * LEN + t) * (VOCAB + 1) + (int) tokens[b * LEN + t]] = 1;
            x[(b * LEN + (int) marks[b]) * (VOCAB + 1) + VOCAB] = 1;
            y[b] = tokens[b * LEN + (int) marks[b]];
        }
        return new Tensor[] {Tensor.of(x, n, LEN, VOCAB + 1), Tensor.of(y, n)};
    }

    @Test
    void attentionLearnsToCopyTheMarkedToken() {
        // A learned query attends over the embedded sequence (batch first); the read-out must name the
        // token at the marked position, which only attention to the marker can find (chance: 1/6).
        // Threshold: >= 95% on 1000 fresh sequences.
        Generator.manualSeed(0);
        Linear embed = new Linear(VOCAB + 1, DIM);
        MultiheadAttention attn = new MultiheadAttention(DIM, 2, 0.0, true, true);
        Linear readOut = new Linear(DIM, VOCAB);
        Tensor query;
        try (var ignored = Autograd.noGrad()) { query = Tensor.randn(1, 1, DIM).requiresGrad(true); }
        List<Tensor> params = new ArrayList<>(List.of(query));
        for (Module m : new Module[] {embed, attn, readOut}) params.addAll(m.parameters());
        TinyAdam adam = new TinyAdam(params, 0.01);
        Generator data = new Generator(1);
        for (int step = 0; step < 200; step++) {
            Tensor[] b = batch(data, 64);
            Tensor e = embed.forward(b[0]);
            Tensor ctx = attn.forward(query.expand(64, 1, DIM), e, e, null, null, false, true).output();
            TinyAdam.crossEntropy(readOut.forward(ctx.reshape(64, DIM)), b[1]).backward();
            adam.step();
        }
        Tensor[] test = batch(new Generator(2), 1000);
        double acc;
        Tensor weights;
        try (var ignored = Autograd.noGrad()) {
            Tensor e = embed.forward(test[0]);
            var r = attn.forward(query.expand(1000, 1, DIM), e, e, null, null, true, true);
            acc = TinyAdam.accuracy(readOut.forward(r.output().reshape(1000, DIM)), test[1]);
            weights = r.weights();                                   // [1000, 1, LEN]
        }
        // where the attention goes: the mean weight on the marked position
        double onMark = weights.reshape(1000, LEN).mul(test[0].select(2, VOCAB).to(DType.FLOAT32)).sum().item() / 1000;
        System.out.printf("attention copy task: accuracy %.3f, mean attention on the marked position %.3f%n", acc, onMark);
        assertTrue(acc >= 0.95, "accuracy " + acc + ", attention on the mark " + onMark);
        assertTrue(onMark > 0.8, "attention on the mark " + onMark);
    }
}
