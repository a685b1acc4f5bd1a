package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/**
 * The graph convolution of Kipf &amp; Welling (2017) as PyTorch Geometric's {@code GCNConv}:
 * {@code X' = D̂^{-1/2} Â D̂^{-1/2} X W + b}, where {@code Â = A + I} (the adjacency with a self
 * loop on every node) and {@code D̂} its degree matrix. Nodes are rows of {@code x [N, F]};
 * edges are the columns of {@code edgeIndex [2, E]} (int64), a message flowing from
 * {@code edgeIndex[0]} (source) to {@code edgeIndex[1]} (target), so an undirected graph lists
 * each edge in both directions. Optional edge weights {@code [E]} replace the 1s of {@code A}.
 *
 * <p>Computed as message passing: {@code h = x W}, each edge's message
 * {@code h[src] · w / √(deg[src] deg[dst])} gathered with {@code indexSelect} and summed into its
 * target with {@code indexAdd} (both differentiable, in x, the weights and edge weights). The
 * degree is the weighted in-degree (count at the target) including the self loop; a node of
 * degree 0 gets no normalisation factor (0) as in PyTorch Geometric. With
 * {@code addSelfLoops}, loops already in {@code edgeIndex} are replaced by exactly one per node
 * (weight 1, or the given loop's weight), like {@code add_remaining_self_loops}. With
 * {@code normalize = false} messages are the raw (weighted) sums {@code Â X W}.
 *
 * <p>Parameters as PyTorch Geometric names them: {@code lin.weight [out, in]} (Glorot/Xavier
 * uniform) and {@code bias [out]} (zeros).
 *
 * {@snippet :
 * var conv = new GCNConv(16, 8);
 * Tensor edges = Tensor.of(new long[][] {{0, 1, 1, 2}, {1, 0, 2, 1}});   // the path 0 - 1 - 2
 * Tensor h = conv.forward(x, edges).relu();                               // x: [3, 16] -> [3, 8]
 * }
 */
public class GCNConv extends Module {
    public final int inChannels, outChannels;
    public final boolean addSelfLoops, normalize;
    /** {@code [out]} (zeros), or null without bias. */
    public final Tensor bias;
    /** The feature transform {@code x Wᵀ} without bias; its weight {@code [out, in]} is Glorot-initialised. */
    public final Linear lin;

    public GCNConv(int inChannels, int outChannels) { this(inChannels, outChannels, true, true, true); }

    public GCNConv(int inChannels, int outChannels, boolean bias, boolean addSelfLoops, boolean normalize) {
        this(inChannels, outChannels, bias, addSelfLoops, normalize, DType.FLOAT32);
    }

    public GCNConv(int inChannels, int outChannels, boolean bias, boolean addSelfLoops, boolean normalize, DType dtype) {
        if (inChannels <= 0 || outChannels <= 0)
            throw new IllegalArgumentException("GCNConv: channels must be positive, got in=" + inChannels + ", out=" + outChannels);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.addSelfLoops = addSelfLoops;
        this.normalize = normalize;
        try (var ignored = Autograd.noGrad()) {
            this.bias = registerParameter("bias", bias ? Tensor.zeros(dtype, outChannels) : null);
            lin = registerModule("lin", new Linear(inChannels, outChannels, false, dtype));
            double a = Math.sqrt(6.0 / (inChannels + outChannels));
            lin.weight.uniformInPlace(-a, a, Generator.global());
        }
    }

    /** The convolution with every edge of weight 1. */
    public Tensor forward(Tensor x, Tensor edgeIndex) { return forward(x, edgeIndex, null); }

    /** The convolution with edge weights {@code edgeWeight [E]} (null for all 1). */
    public Tensor forward(Tensor x, Tensor edgeIndex, Tensor edgeWeight) {
        if (x == null || x.ndim() != 2 || x.size(1) != inChannels)
            throw new IllegalArgumentException(describe() + ": expected node features [nodes, " + inChannels + "], got shape "
                + (x == null ? "null" : Shapes.format(x.shape())));
        int n = x.size(0);
        if (edgeIndex == null || edgeIndex.ndim() != 2 || edgeIndex.size(0) != 2
            || (edgeIndex.dtype() != DType.INT64 && edgeIndex.dtype() != DType.INT32))
            throw new IllegalArgumentException(describe() + ": expected edgeIndex as an integer tensor [2, edges], got "
                + (edgeIndex == null ? "null" : edgeIndex.dtype() + " " + Shapes.format(edgeIndex.shape())));
        long[] src = edgeIndex.select(0, 0).toLongArray(), dst = edgeIndex.select(0, 1).toLongArray();
        int e = src.length;
        for (int i = 0; i < e; i++)
            if (src[i] < 0 || src[i] >= n || dst[i] < 0 || dst[i] >= n)
                throw new IllegalArgumentException(describe() + ": edge " + i + " (" + src[i] + " -> " + dst[i]
                    + ") names a node outside 0.." + (n - 1) + " for " + n + " nodes");
        if (edgeWeight != null && (edgeWeight.ndim() != 1 || edgeWeight.size(0) != e))
            throw new IllegalArgumentException(describe() + ": expected edgeWeight [" + e + "] (one per edge), got shape "
                + Shapes.format(edgeWeight.shape()));
        Tensor w = edgeWeight == null ? Tensor.ones(x.dtype(), e) : edgeWeight.to(x.dtype());
        if (addSelfLoops) {
            // keep the edges that are not loops, then one loop per node: weight 1 or the listed loop's
            int kept = 0;
            long[] keep = new long[e], loopEdge = new long[n];
            boolean[] hasLoop = new boolean[n];
            for (int i = 0; i < e; i++) {
                if (src[i] != dst[i]) keep[kept++] = i;
                else { hasLoop[(int) src[i]] = true; loopEdge[(int) src[i]] = i; }
            }
            long[] s2 = new long[kept + n], d2 = new long[kept + n];
            for (int i = 0; i < kept; i++) { s2[i] = src[(int) keep[i]]; d2[i] = dst[(int) keep[i]]; }
            for (int v = 0; v < n; v++) s2[kept + v] = d2[kept + v] = v;
            Tensor keptW = w.indexSelect(0, Tensor.of(java.util.Arrays.copyOf(keep, kept), kept));
            Tensor loopW = Tensor.ones(x.dtype(), n);
            boolean anyLoop = false;
            for (boolean b : hasLoop) anyLoop |= b;
            if (anyLoop) loopW = Tensor.where(Tensor.of(hasLoop, n), w.indexSelect(0, Tensor.of(loopEdge, n)), loopW);
            w = Tensor.cat(0, keptW, loopW);
            src = s2;
            dst = d2;
            e = s2.length;
        }
        Tensor srcIdx = Tensor.of(src, e), dstIdx = Tensor.of(dst, e);
        Tensor norm = w;
        if (normalize) {
            Tensor deg = Tensor.zeros(x.dtype(), n).indexAdd(0, dstIdx, w);
            Tensor zero = deg.eq(0.0);
            Tensor dInvSqrt = Tensor.where(zero, deg.onesLike(), deg).rsqrt().maskedFill(zero, 0.0);
            norm = dInvSqrt.indexSelect(0, srcIdx).mul(w).mul(dInvSqrt.indexSelect(0, dstIdx));
        }
        Tensor h = lin.forward(x);
        Tensor messages = h.indexSelect(0, srcIdx).mul(norm.unsqueeze(1));
        Tensor out = Tensor.zeros(h.dtype(), n, outChannels).indexAdd(0, dstIdx, messages);
        return bias == null ? out : out.add(bias);
    }

    private String describe() { return typeName() + "(" + extraRepr() + ")"; }

    @Override
    protected String extraRepr() {
        return "in=" + inChannels + ", out=" + outChannels + ", bias=" + (bias != null) + ", addSelfLoops=" + addSelfLoops
            + ", normalize=" + normalize;
    }
}
