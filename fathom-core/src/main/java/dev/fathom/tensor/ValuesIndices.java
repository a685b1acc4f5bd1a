package dev.fathom.tensor;

/**
 * The result of a reduction that reports where its values came from, such as
 * {@link Tensor#maxWithIndices(int, boolean)} (PyTorch's {@code torch.max(x, dim)} named tuple).
 *
 * @param values  the reduced values, in the input's dtype
 * @param indices int64 positions of those values along the reduced dimension
 */
public record ValuesIndices(Tensor values, Tensor indices) {}
