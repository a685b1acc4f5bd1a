package dev.fathom.ops;

import dev.fathom.backend.Simd;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Vector API kernels against the plain-Java ones and against double-precision math. */
class ElementwiseVectorTest {
    @AfterEach
    void restore() { Unary.forceScalar = false; }

    /** A sweep of ordinary values plus the extremes each kernel must survive. */
    private static float[] sweep() {
        List<Float> v = new ArrayList<>();
        for (float x = -110; x <= 110; x += 0.173f) v.add(x);
        for (float x = -3; x <= 3; x += 0.00731f) v.add(x);
        float[] special = {88f, -88f, 88.7f, -87.3f, -103f, 89f, 1e-30f, -1e-30f, 1e-45f, Float.MIN_NORMAL, 0f, -0f,
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE,
            0.625f, -0.625f, 0.6249f, 20f, 20.01f, 30f, 30.01f, 1e-7f, 0.7071067f, 0.7071068f, 1.41421f};
        for (float s : special) v.add(s);
        for (int e = -149; e <= 127; e += 3) { v.add((float) Math.pow(2, e)); v.add((float) -Math.pow(2, e)); }
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    private static final Unary[] VECTOR_OPS = {Unary.EXP, Unary.LOG, Unary.TANH, Unary.SIGMOID, Unary.GELU,
        Unary.GELU_TANH, Unary.SOFTPLUS};

    private static Tensor run(Unary op, float[] x, boolean scalar) {
        Unary.forceScalar = scalar;
        try {
            return op == Unary.SOFTPLUS ? op.apply(Tensor.vector(x), 1.5, 20) : op.apply(Tensor.vector(x));
        } finally {
            Unary.forceScalar = false;
        }
    }

    /** Same NaN-ness, same infinity, else within rel of each other (with a subnormal-sized floor). */
    private static void agree(String what, float x, double ref, float got, double rel) { agree(what, x, ref, got, rel, 1e-37); }

    private static void agree(String what, float x, double ref, float got, double rel, double absFloor) {
        if (Double.isNaN(ref)) { assertTrue(Float.isNaN(got), what + "(" + x + ") should be NaN, got " + got); return; }
        if (Double.isInfinite(ref) || Float.isInfinite(got)) { assertEquals((float) ref, got, what + "(" + x + ")"); return; }
        double tol = rel * Math.abs(ref) + absFloor;
        assertTrue(Math.abs(got - ref) <= tol, what + "(" + x + "): expected " + ref + " got " + got
            + " (rel err " + Math.abs(got - ref) / Math.abs(ref) + ")");
    }

    /** Unsigned bytes over a divisor, vectors and the scalar tail, at offsets: the scalar quotients' bits for every byte value. */
    @Test
    void unsignedBytesOverGivesTheScalarQuotients() {
        assumeTrue(Simd.AVAILABLE, "tests run with --add-modules jdk.incubator.vector");
        byte[] src = new byte[3 + 600];
        for (int i = 0; i < src.length; i++) src[i] = (byte) (i * 7);
        for (float divisor : new float[] {255f, 3f, 0.1f}) {
            float[] dst = new float[2 + 597 + 1];
            dst[dst.length - 1] = 42f;
            dev.fathom.backend.VectorMath.unsignedBytesOver(src, 3, dst, 2, 597, divisor);
            for (int i = 0; i < 597; i++)
                assertEquals(Float.floatToRawIntBits((src[3 + i] & 0xff) / divisor), Float.floatToRawIntBits(dst[2 + i]),
                    "byte " + (src[3 + i] & 0xff) + " / " + divisor);
            assertEquals(0f, dst[0]);
            assertEquals(42f, dst[dst.length - 1]); // nothing written past n
        }
    }

    @Test
    void reluVectorPathGivesTheScalarBitsIncludingNanAndSignedZero() {
        assumeTrue(Simd.AVAILABLE, "tests run with --add-modules jdk.incubator.vector");
        float[] x = sweep();
        float[] vec = run(Unary.RELU, x, false).toFloatArray();
        float[] sca = run(Unary.RELU, x, true).toFloatArray();
        for (int i = 0; i < x.length; i++) {
            float want = Math.max(x[i], 0f); // NaN stays NaN, -0 becomes +0
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(sca[i]), "scalar relu(" + x[i] + ")");
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(vec[i]), "vector relu(" + x[i] + ")");
        }
    }

    @Test
    void vectorAndScalarPathsAgreeAndMatchDoubleMath() {
        assumeTrue(Simd.AVAILABLE, "tests run with --add-modules jdk.incubator.vector");
        float[] x = sweep();
        for (Unary op : VECTOR_OPS) {
            float[] vec = run(op, x, false).toFloatArray();
            float[] sca = run(op, x, true).toFloatArray();
            double p = op == Unary.SOFTPLUS ? 1.5 : 0, q = op == Unary.SOFTPLUS ? 20 : 0;
            // The tanh approximation's argument is a cubic in x; in float32 its rounding is amplified
            // ~100x in the far negative tail (results below 1e-9), where only absolute error is meaningful.
            double floor = op == Unary.GELU_TANH ? 1e-12 : 1e-37;
            for (int i = 0; i < x.length; i++) {
                double ref = op.apply((double) x[i], p, q);
                agree(op + " vector vs scalar", x[i], sca[i], vec[i], 1e-6, floor);
                agree(op + " vector vs double", x[i], ref, vec[i], 1e-6, floor);
                agree(op + " scalar vs double", x[i], ref, sca[i], 1e-6, floor);
            }
        }
    }

    @Test
    void vectorKernelsHaveFloatAccuracy() {
        assumeTrue(Simd.AVAILABLE);
        // dense sweep of the normal range: typical error must be a couple of ulp at most
        int n = 1 << 18;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -80 + 160f * i / n;
        float[] e = Unary.EXP.apply(Tensor.vector(x)).toFloatArray();
        float[] t = Unary.TANH.apply(Tensor.vector(x)).toFloatArray();
        float[] pos = new float[n];
        for (int i = 0; i < n; i++) pos[i] = (float) Math.exp(-60 + 120.0 * i / n);
        float[] l = Unary.LOG.apply(Tensor.vector(pos)).toFloatArray();
        double maxExp = 0, maxTanh = 0, maxLog = 0;
        for (int i = 0; i < n; i++) {
            maxExp = Math.max(maxExp, Math.abs(e[i] - Math.exp(x[i])) / Math.exp(x[i]));
            if (Math.abs(x[i]) > 1e-3) maxTanh = Math.max(maxTanh, Math.abs(t[i] - Math.tanh(x[i])) / Math.abs(Math.tanh(x[i])));
            double lr = Math.log(pos[i]);
            if (Math.abs(lr) > 1e-2) maxLog = Math.max(maxLog, Math.abs(l[i] - lr) / Math.abs(lr));
        }
        assertTrue(maxExp < 3e-7, "exp max rel error " + maxExp);
        assertTrue(maxTanh < 3e-7, "tanh max rel error " + maxTanh);
        assertTrue(maxLog < 3e-7, "log max rel error " + maxLog);
    }

    @Test
    void stridedTailsUseTheSameKernel() {
        // every length from 1 to 40 exercises the masked tail; results must not depend on position
        float[] x = sweep();
        for (int len = 1; len <= 40; len++) {
            float[] part = java.util.Arrays.copyOf(x, len);
            float[] whole = Tensor.vector(x).exp().toFloatArray();
            float[] got = Tensor.vector(part).exp().toFloatArray();
            for (int i = 0; i < len; i++) assertEquals(whole[i], got[i], 0f, "len " + len + " index " + i);
        }
    }

    /** Started in a JVM without the incubator module: Fathom must still compute, on plain Java loops. */
    public static final class NoVectorMain {
        public static void main(String[] args) {
            System.out.println("available=" + Simd.AVAILABLE);
            Tensor x = Tensor.vector(0f, 1f, -1f);
            System.out.println("exp=" + java.util.Arrays.toString(x.exp().toFloatArray()));
            System.out.println("gelu1=" + x.gelu().toFloatArray()[1]);
            System.out.println("add=" + java.util.Arrays.toString(x.add(x).toFloatArray()));
        }
    }

    @Test
    void worksWithoutTheIncubatorModule() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), NoVectorMain.class.getName())
            .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("jdk.incubator.vector is not available"), "one warning line expected:\n" + out);
        assertTrue(out.contains("exp=[1.0, " + (float) Math.E + ", " + (float) Math.exp(-1) + "]"), out);
        assertTrue(out.contains("gelu1=" + 0.8413447f), out);
        assertTrue(out.contains("add=[0.0, 2.0, -2.0]"), out);
    }

    /** Started on 128-bit vectors (4 float lanes): the kernels load and agree with the scalar loops. */
    public static final class NarrowVectorMain {
        public static void main(String[] args) {
            System.out.println("available=" + Simd.AVAILABLE + " lanes=" + dev.fathom.backend.VectorMath.lanes());
            byte[] px = new byte[300];
            for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 7);
            float[] q = new float[px.length];
            dev.fathom.backend.VectorMath.unsignedBytesOver(px, 0, q, 0, px.length, 255f);
            int bad = 0;
            for (int i = 0; i < px.length; i++) if (q[i] != (px[i] & 0xff) / 255f) bad++;
            System.out.println("bytes mismatches=" + bad);
            Tensor x = Tensor.vector(0f, 1f, -1f);
            System.out.println("exp=" + java.util.Arrays.toString(x.exp().toFloatArray()));
        }
    }

    @Test
    void worksOnNarrowVectors() throws Exception {
        assumeTrue(Simd.AVAILABLE, "tests run with --add-modules jdk.incubator.vector");
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=16", "-cp",
            System.getProperty("java.class.path"), NarrowVectorMain.class.getName()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("available=true lanes=4"), out);
        assertTrue(out.contains("bytes mismatches=0"), out);
        assertTrue(out.contains("exp=[1.0, " + (float) Math.E + ", " + (float) Math.exp(-1) + "]"), out);
    }
}
