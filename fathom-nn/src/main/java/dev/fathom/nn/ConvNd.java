package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Shapes;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * What every convolution layer shares (PyTorch's {@code _ConvNd}): the settings, the parameters
 * {@code weight} ({@code [out, in/groups, *kernel]}, or {@code [in, out/groups, *kernel]} for a
 * transposed convolution) and {@code bias} ({@code [out]}), and PyTorch's initialisation:
 * {@code kaiming_uniform_(weight, a=√5)}, which is uniform in ±1/√fanIn, then bias uniform in
 * ±1/√fanIn, with {@code fanIn = weight.size(1)·∏kernel}, both drawn from the default generator
 * in that order.
 */
public abstract class ConvNd extends Layer {
    public final int inChannels, outChannels, groups;
    /** {@code "zeros"}, {@code "reflect"}, {@code "replicate"} or {@code "circular"}. */
    public final String paddingMode;
    /** {@code [out, in/groups, *kernel]}, or {@code [in, out/groups, *kernel]} when transposed. */
    public final Tensor weight;
    /** {@code [out]}, or null without bias. */
    public final Tensor bias;
    private final int[] kernelSize, stride, padding, dilation, outputPadding;
    /** {@code "same"} or {@code "valid"} when the padding was given by name, else null. */
    private final String paddingName;
    private final boolean transposed;

    ConvNd(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, String paddingName,
           int[] dilation, boolean transposed, int[] outputPadding, int groups, boolean bias, String paddingMode,
           DType dtype) {
        int sp = kernelSize.length;
        this.kernelSize = values("kernelSize", kernelSize, sp, 1);
        this.stride = values("stride", stride, sp, 1);
        this.dilation = values("dilation", dilation, sp, 1);
        this.outputPadding = values("outputPadding", outputPadding, sp, 0);
        if (inChannels <= 0 || outChannels <= 0)
            throw new IllegalArgumentException(name() + ": channels must be positive, got in=" + inChannels + ", out=" + outChannels);
        if (groups <= 0) throw new IllegalArgumentException(name() + ": groups must be positive, got " + groups);
        if (inChannels % groups != 0)
            throw new IllegalArgumentException(name() + ": inChannels (" + inChannels + ") must be divisible by groups (" + groups + ")");
        if (outChannels % groups != 0)
            throw new IllegalArgumentException(name() + ": outChannels (" + outChannels + ") must be divisible by groups (" + groups + ")");
        String mode = paddingMode == null ? "" : paddingMode.toLowerCase(Locale.ROOT);
        if (!mode.equals("zeros") && !mode.equals("reflect") && !mode.equals("replicate") && !mode.equals("circular"))
            throw new IllegalArgumentException(name() + ": paddingMode must be zeros, reflect, replicate or circular, got '"
                + paddingMode + "'");
        if (transposed && !mode.equals("zeros"))
            throw new IllegalArgumentException(name() + ": only paddingMode zeros is supported, got '" + paddingMode + "'");
        if (paddingName != null) {
            String p = paddingName.toLowerCase(Locale.ROOT);
            if (!p.equals("same") && !p.equals("valid"))
                throw new IllegalArgumentException(name() + ": padding must be \"same\", \"valid\" or numbers, got '" + paddingName + "'");
            if (p.equals("same"))
                for (int s : stride)
                    if (s != 1)
                        throw new IllegalArgumentException(name() + ": padding \"same\" needs stride 1, got stride "
                            + Shapes.format(stride));
            this.paddingName = p;
            this.padding = new int[sp];
        } else {
            this.paddingName = null;
            this.padding = values("padding", padding, sp, 0);
        }
        for (int i = 0; i < sp; i++)
            if (this.outputPadding[i] >= this.stride[i] && this.outputPadding[i] >= this.dilation[i])
                throw new IllegalArgumentException(name() + ": outputPadding " + Shapes.format(outputPadding)
                    + " must be smaller than stride or dilation in each dimension");
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        this.paddingMode = mode;
        this.transposed = transposed;

        int[] wShape = new int[sp + 2];
        wShape[0] = transposed ? inChannels : outChannels;
        wShape[1] = transposed ? outChannels / groups : inChannels / groups;
        System.arraycopy(kernelSize, 0, wShape, 2, sp);
        int fanIn = wShape[1];
        for (int k : kernelSize) fanIn *= k;
        Generator g = Generator.global();
        try (var ignored = Autograd.noGrad()) {
            double wBound = kaimingUniformBound(fanIn);
            this.weight = registerParameter("weight", Tensor.uniform(g, -wBound, wBound, dtype, wShape));
            double bBound = 1 / Math.sqrt(fanIn);
            this.bias = registerParameter("bias", bias ? Tensor.uniform(g, -bBound, bBound, dtype, outChannels) : null);
        }
    }

    /**
     * The bound of {@code torch.nn.init.kaiming_uniform_(w, a=√5)} computed as PyTorch does
     * ({@code gain = √(2/(1+a²))}, {@code bound = √3·gain/√fanIn}), which is 1/√fanIn up to rounding.
     */
    static double kaimingUniformBound(int fanIn) {
        double a = Math.sqrt(5.0);
        double gain = Math.sqrt(2.0 / (1 + a * a));
        return Math.sqrt(3.0) * (gain / Math.sqrt(fanIn));
    }

    private String name() { return getClass().getSimpleName(); }

    private int[] values(String what, int[] v, int sp, int min) {
        if (v == null || v.length != sp)
            throw new IllegalArgumentException(name() + ": " + what + " must have " + sp + " value(s), got "
                + (v == null ? "null" : Arrays.toString(v)));
        for (int x : v)
            if (x < min)
                throw new IllegalArgumentException(name() + ": " + what + " must be " + (min == 0 ? "non-negative" : "positive")
                    + ", got " + Arrays.toString(v));
        return v.clone();
    }

    static int[] fill(int v, int sp) {
        int[] a = new int[sp];
        Arrays.fill(a, v);
        return a;
    }

    /** The kernel size per spatial dimension. */
    public int[] kernelSize() { return kernelSize.clone(); }

    public int[] stride() { return stride.clone(); }

    /** The padding per spatial dimension (zeros when it was given by name; see {@link #paddingName()}). */
    public int[] padding() { return padding.clone(); }

    /** {@code "same"} or {@code "valid"} when the padding was given by name, else null. */
    public String paddingName() { return paddingName; }

    public int[] dilation() { return dilation.clone(); }

    /** Extra size added to one side of a transposed convolution's output (zeros for a plain convolution). */
    public int[] outputPadding() { return outputPadding.clone(); }

    /** Checks the channels and rank of {@code x} (batched or unbatched). */
    void expectChannels(Tensor x) {
        int sp = kernelSize.length;
        expectInput(x, -(sp + 1), inChannels, "channels", sp + 1, sp + 2);
    }

    /**
     * For a padding mode other than zeros: {@code x} padded explicitly (PyTorch's
     * {@code _reversed_padding_repeated_twice}; "same" puts the odd extra element after), so the
     * convolution itself runs unpadded.
     */
    Tensor padInput(Tensor x) {
        int sp = kernelSize.length;
        int[] pads = new int[2 * sp];
        for (int i = 0; i < sp; i++) {
            int d = sp - 1 - i, before, after;
            if ("same".equals(paddingName)) {
                int total = dilation[d] * (kernelSize[d] - 1);
                before = total / 2;
                after = total - before;
            } else {
                before = after = padding[d];
            }
            pads[2 * i] = before;
            pads[2 * i + 1] = after;
        }
        return x.pad(pads, paddingMode);
    }

    @Override
    protected String extraRepr() {
        StringBuilder b = new StringBuilder();
        b.append("in=").append(inChannels).append(", out=").append(outChannels)
            .append(", kernelSize=").append(Shapes.format(kernelSize)).append(", stride=").append(Shapes.format(stride));
        if (paddingName != null) b.append(", padding=").append(paddingName);
        else if (Arrays.stream(padding).anyMatch(p -> p != 0)) b.append(", padding=").append(Shapes.format(padding));
        if (Arrays.stream(dilation).anyMatch(d -> d != 1)) b.append(", dilation=").append(Shapes.format(dilation));
        if (Arrays.stream(outputPadding).anyMatch(p -> p != 0)) b.append(", outputPadding=").append(Shapes.format(outputPadding));
        if (groups != 1) b.append(", groups=").append(groups);
        if (bias == null) b.append(", bias=false");
        if (!paddingMode.equals("zeros")) b.append(", paddingMode=").append(paddingMode);
        return b.toString();
    }
}
