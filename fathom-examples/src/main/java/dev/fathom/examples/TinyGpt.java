package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.Embedding;
import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.ModuleList;
import dev.fathom.nn.MultiheadAttention;
import dev.fathom.nn.TransformerEncoderLayer;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.AdamW;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.io.PrintStream;

/**
 * A tiny GPT: a decoder-only transformer character model on the licence texts of
 * {@code /usr/share/common-licenses}. Token and learned position embeddings feed 4 pre-LayerNorm
 * blocks ({@link TransformerEncoderLayer} with {@code normFirst} and GELU, d_model 128, 4 heads)
 * whose self-attention is made causal with {@link MultiheadAttention#causalMask}, then a final
 * LayerNorm and a linear head over the vocabulary. Trained on random 128-character windows,
 * batch 16, AdamW (lr 3e-4), to predict every next character. It reports the validation loss in
 * nats per character and samples text from a prompt.
 */
public final class TinyGpt implements WorkedExample {
    @Override public String name() { return "tiny-gpt"; }

    @Override public String description() {
        return "tiny GPT (4 pre-LN causal transformer blocks, d_model 128) on the licence texts: validation nats/char + sample";
    }

    static final class Gpt extends Module {
        final int context;
        final Embedding tokens, positions;
        final ModuleList<TransformerEncoderLayer> blocks;
        final LayerNorm norm;
        final Linear head;

        Gpt(int vocab, int context, int dModel, int heads, int layers) {
            this.context = context;
            tokens = registerModule("tok", new Embedding(vocab, dModel));
            positions = registerModule("pos", new Embedding(context, dModel));
            blocks = registerModule("blocks", new ModuleList<>());
            for (int i = 0; i < layers; i++)
                blocks.add(new TransformerEncoderLayer(dModel, heads, 4 * dModel, 0.0, "gelu", 1e-5, true, true));
            norm = registerModule("norm", new LayerNorm(dModel));
            head = registerModule("head", new Linear(dModel, vocab));
        }

        /** ids {@code [B, T]} (T ≤ context) → logits {@code [B, T, V]}. */
        Tensor forward(Tensor ids) {
            int t = ids.size(1);
            Tensor x = tokens.forward(ids).add(positions.forward(Tensor.arange(t)));
            Tensor mask = MultiheadAttention.causalMask(t);
            for (TransformerEncoderLayer block : blocks) x = block.forward(x, mask, null);
            return head.forward(norm.forward(x));
        }
    }

    @Override
    public double run(Options options, PrintStream out) {
        Generator.manualSeed(options.seed());
        var gen = new Generator(options.seed() + 1);
        boolean quick = options.quick();
        int steps = options.epochs() > 0 ? options.epochs() : quick ? 40 : 100;
        int context = quick ? 32 : 128, dModel = quick ? 32 : 128, heads = quick ? 2 : 4, layers = quick ? 1 : 4;
        int batch = 16;
        double lr = quick ? 3e-3 : 3e-4;
        var data = LicenseText.load();
        int vocab = data.vocab().size();
        var model = new Gpt(vocab, context, dModel, heads, layers);
        var opt = new AdamW(model.parameters(), new AdamW.Options().lr(lr).weightDecay(0.01));
        out.printf("vocabulary %d (uniform guess %.3f nats/char); %d layers, d_model %d, %d heads, context %d, "
            + "%,d parameters; AdamW lr %.0e, batch %d%n", vocab, Math.log(vocab), layers, dModel, heads, context,
            model.parameterCount(), lr, batch);
        int[] train = data.train();
        long t0 = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            long[] x = new long[batch * context], y = new long[batch * context];
            for (int b = 0; b < batch; b++) {
                int start = (int) gen.nextLong(0, train.length - context - 1);
                for (int t = 0; t < context; t++) {
                    x[b * context + t] = train[start + t];
                    y[b * context + t] = train[start + t + 1];
                }
            }
            Tensor logits = model.forward(Tensor.of(x, batch, context));
            Tensor loss = Losses.crossEntropy(logits.reshape(batch * context, vocab), Tensor.of(y, batch * context));
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (step % Math.max(1, steps / 10) == 0)
                out.printf("step %d: train loss %.3f nats/char (%.2f s/step)%n", step, loss.item(),
                    (System.nanoTime() - t0) / 1e9 / step);
        }
        double val = validationLoss(model, data.validation(), quick ? 8 : 64, vocab);
        out.printf("validation loss after %d steps: %.3f nats/char%n", steps, val);
        String sample = data.sample("This License", quick ? 40 : 200, 0.8, options.seed(), ids -> {
            int from = Math.max(0, ids.length - context);
            long[] window = java.util.Arrays.stream(ids, from, ids.length).asLongStream().toArray();
            Tensor logits = model.forward(Tensor.of(window, 1, window.length));
            return logits.select(0, 0).select(0, window.length - 1);
        });
        out.println("sample (temperature 0.8):");
        out.println(sample);
        return val;
    }

    /** Mean cross-entropy over {@code windows} consecutive context-length windows of the validation text. */
    static double validationLoss(Gpt model, int[] ids, int windows, int vocab) {
        int c = model.context;
        windows = Math.min(windows, (ids.length - 1) / c);
        long[] x = new long[windows * c], y = new long[windows * c];
        for (int i = 0; i < windows * c; i++) { x[i] = ids[i]; y[i] = ids[i + 1]; }
        try (var ignored = Autograd.noGrad()) {
            Tensor logits = model.forward(Tensor.of(x, windows, c));
            return Losses.crossEntropy(logits.reshape(windows * c, vocab), Tensor.of(y, windows * c)).item();
        }
    }
}
