package dev.fathom.examples;

import dev.fathom.data.FashionMnist;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SmallResNetTest {
    @Test
    void quickRunLearnsWellAboveChance() throws Exception {
        assumeTrue(Files.isDirectory(Path.of(FashionMnist.DEBIAN_DIR)), "Fashion-MNIST is not installed");
        var q = Quick.run(new SmallResNet(), 0);
        assertTrue(q.result() > 0.4, q.text());   // chance is 0.1
    }

    @Test
    void residualBlockKeepsTheShapeAndAddsTheSkip() {
        var block = new SmallResNet.ResidualBlock(3);
        Tensor x = Tensor.rand(2, 3, 5, 5);
        Tensor y = block.forward(x);
        assertArrayEquals(new int[] {2, 3, 5, 5}, y.shape());
        // with the second convolution zeroed the block is relu(bn(0) + x) = relu(x) = x for x >= 0
        try (var ignored = dev.fathom.autograd.Autograd.noGrad()) {
            block.conv2.weight.zeroInPlace();
        }
        assertTrue(block.forward(x).allClose(x, 1e-5, 1e-6));
    }
}
