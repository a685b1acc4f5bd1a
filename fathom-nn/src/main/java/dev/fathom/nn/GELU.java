package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** GELU, {@code x·Φ(x)}, exact ("none", the default) or with the tanh approximation ("tanh"); see {@link Functional#gelu(Tensor, String)}. */
public class GELU extends Layer {
    public final String approximate;
    private final boolean tanh;

    public GELU() { this("none"); }

    public GELU(String approximate) {
        this.tanh = Functional.tanhApproximation(approximate);
        this.approximate = approximate;
    }

    @Override
    public Tensor forward(Tensor x) { return x.gelu(tanh); }

    @Override
    protected String extraRepr() { return "approximate=" + approximate; }
}
