/**
 * Saving and loading: {@link dev.fathom.io.Safetensors} reads and writes model weights in the
 * safetensors format (the names of {@code Module.stateDict()}, which match PyTorch's
 * {@code state_dict()} keys, so weights move between Fathom, {@code safetensors.torch} and Hugging
 * Face tools), and {@link dev.fathom.io.TrainingCheckpoint} saves everything needed to resume
 * training with exactly the losses an uninterrupted run would have had (model, optimiser,
 * LR schedule, epoch and step, random generator states). Every write is atomic (a temporary file
 * beside the target, then a rename), and every read validates the whole file first: a truncated or
 * corrupted file gives a {@link dev.fathom.io.FileFormatException} naming the file and the problem,
 * never a partly loaded model.
 */
package dev.fathom.io;
