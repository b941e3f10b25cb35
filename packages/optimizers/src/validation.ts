import { ArgumentError, describeValue } from '@tensorzoo/core';

export { assertNonNegative, assertPositive } from '@tensorzoo/core';

// Option checks shared by the optimizer factories. Messages follow core's
// `where: name (value) must be <rule>.` shape; tests pin them.

/** Throws unless `value` is a boolean. */
export function assertBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(value)}) must be true or false.`);
  }
  return value;
}

/**
 * Throws when `options` is not a plain object or names an option outside `allowed`
 * (catches `weight_decay` for `weightDecay` in untyped callers).
 */
export function assertKnownOptions(where: string, options: unknown, allowed: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError('bad-argument', `${where}: options must be an object, received ${describeValue(options)}.`);
  }
  for (const name of Object.keys(options)) {
    if (!allowed.includes(name)) {
      throw new ArgumentError(
        'bad-argument',
        `${where}: unknown option "${name}"; expected one of ${allowed.join(', ')}.`,
      );
    }
  }
}
