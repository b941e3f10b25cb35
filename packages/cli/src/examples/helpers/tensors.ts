import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Module } from '@tensorzoo/core';
import type { TabularDataset } from '@tensorzoo/datasets';

/** The whole dataset as one `{ x, y }` pair of tensors, the form `fit` batches and shuffles itself. The caller disposes them. */
export function datasetTensors(dataset: TabularDataset): Batch {
  return {
    x: tf.tensor(dataset.features, [dataset.size, ...dataset.featureShape], 'float32'), // [n, ...featureShape]
    y: tf.tensor(dataset.targets, [dataset.size, ...dataset.targetShape]), // [n, ...targetShape]
  };
}

/** Runs `model` in eval mode on `x` and returns its outputs as numbers (row-major). */
export async function predict(model: Module, x: tf.Tensor): Promise<Float32Array> {
  const wasTraining = model.training;
  model.eval();
  const output = model.call(x);
  try {
    return (await output.data()) as Float32Array;
  } finally {
    output.dispose();
    model.train(wasTraining);
  }
}
