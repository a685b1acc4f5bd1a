/**
 * The training experience: {@link dev.fathom.train.Trainer} runs fit/evaluate/predict over any
 * {@code Iterable<dev.fathom.data.Batch>} and returns a {@link dev.fathom.train.History};
 * {@link dev.fathom.train.metrics} accumulates accuracy, top-k, precision/recall/F1, confusion
 * matrices, MAE and RMSE over batches; {@link dev.fathom.train.callbacks} holds early stopping,
 * checkpointing through a {@link dev.fathom.train.Saver}, learning-rate schedule stepping, a NaN guard
 * and TensorBoard logging; {@link dev.fathom.train.ProgressBar} prints progress,
 * {@link dev.fathom.train.TensorBoardWriter} writes tfevents files and
 * {@link dev.fathom.train.TrainingPlot} draws the training curves as a PNG.
 */
package dev.fathom.train;
