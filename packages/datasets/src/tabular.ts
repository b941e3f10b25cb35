import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@tensorzoo/core';
import type { Generator } from '@tensorzoo/core';
import { assertDataset, assertGenerator, assertInteger, describeValue, formatShape, shapeSize } from './validate';

/** Target storage: `Float32Array` for regression values, `Int32Array` for class labels. */
export type TargetArray = Float32Array | Int32Array;

/**
 * A small in-memory dataset of `size` examples, stored row-major in typed arrays on the CPU.
 *
 * Nothing lives on the accelerator until {@link batches} builds one batch of tensors, so a
 * dataset costs no GPU memory and never needs disposing. Build one with
 * {@link tabularDataset}, which checks that the lengths agree.
 *
 * @example
 * ```ts
 * const data = tabularDataset({ features: [1, 2, 3, 4, 5, 6], featureShape: [2], targets: [0.5, 1, 1.5] });
 * data.size;          // 3
 * data.featureShape;  // [2]: a batch of b examples is x [b, 2], y [b, 1]
 * ```
 */
export interface TabularDataset {
  /** Features, row-major: example `i` is `features.subarray(i * k, (i + 1) * k)` with `k = product(featureShape)`. */
  readonly features: Float32Array;
  /** Shape of one example's features, e.g. `[12]`; a batch of `b` rows is `[b, ...featureShape]`. */
  readonly featureShape: readonly number[];
  /** Targets, row-major like `features`, `size * product(targetShape)` values. */
  readonly targets: TargetArray;
  /** Shape of one example's target: `[1]` for scalar regression, `[]` for sparse class labels. */
  readonly targetShape: readonly number[];
  /** Number of examples. */
  readonly size: number;
  /** Optional column names, one per feature value (only meaningful for 1-D `featureShape`). */
  readonly featureNames?: readonly string[];
  /** Optional names of the target values. */
  readonly targetNames?: readonly string[];
}

/** Input of {@link tabularDataset}. */
export interface TabularDatasetInit {
  /** Row-major feature values; plain arrays are copied into a `Float32Array`. */
  features: Float32Array | readonly number[];
  /** Row-major targets; plain arrays become a `Float32Array`, an `Int32Array` is kept as labels. */
  targets: TargetArray | readonly number[];
  /** Shape of one example's features. Default `[features.length / size]` (one flat row). */
  featureShape?: readonly number[];
  /** Shape of one example's target. Default `[1]` (a scalar per row, batched as `[b, 1]`). */
  targetShape?: readonly number[];
  /** Column names; must have `product(featureShape)` entries. */
  featureNames?: readonly string[];
  /** Target names; must have `product(targetShape)` entries. */
  targetNames?: readonly string[];
}

/**
 * Builds a {@link TabularDataset}, checking that features and targets describe the same
 * number of examples. `size` is `targets.length / product(targetShape)`. Typed arrays are
 * kept as they are (not copied); plain number arrays are copied into a `Float32Array`.
 *
 * @throws ShapeError (`length-mismatch`) when the lengths disagree; ArgumentError for bad shapes or names.
 * @example
 * ```ts
 * // 3 examples of 2 features, one target each
 * const data = tabularDataset({ features: [1, 2, 3, 4, 5, 6], targets: [0.5, 1, 1.5] });
 * ```
 */
export function tabularDataset(init: TabularDatasetInit): TabularDataset {
  const where = 'tabularDataset';
  const targetShape = checkShape(where, 'targetShape', init.targetShape ?? [1]);
  const targets = init.targets instanceof Float32Array || init.targets instanceof Int32Array ? init.targets : toFloat32(where, 'targets', init.targets);
  const features = init.features instanceof Float32Array ? init.features : toFloat32(where, 'features', init.features);
  const targetSize = shapeSize(targetShape);
  if (targets.length === 0 || targets.length % targetSize !== 0) {
    throw new ShapeError(
      'length-mismatch',
      `${where}: targets has ${targets.length} values, which is not a positive whole number of examples of targetShape ${formatShape(targetShape)} (${targetSize} values each).`,
    );
  }
  const size = targets.length / targetSize;
  if (init.featureShape === undefined && (features.length === 0 || features.length % size !== 0)) {
    throw new ShapeError(
      'length-mismatch',
      `${where}: features has ${features.length} values, which does not split into ${size} equal rows (one per target); ` +
        `pass ${size} rows of features, or give featureShape and targetShape.`,
    );
  }
  const featureShape = checkShape(where, 'featureShape', init.featureShape ?? [features.length / size]);
  const featureSize = shapeSize(featureShape);
  if (features.length !== size * featureSize) {
    throw new ShapeError(
      'length-mismatch',
      `${where}: features has ${features.length} values but targets describe ${size} examples; ` +
        `${size} examples of featureShape ${formatShape(featureShape)} need ${size * featureSize} values.`,
    );
  }
  checkNames(where, 'featureNames', init.featureNames, featureSize);
  checkNames(where, 'targetNames', init.targetNames, targetSize);
  return {
    features,
    featureShape,
    targets,
    targetShape,
    size,
    ...(init.featureNames ? { featureNames: Object.freeze([...init.featureNames]) } : {}),
    ...(init.targetNames ? { targetNames: Object.freeze([...init.targetNames]) } : {}),
  };
}

/**
 * A new dataset holding the rows `indices` of `dataset`, in that order (values are copied).
 *
 * @example
 * ```ts
 * const firstTen = selectRows(data, Int32Array.from({ length: 10 }, (_, i) => i));
 * ```
 */
export function selectRows(dataset: TabularDataset, indices: ArrayLike<number>): TabularDataset {
  const where = 'selectRows';
  assertDataset(where, dataset);
  const featureSize = shapeSize(dataset.featureShape);
  const targetSize = shapeSize(dataset.targetShape);
  const features = new Float32Array(indices.length * featureSize);
  const targets = dataset.targets instanceof Int32Array ? new Int32Array(indices.length * targetSize) : new Float32Array(indices.length * targetSize);
  for (let row = 0; row < indices.length; row++) {
    const index = indices[row];
    if (!Number.isInteger(index) || index < 0 || index >= dataset.size) {
      throw new ArgumentError('bad-argument', `${where}: indices[${row}] (${describeValue(index)}) must be an integer in [0, ${dataset.size - 1}].`);
    }
    features.set(dataset.features.subarray(index * featureSize, (index + 1) * featureSize), row * featureSize);
    targets.set(dataset.targets.subarray(index * targetSize, (index + 1) * targetSize), row * targetSize);
  }
  return { ...dataset, features, targets, size: indices.length };
}

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** Share of the examples that go to the test split, strictly between 0 and 1 (e.g. `0.2`). */
  testFraction: number;
  /** Seeded rng that draws the shuffle; the same seed gives the same split everywhere. */
  rng: Generator;
}

/**
 * Shuffles the rows with `rng` and splits them: the test split holds
 * `Math.round(testFraction * size)` examples, the training split the rest. Both must be non-empty.
 *
 * Fit any preprocessing (e.g. {@link fitStandardizer}) on `train` only, so nothing about the
 * test rows leaks into training.
 *
 * @throws ArgumentError when `testFraction` is not in (0, 1) or leaves a split empty.
 * @example
 * ```ts
 * const { train, test } = trainTestSplit(loadBostonHousing(), { testFraction: 0.2, rng: new Generator(0) });
 * train.size; // 405
 * test.size;  // 101
 * ```
 */
export function trainTestSplit(dataset: TabularDataset, options: TrainTestSplitOptions): { train: TabularDataset; test: TabularDataset } {
  const where = 'trainTestSplit';
  assertDataset(where, dataset);
  const { testFraction, rng } = options;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new ArgumentError('bad-argument', `${where}: testFraction (${describeValue(testFraction)}) must be a number strictly between 0 and 1, e.g. 0.2.`);
  }
  assertGenerator(where, rng);
  const testSize = Math.round(testFraction * dataset.size);
  if (testSize === 0 || testSize === dataset.size) {
    const empty = testSize === 0 ? 'test' : 'training';
    throw new ArgumentError(
      'empty-split',
      `${where}: testFraction (${testFraction}) of ${dataset.size} examples leaves the ${empty} split empty; ` +
        `use a testFraction that rounds to between 1 and ${dataset.size - 1} examples.`,
    );
  }
  const order = rng.permutation(dataset.size);
  return { train: selectRows(dataset, order.subarray(testSize)), test: selectRows(dataset, order.subarray(0, testSize)) };
}

/**
 * Per-column standardisation `(x - mean) / std`, fitted by {@link fitStandardizer}.
 *
 * `mean` and `std` are population statistics (divide by n, as scikit-learn's StandardScaler).
 * A column whose values are all equal has variance 0; its `std` is set to 1, so that column
 * becomes `x - mean` (all zeros on the fitted data) instead of NaN.
 */
export interface Standardizer {
  /** Column means, length `columns`. */
  readonly mean: Float32Array;
  /** Column standard deviations, length `columns`; 1 for zero-variance columns. */
  readonly std: Float32Array;
  /** `(x - mean) / std` for a tensor whose last axis has `columns` entries (`[..., columns]`). Caller disposes the result. */
  transform(x: tf.Tensor): tf.Tensor;
  /** `x * std + mean`, undoing {@link Standardizer.transform} (e.g. to read predictions in original units). */
  inverse(x: tf.Tensor): tf.Tensor;
  /** {@link Standardizer.transform} on row-major values on the CPU; returns a new array. */
  transformValues(values: ArrayLike<number>): Float32Array;
  /** {@link Standardizer.inverse} on row-major values on the CPU; returns a new array. */
  inverseValues(values: ArrayLike<number>): Float32Array;
}

/**
 * Fits a {@link Standardizer} to row-major `values` with `columns` values per row.
 * Fit it on the training split only, then apply it to both splits with {@link standardize}.
 * Zero-variance columns get `std = 1` (see {@link Standardizer}).
 *
 * @param values row-major data `[rows, columns]`, e.g. `train.features`.
 * @param columns values per row, e.g. `train.featureShape[0]`.
 * @example
 * ```ts
 * const scaler = fitStandardizer(train.features, train.featureShape[0]);
 * const trainScaled = standardize(train, { features: scaler });
 * const testScaled = standardize(test, { features: scaler });
 * ```
 */
export function fitStandardizer(values: ArrayLike<number>, columns: number): Standardizer {
  const where = 'fitStandardizer';
  assertInteger(where, 'columns', columns);
  if (values.length === 0 || values.length % columns !== 0) {
    throw new ShapeError('length-mismatch', `${where}: values has ${values.length} entries, which is not a positive whole number of rows of ${columns} columns.`);
  }
  const rows = values.length / columns;
  const sums = new Float64Array(columns);
  for (let index = 0; index < values.length; index++) sums[index % columns] += values[index];
  const means = sums.map((sum) => sum / rows);
  const squares = new Float64Array(columns);
  for (let index = 0; index < values.length; index++) {
    const deviation = values[index] - means[index % columns];
    squares[index % columns] += deviation * deviation;
  }
  const mean = Float32Array.from(means);
  const std = Float32Array.from(squares, (square) => (square === 0 ? 1 : Math.sqrt(square / rows)));
  return makeStandardizer(mean, std);
}

function makeStandardizer(mean: Float32Array, std: Float32Array): Standardizer {
  const columns = mean.length;
  const checkTensor = (method: string, x: tf.Tensor): void => {
    if (x.rank === 0 || x.shape[x.rank - 1] !== columns) {
      throw new ShapeError('shape-mismatch', `Standardizer.${method}: x expected shape [..., ${columns}], received ${formatShape(x.shape)}.`);
    }
  };
  const checkValues = (method: string, values: ArrayLike<number>): void => {
    if (values.length % columns !== 0) {
      throw new ShapeError('length-mismatch', `Standardizer.${method}: values has ${values.length} entries, which is not a whole number of rows of ${columns} columns.`);
    }
  };
  return {
    mean,
    std,
    transform(x) {
      checkTensor('transform', x);
      return tf.tidy(() => tf.div(tf.sub(tf.cast(x, 'float32'), tf.tensor1d(mean)), tf.tensor1d(std)));
    },
    inverse(x) {
      checkTensor('inverse', x);
      return tf.tidy(() => tf.add(tf.mul(tf.cast(x, 'float32'), tf.tensor1d(std)), tf.tensor1d(mean)));
    },
    transformValues(values) {
      checkValues('transformValues', values);
      return Float32Array.from(values, (value, index) => (value - mean[index % columns]) / std[index % columns]);
    },
    inverseValues(values) {
      checkValues('inverseValues', values);
      return Float32Array.from(values, (value, index) => value * std[index % columns] + mean[index % columns]);
    },
  };
}

/** Which parts of a dataset {@link standardize} rescales. */
export interface StandardizeOptions {
  /** Applied to `features`; fitted with `columns = product(featureShape)`. */
  features?: Standardizer;
  /** Applied to `targets` (which become `Float32Array`); fitted with `columns = product(targetShape)`. */
  targets?: Standardizer;
}

/**
 * A copy of `dataset` with its features and/or targets standardised by already-fitted
 * {@link Standardizer}s. Use the standardizers fitted on the training split for every split.
 *
 * @example
 * ```ts
 * const featureScaler = fitStandardizer(train.features, train.featureShape[0]);
 * const targetScaler = fitStandardizer(train.targets, 1);
 * const trainScaled = standardize(train, { features: featureScaler, targets: targetScaler });
 * // predictions in dollars: targetScaler.inverse(model.call(x))
 * ```
 */
export function standardize(dataset: TabularDataset, options: StandardizeOptions): TabularDataset {
  const where = 'standardize';
  assertDataset(where, dataset);
  const featureSize = shapeSize(dataset.featureShape);
  const targetSize = shapeSize(dataset.targetShape);
  if (options.features && options.features.mean.length !== featureSize) {
    throw new ShapeError('shape-mismatch', `${where}: the features standardizer has ${options.features.mean.length} columns but the dataset has ${featureSize} feature values per example.`);
  }
  if (options.targets && options.targets.mean.length !== targetSize) {
    throw new ShapeError('shape-mismatch', `${where}: the targets standardizer has ${options.targets.mean.length} columns but the dataset has ${targetSize} target values per example.`);
  }
  return {
    ...dataset,
    features: options.features ? options.features.transformValues(dataset.features) : dataset.features,
    targets: options.targets ? options.targets.transformValues(dataset.targets) : dataset.targets,
  };
}

function checkShape(where: string, name: string, shape: unknown): readonly number[] {
  if (!Array.isArray(shape) || !shape.every((dimension) => Number.isInteger(dimension) && dimension > 0)) {
    const shown = Array.isArray(shape) ? `[${shape.map(describeValue).join(', ')}]` : describeValue(shape);
    throw new ArgumentError('bad-argument', `${where}: ${name} (${shown}) must be an array of positive integers, e.g. [12].`);
  }
  return Object.freeze([...shape]);
}

function checkNames(where: string, name: string, names: readonly string[] | undefined, expected: number): void {
  if (names !== undefined && (!Array.isArray(names) || names.length !== expected)) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(names)}) must list ${expected} names, one per value.`);
  }
}

function toFloat32(where: string, name: string, values: unknown): Float32Array {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(values)}) must be a Float32Array or an array of numbers.`);
  }
  return Float32Array.from(values as ArrayLike<number>);
}
