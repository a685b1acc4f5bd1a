package dev.fathom.autograd;

import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Storage;
import dev.fathom.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Runs backward: counts, for every node reachable from the roots, how many edges lead into it,
 * then executes nodes once all their gradient contributions have arrived (a topological order),
 * summing contributions per node. With {@code inputs} given ({@link Autograd#grad}) it only runs
 * the part of the graph that leads to them, captures their gradients and leaves {@code grad()}
 * untouched.
 */
final class Engine {
    private final boolean retainGraph, createGraph, anomaly;
    private final Map<Node, int[]> deps = new IdentityHashMap<>();
    private final Map<Node, Tensor> buffers = new IdentityHashMap<>();
    /** How many places each gradient storage was handed to; a leaf may keep a gradient only if it is the sole holder. */
    private final Map<Storage, Integer> holders = new IdentityHashMap<>();
    /** For Autograd.grad: input node → positions in the result; null for backward(). */
    private Map<Node, int[]> capture;
    private Map<Node, Boolean> needed;

    private Engine(boolean retainGraph, boolean createGraph) {
        this.retainGraph = retainGraph;
        this.createGraph = createGraph;
        this.anomaly = GradMode.state().anomaly;
    }

    static void backward(String op, Tensor[] roots, Tensor[] grads, boolean retainGraph, boolean createGraph) {
        new Engine(retainGraph, createGraph).run(op, roots, grads, null, false);
    }

    static Tensor[] grad(Tensor[] roots, Tensor[] grads, Tensor[] inputs, boolean retainGraph, boolean createGraph,
                         boolean allowUnused) {
        return new Engine(retainGraph, createGraph).run("Autograd.grad", roots, grads, inputs, allowUnused);
    }

    private Tensor[] run(String op, Tensor[] roots, Tensor[] grads, Tensor[] inputs, boolean allowUnused) {
        Node[] rootNodes = new Node[roots.length];
        for (int i = 0; i < roots.length; i++) {
            Tensor r = roots[i];
            if (!r.requiresGrad())
                throw new IllegalStateException(op + ": " + (roots.length > 1 ? "output " + i + " " : "the tensor ")
                    + "(shape " + Shapes.format(r.shape()) + ") does not require grad and has no gradFn: nothing it was "
                    + "computed from requires grad. Call requiresGrad(true) on the parameters (leaf tensors) before the "
                    + "forward pass, and make sure it did not run inside Autograd.noGrad()");
            rootNodes[i] = Graph.edge(r);
        }
        Tensor[] result = null;
        if (inputs != null) {
            capture = new IdentityHashMap<>();
            for (int i = 0; i < inputs.length; i++) {
                if (!inputs[i].requiresGrad())
                    throw new IllegalArgumentException("Autograd.grad: input " + i + " (shape "
                        + Shapes.format(inputs[i].shape()) + ") does not require grad");
                Node n = Graph.edge(inputs[i]);
                int[] at = capture.get(n);
                capture.put(n, at == null ? new int[] {i} : append(at, i));
            }
            needed = new IdentityHashMap<>();
            for (Node r : rootNodes) markNeeded(r);
            result = new Tensor[inputs.length];
        }
        for (Node r : rootNodes) countDeps(r);

        ArrayDeque<Node> ready = new ArrayDeque<>();
        // a gradient the caller passed stays held by the caller; an implicit one (ones) is ours
        for (int i = 0; i < roots.length; i++) {
            Tensor g = grads == null || grads[i] == null ? implicitGrad(op, roots[i]) : checkedRootGrad(op, roots[i], grads[i]);
            deliver(rootNodes[i], g, grads == null || grads[i] == null ? 1 : 2);
        }
        for (Node r : rootNodes) if (deps.get(r)[0] == 0 && !ready.contains(r)) ready.push(r);

        try (Scope ignored = Scope.open(createGraph, false, null)) {
            while (!ready.isEmpty()) {
                Node n = ready.pop();
                Tensor g = buffers.remove(n);
                if (g != null) {
                    holders.computeIfPresent(g.storage(), (k, v) -> v - 1); // consumed by this node
                    boolean hooks = n.hooks != null && !n.hooks.isEmpty();
                    g = n.runHooks(g);
                    if (hooks) holders.merge(g.storage(), 2, Integer::sum); // a hook may keep what it saw or returned
                }
                if (capture != null) {
                    int[] at = capture.get(n);
                    if (at != null) {
                        for (int i : at) result[i] = g;
                        if (g != null) holders.merge(g.storage(), 2, Integer::sum);   // the caller's now: never summed into
                    }
                }
                if (n instanceof AccumulateGrad acc) {
                    if (capture == null && g != null) accumulate(acc, g);
                    continue;
                }
                boolean runIt = g != null && (capture == null || anyNeededChild(n));
                Tensor[] outs = runIt ? n.apply(g) : null;
                if (runIt && outs.length != n.next.length)
                    throw new IllegalStateException("backward of " + n.name + " returned " + outs.length
                        + " gradients for " + n.next.length + " inputs");
                if (outs != null) countHolders(outs, n.userBackward ? 2 : 1);
                for (int i = 0; i < n.next.length; i++) {
                    Node child = n.next[i];
                    if (child == null || !isNeeded(child)) continue;
                    if (outs != null && outs[i] != null) deliver(child, checked(n, i, outs[i]), 0);
                    if (--deps.get(child)[0] == 0) ready.push(child);
                }
                if (runIt && !retainGraph) n.release(); // a node Autograd.grad stopped at keeps its values
            }
        }
        if (result != null) {
            for (int i = 0; i < result.length; i++) {
                if (result[i] != null) continue;
                if (!allowUnused)
                    throw new IllegalArgumentException("Autograd.grad: input " + i + " (shape " + Shapes.format(inputs[i].shape())
                        + ") was not used to compute the outputs, so it has no gradient; pass allowUnused = true to get "
                        + "zeros for it");
                result[i] = inputs[i].zerosLike();
            }
        }
        return result;
    }

    private static Tensor implicitGrad(String op, Tensor root) {
        if (root.numel() != 1)
            throw new IllegalArgumentException(op + ": the gradient can be implied only for a tensor with one element, got shape "
                + Shapes.format(root.shape()) + "; pass the gradient of the loss with respect to this tensor "
                + "(for example backward(Tensor.onesLike()) to sum its elements), or reduce it first with sum() or mean()");
        return root.onesLike();
    }

    private static Tensor checkedRootGrad(String op, Tensor root, Tensor g) {
        if (!Arrays.equals(g.shape(), root.shape()))
            throw new IllegalArgumentException(op + ": the gradient has shape " + Shapes.format(g.shape())
                + " but the tensor it is for has shape " + Shapes.format(root.shape()) + "; they must match");
        if (!g.dtype().isFloatingPoint())
            throw new IllegalArgumentException(op + ": the gradient must be floating point, got " + g.dtype());
        return g.dtype() == root.dtype() ? g : g.to(root.dtype());
    }

    private static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }

    private boolean isNeeded(Node n) { return needed == null || needed.get(n) == Boolean.TRUE; }

    private boolean anyNeededChild(Node n) {
        for (Node c : n.next) if (c != null && isNeeded(c)) return true;
        return false;
    }

    /** Post-order walk: a node is needed when it is an input's node or leads to one. */
    private void markNeeded(Node root) {
        if (needed.containsKey(root)) return;
        ArrayDeque<Node> stack = new ArrayDeque<>();
        ArrayDeque<Integer> pos = new ArrayDeque<>();
        stack.push(root);
        pos.push(0);
        needed.put(root, Boolean.FALSE);
        while (!stack.isEmpty()) {
            Node n = stack.peek();
            int i = pos.pop();
            if (i < n.next.length) {
                pos.push(i + 1);
                Node c = n.next[i];
                if (c != null && !needed.containsKey(c)) {
                    needed.put(c, Boolean.FALSE);
                    stack.push(c);
                    pos.push(0);
                }
            } else {
                stack.pop();
                boolean need = capture.containsKey(n);
                if (!need) for (Node c : n.next) if (c != null && needed.get(c) == Boolean.TRUE) { need = true; break; }
                needed.put(n, need);
            }
        }
    }

    private void countDeps(Node root) {
        if (deps.containsKey(root)) return;
        deps.put(root, new int[1]);
        ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            if (!isNeeded(n)) continue;
            for (Node c : n.next) {
                if (c == null || !isNeeded(c)) continue;
                int[] d = deps.get(c);
                if (d == null) {
                    deps.put(c, new int[] {1});
                    stack.push(c);
                } else d[0]++;
            }
        }
    }

    private Tensor checked(Node n, int i, Tensor g) {
        Node child = n.next[i];
        if (!Arrays.equals(g.shape(), child.shape))
            throw new IllegalStateException("backward of " + n.name + " returned a gradient of shape "
                + Shapes.format(g.shape()) + " for input " + i + ", which has shape " + Shapes.format(child.shape));
        if (anomaly && !allFinite(g)) {
            IllegalStateException e = new IllegalStateException("anomaly detected: the backward of " + n.name
                + " produced NaN or infinite values in the gradient of input " + i
                + (n.createdAt != null ? "; the forward of " + n.name + " ran at the place shown in the cause" : ""));
            if (n.createdAt != null) e.initCause(n.createdAt);
            throw e;
        }
        return g.dtype() == child.dtype ? g : g.to(child.dtype);
    }

    private static boolean allFinite(Tensor g) {
        for (boolean b : g.isFinite().toBoolArray()) if (!b) return false;
        return true;
    }

    private void countHolders(Tensor[] outs, int each) {
        for (Tensor t : outs) if (t != null) holders.merge(t.storage(), each, Integer::sum);
    }

    private void deliver(Node n, Tensor g, int holdersToAdd) {
        if (holdersToAdd > 0) holders.merge(g.storage(), holdersToAdd, Integer::sum);
        Tensor prev = buffers.get(n);
        if (prev == null) buffers.put(n, g);
        else if (summableInPlace(prev)) prev.addInPlace(g);   // the same sum, without a new tensor
        else buffers.put(n, prev.add(g));
    }

    /**
     * Whether a buffered gradient may take the next contribution in place: no graph is being built,
     * it is dense, and this buffer is the only holder of its memory (it was not also handed to
     * another node, a leaf, a hook, a captured result or the caller; a sum made here has no other
     * holder either).
     */
    private boolean summableInPlace(Tensor prev) {
        return !createGraph && !prev.requiresGrad() && prev.isContiguous() && holders.getOrDefault(prev.storage(), 0) <= 1;
    }

    private void accumulate(AccumulateGrad acc, Tensor g) {
        AutogradMeta m = acc.leaf.autogradMeta();
        if (!createGraph) g = g.detach();
        if (m.grad == null) {
            boolean sole = holders.getOrDefault(g.storage(), 0) <= 0; // nobody else holds this gradient's memory
            // with createGraph too (the copy is then recorded): leaves handed one gradient must not share it
            m.grad = sole && g.isContiguous() && g.offset() == 0 && g.numel() == g.storage().length() ? g : g.copy();
        } else if (createGraph || m.grad.requiresGrad()) {
            m.grad = m.grad.add(g);
        } else {
            m.grad.addInPlace(g);
        }
    }
}
