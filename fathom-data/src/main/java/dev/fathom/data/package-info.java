/**
 * Data for training: indexed {@link dev.fathom.data.Dataset}s and streaming
 * {@link dev.fathom.data.IterableDataset}s of {@link dev.fathom.data.Example}s; the
 * {@link dev.fathom.data.DataLoader} that batches, shuffles (reproducibly, from a
 * {@link dev.fathom.tensor.Generator}) and prefetches them on worker threads; readers for IDX
 * (the MNIST family, with {@link dev.fathom.data.Mnist} and {@link dev.fathom.data.FashionMnist}),
 * CSV, image folders and plain text; the bundled {@link dev.fathom.data.Iris} data for a first run
 * with nothing to download; and composable {@link dev.fathom.data.Transform}s for augmentation.
 */
package dev.fathom.data;
