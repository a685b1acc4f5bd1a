package dev.fathom.ops;

import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helpers shared by the op tests: small fixed tensors and error-message checks. */
final class OpsTestSupport {
    private OpsTestSupport() {}

    /** A float32 vector of the given values. */
    static Tensor f(float... v) { return Tensor.vector(v); }

    /** The float32 matrix {@code [[1, 2, 3], [4, 5, 6]]}. */
    static Tensor m23() { return Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); }

    /** {@code body} throws {@code type} (or a subclass) whose message contains every one of {@code parts}. */
    static <T extends Throwable> void assertFails(Class<T> type, Executable body, String... parts) {
        T e = assertThrows(type, body);
        for (String p : parts) assertTrue(e.getMessage().contains(p), () -> "missing '" + p + "' in: " + e.getMessage());
    }

    /** {@code r} throws an IllegalArgumentException whose message contains every one of {@code parts}. */
    static void assertMessage(Runnable r, String... parts) {
        assertFails(IllegalArgumentException.class, r::run, parts);
    }
}
