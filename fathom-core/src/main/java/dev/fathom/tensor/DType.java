package dev.fathom.tensor;

/**
 * Element types of a {@link Tensor}. {@link #FLOAT32} is the default, as in PyTorch.
 *
 * <p>Mixed operands promote like PyTorch: bool &lt; int32 &lt; int64 &lt; float32 &lt; float64
 * ({@link #promote}).
 */
public enum DType {
    FLOAT32("float32", 4, true),
    FLOAT64("float64", 8, true),
    INT32("int32", 4, false),
    INT64("int64", 8, false),
    BOOL("bool", 1, false);

    private final String label;
    private final int itemSize;
    private final boolean floating;

    DType(String label, int itemSize, boolean floating) {
        this.label = label;
        this.itemSize = itemSize;
        this.floating = floating;
    }

    /** Bytes per element in the on-disk/native layout. */
    public int itemSize() { return itemSize; }

    /** True for float32 and float64. */
    public boolean isFloatingPoint() { return floating; }

    /** True for int32 and int64. */
    public boolean isInteger() { return this == INT32 || this == INT64; }

    private int rank() {
        return switch (this) {
            case BOOL -> 0;
            case INT32 -> 1;
            case INT64 -> 2;
            case FLOAT32 -> 3;
            case FLOAT64 -> 4;
        };
    }

    /** The result type of a binary op on tensors of types {@code a} and {@code b} (PyTorch rules). */
    public static DType promote(DType a, DType b) {
        return a.rank() >= b.rank() ? a : b;
    }

    /**
     * The result type of a binary op between a tensor of this type and a Java scalar. As in PyTorch,
     * a scalar only changes the category: an integer tensor with a floating scalar becomes float32,
     * a bool tensor with an integral scalar becomes int64; otherwise the tensor's type wins.
     */
    public DType promoteWithScalar(boolean scalarIsFloating) {
        if (scalarIsFloating) return floating ? this : FLOAT32;
        return this == BOOL ? INT64 : this;
    }

    @Override
    public String toString() { return label; }
}
