import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tensorzoo/core';
import type { Generator } from '@tensorzoo/core';
import type { TabularDataset } from './tabular';
import { assertDataset, assertGenerator, assertInteger, shapeSize } from './validate';

/** One mini-batch from {@link batches}. The caller owns `x` and `y` and disposes them. */
export interface Batch {
  /** Features, `[b, ...featureShape]`, float32. */
  readonly x: tf.Tensor;
  /** Targets, `[b, ...targetShape]`, float32 (or int32 for `Int32Array` targets). */
  readonly y: tf.Tensor;
  /** The dataset rows in this batch, in order (length `b`). */
  readonly indices: Int32Array;
}

/** Options of {@link batches} and {@link batchCount}. */
export interface BatchOptions {
  /** Examples per batch, a positive integer. */
  batchSize: number;
  /** Visit the rows in a random order drawn from `rng`. Default `false` (rows in order). */
  shuffle?: boolean;
  /** Seeded rng for the shuffle; required when `shuffle` is true, unused otherwise. */
  rng?: Generator;
  /** Skip a last batch smaller than `batchSize`. Default `false` (keep it). */
  dropLast?: boolean;
}

/**
 * Number of batches {@link batches} yields for `size` examples:
 * `ceil(size / batchSize)`, or `floor(size / batchSize)` with `dropLast`.
 *
 * @example
 * ```ts
 * batchCount(10, { batchSize: 4 });                  // 3 (4, 4, 2)
 * batchCount(10, { batchSize: 4, dropLast: true });  // 2
 * ```
 */
export function batchCount(size: number, options: Pick<BatchOptions, 'batchSize' | 'dropLast'>): number {
  assertInteger('batchCount', 'size', size, 0);
  assertInteger('batchCount', 'batchSize', options.batchSize);
  return options.dropLast ? Math.floor(size / options.batchSize) : Math.ceil(size / options.batchSize);
}

/**
 * Mini-batches of `dataset` as tensors, built lazily: each step copies `batchSize` rows out of
 * the typed arrays and uploads them, so at most one batch lives on the backend at a time.
 * The caller disposes every batch (`x` and `y`), e.g. with `tf.dispose(batch)` or `tf.tidy`.
 *
 * The shuffle order is drawn from `rng` when `batches` is called (arguments are checked
 * then too), on the CPU, so the same seed gives the same batches on every backend. Call
 * `batches` once per epoch; each call draws a fresh order. The iterator can be consumed once.
 *
 * @throws ArgumentError when `batchSize` is not a positive integer or `shuffle` has no rng.
 * @example
 * ```ts
 * const rng = new Generator(42);
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const batch of batches(train, { batchSize: 32, shuffle: true, rng })) {
 *     const loss = trainStep(batch.x, batch.y); // x [32, 12], y [32, 1]
 *     tf.dispose([batch.x, batch.y]);
 *   }
 * }
 * ```
 */
export function batches(dataset: TabularDataset, options: BatchOptions): IterableIterator<Batch> {
  const where = 'batches';
  assertDataset(where, dataset);
  const { batchSize, shuffle = false, rng, dropLast = false } = options;
  assertInteger(where, 'batchSize', batchSize);
  if (typeof shuffle !== 'boolean') {
    throw new ArgumentError('bad-argument', `${where}: shuffle (${String(shuffle)}) must be true or false.`);
  }
  if (shuffle && rng === undefined) {
    throw new ArgumentError('missing-rng', `${where}: shuffle is true but no rng was given; pass { shuffle: true, rng: new Generator(seed) }.`);
  }
  if (shuffle) assertGenerator(where, rng);
  const order = shuffle ? rng!.permutation(dataset.size) : Int32Array.from({ length: dataset.size }, (_, index) => index);
  return generateBatches(dataset, order, batchSize, batchCount(dataset.size, { batchSize, dropLast }));
}

function* generateBatches(dataset: TabularDataset, order: Int32Array, batchSize: number, count: number): IterableIterator<Batch> {
  const featureSize = shapeSize(dataset.featureShape);
  const targetSize = shapeSize(dataset.targetShape);
  const targetDtype = dataset.targets instanceof Int32Array ? 'int32' : 'float32';
  for (let batchIndex = 0; batchIndex < count; batchIndex++) {
    const indices = order.slice(batchIndex * batchSize, (batchIndex + 1) * batchSize);
    const rows = indices.length;
    const features = new Float32Array(rows * featureSize);
    const targets = targetDtype === 'int32' ? new Int32Array(rows * targetSize) : new Float32Array(rows * targetSize);
    for (let row = 0; row < rows; row++) {
      const index = indices[row];
      features.set(dataset.features.subarray(index * featureSize, (index + 1) * featureSize), row * featureSize);
      targets.set(dataset.targets.subarray(index * targetSize, (index + 1) * targetSize), row * targetSize);
    }
    yield {
      x: tf.tensor(features, [rows, ...dataset.featureShape], 'float32'), // [b, ...featureShape]
      y: tf.tensor(targets, [rows, ...dataset.targetShape], targetDtype), // [b, ...targetShape]
      indices,
    };
  }
}
