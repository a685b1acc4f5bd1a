package dev.fathom.autograd;

import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

/** A node recorded by an op: its backward rule plus the inputs and output it saved. */
final class OpNode extends Node implements Saved {
    private final Backward rule;
    private Tensor[] inputs;
    private int[] versions;
    private Tensor output;
    private int outputVersion;
    private final int[][] inputShapes;
    private final DType[] inputTypes;
    private boolean released;
    private Runnable onRelease;

    OpNode(String name, Backward rule, Tensor[] inputs, Saves saves, Tensor output, Node[] next) {
        super(name, next, output.shape(), output.dtype());
        this.rule = rule;
        this.inputs = inputs;
        this.output = output;
        int n = inputs.length;
        this.versions = new int[n];
        this.inputShapes = new int[n][];
        this.inputTypes = new DType[n];
        for (int i = 0; i < n; i++) {
            versions[i] = inputs[i].storage().version();
            inputShapes[i] = inputs[i].shape();
            inputTypes[i] = inputs[i].dtype();
        }
        if (!saves.inputs) this.inputs = null;
        if (!saves.output) this.output = null;
        this.outputVersion = output.storage().version();
    }

    @Override
    Tensor[] apply(Tensor grad) { return rule.apply(this, grad); }

    @Override
    void release() {
        if (onRelease != null) onRelease.run();
        released = true;
        inputs = null;
        output = null;
    }

    /** Runs {@code r} when the node is released (custom functions drop their saved tensors). */
    void onRelease(Runnable r) { onRelease = r; }

    @Override
    public Tensor input(int i) {
        checkReleased();
        if (inputs == null)
            throw new IllegalStateException("backward of " + name + " read input " + i + ", but the op was recorded "
                + "without saving its inputs (Saves." + "OUTPUT or NONE)");
        return check(inputs[i], versions[i], "input " + i);
    }

    @Override
    public Tensor output() {
        checkReleased();
        if (output == null)
            throw new IllegalStateException("backward of " + name + " read its output, but the op was recorded without "
                + "saving it (Saves.INPUTS or NONE)");
        return check(output, outputVersion, "its output");
    }

    private void checkReleased() {
        if (released)
            throw new IllegalStateException("backward of " + name + ": trying to backward through the graph a second time; "
                + "the values it saved were freed by the first backward. Pass retainGraph = true to the first backward "
                + "(or to Autograd.grad) if you need to run backward through this graph again");
    }

    private Tensor check(Tensor t, int version, String what) {
        int now = t.storage().version();
        if (now != version)
            throw new IllegalStateException("backward of " + name + ": " + what + " (shape " + Shapes.format(t.shape())
                + ", " + t.dtype() + ") was modified in place after the forward pass (version " + version + ", now " + now
                + "), but " + name + " needs its original value for the gradient. Modify a copy instead (x.copy()), or "
                + "make the change before the op runs");
        return t;
    }

    @Override
    public boolean needsGrad(int i) { return next[i] != null; }

    @Override
    public int[] inputShape(int i) { return inputShapes[i].clone(); }

    @Override
    public DType inputType(int i) { return inputTypes[i]; }
}
