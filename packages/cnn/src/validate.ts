// Config checks shared by this package's models. Internal: index.ts does not re-export them.
import { ArgumentError, describeValue } from '@tensorzoo/core';

/** Throws unless `value` is an integer >= 1; returns it. */
export function positiveInteger(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(value)}) must be a positive integer.`);
  }
  return value;
}

/** Throws unless `value` is an array of positive integers (of `length` entries when given); returns a copy. */
export function positiveIntegers(where: string, name: string, value: unknown, length?: number): number[] {
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    (length === undefined || value.length === length) &&
    value.every((entry) => typeof entry === 'number' && Number.isInteger(entry) && entry >= 1);
  if (!ok) {
    const shown = Array.isArray(value) ? `[${value.map(describeValue).join(', ')}]` : describeValue(value);
    const count = length === undefined ? 'a non-empty list of' : `a list of ${length}`;
    throw new ArgumentError('bad-argument', `${where}: ${name} (${shown}) must be ${count} positive integers.`);
  }
  return [...(value as number[])];
}

/** Throws unless `value` is one of `allowed`; returns it. */
export function oneOf<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(value)}) must be one of ${allowed.map((a) => `'${a}'`).join(', ')}.`);
  }
  return value as T;
}

/** Reads an image shape `[height, width, channels]`. */
export function imageShape(where: string, value: unknown): [number, number, number] {
  return positiveIntegers(where, 'inputShape', value, 3) as [number, number, number];
}
