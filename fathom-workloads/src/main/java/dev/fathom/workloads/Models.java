package dev.fathom.workloads;

import dev.fathom.nn.Conv2d;
import dev.fathom.nn.Dropout;
import dev.fathom.nn.Embedding;
import dev.fathom.nn.Flatten;
import dev.fathom.nn.LSTM;
import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Linear;
import dev.fathom.nn.LstmOutput;
import dev.fathom.nn.MaxPool2d;
import dev.fathom.nn.Module;
import dev.fathom.nn.ModuleList;
import dev.fathom.nn.ReLU;
import dev.fathom.nn.Sequential;
import dev.fathom.ops.Attention;
import dev.fathom.tensor.Tensor;

/**
 * The models of the reference workloads ({@code shared/bench/WORKLOADS.md}), layer for layer and
 * in PyTorch's construction order, so that after {@code Generator.manualSeed(0)} their initial
 * weights are the ones {@code pytorch_bench.py} starts from.
 */
public final class Models {
    private Models() {}

    /** Flatten – Linear(784,512) – ReLU – Linear(512,256) – ReLU – Linear(256,10): 535,818 parameters. */
    public static Sequential mlp() {
        return new Sequential(new Flatten(), new Linear(784, 512), new ReLU(), new Linear(512, 256), new ReLU(),
            new Linear(256, 10));
    }

    /**
     * Conv(1→32,3,pad 1)–ReLU–MaxPool2–Conv(32→64,3,pad 1)–ReLU–MaxPool2–Flatten–Linear(3136→128)–ReLU–
     * Dropout(0.25)–Linear(128→10): 421,642 parameters.
     */
    public static Sequential cnn() {
        return new Sequential(
            new Conv2d(1, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, 1, 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(3136, 128), new ReLU(), new Dropout(0.25), new Linear(128, 10));
    }

    /** Embedding(V,64) – LSTM(64→256, batch first) – Linear(256,V): 357,334 parameters at V = 86. */
    public static final class CharLstm extends Module {
        public final Embedding emb;
        public final LSTM lstm;
        public final Linear head;

        public CharLstm(int vocab) {
            emb = registerModule("emb", new Embedding(vocab, 64));
            lstm = registerModule("lstm", new LSTM(64, 256, 1, true, true, 0, false));
            head = registerModule("head", new Linear(256, vocab));
        }

        /** ids {@code [B, T]} and the carried state (null at the start) → logits {@code [B, T, V]} and the new state. */
        public LstmOutput forward(Tensor ids, Tensor h, Tensor c) {
            LstmOutput o = lstm.forward(emb.forward(ids), h, c);
            return new LstmOutput(head.forward(o.output()), o.hn(), o.cn());
        }
    }

    /**
     * One pre-LayerNorm block: {@code x + proj(attn(ln1(x)))}, then {@code x + fc2(gelu(fc1(ln2(x))))};
     * attention with a fused qkv projection and an explicit causal softmax(QKᵀ/√d)·V, computed by
     * {@link Attention#causalSelfAttention} (the composition of split, per-head matmuls and a masked
     * softmax in one op, with the same values).
     */
    public static final class Block extends Module {
        final int heads;
        public final LayerNorm ln1, ln2;
        public final Linear qkv, proj, fc1, fc2;

        Block(int d, int heads) {
            this.heads = heads;
            ln1 = registerModule("ln1", new LayerNorm(d));
            qkv = registerModule("qkv", new Linear(d, 3 * d));
            proj = registerModule("proj", new Linear(d, d));
            ln2 = registerModule("ln2", new LayerNorm(d));
            fc1 = registerModule("fc1", new Linear(d, 4 * d));
            fc2 = registerModule("fc2", new Linear(4 * d, d));
        }

        Tensor attn(Tensor x) {
            return proj.forward(Attention.causalSelfAttention(qkv.forward(x), heads));
        }

        public Tensor forward(Tensor x) {
            x = x.add(attn(ln1.forward(x)));
            return x.add(fc2.forward(fc1.forward(ln2.forward(x)).gelu()));
        }
    }

    /**
     * The tiny GPT: token (V×128) + learned position (128×128) embeddings, 4 pre-LN blocks of 4 heads,
     * final LayerNorm, Linear(128→V) without bias: 831,744 parameters at V = 86.
     */
    public static final class TinyGpt extends Module {
        public final int context;
        public final Embedding tok, pos;
        public final ModuleList<Block> blocks;
        public final LayerNorm lnF;
        public final Linear head;

        public TinyGpt(int vocab) { this(vocab, 128, 4, 4, 128); }

        public TinyGpt(int vocab, int d, int layers, int heads, int context) {
            this.context = context;
            tok = registerModule("tok", new Embedding(vocab, d));
            pos = registerModule("pos", new Embedding(context, d));
            blocks = registerModule("blocks", new ModuleList<>());
            for (int i = 0; i < layers; i++) blocks.add(new Block(d, heads));
            lnF = registerModule("ln_f", new LayerNorm(d));
            head = registerModule("head", new Linear(d, vocab, false));
        }

        /** ids {@code [B, T]}, T ≤ context → logits {@code [B, T, V]}. */
        public Tensor forward(Tensor ids) {
            int t = ids.size(1);
            if (t > context)
                throw new IllegalArgumentException("TinyGpt: sequence length " + t + " exceeds the context " + context);
            Tensor x = tok.forward(ids).add(pos.forward(Tensor.arange(t)));
            for (Block b : blocks) x = b.forward(x);
            return head.forward(lnF.forward(x));
        }
    }
}
