package dev.fathom.data;

import dev.fathom.tensor.Storage;
import dev.fathom.tensor.Tensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Images in one sub-folder per class (torchvision's {@code ImageFolder}):
 * {@code root/cat/1.png, root/dog/a.jpg, ...}. Class names are the sub-folder names sorted, so
 * their indices do not depend on the file system; files are sorted by name within a class. Images
 * (PNG, JPEG, BMP, GIF through {@code javax.imageio}) are decoded on each {@link #get}, so a
 * {@link DataLoader} with workers decodes them in the background.
 *
 * <p>An input is float32 {@code [C, H, W]} in [0, 1]: {@code C = 1} for {@link ColorMode#GRAY}
 * (colour images are converted with ITU-R 601 luma, as PIL's {@code convert("L")}), {@code C = 3}
 * for {@link ColorMode#RGB}. Alpha is dropped. Images of different sizes need a transform (or a
 * custom collate) before they can be stacked into one batch.
 *
 * {@snippet :
 * ImageFolder pets = ImageFolder.load(Path.of("pets/train"), ImageFolder.ColorMode.RGB);
 * pets.classNames();   // [cat, dog]
 * }
 */
public final class ImageFolder implements Dataset<Example> {
    /** The channels of the decoded images. */
    public enum ColorMode { GRAY, RGB }

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    private final Path root;
    private final ColorMode mode;
    private final List<String> classNames;
    private final List<Path> files;
    private final long[] labels;

    private ImageFolder(Path root, ColorMode mode, List<String> classNames, List<Path> files, long[] labels) {
        this.root = root;
        this.mode = mode;
        this.classNames = List.copyOf(classNames);
        this.files = List.copyOf(files);
        this.labels = labels;
    }

    /** Lists the classes and their image files under {@code root} (images are read later, on access). */
    public static ImageFolder load(Path root, ColorMode mode) {
        java.util.Objects.requireNonNull(mode, "mode");
        if (!Files.isDirectory(root))
            throw new DataFileException("image folder " + root + " does not exist or is not a directory");
        try {
            List<Path> classDirs;
            try (Stream<Path> s = Files.list(root)) {
                classDirs = s.filter(Files::isDirectory).sorted().toList();
            }
            if (classDirs.isEmpty())
                throw new DataFileException("image folder " + root + " has no sub-folders; expected one sub-folder of images per class");
            List<String> names = new ArrayList<>();
            List<Path> files = new ArrayList<>();
            List<Long> labels = new ArrayList<>();
            for (Path dir : classDirs) {
                List<Path> images;
                try (Stream<Path> s = Files.list(dir)) {
                    images = s.filter(p -> Files.isRegularFile(p) && isImage(p)).sorted().toList();
                }
                if (images.isEmpty())
                    throw new DataFileException("image folder " + root + ": class folder " + dir.getFileName()
                            + " has no images; expected files ending in one of " + EXTENSIONS);
                long label = names.size();
                names.add(dir.getFileName().toString());
                for (Path p : images) {
                    files.add(p);
                    labels.add(label);
                }
            }
            return new ImageFolder(root, mode, names, files, labels.stream().mapToLong(Long::longValue).toArray());
        } catch (IOException e) {
            throw new DataFileException("image folder " + root + " could not be listed: " + e.getMessage(), e);
        }
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    @Override public int size() { return files.size(); }

    /** Decodes image {@code index}; its target is the int64 class index. */
    @Override public Example get(int index) {
        Datasets.checkIndex(index, files.size());
        return new Example(read(files.get(index), mode), Tensor.scalar(labels[index]));
    }

    /** The class names (sorted sub-folder names), index = class. */
    public List<String> classNames() { return classNames; }

    /** The image files, in dataset order. */
    public List<Path> files() { return files; }

    /** The class of image {@code index}. */
    public int label(int index) { return (int) labels[Datasets.checkIndex(index, labels.length)]; }

    /** The folder this dataset was listed from. */
    public Path root() { return root; }

    /** Decodes one image file to float32 {@code [C, H, W]} in [0, 1]. */
    public static Tensor read(Path file, ColorMode mode) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new DataFileException("image " + file + " could not be decoded: " + e.getMessage(), e);
        }
        if (img == null)
            throw new DataFileException("image " + file + " is not in a format javax.imageio can decode (PNG, JPEG, BMP, GIF)");
        int h = img.getHeight(), w = img.getWidth();
        Raster raster = img.getRaster();
        // a grey image's samples are read from its raster: getRGB would pass them through a gamma conversion
        boolean grey = raster.getNumBands() == 1 && img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        int channels = mode == ColorMode.GRAY ? 1 : 3;
        float[] out = new float[channels * h * w];
        if (grey) {
            double max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    float v = (float) (raster.getSample(x, y, 0) / max);
                    for (int c = 0; c < channels; c++) out[(c * h + y) * w + x] = v;
                }
        } else {
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int argb = img.getRGB(x, y), r = (argb >> 16) & 0xff, g = (argb >> 8) & 0xff, b = argb & 0xff;
                    if (channels == 1) {
                        out[y * w + x] = ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16) / 255f;
                    } else {
                        out[y * w + x] = r / 255f;
                        out[(h + y) * w + x] = g / 255f;
                        out[(2 * h + y) * w + x] = b / 255f;
                    }
                }
        }
        return Tensor.wrap(Storage.wrap(out), channels, h, w);
    }
}
