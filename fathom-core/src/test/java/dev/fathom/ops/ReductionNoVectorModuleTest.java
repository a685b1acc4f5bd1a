package dev.fathom.ops;

import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Starts a JVM without {@code --add-modules jdk.incubator.vector} and checks that reductions still
 * work there (on the plain kernels) and give the same answers.
 */
class ReductionNoVectorModuleTest {
    /** Entry point of the child JVM: prints whether vectors are on, then a few results. */
    public static void main(String[] args) {
        float[] d = new float[100_003];
        for (int i = 0; i < d.length; i++) d[i] = (i % 17) - 8 + 0.25f;
        Tensor x = Tensor.of(d, d.length);
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        System.out.println("vector=" + Reductions.VECTOR_AVAILABLE);
        System.out.println("sum=" + x.sum().item());
        System.out.println("amax=" + x.amax().item());
        System.out.println("argmax=" + x.argmax().itemLong());
        System.out.println("rows=" + java.util.Arrays.toString(m.sum(1).toFloatArray()));
        System.out.println("softmax=" + m.softmax(1).get(0, 2));
    }

    @Test
    void reductionsRunWithoutTheIncubatorModule() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            ReductionNoVectorModuleTest.class.getName())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("vector=false"), out);
        // reference values from the formula: 17-periodic values (i % 17) - 8 + 0.25
        double sum = 0;
        for (int i = 0; i < 100_003; i++) sum += (i % 17) - 8 + 0.25;
        double got = Double.parseDouble(out.lines().filter(l -> l.startsWith("sum=")).findFirst().orElseThrow().substring(4));
        assertEquals(sum, got, 1e-6 * 100_003 * 8);
        assertTrue(out.contains("amax=8.25"), out);
        assertTrue(out.contains("argmax=16"), out);
        assertTrue(out.contains("rows=[6.0, 15.0]"), out);
        double s = Math.exp(-2) + Math.exp(-1) + 1;
        double sm = Double.parseDouble(out.lines().filter(l -> l.startsWith("softmax=")).findFirst().orElseThrow().substring(8));
        assertEquals(1 / s, sm, 1e-6);
    }
}
