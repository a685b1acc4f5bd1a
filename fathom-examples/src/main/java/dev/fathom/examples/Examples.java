package dev.fathom.examples;

import java.util.List;
import java.util.stream.Collectors;

/** The registry of worked examples, in the order {@code ./fathom examples} lists them. */
public final class Examples {
    private Examples() {}

    private static final List<WorkedExample> ALL = List.of(
            new FashionMnistMlp(),
            new FashionMnistCnn(),
            FashionMnistCnn.augmented(),
            new SmallResNet(),
            new UNetSegmentation(),
            new CharLstm(),
            new TinyGpt(),
            new Gan2d(),
            new Autoencoder(),
            new GcnNodeClassification(),
            new RbfNetwork());

    /** Every worked example. */
    public static List<WorkedExample> all() { return ALL; }

    /** The example called {@code name}; an unknown name is an error that lists the known ones. */
    public static WorkedExample find(String name) {
        for (WorkedExample e : ALL)
            if (e.name().equals(name)) return e;
        throw new IllegalArgumentException("no example called '" + name + "'; the examples are: "
                + ALL.stream().map(WorkedExample::name).collect(Collectors.joining(", ")));
    }
}
