import { ArgumentError, ShapeError, describeValue, formatShape } from '@tensorzoo/core';

export { assertInteger, describeValue, formatShape } from '@tensorzoo/core';
import type { Generator } from '@tensorzoo/core';
import type { TabularDataset } from './tabular';

// Argument checks shared by this package's functions. Internal: index.ts does not re-export them.

/** Throws unless `value` is a finite number (and >= `min` when given); returns it. */
export function assertFinite(where: string, name: string, value: unknown, min = -Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    const rule = min === -Infinity ? 'a finite number' : `a finite number >= ${min}`;
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(value)}) must be ${rule}.`);
  }
  return value;
}

/** Throws unless `value` is a `[low, high]` pair of finite numbers with low < high; returns it. */
export function assertRange(where: string, name: string, value: unknown): readonly [number, number] {
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((bound) => typeof bound === 'number' && Number.isFinite(bound)) &&
    value[0] < value[1];
  if (!ok) {
    const shown = Array.isArray(value) ? `[${value.map(describeValue).join(', ')}]` : describeValue(value);
    throw new ArgumentError('bad-argument', `${where}: ${name} (${shown}) must be [low, high] with finite low < high.`);
  }
  return value as unknown as readonly [number, number];
}

/** Number of values in one example of shape `shape` (1 for `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let product = 1;
  for (const dimension of shape) product *= dimension;
  return product;
}


/** Throws unless `rng` looks like a core `Generator` (checked by shape, so a second copy of core works too). */
export function assertGenerator(where: string, generator: unknown): asserts generator is Generator {
  if (typeof generator !== 'object' || generator === null || typeof (generator as Generator).permutation !== 'function') {
    throw new ArgumentError(
      'missing-rng',
      `${where}: rng (${describeValue(generator)}) must be a Generator from @tensorzoo/core, e.g. new Generator(42).`,
    );
  }
}

/**
 * Throws unless `dataset`'s array lengths agree with its `size` and shapes. O(1); catches
 * hand-built objects that skipped `tabularDataset`'s checks before they reach tf.tensor.
 */
export function assertDataset(where: string, dataset: TabularDataset): void {
  if (typeof dataset !== 'object' || dataset === null || !(dataset.features instanceof Float32Array) || !ArrayBuffer.isView(dataset.targets)) {
    throw new ArgumentError('bad-argument', `${where}: dataset (${describeValue(dataset)}) must be a TabularDataset; build one with tabularDataset().`);
  }
  const { size, featureShape, targetShape, features, targets } = dataset;
  if (!Number.isInteger(size) || size < 0) {
    throw new ArgumentError('bad-argument', `${where}: dataset.size (${describeValue(size)}) must be an integer >= 0.`);
  }
  if (features.length !== size * shapeSize(featureShape) || targets.length !== size * shapeSize(targetShape)) {
    throw new ShapeError(
      'length-mismatch',
      `${where}: dataset of size ${size} needs ${size * shapeSize(featureShape)} feature values (featureShape ${formatShape(featureShape)}) ` +
        `and ${size * shapeSize(targetShape)} target values (targetShape ${formatShape(targetShape)}), ` +
        `but has ${features.length} and ${targets.length}; build it with tabularDataset().`,
    );
  }
}
