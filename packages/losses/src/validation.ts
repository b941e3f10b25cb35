// Argument checks shared by every loss. Most read only shapes, dtypes and option values,
// never tensor data, so they cost nothing on an asynchronous backend (WebGPU). The value
// checks at the end (labels in range, probabilities in [0, 1]) read a min and a max through
// core's readValueRange; every loss that uses them has a `validate: false` option to skip them.
// Messages and codes follow core's shape.ts: `where: what (value) must ... .`, shapes as `[4, 2]`.
import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertInRange, describeValue, formatShape, readValueRange } from '@tensorzoo/core';

export { assertNonNegative, assertPositive } from '@tensorzoo/core';

/**
 * Throws an {@link ArgumentError} unless `value` is a tensor (checked by its shape and dtype
 * fields, so a tensor from another copy of tfjs-core passes too). @internal
 */
export function assertTensor(where: string, name: string, value: unknown): asserts value is tf.Tensor {
  const candidate = value as { shape?: unknown; dtype?: unknown } | null;
  if (typeof candidate !== 'object' || candidate === null || !Array.isArray(candidate.shape) || typeof candidate.dtype !== 'string') {
    throw new ArgumentError(
      'not-a-tensor',
      `${where}: ${name} must be a tf.Tensor, received ${describeValue(value)}; wrap arrays with tf.tensor(...).`,
    );
  }
}

/** Throws a {@link ShapeError} (code `'dtype-mismatch'`, as core) unless `tensor.dtype` is allowed. @internal */
export function assertDtype(where: string, name: string, tensor: tf.Tensor, allowed: readonly tf.DataType[], role = ''): void {
  if (!allowed.includes(tensor.dtype)) {
    throw new ShapeError(
      'dtype-mismatch',
      `${where}: ${name} dtype ${tensor.dtype} must be ${allowed.join(' or ')}${role}; convert it with tf.cast(${name}, '${allowed[0]}').`,
    );
  }
}

/** Throws a {@link ShapeError} when `tensor` is a scalar (the loss needs `meaning`'s axis). @internal */
export function assertHasAxis(where: string, name: string, tensor: tf.Tensor, meaning: string): void {
  if (tensor.rank < 1) {
    throw new ShapeError(
      'rank-too-low',
      `${where}: ${name} shape ${formatShape(tensor.shape)} must have at least one dimension (${meaning}).`,
    );
  }
}

/** Throws a {@link ShapeError} unless both tensors have the same shape. @internal */
export function assertSameShape(where: string, yTrue: tf.Tensor, yPred: tf.Tensor): void {
  const same = yTrue.rank === yPred.rank && yTrue.shape.every((size, axis) => size === yPred.shape[axis]);
  if (!same) {
    throw new ShapeError(
      'shape-mismatch',
      `${where}: yTrue shape ${formatShape(yTrue.shape)} must equal yPred shape ${formatShape(yPred.shape)}.`,
    );
  }
}

/**
 * Validates a `(yTrue, yPred)` pair: two tensors, yPred float32, yTrue float32 or int32, equal
 * shapes, at least one dimension (`lastAxis` names it in the message). @internal
 */
export function assertPair(where: string, yTrue: unknown, yPred: unknown, lastAxis = 'a batch axis'): asserts yTrue is tf.Tensor {
  assertTensor(where, 'yTrue', yTrue);
  assertTensor(where, 'yPred', yPred);
  assertDtype(where, 'yTrue', yTrue, ['float32', 'int32']);
  assertDtype(where, 'yPred', yPred as tf.Tensor, ['float32']);
  assertHasAxis(where, 'yPred', yPred as tf.Tensor, lastAxis);
  assertSameShape(where, yTrue, yPred as tf.Tensor);
}

/** Throws an {@link ArgumentError} unless `value` is in [0, 1). @internal */
export function assertLabelSmoothing(where: string, value: unknown): void {
  assertInRange(where, 'labelSmoothing', value, 0, 1);
}

/**
 * Throws an {@link ArgumentError} (`'label-out-of-range'`) when a class label in `yTrue` is
 * outside `[0, classes)` (one min/max read, see core's `readValueRange`). Returns false when
 * the backend cannot read synchronously: the caller then applies core's `nanUnless`. @internal
 */
export function assertClassLabels(where: string, yTrue: tf.Tensor, yPred: tf.Tensor, classes: number): boolean {
  const range = readValueRange(yTrue);
  if (!range) return false;
  if (range.min >= 0 && range.max < classes) return true;
  const label = range.min < 0 ? range.min : range.max;
  throw new ArgumentError(
    'label-out-of-range',
    `${where}: yTrue holds label ${label}, outside the ${classes} classes [0, ${classes}) of yPred ${formatShape(yPred.shape)}; ` +
      `labels must be class indices 0..${classes - 1}. Check the label encoding or the model's number of outputs ` +
      '(pass { validate: false } to skip this check).',
  );
}

/**
 * Throws an {@link ArgumentError} (`'not-probabilities'`) when `yPred` holds values outside
 * `[0, 1]`, which almost always means logits passed without `fromLogits: true` (PyTorch's
 * `BCELoss` raises too). One min/max read, see core's `readValueRange`. Returns false when
 * the backend cannot read synchronously: the caller then applies core's `nanUnless`. @internal
 */
export function assertProbabilities(where: string, yPred: tf.Tensor): boolean {
  const range = readValueRange(yPred);
  if (!range) return false;
  if (range.min >= 0 && range.max <= 1) return true;
  const value = range.min < 0 ? range.min : range.max;
  throw new ArgumentError(
    'not-probabilities',
    `${where}: yPred holds ${value}, outside [0, 1]; without fromLogits it must hold probabilities. ` +
      'If yPred are logits (no sigmoid applied), pass { fromLogits: true } (pass { validate: false } to skip this check).',
  );
}
