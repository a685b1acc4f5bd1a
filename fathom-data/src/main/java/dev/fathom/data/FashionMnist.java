package dev.fathom.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017; MIT licence): 60000 training and 10000 test 28x28
 * grey images of clothing in 10 classes, in MNIST's IDX format and file names. Read from a
 * directory you name, or without one from Debian's {@code dataset-fashion-mnist} package
 * ({@value #DEBIAN_DIR}). Nothing is downloaded.
 *
 * <p>Inputs are float32 {@code [1, 28, 28]} in [0, 1]; targets int64 class scalars, named by
 * {@link #CLASSES}.
 *
 * {@snippet :
 * Mnist.ImageDataset train = FashionMnist.train();           // from /usr/share/datasets/fashion-mnist
 * DataLoader<Example> loader = DataLoader.builder(train).batchSize(64).shuffle(0).build();
 * }
 */
public final class FashionMnist {
    private FashionMnist() {}

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

    /** The class names, index = label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String HOW_TO_GET = "install them with `sudo apt-get install dataset-fashion-mnist` (to "
            + DEBIAN_DIR + "), or download the four files from https://github.com/zalandoresearch/fashion-mnist"
            + " (data/fashion) into a directory and pass that directory";

    /** The 60000 training images from {@value #DEBIAN_DIR}. */
    public static Mnist.ImageDataset train() { return train(Path.of(DEBIAN_DIR)); }

    /** The 10000 test images from {@value #DEBIAN_DIR}. */
    public static Mnist.ImageDataset test() { return test(Path.of(DEBIAN_DIR)); }

    /** The 60000 training images from {@code dir}. */
    public static Mnist.ImageDataset train(Path dir) {
        return Mnist.withClassNames(Mnist.load(dir, true, "Fashion-MNIST", HOW_TO_GET), CLASSES);
    }

    /** The 10000 test images from {@code dir}. */
    public static Mnist.ImageDataset test(Path dir) {
        return Mnist.withClassNames(Mnist.load(dir, false, "Fashion-MNIST", HOW_TO_GET), CLASSES);
    }
}
