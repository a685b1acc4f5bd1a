package dev.fathom.examples;

import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNetSegmentationTest {
    @Test
    void quickRunFindsTheShapes() throws Exception {
        var q = Quick.run(new UNetSegmentation(), 0);
        assertTrue(q.number("held-out foreground IoU (shape vs background):") > 0.6, q.text());
        assertTrue(q.number("held-out pixel accuracy:") > 0.85, q.text());
    }

    @Test
    void uNetMapsImagesToPerPixelLogits() {
        Tensor[] data = UNetSegmentation.shapes(new Generator(1), 2);
        assertArrayEquals(new int[] {2, 1, 24, 24}, data[0].shape());
        assertArrayEquals(new int[] {2, 24, 24}, data[1].shape());
        assertArrayEquals(new int[] {2, 3, 24, 24}, new UNetSegmentation.UNet(2).forward(data[0]).shape());
    }
}
