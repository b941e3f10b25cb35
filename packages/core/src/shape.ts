import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from './errors';

/**
 * One entry of a shape pattern: a fixed size, `null` for any size, or `'...'` (only first)
 * for any number of leading dimensions.
 */
export type DimPattern = number | null | '...';

/** Formats a shape pattern for messages: `[..., 16]`, `[*, 3, 28, 28]`. */
export function formatPattern(pattern: readonly DimPattern[]): string {
  return `[${pattern.map((d) => (d === null ? '*' : d)).join(', ')}]`;
}

/** Formats a concrete shape: `[2, 7, 16]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** True when `shape` matches `pattern` (see {@link DimPattern}). */
export function matchesShape(shape: readonly number[], pattern: readonly DimPattern[]): boolean {
  const leading = pattern[0] === '...';
  const fixed = leading ? pattern.slice(1) : pattern;
  if (leading ? shape.length < fixed.length : shape.length !== fixed.length) return false;
  const offset = shape.length - fixed.length;
  return fixed.every((dim, i) => dim === null || dim === shape[offset + i]);
}

/**
 * Throws a {@link ShapeError} unless `tensor` matches `pattern` (and, when given, `dtype`).
 *
 * @param where module path or function name, e.g. `"MLP.layers.0 (Linear)"`.
 * @param what the argument's name, e.g. `"input"`.
 * @example
 * ```ts
 * assertShape('Linear', 'input', x, ['...', 16]); // any leading dims, last = 16
 * ```
 */
export function assertShape(
  where: string,
  what: string,
  tensor: tf.Tensor,
  pattern: readonly DimPattern[],
  dtype?: tf.DataType | readonly tf.DataType[],
): void {
  if (tensor === null || typeof tensor !== 'object' || !Array.isArray((tensor as tf.Tensor).shape)) {
    throw new ArgumentError('not-a-tensor', `${where}: ${what} must be a tf.Tensor with shape ${formatPattern(pattern)}, received ${describeValue(tensor)}.`);
  }
  if (!matchesShape(tensor.shape, pattern)) {
    throw new ShapeError(
      'shape-mismatch',
      `${where}: ${what} expected shape ${formatPattern(pattern)}, received ${formatShape(tensor.shape)}.`,
    );
  }
  if (dtype !== undefined) {
    const allowed = typeof dtype === 'string' ? [dtype] : dtype;
    if (!allowed.includes(tensor.dtype)) {
      throw new ShapeError(
        'dtype-mismatch',
        `${where}: ${what} expected dtype ${allowed.join(' or ')}, received ${tensor.dtype}.`,
      );
    }
  }
}

/** Throws unless `value` is an integer >= `min`. Returns it. */
export function assertInteger(where: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(value)}) must be an integer >= ${min}.`);
  }
  return value;
}

/** Throws unless `value` is a finite number > 0. Returns it. */
export function assertPositive(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(value)}) must be a finite number > 0.`);
  }
  return value;
}

/** Throws unless `value` is a finite number >= 0. Returns it. */
export function assertNonNegative(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(value)}) must be a finite number >= 0.`);
  }
  return value;
}

/** Throws unless `value` is a finite number in [min, max) (or [min, max] when `inclusiveMax`). */
export function assertInRange(
  where: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
  inclusiveMax = false,
): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (inclusiveMax ? value <= max : value < max);
  if (!ok) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: ${name} (${describeValue(value)}) must be in [${min}, ${max}${inclusiveMax ? ']' : ')'}.`,
    );
  }
  return value as number;
}

/** Short description of any value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object' && Array.isArray((value as tf.Tensor).shape)) {
    const tensor = value as tf.Tensor;
    return `tensor ${formatShape(tensor.shape)} ${tensor.dtype}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`;
  if (typeof value === 'object') return Array.isArray(value) ? `array(${value.length})` : 'object';
  return String(value);
}
