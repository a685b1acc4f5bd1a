package dev.fathom.examples;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.Dropout;
import dev.fathom.nn.GCNConv;
import dev.fathom.nn.Module;
import dev.fathom.nn.loss.Losses;
import dev.fathom.optim.Adam;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Semi-supervised node classification with a two-layer graph convolutional network (Kipf &amp;
 * Welling): a generated graph of 4 communities of 60 nodes (stochastic block model, edges inside
 * a community 15 times likelier than across), with node features that carry only a faint, noisy
 * hint of the community. Only 5 nodes per community are labelled; the GCN spreads their labels
 * along the edges. It reports the accuracy on the unlabelled (held-out) nodes, next to a
 * features-only baseline (the same network with every edge removed), to show what the graph adds.
 */
public final class GcnNodeClassification implements WorkedExample {
    static final int COMMUNITIES = 4, PER_COMMUNITY = 60, FEATURES = 16, LABELLED_PER_CLASS = 5;

    @Override public String name() { return "gcn-node-classification"; }

    @Override public String description() {
        return "2-layer GCN on a generated 4-community graph, 5 labels per class: held-out node accuracy";
    }

    /** Two GCN layers with ReLU and dropout between them. */
    static final class Gcn extends Module {
        final GCNConv conv1, conv2;
        final Dropout dropout = registerModule("dropout", new Dropout(0.5));

        Gcn(int in, int hidden, int classes) {
            conv1 = registerModule("conv1", new GCNConv(in, hidden));
            conv2 = registerModule("conv2", new GCNConv(hidden, classes));
        }

        Tensor forward(Tensor x, Tensor edges) {
            return conv2.forward(dropout.forward(conv1.forward(dropout.forward(x), edges).relu()), edges);
        }
    }

    @Override
    public double run(Options options, PrintStream out) {
        Generator.manualSeed(options.seed());
        var gen = new Generator(options.seed() + 1);
        int n = COMMUNITIES * PER_COMMUNITY;
        int epochs = options.epochs() > 0 ? options.epochs() : options.quick() ? 60 : 200;

        long[] labels = new long[n];
        for (int i = 0; i < n; i++) labels[i] = i / PER_COMMUNITY;
        // stochastic block model: p(edge) 0.15 inside a community, 0.01 across
        List<long[]> edgeList = new ArrayList<>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                double p = labels[i] == labels[j] ? 0.15 : 0.01;
                if (gen.nextDouble() < p) { edgeList.add(new long[] {i, j}); edgeList.add(new long[] {j, i}); }
            }
        long[][] ei = new long[2][edgeList.size()];
        for (int e = 0; e < edgeList.size(); e++) { ei[0][e] = edgeList.get(e)[0]; ei[1][e] = edgeList.get(e)[1]; }
        Tensor edges = Tensor.of(ei);
        Tensor noEdges = Tensor.zeros(dev.fathom.tensor.DType.INT64, 2, 0);
        // features: Gaussian noise plus a weak shift in the community's own feature
        float[] feat = new float[n * FEATURES];
        for (int i = 0; i < n; i++)
            for (int f = 0; f < FEATURES; f++)
                feat[i * FEATURES + f] = (float) (gen.nextGaussian() + (f % COMMUNITIES == labels[i] ? 0.4 : 0));
        Tensor x = Tensor.of(feat, n, FEATURES);
        Tensor y = Tensor.vector(labels);

        // 5 labelled nodes per community, the rest held out
        boolean[] train = new boolean[n];
        for (int c = 0; c < COMMUNITIES; c++) {
            long[] perm = Tensor.randperm(gen, PER_COMMUNITY).toLongArray();
            for (int k = 0; k < LABELLED_PER_CLASS; k++) train[c * PER_COMMUNITY + (int) perm[k]] = true;
        }
        List<Long> trainIdx = new ArrayList<>(), testIdx = new ArrayList<>();
        for (int i = 0; i < n; i++) (train[i] ? trainIdx : testIdx).add((long) i);
        Tensor trainIndex = Tensor.vector(trainIdx.stream().mapToLong(Long::longValue).toArray());
        Tensor testIndex = Tensor.vector(testIdx.stream().mapToLong(Long::longValue).toArray());
        out.printf("graph: %d nodes, %d undirected edges, %d communities; %d labelled nodes, %d held out%n",
            n, edgeList.size() / 2, COMMUNITIES, trainIdx.size(), testIdx.size());

        double baseline = trainAndTest(x, noEdges, y, trainIndex, testIndex, epochs, null);
        out.printf("features only (no edges): held-out accuracy %.3f%n", baseline);
        double acc = trainAndTest(x, edges, y, trainIndex, testIndex, epochs, out);
        out.printf("GCN after %d epochs: held-out accuracy %.3f (chance %.3f)%n", epochs, acc, 1.0 / COMMUNITIES);
        return acc;
    }

    private static double trainAndTest(Tensor x, Tensor edges, Tensor y, Tensor trainIndex, Tensor testIndex,
                                       int epochs, PrintStream out) {
        var model = new Gcn(FEATURES, 16, COMMUNITIES);
        var opt = new Adam(model.parameters(), new Adam.Options().lr(0.01).weightDecay(5e-4));
        Tensor yTrain = y.indexSelect(0, trainIndex);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            model.train();
            Tensor loss = Losses.crossEntropy(model.forward(x, edges).indexSelect(0, trainIndex), yTrain);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (out != null && (epoch % Math.max(1, epochs / 5) == 0))
                out.printf("epoch %d: train loss %.4f, held-out accuracy %.3f%n", epoch, loss.item(),
                    accuracy(model, x, edges, y, testIndex));
        }
        return accuracy(model, x, edges, y, testIndex);
    }

    private static double accuracy(Gcn model, Tensor x, Tensor edges, Tensor y, Tensor index) {
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            Tensor pred = model.forward(x, edges).indexSelect(0, index).argmax(1);
            return pred.eq(y.indexSelect(0, index)).to(dev.fathom.tensor.DType.FLOAT32).mean().item();
        } finally {
            model.train();
        }
    }
}
