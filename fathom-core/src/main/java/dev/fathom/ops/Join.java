package dev.fathom.ops;

import dev.fathom.autograd.Graph;
import dev.fathom.autograd.Saves;
import dev.fathom.backend.Copy;
import dev.fathom.backend.Parallel;
import dev.fathom.backend.StridedIter;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Joining and splitting along a dimension with PyTorch semantics: {@code cat}, {@code stack}
 * (copies into one new tensor, promoting dtypes) and {@code split}, {@code chunk} (views that
 * share the input's storage). The gradient of cat and stack hands each input its slice of the
 * output's gradient, converted to the input's type; split and chunk are narrow views and
 * differentiate as such.
 */
public final class Join {
    private Join() {}

    private static void checkList(String op, List<Tensor> tensors) {
        if (tensors == null || tensors.isEmpty())
            throw new IllegalArgumentException(op + ": expected a non-empty list of tensors");
        for (int i = 0; i < tensors.size(); i++)
            if (tensors.get(i) == null) throw new IllegalArgumentException(op + ": tensor " + i + " is null");
    }

    private static DType promoteAll(List<Tensor> tensors) {
        DType t = tensors.getFirst().dtype();
        for (Tensor x : tensors) t = DType.promote(t, x.dtype());
        return t;
    }

    /** PyTorch still accepts (and skips) 1-d empty tensors in cat whatever the other shapes are. */
    private static boolean legacyEmpty(Tensor t) { return t.ndim() == 1 && t.size(0) == 0; }

    /**
     * {@code torch.cat}: joins tensors along an existing dimension. All tensors have the same
     * number of dimensions and equal sizes outside {@code dim}; the result type is the promotion
     * of all input types. 1-d empty tensors are skipped, as in PyTorch.
     */
    public static Tensor cat(int dim, List<Tensor> tensors) {
        checkList("cat", tensors);
        int n = tensors.size();
        return Graph.run("cat", () -> catForward(dim, tensors), (s, g) -> {
            int nd = g.ndim(), d = Shapes.axis("cat", dim, nd), pos = 0;
            Tensor[] r = new Tensor[n];
            for (int i = 0; i < r.length; i++) {
                int[] sh = s.inputShape(i);
                boolean skipped = nd != 1 && sh.length == 1 && sh[0] == 0;
                int k = skipped ? 0 : sh[d];
                if (s.needsGrad(i))
                    r[i] = skipped ? Tensor.zeros(s.inputType(i), 0) : g.narrow(d, pos, k).to(s.inputType(i));
                pos += k;
            }
            return r;
        }, Saves.NONE, tensors.toArray(new Tensor[0]));
    }

    private static Tensor catForward(int dim, List<Tensor> tensors) {
        final String op = "cat";
        int refIdx = 0;
        for (int i = 0; i < tensors.size(); i++)
            if (!legacyEmpty(tensors.get(i))) { refIdx = i; break; }
        Tensor ref = tensors.get(refIdx);
        int[] refShape = ref.shape();
        int nd = refShape.length;
        for (int i = 0; i < tensors.size(); i++)
            if (tensors.get(i).ndim() == 0)
                throw new IllegalArgumentException(op + ": tensor " + i + " is 0-d (shape []); zero-dimensional "
                    + "tensors cannot be concatenated (unsqueeze them first or use stack)");
        int d = Shapes.axis(op, dim, nd);
        long total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (nd != 1 && legacyEmpty(t)) continue;
            int[] s = t.shape();
            if (s.length != nd)
                throw new IllegalArgumentException(op + ": tensor " + i + " has shape " + Shapes.format(s) + " with "
                    + s.length + " dimensions but tensor " + refIdx + " has shape " + Shapes.format(refShape) + " with "
                    + nd + "; all tensors must have the same number of dimensions");
            for (int k = 0; k < nd; k++)
                if (k != d && s[k] != refShape[k])
                    throw new IllegalArgumentException(op + ": tensor " + i + " has shape " + Shapes.format(s)
                        + " but tensor " + refIdx + " has shape " + Shapes.format(refShape)
                        + "; sizes must match except in dimension " + d);
            total += s[d];
        }
        if (total > Integer.MAX_VALUE)
            throw new IllegalArgumentException(op + ": the result would have " + total + " elements along dimension "
                + d + ", more than a tensor dimension holds");
        int[] outShape = refShape.clone();
        outShape[d] = (int) total;
        Tensor out = Indexing.newTensor(op, promoteAll(tensors), outShape);
        if (out.numel() == 0) return out;
        int[] outSt = out.strides();
        Part[] parts = new Part[tensors.size()];
        int count = 0, pos = 0;
        for (Tensor t : tensors) {
            if (nd != 1 && legacyEmpty(t)) continue;
            int k = t.size(d);
            if (k == 0) continue;
            parts[count++] = new Part(t, pos * outSt[d], outSt);
            pos += k;
        }
        copyParts(parts, count, out);
        return out;
    }

    /** One input of cat/stack and where its elements go in the output (offset and strides). */
    private record Part(Tensor src, int dstOffset, int[] dstStrides) {}

    /**
     * Copies every part into {@code out}. Copy coalesces a contiguous part into rows of
     * {@code size(dim) * inner} elements, one arraycopy each. Many similar-sized parts (a batch
     * being stacked) are spread over the worker pool; one dominant part keeps Copy's own row
     * parallelism instead.
     */
    private static void copyParts(Part[] parts, int count, Tensor out) {
        Object dst = out.storage().array();
        long max = 0;
        for (int i = 0; i < count; i++) max = Math.max(max, parts[i].src.numel());
        Parallel.RangeBody body = (s, e) -> {
            for (int i = s; i < e; i++) {
                Tensor t = parts[i].src;
                Copy.copy(t.shape(), t.storage().array(), t.offset(), t.strides(), dst, parts[i].dstOffset,
                    parts[i].dstStrides);
            }
        };
        if (count > 1 && out.numel() >= 2 * StridedIter.PARALLEL_GRAIN && max * 2 <= out.numel())
            Parallel.forRange(count, 1, body);
        else body.run(0, count);
    }

    /** {@link #cat(int, List)} over an array. */
    public static Tensor cat(int dim, Tensor... tensors) {
        return cat(dim, tensors == null ? null : Arrays.asList(tensors));
    }

    /**
     * {@code torch.stack}: joins same-shaped tensors along a new dimension {@code dim} in
     * {@code [-ndim-1, ndim]}; the result type is the promotion of all input types.
     */
    public static Tensor stack(int dim, List<Tensor> tensors) {
        checkList("stack", tensors);
        int n = tensors.size();
        return Graph.run("stack", () -> stackForward(dim, tensors), (s, g) -> {
            int d = Shapes.axis("stack", dim, g.ndim());
            Tensor[] r = new Tensor[n];
            for (int i = 0; i < r.length; i++) if (s.needsGrad(i)) r[i] = g.select(d, i).to(s.inputType(i));
            return r;
        }, Saves.NONE, tensors.toArray(new Tensor[0]));
    }

    private static Tensor stackForward(int dim, List<Tensor> tensors) {
        final String op = "stack";
        int[] refShape = tensors.getFirst().shape();
        int nd = refShape.length;
        int d = Shapes.axis(op, dim, nd + 1);
        for (int i = 1; i < tensors.size(); i++) {
            int[] s = tensors.get(i).shape();
            if (!Arrays.equals(s, refShape))
                throw new IllegalArgumentException(op + ": tensor " + i + " has shape " + Shapes.format(s)
                    + " but tensor 0 has shape " + Shapes.format(refShape) + "; all tensors must have the same shape");
        }
        int n = tensors.size();
        int[] outShape = new int[nd + 1];
        for (int k = 0, j = 0; k <= nd; k++) outShape[k] = k == d ? n : refShape[j++];
        Tensor out = Indexing.newTensor(op, promoteAll(tensors), outShape);
        if (out.numel() == 0) return out;
        int[] outSt = out.strides();
        int[] sliceSt = new int[nd]; // out's strides without the new dimension
        for (int k = 0, j = 0; k <= nd; k++) if (k != d) sliceSt[j++] = outSt[k];
        Part[] parts = new Part[n];
        for (int i = 0; i < n; i++) parts[i] = new Part(tensors.get(i), i * outSt[d], sliceSt);
        copyParts(parts, n, out);
        return out;
    }

    /** {@link #stack(int, List)} over an array. */
    public static Tensor stack(int dim, Tensor... tensors) {
        return stack(dim, tensors == null ? null : Arrays.asList(tensors));
    }

    private static int splitAxis(String op, Tensor x, int dim) {
        if (x.ndim() == 0)
            throw new IllegalArgumentException(op + ": expects a tensor with at least 1 dimension, got a 0-d tensor");
        return Shapes.axis(op, dim, x.ndim());
    }

    /**
     * {@code torch.split} with a size: views of {@code splitSize} elements along {@code dim}, the
     * last one smaller when the size does not divide evenly. An empty dimension gives one empty
     * view.
     */
    public static List<Tensor> split(Tensor x, int splitSize, int dim) {
        final String op = "split";
        int d = splitAxis(op, x, dim);
        int n = x.size(d);
        if (splitSize < 0 || (splitSize == 0 && n > 0))
            throw new IllegalArgumentException(op + ": split size must be positive, got " + splitSize
                + " for dimension " + d + " of size " + n + " (shape " + Shapes.format(x.shape()) + ")");
        int count = n == 0 ? 1 : (int) (((long) n + splitSize - 1) / splitSize);
        Tensor[] parts = new Tensor[count];
        for (int i = 0; i < count; i++) {
            int start = (int) Math.min((long) i * splitSize, n);
            parts[i] = x.narrow(d, start, Math.min(splitSize, n - start));
        }
        return List.of(parts);
    }

    /**
     * {@code torch.split} with sizes: consecutive views of {@code sizes[i]} elements along
     * {@code dim}; the sizes must be non-negative and sum to {@code size(dim)}.
     */
    public static List<Tensor> split(Tensor x, int[] sizes, int dim) {
        final String op = "split";
        int d = splitAxis(op, x, dim);
        int n = x.size(d);
        if (sizes == null) throw new IllegalArgumentException(op + ": sizes must not be null");
        long sum = 0;
        for (int s : sizes) {
            if (s < 0)
                throw new IllegalArgumentException(op + ": split sizes " + Arrays.toString(sizes)
                    + " contain the negative size " + s);
            sum += s;
        }
        if (sum != n)
            throw new IllegalArgumentException(op + ": split sizes " + Arrays.toString(sizes) + " sum to " + sum
                + " but dimension " + d + " has size " + n + " (shape " + Shapes.format(x.shape()) + ")");
        Tensor[] parts = new Tensor[sizes.length];
        int start = 0;
        for (int i = 0; i < sizes.length; i++) {
            parts[i] = x.narrow(d, start, sizes[i]);
            start += sizes[i];
        }
        return List.of(parts);
    }

    /**
     * {@code torch.chunk}: splits {@code dim} into views of {@code ceil(size / chunks)} elements,
     * so there may be fewer than {@code chunks} pieces (a size of 6 in 4 chunks gives 2, 2, 2). An
     * empty dimension gives {@code chunks} empty views.
     */
    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        final String op = "chunk";
        int d = splitAxis(op, x, dim);
        if (chunks <= 0)
            throw new IllegalArgumentException(op + ": the number of chunks must be positive, got " + chunks);
        int n = x.size(d);
        if (n == 0) return split(x, new int[chunks], d);
        return split(x, (int) (((long) n + chunks - 1) / chunks), d);
    }
}
