import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Generator, Module } from '@tensorzoo/core';
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

/**
 * One epoch per loop: `steps` batches of `batchSize` rows of `data`, in an order drawn from
 * `rng` at the start of each epoch (wrapping around when `steps · batchSize` exceeds the rows).
 * What `--steps` gives the examples that otherwise pass over the whole dataset each epoch.
 * Each batch is disposed when the next is requested; `data` stays the caller's.
 */
export function sampledBatches(data: Batch, options: { steps: number; batchSize: number; rng: Generator }): Iterable<Batch> {
  const { steps, batchSize, rng } = options;
  const size = data.x.shape[0];
  return {
    *[Symbol.iterator]() {
      const order = rng.permutation(size);
      for (let step = 0; step < steps; step++) {
        const rows = tf.tensor1d(Int32Array.from({ length: Math.min(batchSize, size) }, (_, row) => order[(step * batchSize + row) % size]), 'int32');
        const batch = { x: tf.gather(data.x, rows), y: tf.gather(data.y, rows) }; // [batch, ...]
        rows.dispose();
        try {
          yield batch;
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
      }
    },
  };
}
