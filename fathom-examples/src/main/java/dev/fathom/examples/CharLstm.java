package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.Embedding;
import dev.fathom.nn.LSTM;
import dev.fathom.nn.Linear;
import dev.fathom.nn.LstmOutput;
import dev.fathom.nn.Module;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.optim.ClipGrad;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.io.PrintStream;

/**
 * A character-level language model, Embedding → LSTM → Linear, trained on Debian's licence texts
 * ({@code /usr/share/common-licenses}: the regular files sorted by name, concatenated) with
 * truncated backpropagation through time: the training text is cut into 32 parallel streams,
 * each step reads the next 64 characters of every stream, and the LSTM's state is carried from
 * one step to the next but detached, so gradients flow back at most 64 characters. Adam
 * (lr 2e-3) with gradient clipping. It reports the cross-entropy in nats per character on the
 * held-out last 10% of the text (the uniform guess is {@code ln(vocabulary)}) and prints a
 * sampled snippet.
 */
public final class CharLstm implements WorkedExample {
    @Override public String name() { return "char-lstm"; }

    @Override public String description() {
        return "character LSTM language model on /usr/share/common-licenses (truncated BPTT): validation nats/char + sample";
    }

    static final class Model extends Module {
        final Embedding embed;
        final LSTM lstm;
        final Linear head;

        Model(int vocab, int embedDim, int hidden) {
            embed = registerModule("embed", new Embedding(vocab, embedDim));
            lstm = registerModule("lstm", new LSTM(embedDim, hidden, 1, true, true, 0, false));
            head = registerModule("head", new Linear(hidden, vocab));
        }

        /** ids {@code [B, T]} → logits {@code [B, T, V]} and the final state. */
        LstmOutput forward(Tensor ids, Tensor h, Tensor c) {
            LstmOutput o = lstm.forward(embed.forward(ids), h, c);
            return new LstmOutput(head.forward(o.output()), o.hn(), o.cn());
        }
    }

    @Override
    public double run(Options options, PrintStream out) {
        Generator.manualSeed(options.seed());
        boolean quick = options.quick();
        int steps = options.epochs() > 0 ? options.epochs() : quick ? 40 : 800;
        int seq = 64, batch = 32, hidden = quick ? 64 : 256;
        var data = LicenseText.load();
        int vocab = data.vocab().size();
        out.printf("corpus: %d licence files, %d characters, vocabulary %d (uniform guess: %.3f nats/char)%n",
            LicenseText.fileCount(), data.text().length(), vocab, Math.log(vocab));

        var model = new Model(vocab, 64, hidden);
        var opt = new Adam(model.parameters(), 2e-3);
        int streamLen = data.train().length / batch;
        int[] train = data.train();
        Tensor h = null, c = null;
        int pos = 0;
        double recent = 0;
        int recentCount = 0;
        long t0 = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            if (pos + seq + 1 > streamLen) { pos = 0; h = null; c = null; }   // wrap: start the streams again
            long[] x = new long[batch * seq], y = new long[batch * seq];
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < seq; t++) {
                    x[b * seq + t] = train[b * streamLen + pos + t];
                    y[b * seq + t] = train[b * streamLen + pos + t + 1];
                }
            pos += seq;
            LstmOutput o = model.forward(Tensor.of(x, batch, seq), h, c);
            Tensor loss = Losses.crossEntropy(o.output().reshape(batch * seq, vocab), Tensor.of(y, batch * seq));
            opt.zeroGrad();
            loss.backward();
            ClipGrad.clipGradNorm(model.parameters(), 1.0);
            opt.step();
            h = o.hn().detach();
            c = o.cn().detach();
            recent += loss.item();
            recentCount++;
            if (step % Math.max(1, steps / 10) == 0) {
                out.printf("step %d: train loss %.3f nats/char (%.2f s/step)%n", step, recent / recentCount,
                    (System.nanoTime() - t0) / 1e9 / step);
                recent = 0;
                recentCount = 0;
            }
        }
        double val = validationLoss(model, data.validation(), quick ? 2048 : 23000, vocab);
        out.printf("validation loss after %d steps: %.3f nats/char%n", steps, val);
        String sample = data.sample("This License", quick ? 40 : 300, 0.8, options.seed(), ids -> {
            LstmOutput o = model.forward(Tensor.of(java.util.Arrays.stream(ids).asLongStream().toArray(), 1, ids.length), null, null);
            return o.output().select(0, 0).select(0, ids.length - 1);
        });
        out.println("sample (temperature 0.8):");
        out.println(sample);
        return val;
    }

    /** Mean cross-entropy over the first {@code limit} characters of {@code ids}, read as 8 streams. */
    static double validationLoss(Model model, int[] ids, int limit, int vocab) {
        int streams = 8, len = Math.min(limit, ids.length - 1) / streams;
        long[] x = new long[streams * len], y = new long[streams * len];
        for (int b = 0; b < streams; b++)
            for (int t = 0; t < len; t++) { x[b * len + t] = ids[b * len + t]; y[b * len + t] = ids[b * len + t + 1]; }
        try (var ignored = Autograd.noGrad()) {
            Tensor logits = model.forward(Tensor.of(x, streams, len), null, null).output();
            return Losses.crossEntropy(logits.reshape(streams * len, vocab), Tensor.of(y, streams * len)).item();
        }
    }
}
