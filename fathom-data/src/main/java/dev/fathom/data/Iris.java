package dev.fathom.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Fisher's iris data, bundled so a first run needs nothing else: 150 flowers, 4 float32 features
 * (sepal length, sepal width, petal length, petal width, in cm) and 3 classes of 50 each
 * ({@code setosa}=0, {@code versicolor}=1, {@code virginica}=2).
 *
 * <p>NOTICE: R. A. Fisher, "The use of multiple measurements in taxonomic problems", Annals of
 * Eugenics 7(2), 179-188 (1936); distributed by the UCI Machine Learning Repository
 * (https://doi.org/10.24432/C56C76) under the Creative Commons Attribution 4.0 International
 * licence (CC BY 4.0). The bundled {@code iris.csv} is UCI's {@code iris.data} with the two
 * corrections UCI documents (sample 35: petal width 0.2; sample 38: sepal width 3.6, petal length
 * 1.4), which match Fisher's paper and scikit-learn's copy; the species names drop the
 * {@code Iris-} prefix and a header line was added.
 *
 * {@snippet :
 * CsvDataset iris = Iris.load();
 * DataLoader<Example> loader = DataLoader.builder(iris).batchSize(16).shuffle(0).build();
 * }
 */
public final class Iris {
    private Iris() {}

    /** The resource holding the data, next to this class. */
    public static final String RESOURCE = "iris.csv";

    /** The 150 examples, in the original order (50 setosa, 50 versicolor, 50 virginica). */
    public static CsvDataset load() {
        try (InputStream in = Iris.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new DataFileException("the bundled " + RESOURCE + " is missing from the fathom-data jar");
            return Csv.builder().header(true).label("species")
                    .read(new InputStreamReader(in, StandardCharsets.UTF_8), "bundled " + RESOURCE);
        } catch (IOException e) {
            throw new DataFileException("the bundled " + RESOURCE + " could not be read: " + e.getMessage(), e);
        }
    }
}
