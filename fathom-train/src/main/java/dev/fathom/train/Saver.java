package dev.fathom.train;

import dev.fathom.nn.Module;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a model's weights to a file; {@link dev.fathom.train.callbacks.ModelCheckpoint} calls it.
 * {@code dev.fathom.io.Safetensors::save} is the default (see {@code ModelCheckpoint}'s
 * constructor without a saver); an implementation should write atomically.
 */
@FunctionalInterface
public interface Saver {
    void save(Module model, Path path) throws IOException;
}
