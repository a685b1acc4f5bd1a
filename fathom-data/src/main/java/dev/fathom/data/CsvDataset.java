package dev.fathom.data;

import dev.fathom.tensor.Tensor;
import java.util.List;

/**
 * A table read by {@link Csv}: float32 features {@code [N, F]} and one target per row (int64
 * classes or float32 values). Item {@code i} is {@code Example(features[i], target[i])}.
 */
public final class CsvDataset implements Dataset<Example> {
    private final Tensor features, targets;
    private final List<String> featureNames, classNames;

    CsvDataset(Tensor features, Tensor targets, List<String> featureNames, List<String> classNames) {
        this.features = features;
        this.targets = targets;
        this.featureNames = List.copyOf(featureNames);
        this.classNames = List.copyOf(classNames);
    }

    @Override public int size() { return targets.size(0); }

    @Override public Example get(int index) {
        Datasets.checkIndex(index, size());
        return new Example(features.narrow(0, index, 1).reshape(features.size(1)), targets.narrow(0, index, 1).reshape());
    }

    /** All features, float32 {@code [N, F]}. */
    public Tensor features() { return features; }

    /** All targets, {@code [N]}: int64 classes or float32 values. */
    public Tensor targets() { return targets; }

    /** The feature columns' names (header names, or "column k" without a header). */
    public List<String> featureNames() { return featureNames; }

    /** The class names, index = class; empty when the label is a value. */
    public List<String> classNames() { return classNames; }

    /** The number of classes (0 for value labels). */
    public int numClasses() { return classNames.size(); }
}
