package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.GradCheck;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GCNConvTest {
    /** The path 0 - 1 - 2, each edge in both directions. */
    static final Tensor PATH = Tensor.of(new long[][] {{0, 1, 1, 2}, {1, 0, 2, 1}});

    static GCNConv handLayer(boolean addSelfLoops, boolean normalize) {
        GCNConv conv = new GCNConv(2, 2, true, addSelfLoops, normalize, DType.FLOAT64);
        try (var ignored = Autograd.noGrad()) {
            conv.lin.weight.copyFrom(Tensor.of(new double[][] {{1, 2}, {3, 4}}));
            conv.bias.copyFrom(Tensor.vector(0.5, -0.5));
        }
        return conv;
    }

    static final Tensor X = Tensor.of(new double[][] {{1, 0}, {0, 1}, {1, 1}});
    // rows of X·Wᵀ
    static final double[][] H = {{1, 3}, {2, 4}, {3, 7}};

    static Tensor combine(double[][] coef) {
        double[][] out = new double[coef.length][2];
        for (int i = 0; i < coef.length; i++)
            for (int j = 0; j < 3; j++)
                for (int c = 0; c < 2; c++) out[i][c] += coef[i][j] * H[j][c];
        for (double[] row : out) { row[0] += 0.5; row[1] -= 0.5; }
        return Tensor.of(out);
    }

    @Test
    void threeNodePathByHand() {
        // Â = A + I, degrees (2, 3, 2): coefficient 1/√(d_i d_j) for every edge and loop
        double s6 = 1 / Math.sqrt(6);
        Tensor expected = combine(new double[][] {{0.5, s6, 0}, {s6, 1 / 3.0, s6}, {0, s6, 0.5}});
        Tensor y = handLayer(true, true).forward(X, PATH);
        assertTrue(y.allClose(expected, 0, 1e-12), y + "\n" + expected);

        // a self loop already in the list is kept once (PyG's add_remaining_self_loops)
        Tensor withLoop = Tensor.of(new long[][] {{0, 1, 1, 2, 1}, {1, 0, 2, 1, 1}});
        assertTrue(handLayer(true, true).forward(X, withLoop).allClose(expected, 0, 1e-12));

        // without normalisation: (A + I) X W + b
        Tensor sums = combine(new double[][] {{1, 1, 0}, {1, 1, 1}, {0, 1, 1}});
        assertTrue(handLayer(true, false).forward(X, PATH).allClose(sums, 0, 1e-12));

        // without self loops: degrees (1, 2, 1)
        double r2 = 1 / Math.sqrt(2);
        assertTrue(handLayer(false, true).forward(X, PATH).allClose(combine(new double[][] {{0, r2, 0}, {r2, 0, r2}, {0, r2, 0}}), 0, 1e-12));

        // one directed edge 0 -> 1: node 1 (in-degree 2) hears node 0 (degree 1); nodes 0 and 2 only themselves
        Tensor directed = Tensor.of(new long[][] {{0}, {1}});
        assertTrue(handLayer(true, true).forward(X, directed).allClose(combine(new double[][] {{1, 0, 0}, {r2, 0.5, 0}, {0, 0, 1}}), 0, 1e-12));

        // edge weights: (A_w + I), degrees 1 + 2 = 3, 1 + 2 + 0.5 = 3.5, 1 + 0.5 = 1.5
        Tensor w = Tensor.vector(2.0, 2.0, 0.5, 0.5);
        double[] d = {3, 3.5, 1.5};
        double[][] c = new double[3][3];
        double[][] a = {{1, 2, 0}, {2, 1, 0.5}, {0, 0.5, 1}};
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) c[i][j] = a[i][j] / Math.sqrt(d[i] * d[j]);
        assertTrue(handLayer(true, true).forward(X, PATH, w).allClose(combine(c), 0, 1e-12));

        // no edges at all: every node keeps only its own (self-loop) message
        Tensor none = Tensor.zeros(DType.INT64, 2, 0);
        assertTrue(handLayer(true, true).forward(X, none).allClose(combine(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}), 0, 1e-12));

        // an isolated node without self loops (degree 0) gets the bias only
        Tensor iso = handLayer(false, true).forward(Tensor.of(new double[][] {{1, 0}, {0, 1}, {1, 1}, {5, 5}}), PATH);
        assertTrue(iso.select(0, 3).allClose(Tensor.vector(0.5, -0.5), 0, 0));
    }

    @Test
    void gradcheckInFeaturesWeightsAndEdgeWeights() {
        Generator.manualSeed(2);
        GCNConv conv = new GCNConv(3, 2, true, true, true, DType.FLOAT64);
        try (var ignored = Autograd.noGrad()) { conv.bias.copyFrom(Tensor.vector(0.1, -0.2)); }
        Tensor edges = Tensor.of(new long[][] {{0, 1, 1, 2, 3, 2, 0}, {1, 0, 2, 1, 2, 3, 0}});
        Tensor x = Tensor.randn(new Generator(3), DType.FLOAT64, 4, 3).requiresGrad(true);
        Tensor w = Tensor.rand(new Generator(4), DType.FLOAT64, 7).add(0.5).requiresGrad(true);
        GradCheck.Report r = GradCheck.check(in -> conv.forward(in[0], edges, in[1]), x, w, conv.lin.weight, conv.bias);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void namesInitialisationAndErrors() {
        Generator.manualSeed(0);
        GCNConv conv = new GCNConv(30, 20);
        assertEquals(List.of("bias", "lin.weight"), List.copyOf(conv.stateDict().keySet()));
        assertTrue(conv.bias.equal(Tensor.zeros(20)));
        double a = Math.sqrt(6.0 / 50), max = conv.lin.weight.abs().max().item();
        assertTrue(max <= a && max > 0.9 * a, "Glorot uniform bound " + a + ", largest " + max);
        var e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(3, 5), PATH));
        assertEquals("GCNConv(in=30, out=20, bias=true, addSelfLoops=true, normalize=true): expected node features [nodes, 30], "
            + "got shape [3, 5]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(2, 30), PATH));
        assertTrue(e.getMessage().endsWith("edge 2 (1 -> 2) names a node outside 0..1 for 2 nodes"), e.getMessage());
    }

    @Test
    void twoLayerGcnClassifiesCommunitiesOfAStochasticBlockModel() {
        // 3 communities of 40 nodes; edge probability 0.15 inside a community, 0.01 between; node features
        // are 16 noisy dimensions whose class mean is shifted by only 0.5 in one class-specific dimension.
        // 10 labelled nodes per class train a GCN(16 -> 16 -> 3); the other 90 are held out.
        // Threshold: >= 90% held-out accuracy (the features alone allow far less, see the baseline below).
        Generator g = new Generator(11);
        int classes = 3, per = 40, n = classes * per, feats = 16;
        long[] label = new long[n];
        for (int i = 0; i < n; i++) label[i] = i / per;
        double[] u = Tensor.rand(g, DType.FLOAT64, n * n).toDoubleArray();
        List<long[]> edges = new ArrayList<>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (u[i * n + j] < (label[i] == label[j] ? 0.15 : 0.01)) {
                    edges.add(new long[] {i, j});
                    edges.add(new long[] {j, i});
                }
        long[][] ei = new long[2][edges.size()];
        for (int k = 0; k < edges.size(); k++) { ei[0][k] = edges.get(k)[0]; ei[1][k] = edges.get(k)[1]; }
        Tensor edgeIndex = Tensor.of(ei);
        double[] xf = Tensor.randn(g, DType.FLOAT64, n * feats).toDoubleArray();
        for (int i = 0; i < n; i++) xf[i * feats + (int) label[i]] += 0.5;
        Tensor x = Tensor.of(xf, n, feats).to(DType.FLOAT32);
        Tensor y = Tensor.of(label, n);
        long[] trainIdx = new long[classes * 10], testIdx = new long[n - classes * 10];
        for (int i = 0, a = 0, b = 0; i < n; i++) if (i % per < 10) trainIdx[a++] = i; else testIdx[b++] = i;
        Tensor train = Tensor.of(trainIdx, trainIdx.length), test = Tensor.of(testIdx, testIdx.length);

        Generator.manualSeed(0);
        GCNConv conv1 = new GCNConv(feats, 16), conv2 = new GCNConv(16, classes);
        List<Tensor> params = new ArrayList<>(conv1.parameters());
        params.addAll(conv2.parameters());
        TinyAdam adam = new TinyAdam(params, 0.01);
        java.util.function.Supplier<Tensor> model = () -> conv2.forward(conv1.forward(x, edgeIndex).relu(), edgeIndex);
        for (int epoch = 0; epoch < 150; epoch++) {
            Tensor loss = TinyAdam.crossEntropy(model.get().indexSelect(0, train), y.indexSelect(0, train));
            loss.backward();
            adam.step();
        }
        double acc;
        try (var ignored = Autograd.noGrad()) { acc = TinyAdam.accuracy(model.get().indexSelect(0, test), y.indexSelect(0, test)); }

        // baseline: the same training of a 2-layer MLP on the features alone
        Generator.manualSeed(0);
        Sequential mlp = new Sequential(new Linear(feats, 16), new Layer() {
            @Override public Tensor forward(Tensor t) { return t.relu(); }
        }, new Linear(16, classes));
        TinyAdam madam = new TinyAdam(mlp.parameters(), 0.01);
        for (int epoch = 0; epoch < 150; epoch++) {
            TinyAdam.crossEntropy(mlp.forward(x.indexSelect(0, train)), y.indexSelect(0, train)).backward();
            madam.step();
        }
        double base = TinyAdam.accuracy(mlp.forward(x.indexSelect(0, test)), y.indexSelect(0, test));
        System.out.printf("GCN on a 3-community SBM (%d edges): held-out accuracy %.3f (feature-only MLP %.3f)%n",
            edges.size(), acc, base);
        assertTrue(acc >= 0.90, "GCN held-out accuracy " + acc + " (MLP on features alone " + base + ")");
        assertTrue(base < 0.6, "the features alone should be weak, MLP accuracy " + base);
    }
}
