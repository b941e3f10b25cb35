// Image batches and predictions shared by the image examples (cnn-mnist, mlp-mnist,
// cnn-binary, vae-mnist, dcgan-mnist). Datasets are any TabularDataset of images
// (`featureShape` [height, width, channels]), e.g. MNIST and Fashion-MNIST.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Generator, Module } from '@tensorzoo/core';
import type { TabularDataset } from '@tensorzoo/datasets';

/**
 * One epoch per loop: `steps` batches of `batchSize` images drawn without repetition from
 * `dataset` with `rng` (whose state the CLI checkpoints, so `--resume` draws the same ones),
 * each image moved by up to `maxShift` pixels. Each batch is disposed when the next is requested.
 */
export function imageEpochs(dataset: TabularDataset, options: { steps: number; batchSize: number; maxShift: number; rng: Generator }): Iterable<Batch> {
  const { steps, batchSize, maxShift, rng } = options;
  const [height, width, channels] = dataset.featureShape;
  const imageSize = height * width * channels;
  const labelSize = dataset.targets.length / dataset.size;
  return {
    *[Symbol.iterator]() {
      const order = rng.permutation(dataset.size);
      for (let step = 0; step < steps; step++) {
        const size = Math.min(batchSize, dataset.size);
        const images = new Float32Array(size * imageSize);
        const labels = dataset.targets instanceof Int32Array ? new Int32Array(size * labelSize) : new Float32Array(size * labelSize);
        for (let row = 0; row < size; row++) {
          const index = order[(step * batchSize + row) % dataset.size];
          const source = dataset.features.subarray(index * imageSize, (index + 1) * imageSize);
          shiftImage(source, images.subarray(row * imageSize, (row + 1) * imageSize), [height, width, channels], rng.integer(2 * maxShift + 1) - maxShift, rng.integer(2 * maxShift + 1) - maxShift);
          labels.set(dataset.targets.subarray(index * labelSize, (index + 1) * labelSize), row * labelSize);
        }
        const batch = {
          x: tf.tensor(images, [size, height, width, channels], 'float32'), // [b, 28, 28, 1]
          y: tf.tensor(labels, [size, ...dataset.targetShape], labels instanceof Int32Array ? 'int32' : 'float32'), // [b] or [b, 1]
        };
        try {
          yield batch;
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
      }
    },
  };
}

/** Copies `source` into `target` moved by `dy` rows and `dx` columns, zeros where nothing moves in. */
function shiftImage(source: Float32Array, target: Float32Array, [height, width, channels]: readonly number[], dy: number, dx: number): void {
  target.fill(0);
  for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
    const from = ((y - dy) * width + Math.max(0, -dx)) * channels;
    const to = (y * width + Math.max(0, dx)) * channels;
    target.set(source.subarray(from, from + (width - Math.abs(dx)) * channels), to);
  }
}

/** The first `count` images of `dataset` as tensors (x `[count, 28, 28, 1]`); the caller disposes them. */
export function firstImages(dataset: TabularDataset, count: number): Batch {
  const size = Math.min(count, dataset.size);
  const imageSize = dataset.features.length / dataset.size;
  const labelSize = dataset.targets.length / dataset.size;
  return {
    x: tf.tensor(dataset.features.subarray(0, size * imageSize), [size, ...dataset.featureShape], 'float32'),
    y: tf.tensor(dataset.targets.subarray(0, size * labelSize), [size, ...dataset.targetShape], dataset.targets instanceof Int32Array ? 'int32' : 'float32'),
  };
}

/**
 * Runs `model` in eval mode over every image of `dataset` (250 at a time) and returns the
 * predicted label of each: the arg-max of logits/probabilities, or `p >= 0.5` for one sigmoid unit.
 */
export async function predictLabels(model: Module, dataset: TabularDataset): Promise<Int32Array> {
  const wasTraining = model.training;
  model.eval();
  const predicted = new Int32Array(dataset.size);
  const imageSize = dataset.features.length / dataset.size;
  try {
    for (let start = 0; start < dataset.size; start += 250) {
      const size = Math.min(250, dataset.size - start);
      const labels = tf.tidy(() => {
        const x = tf.tensor(dataset.features.subarray(start * imageSize, (start + size) * imageSize), [size, ...dataset.featureShape], 'float32');
        const output = model.call(x); // [size, classes] or [size, 1]
        return output.shape[1] === 1 ? tf.cast(tf.greaterEqual(tf.reshape(output, [size]), 0.5), 'int32') : tf.argMax(output, 1);
      });
      predicted.set(await labels.data(), start);
      labels.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return predicted;
}

/** Images `rows` of `dataset` as one tensor `[rows.length, ...featureShape]` (e.g. `[n, 28, 28, 1]`); the caller disposes it. */
export function imageRows(dataset: TabularDataset, rows: ArrayLike<number>): tf.Tensor {
  const imageSize = dataset.features.length / dataset.size;
  const pixels = new Float32Array(rows.length * imageSize);
  for (let i = 0; i < rows.length; i++) pixels.set(dataset.features.subarray(rows[i] * imageSize, (rows[i] + 1) * imageSize), i * imageSize);
  return tf.tensor(pixels, [rows.length, ...dataset.featureShape], 'float32');
}
