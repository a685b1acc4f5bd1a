package dev.fathom.data;

import dev.fathom.backend.Parallel;
import dev.fathom.backend.Simd;
import dev.fathom.backend.VectorMath;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Storage;
import dev.fathom.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * MNIST handwritten digits (LeCun, Cortes, Burges): 60000 training and 10000 test images of 28x28
 * grey pixels with labels 0-9, read from the four IDX files in a directory you name
 * ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, each plain or {@code .gz}). Nothing is downloaded.
 *
 * <p>Each example's input is a float32 {@code [1, 28, 28]} image scaled to [0, 1] (torchvision's
 * {@code ToTensor}); its target an int64 scalar class. The images stay in memory as bytes and are
 * converted on access.
 *
 * {@snippet :
 * ImageDataset train = Mnist.train(Path.of("data/mnist"));
 * Example first = train.get(0);   // first.target().itemLong() == 5
 * }
 */
public final class Mnist {
    private Mnist() {}

    /** The 60000 training images from {@code dir}. */
    public static ImageDataset train(Path dir) { return load(dir, true, "MNIST", HOW_TO_GET); }

    /** The 10000 test images from {@code dir}. */
    public static ImageDataset test(Path dir) { return load(dir, false, "MNIST", HOW_TO_GET); }

    private static final String HOW_TO_GET = "download the four files from https://yann.lecun.com/exdb/mnist/"
            + " (or a mirror such as https://ossci-datasets.s3.amazonaws.com/mnist/) into one directory and pass it";

    static ImageDataset load(Path dir, boolean train, String name, String howToGet) {
        String prefix = train ? "train" : "t10k";
        Path images = find(dir, prefix + "-images-idx3-ubyte", name, howToGet);
        Path labels = find(dir, prefix + "-labels-idx1-ubyte", name, howToGet);
        Idx.Array img = Idx.read(images), lab = Idx.read(labels);
        if (img.type() != Idx.Type.UBYTE || img.dims().length != 3)
            throw new DataFileException("IDX file " + images + " holds " + img.type() + " " + Arrays.toString(img.dims())
                    + "; " + name + " images are UBYTE [count, rows, cols]");
        if (lab.type() != Idx.Type.UBYTE || lab.dims().length != 1)
            throw new DataFileException("IDX file " + labels + " holds " + lab.type() + " " + Arrays.toString(lab.dims())
                    + "; " + name + " labels are UBYTE [count]");
        if (img.dims()[0] != lab.dims()[0])
            throw new DataFileException(name + ": " + images + " has " + img.dims()[0] + " images but " + labels + " has "
                    + lab.dims()[0] + " labels");
        byte[] pixels = new byte[img.data().remaining()];
        img.data().duplicate().get(pixels);
        long[] classes = new long[lab.dims()[0]];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = lab.data().get(i) & 0xff;
            if (classes[i] > 9)
                throw new DataFileException("IDX file " + labels + " has label " + classes[i] + " at index " + i + "; expected 0..9");
        }
        return new ImageDataset(pixels, img.dims()[1], img.dims()[2], classes, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    }

    static ImageDataset withClassNames(ImageDataset d, List<String> names) {
        return new ImageDataset(d.pixels, d.rows, d.cols, d.labels, names);
    }

    private static Path find(Path dir, String base, String name, String howToGet) {
        if (!Files.isDirectory(dir))
            throw new DataFileException(name + ": directory " + dir + " does not exist; " + howToGet);
        for (String candidate : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) return p;
        }
        throw new DataFileException(name + ": " + dir + " has neither " + base + " nor " + base + ".gz; " + howToGet);
    }

    /**
     * An in-memory set of grey 8-bit images with class labels: MNIST, Fashion-MNIST and any other
     * IDX image set.
     */
    public static final class ImageDataset implements Dataset<Example> {
        private final byte[] pixels;
        private final int rows, cols;
        private final long[] labels;
        private final List<String> classNames;

        ImageDataset(byte[] pixels, int rows, int cols, long[] labels, List<String> classNames) {
            this.pixels = pixels;
            this.rows = rows;
            this.cols = cols;
            this.labels = labels;
            this.classNames = List.copyOf(classNames);
        }

        @Override public int size() { return labels.length; }

        /** Image {@code index} as float32 {@code [1, rows, cols]} in [0, 1], and its int64 class. */
        @Override public Example get(int index) {
            Datasets.checkIndex(index, labels.length);
            int n = rows * cols;
            float[] f = new float[n];
            scale(index * n, f, 0, n);
            return new Example(Tensor.wrap(Storage.wrap(f), 1, rows, cols), Tensor.scalar(labels[index]));
        }

        /** The class of example {@code index}. */
        public int label(int index) { return (int) labels[Datasets.checkIndex(index, labels.length)]; }

        /** All labels as int64 {@code [N]}. */
        public Tensor labels() { return Tensor.vector(labels.clone()); }

        /** All images as float32 {@code [N, 1, rows, cols]} in [0, 1]. */
        public Tensor images() {
            float[] f = new float[pixels.length];
            scale(0, f, 0, pixels.length);
            return Tensor.wrap(Storage.wrap(f), labels.length, 1, rows, cols);
        }

        /**
         * The images at {@code indices} (a 1-d int64 or int32 tensor) as float32 {@code [k, 1, rows, cols]}
         * in [0, 1], converted from the stored bytes as they are gathered (the way torchvision's
         * datasets keep 8-bit pixels): a batch costs its own size, and the data set a quarter of its
         * float32 form. Values equal {@code images().indexSelect(0, indices)}.
         */
        public Tensor images(Tensor indices) {
            if (indices == null || indices.ndim() != 1 || indices.dtype().isFloatingPoint() || indices.dtype() == DType.BOOL)
                throw new IllegalArgumentException("ImageDataset.images: indices must be a 1-d int64 or int32 tensor, got "
                    + (indices == null ? "null" : indices.dtype() + " " + Arrays.toString(indices.shape())));
            long[] idx = indices.toLongArray();
            for (int k = 0; k < idx.length; k++)
                if (idx[k] < 0 || idx[k] >= labels.length)
                    throw new IndexOutOfBoundsException("ImageDataset.images: index " + idx[k] + " at position " + k
                        + " is out of range for " + labels.length + " images");
            int n = rows * cols;
            float[] f = new float[idx.length * n];
            // split over the pool: random images come from main memory, and their latency (not the
            // arithmetic) is most of a batch's gather (mlp: ~140 us for 128 images on one thread)
            Parallel.forRange(idx.length, GATHER_GRAIN, (s, e) -> {
                for (int k = s; k < e; k++) scale((int) idx[k] * n, f, k * n, n);
            });
            return Tensor.wrap(Storage.wrap(f), idx.length, 1, rows, cols);
        }

        /** Images per task when a batch's gather is split over the pool. */
        private static final int GATHER_GRAIN = 32;

        /** {@code v / 255f} for every byte value {@code v}: the same float32 quotients, looked up. */
        private static final float[] SCALED = new float[256];

        static {
            for (int v = 0; v < 256; v++) SCALED[v] = v / 255f;
        }

        /**
         * {@code f[to ..] = pixels[from ..] / 255} for {@code n} pixels (float32 division, as NumPy's):
         * on the Vector API a vector of pixels at a time, else through a table of the 256 quotients (a
         * batch of the mlp's 128 x 784 pixels is otherwise 100k scalar divisions). The table took
         * 83-101 µs of such a batch's gather, about 5% of an mlp training step.
         */
        private void scale(int from, float[] f, int to, int n) {
            if (Simd.AVAILABLE) VectorMath.unsignedBytesOver(pixels, from, f, to, n, 255f);
            else for (int i = 0; i < n; i++) f[to + i] = SCALED[pixels[from + i] & 0xff];
        }

        /** The class names, index = label. */
        public List<String> classNames() { return classNames; }
    }
}
