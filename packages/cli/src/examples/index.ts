import { ArgumentError } from '@tensorzoo/core';
import type { Example } from '../example';
import { housePrices } from './house-prices';
import { regression } from './regression';

/** Every example `tensorzoo train` can run, in `tensorzoo list` order. */
export const examples: readonly Example[] = Object.freeze([regression, housePrices]);

/**
 * The example called `name`.
 * @throws {ArgumentError} (`unknown-example`) listing the valid names.
 */
export function findExample(name: string): Example {
  const found = examples.find((example) => example.name === name);
  if (!found) {
    throw new ArgumentError(
      'unknown-example',
      `unknown example ${JSON.stringify(name)}. Valid examples: ${examples.map((example) => example.name).join(', ')} (see "tensorzoo list").`,
    );
  }
  return found;
}
