package dev.fathom.examples;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ExamplesTest {
    @Test
    void registryListsTheFashionMnistExamplesWithUniqueNamesAndDescriptions() {
        List<String> names = Examples.all().stream().map(WorkedExample::name).toList();
        assertEquals(List.of("fashion-mnist-mlp", "fashion-mnist-cnn", "fashion-mnist-cnn-aug", "small-resnet", "unet-segmentation",
            "char-lstm", "tiny-gpt", "gan-2d", "autoencoder", "gcn-node-classification", "rbf-network"), names);
        assertEquals(names.size(), names.stream().distinct().count(), "names must be unique: " + names);
        for (WorkedExample e : Examples.all()) assertFalse(e.description().isBlank(), e.name());
    }

    @Test
    void findReturnsTheExampleByName() {
        assertInstanceOf(FashionMnistMlp.class, Examples.find("fashion-mnist-mlp"));
        assertEquals("fashion-mnist-cnn-aug", Examples.find("fashion-mnist-cnn-aug").name());
    }

    @Test
    void unknownNameIsAnErrorListingTheNames() {
        var e = assertThrows(IllegalArgumentException.class, () -> Examples.find("mnist-gan"));
        assertTrue(e.getMessage().startsWith("no example called 'mnist-gan'; the examples are: fashion-mnist-mlp, fashion-mnist-cnn, "),
                e.getMessage());
    }

    @Test
    void modelsHaveTheReferenceParameterCounts() {
        assertEquals(535_818, FashionMnistMlp.model().parameterCount());
        assertEquals(421_642, FashionMnistCnn.model().parameterCount());
    }
}
