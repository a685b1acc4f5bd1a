package dev.fathom.data;

import dev.fathom.tensor.Tensor;
import java.util.Objects;

/**
 * A function from one example's tensor to another (torchvision's transforms): normalisation,
 * augmentation. Random transforms draw from the {@link dev.fathom.tensor.Generator} they were
 * made with. Compose them with {@link #andThen} or {@link Transforms#compose}; apply them to a
 * dataset's inputs with {@code dataset.map(e -> e.mapInput(t))}.
 *
 * {@snippet :
 * Generator g = new Generator(0);
 * Transform augment = Transforms.compose(
 *         Transforms.randomCrop(28, 28, 2, g),
 *         Transforms.randomHorizontalFlip(0.5, g),
 *         Transforms.normalize(new double[] {0.2860}, new double[] {0.3530}));
 * Dataset<Example> train = FashionMnist.train().map(e -> e.mapInput(augment));
 * }
 *
 * <p>With several {@link DataLoader} workers the draws of a shared generator are shared among
 * threads, so which example gets which draw depends on timing; use {@code numWorkers(0)} when
 * augmentation must be bit-for-bit reproducible.
 */
@FunctionalInterface
public interface Transform extends java.util.function.UnaryOperator<Tensor> {
    @Override Tensor apply(Tensor x);

    /** This transform, then {@code next}. */
    default Transform andThen(Transform next) {
        Objects.requireNonNull(next, "next");
        return x -> next.apply(apply(x));
    }
}
