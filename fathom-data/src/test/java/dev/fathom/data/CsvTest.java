package dev.fathom.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.fathom.tensor.DType;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir Path dir;

    @Test
    void readsFeaturesAndStringClassesSorted() throws IOException {
        Path f = Files.writeString(dir.resolve("t.csv"), """
                a, label ,b
                1.5,cat,2

                -3,"dog",4e2
                0,cat,"7"
                """);
        CsvDataset d = Csv.builder().label("label").read(f);
        assertEquals(3, d.size());
        assertEquals(List.of("a", "b"), d.featureNames());
        assertEquals(List.of("cat", "dog"), d.classNames());
        assertArrayEquals(new float[] {1.5f, 2, -3, 400, 0, 7}, d.features().toFloatArray());
        assertArrayEquals(new long[] {0, 1, 0}, d.targets().toLongArray());
        Example e = d.get(1);
        assertArrayEquals(new int[] {2}, e.input().shape());
        assertArrayEquals(new float[] {-3, 400}, e.input().toFloatArray());
        assertEquals(0, e.target().ndim());
        assertEquals(DType.INT64, e.target().dtype());
        assertEquals(1L, e.target().itemLong());
    }

    @Test
    void integerClassesByIndexWithoutHeaderAndValueLabels() {
        String text = "3;1;0.5\n0;2;0.25\n";
        CsvDataset byIndex = Csv.builder().header(false).delimiter(';').label(0).read(new StringReader(text), "mem");
        assertArrayEquals(new long[] {3, 0}, byIndex.targets().toLongArray());
        assertEquals(4, byIndex.numClasses());
        assertEquals(List.of("column 2", "column 3"), byIndex.featureNames());
        assertArrayEquals(new float[] {1, 0.5f, 2, 0.25f}, byIndex.features().toFloatArray());
        CsvDataset values = Csv.builder().header(false).delimiter(';').labelKind(Csv.LabelKind.VALUE)
                .read(new StringReader(text), "mem");
        assertEquals(DType.FLOAT32, values.targets().dtype());
        assertArrayEquals(new float[] {0.5f, 0.25f}, values.targets().toFloatArray());
        assertEquals(0, values.numClasses());
    }

    @Test
    void badInputNamesFileLineAndColumn() throws IOException {
        Path f = Files.writeString(dir.resolve("bad.csv"), "x,y,label\n1,2,a\n3,oops,b\n");
        DataFileException e = assertThrows(DataFileException.class, () -> Csv.read(f));
        assertEquals("CSV file " + f + " line 3, column 2 (y): 'oops' is not a number", e.getMessage());

        Path ragged = Files.writeString(dir.resolve("ragged.csv"), "x,y,label\n1,2,a\n3,b\n");
        assertEquals("CSV file " + ragged + " line 3 has 2 columns; expected 3 (as in the header)",
                assertThrows(DataFileException.class, () -> Csv.read(ragged)).getMessage());
        Path empty = Files.writeString(dir.resolve("empty.csv"), "x,y\n");
        assertTrue(assertThrows(DataFileException.class, () -> Csv.read(empty)).getMessage().contains("has no data rows"));
        Path ok = Files.writeString(dir.resolve("ok.csv"), "x,y\n1,0\n");
        assertTrue(assertThrows(DataFileException.class, () -> Csv.builder().label("z").read(ok)).getMessage()
                .contains("has no column 'z'; its columns are [x, y]"));
        assertTrue(assertThrows(DataFileException.class, () -> Csv.builder().label(5).read(ok)).getMessage()
                .contains("label column index 5 is out of range"));
        Path blankValue = Files.writeString(dir.resolve("blank.csv"), "x,y\n,0\n");
        assertTrue(assertThrows(DataFileException.class, () -> Csv.read(blankValue)).getMessage()
                .contains("line 2, column 1 (x): '' is not a number"));
        Path quote = Files.writeString(dir.resolve("quote.csv"), "x,y\n\"1,0\n");
        assertTrue(assertThrows(DataFileException.class, () -> Csv.read(quote)).getMessage().contains("line 2 has an unclosed quote"));
        assertTrue(assertThrows(DataFileException.class, () -> Csv.read(dir.resolve("none.csv"))).getMessage().contains("does not exist"));
    }

    @Test
    void bundledIris() {
        CsvDataset iris = Iris.load();
        assertEquals(150, iris.size());
        assertEquals(List.of("setosa", "versicolor", "virginica"), iris.classNames());
        assertEquals(List.of("sepal_length", "sepal_width", "petal_length", "petal_width"), iris.featureNames());
        int[] counts = new int[3];
        for (long c : iris.targets().toLongArray()) counts[(int) c]++;
        assertArrayEquals(new int[] {50, 50, 50}, counts);
        assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 0.2f}, iris.get(0).input().toFloatArray());
        assertArrayEquals(new float[] {5.9f, 3.0f, 5.1f, 1.8f}, iris.get(149).input().toFloatArray());
        assertEquals(2L, iris.get(149).target().itemLong());
        // Fisher's corrected samples 35 and 38
        assertArrayEquals(new float[] {4.9f, 3.1f, 1.5f, 0.2f}, iris.get(34).input().toFloatArray());
        assertArrayEquals(new float[] {4.9f, 3.6f, 1.4f, 0.1f}, iris.get(37).input().toFloatArray());
        // column means as published with the data set: 5.843, 3.057, 3.758, 1.199
        double[] x = iris.features().toDoubleArray(), sums = new double[4];
        for (int i = 0; i < x.length; i++) sums[i % 4] += x[i];
        assertArrayEquals(new double[] {5.843, 3.057, 3.758, 1.199}, new double[] {sums[0] / 150, sums[1] / 150, sums[2] / 150, sums[3] / 150}, 5e-4);
        Batch b = DataLoader.builder(iris).batchSize(150).build().iterator().next();
        assertArrayEquals(new int[] {150, 4}, b.input().shape());
    }
}
