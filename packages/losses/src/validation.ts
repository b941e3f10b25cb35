// Argument checks shared by every loss. They read only shapes, dtypes and option values,
// never tensor data, so they cost nothing on an asynchronous backend (WebGPU). Messages and
// codes follow core's shape.ts: `where: what (value) must ... .`, shapes as `[4, 2]`.
import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertInRange, describeValue, formatShape } from '@tensorzoo/core';

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
