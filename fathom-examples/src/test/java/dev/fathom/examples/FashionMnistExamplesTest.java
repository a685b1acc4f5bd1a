package dev.fathom.examples;

import dev.fathom.data.Dataset;
import dev.fathom.data.Example;
import dev.fathom.data.FashionMnist;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Quick runs (the first 2,000 training and 2,000 test images; 3 epochs for the MLP, 1 for the convnet) of the Fashion-MNIST
 * examples learn: chance is 10%. Skipped where Debian's dataset-fashion-mnist is not installed.
 */
class FashionMnistExamplesTest {
    @BeforeAll
    static void needsTheData() {
        assumeTrue(Files.isRegularFile(Path.of(FashionMnist.DEBIAN_DIR, "train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed at " + FashionMnist.DEBIAN_DIR + " (apt-get install dataset-fashion-mnist)");
    }

    private static String run(WorkedExample example, double[] accuracy) throws Exception {
        var bytes = new ByteArrayOutputStream();
        accuracy[0] = example.run(new WorkedExample.Options(0, true, 0), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void quickMlpRunLearns() throws Exception {
        double[] acc = new double[1];
        String out = run(new FashionMnistMlp(), acc);
        assertTrue(acc[0] > 0.70, "accuracy " + acc[0] + "\n" + out);
        assertTrue(out.contains("fashion-mnist-mlp: 2,000 training and 2,000 test images, batch 128, 3 epochs, 535,818 parameters"), out);
        assertTrue(out.contains(String.format(java.util.Locale.ROOT, "test accuracy %.2f%% after 3 epochs", 100 * acc[0])), out);
        assertTrue(out.contains("train samples/s"), out);
    }

    @Test
    void quickCnnRunLearns() throws Exception {
        double[] acc = new double[1];
        String out = run(new FashionMnistCnn(), acc);
        // 32 Adam steps on 2,000 images reach about 69%
        assertTrue(acc[0] > 0.60, "accuracy " + acc[0] + "\n" + out);
        assertTrue(out.contains("epoch 1/1  lr 1.00e-03"), out);
    }

    @Test
    void augmentationCropsAndFlipsButKeepsShapeRangeAndLabel() {
        Dataset<Example> train = FashionMnist.train().subset(IntStream.range(0, 50).toArray());
        Dataset<Example> aug = FashionMnistCnn.augmented(train, 0);
        int changed = 0;
        for (int i = 0; i < train.size(); i++) {
            Example a = aug.get(i), o = train.get(i);
            assertArrayEquals(new int[] {1, 28, 28}, a.input().shape());
            assertEquals(o.target().item(), a.target().item());
            float[] x = a.input().toFloatArray(), y = o.input().toFloatArray();
            double sa = 0, so = 0;
            boolean same = true;
            for (int k = 0; k < x.length; k++) {
                assertTrue(x[k] >= 0 && x[k] <= 1);
                sa += x[k];
                so += y[k];
                same &= x[k] == y[k];
            }
            if (!same) changed++;
            // a crop shifted by at most 2 pixels loses at most the border rows/columns it moves out
            assertTrue(sa <= so + 1e-3, "augmenting must not add ink: " + sa + " > " + so);
        }
        // the identity (no shift and no flip) has probability 1/25 * 1/2 per image
        assertTrue(changed >= 40, changed + " of 50 images changed");
    }
}
