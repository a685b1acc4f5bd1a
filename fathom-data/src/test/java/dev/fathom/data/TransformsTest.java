package dev.fathom.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TransformsTest {
    static Tensor arange(int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return Tensor.of(v, shape);
    }

    @Test
    void normalizePerChannel() {
        Tensor x = arange(2, 1, 2); // channel 0: [0, 1], channel 1: [2, 3]
        Tensor y = Transforms.normalize(new double[] {1, 2}, new double[] {2, 0.5}).apply(x);
        assertArrayEquals(new int[] {2, 1, 2}, y.shape());
        assertArrayEquals(new float[] {-0.5f, 0, 0, 2}, y.toFloatArray());
        assertArrayEquals(new float[] {-1, 0, 1, 2},
                Transforms.normalize(new double[] {1}, new double[] {1}).apply(x).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Transforms.normalize(new double[] {0, 0, 0}, new double[] {1, 1, 1}).apply(x));
        assertThrows(IllegalArgumentException.class, () -> Transforms.normalize(new double[] {0}, new double[] {0}));
    }

    @Test
    void randomCropDrawsLikeTorchRandint() {
        // torch.manual_seed(3); torch.randint(0, 4, (1,)) twice -> top 2, left 0 in the padded 6x6 image
        Tensor y = Transforms.randomCrop(3, 3, 1, new Generator(3)).apply(arange(1, 4, 4));
        assertArrayEquals(new int[] {1, 3, 3}, y.shape());
        assertArrayEquals(new float[] {0, 4, 5, 0, 8, 9, 0, 12, 13}, y.toFloatArray());
        // without padding a full-size crop is the identity
        assertArrayEquals(arange(2, 3, 3).toFloatArray(),
                Transforms.randomCrop(3, 3, 0, new Generator(1)).apply(arange(2, 3, 3)).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Transforms.randomCrop(5, 5, 0, new Generator(1)).apply(arange(1, 4, 4)));
    }

    @Test
    void randomHorizontalFlipUsesOneUniformDraw() {
        // torch.manual_seed(1); torch.rand(1) twice -> 0.7576 (kept), 0.2793 (flipped) with p = 0.5
        Transform flip = Transforms.randomHorizontalFlip(0.5, new Generator(1));
        Tensor x = arange(2, 2, 3);
        assertArrayEquals(x.toFloatArray(), flip.apply(x).toFloatArray());
        assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9}, flip.apply(x).toFloatArray());
        assertArrayEquals(new float[] {1, 0}, Transforms.randomHorizontalFlip(1, new Generator(0)).apply(arange(1, 2)).toFloatArray());
    }

    @Test
    void gaussianNoiseAddsScaledNormals() {
        // torch.manual_seed(5); torch.randn(4) = [-0.48678, -0.60382, -0.55810, 0.66752]
        Tensor y = Transforms.gaussianNoise(0.1, new Generator(5)).apply(arange(2, 2));
        assertArrayEquals(new float[] {-0.048678f, 1 - 0.060382f, 2 - 0.055810f, 3 + 0.066752f}, y.toFloatArray(), 1e-5f);
    }

    @Test
    void composeAppliesInOrder() {
        Transform plusOne = x -> x.add(1.0), twice = x -> x.mul(2.0);
        assertArrayEquals(new float[] {2, 4}, Transforms.compose(plusOne, twice).apply(arange(2)).toFloatArray());
        assertArrayEquals(new float[] {1, 3}, twice.andThen(plusOne).apply(arange(2)).toFloatArray());
        assertArrayEquals(new float[] {0, 1}, Transforms.compose().apply(arange(2)).toFloatArray());
        Transform augment = Transforms.compose(Transforms.randomHorizontalFlip(1, new Generator(0)),
                Transforms.normalize(new double[] {1}, new double[] {0.5}));
        Dataset<Example> d = Dataset.of(java.util.List.of(new Example(arange(1, 1, 2), Tensor.scalar(0L))))
                .map(e -> e.mapInput(augment));
        assertArrayEquals(new float[] {0, -2}, d.get(0).input().toFloatArray());
    }
}
