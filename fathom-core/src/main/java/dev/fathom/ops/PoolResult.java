package dev.fathom.ops;

import dev.fathom.tensor.Tensor;

/**
 * The result of a max pooling with indices: the pooled {@code values} and, for each of them, the
 * int64 position of the chosen element within its flattened input plane ({@code H*W} for 2-d,
 * {@code L} for 1-d), as PyTorch's {@code return_indices=True}.
 */
public record PoolResult(Tensor values, Tensor indices) {}
