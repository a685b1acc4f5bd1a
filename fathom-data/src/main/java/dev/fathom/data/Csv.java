package dev.fathom.data;

import dev.fathom.tensor.Storage;
import dev.fathom.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a CSV file of numeric feature columns and one label column into a {@link CsvDataset}.
 * Fields may be double-quoted ({@code ""} inside quotes is a quote); blank lines are skipped;
 * surrounding spaces are trimmed. The whole file is parsed and validated before anything is
 * returned; a bad value gives the file, line, column and value.
 *
 * <p>The label column (by default the last) is either a class ({@link LabelKind#CLASS}, the
 * default: an int64 scalar target; integer labels are used as they are, any other text labels are
 * numbered in sorted order) or a number ({@link LabelKind#VALUE}: a float32 scalar target, for
 * regression). Every other column is a float32 feature.
 *
 * {@snippet :
 * CsvDataset iris = Csv.builder().header(true).label("species").read(Path.of("iris.csv"));
 * iris.classNames();   // [setosa, versicolor, virginica]
 * iris.get(0);         // Example(input float32 [4], target int64 0)
 * }
 */
public final class Csv {
    private Csv() {}

    /** How the label column becomes the target. */
    public enum LabelKind {
        /** A class index (int64 scalar). */
        CLASS,
        /** A number (float32 scalar), for regression. */
        VALUE
    }

    /** Options for reading: header on, comma-separated, label = last column, class labels. */
    public static Builder builder() { return new Builder(); }

    /** Reads {@code file} with the default options (a header line, the last column the class). */
    public static CsvDataset read(Path file) { return builder().read(file); }

    /** Reading options; each setter returns this builder. */
    public static final class Builder {
        private boolean header = true;
        private char delimiter = ',';
        private String labelName;
        private int labelIndex = -1;
        private LabelKind kind = LabelKind.CLASS;

        private Builder() {}

        /** Whether the first line names the columns (default true). */
        public Builder header(boolean header) { this.header = header; return this; }

        /** The field separator (default ','). */
        public Builder delimiter(char delimiter) { this.delimiter = delimiter; return this; }

        /** The label column by its header name (needs a header). */
        public Builder label(String name) { this.labelName = name; return this; }

        /** The label column by index; negative counts from the end (default -1, the last). */
        public Builder label(int index) { this.labelName = null; this.labelIndex = index; return this; }

        /** Whether the label is a class (default) or a value. */
        public Builder labelKind(LabelKind kind) { this.kind = java.util.Objects.requireNonNull(kind); return this; }

        /** Reads and validates {@code file} (UTF-8). */
        public CsvDataset read(Path file) {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                return read(r, file.toString());
            } catch (NoSuchFileException e) {
                throw new DataFileException("CSV file " + file + " does not exist", e);
            } catch (IOException e) {
                throw new DataFileException("CSV file " + file + " could not be read: " + e.getMessage(), e);
            }
        }

        /** Reads CSV text from {@code reader}; {@code source} names it in error messages. */
        public CsvDataset read(Reader reader, String source) {
            try {
                return parse(new BufferedReader(reader), source);
            } catch (IOException e) {
                throw new DataFileException("CSV file " + source + " could not be read: " + e.getMessage(), e);
            }
        }

        private CsvDataset parse(BufferedReader in, String source) throws IOException {
            List<String> names = null;
            List<String[]> rows = new ArrayList<>();
            List<Integer> lineNumbers = new ArrayList<>();
            String line;
            int lineNo = 0, width = -1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] fields = split(line, source, lineNo);
                if (width < 0) width = fields.length;
                else if (fields.length != width)
                    throw new DataFileException("CSV file " + source + " line " + lineNo + " has " + fields.length
                            + " columns; expected " + width + (names != null ? " (as in the header)" : " (as in the first line)"));
                if (header && names == null) names = List.of(fields);
                else {
                    rows.add(fields);
                    lineNumbers.add(lineNo);
                }
            }
            if (rows.isEmpty()) throw new DataFileException("CSV file " + source + " has no data rows");
            if (width < 2)
                throw new DataFileException("CSV file " + source + " has " + width + " column; expected at least one feature and a label");
            int label;
            if (labelName != null) {
                if (names == null)
                    throw new DataFileException("CSV file " + source + ": label column '" + labelName
                            + "' is named, but header(false) means the columns have no names; give its index instead");
                label = names.indexOf(labelName);
                if (label < 0)
                    throw new DataFileException("CSV file " + source + " has no column '" + labelName + "'; its columns are " + names);
            } else {
                label = labelIndex < 0 ? width + labelIndex : labelIndex;
                if (label < 0 || label >= width)
                    throw new DataFileException("CSV file " + source + " has " + width + " columns; label column index "
                            + labelIndex + " is out of range");
            }
            int n = rows.size(), f = width - 1;
            float[] features = new float[n * f];
            List<String> featureNames = new ArrayList<>(f);
            for (int c = 0; c < width; c++) if (c != label) featureNames.add(names != null ? names.get(c) : "column " + (c + 1));
            for (int r = 0; r < n; r++) {
                String[] row = rows.get(r);
                int k = 0;
                for (int c = 0; c < width; c++) {
                    if (c == label) continue;
                    features[r * f + k++] = (float) number(row[c], source, lineNumbers.get(r), c, names);
                }
            }
            Tensor x = Tensor.wrap(Storage.wrap(features), n, f);
            if (kind == LabelKind.VALUE) {
                float[] y = new float[n];
                for (int r = 0; r < n; r++) y[r] = (float) number(rows.get(r)[label], source, lineNumbers.get(r), label, names);
                return new CsvDataset(x, Tensor.vector(y), featureNames, List.of());
            }
            long[] y = new long[n];
            List<String> classNames;
            boolean integers = true;
            for (String[] row : rows) integers &= row[label].matches("\\d{1,9}");
            if (integers) {
                long max = 0;
                for (int r = 0; r < n; r++) max = Math.max(max, y[r] = Long.parseLong(rows.get(r)[label]));
                classNames = new ArrayList<>();
                for (int c = 0; c <= max; c++) classNames.add(Integer.toString(c));
            } else {
                TreeSet<String> distinct = new TreeSet<>();
                for (String[] row : rows) distinct.add(row[label]);
                Map<String, Integer> ids = new TreeMap<>();
                for (String s : distinct) ids.put(s, ids.size());
                for (int r = 0; r < n; r++) y[r] = ids.get(rows.get(r)[label]);
                classNames = List.copyOf(distinct);
            }
            return new CsvDataset(x, Tensor.vector(y), featureNames, classNames);
        }

        private static double number(String s, String source, int line, int column, List<String> names) {
            try {
                if (s.isEmpty()) throw new NumberFormatException();
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new DataFileException("CSV file " + source + " line " + line + ", column " + (column + 1)
                        + (names != null ? " (" + names.get(column) + ")" : "") + ": '" + s + "' is not a number");
            }
        }

        private String[] split(String line, String source, int lineNo) {
            List<String> out = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (quoted) {
                    if (ch == '"') {
                        if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                            field.append('"');
                            i++;
                        } else quoted = false;
                    } else field.append(ch);
                } else if (ch == '"' && field.toString().isBlank()) {
                    quoted = true;
                    field.setLength(0);
                } else if (ch == delimiter) {
                    out.add(field.toString().strip());
                    field.setLength(0);
                } else field.append(ch);
            }
            if (quoted) throw new DataFileException("CSV file " + source + " line " + lineNo + " has an unclosed quote");
            out.add(field.toString().strip());
            return out.toArray(String[]::new);
        }
    }
}
