import { ArgumentError } from '@tensorzoo/core';
import type { Example } from '../example';
import { cnnBinary } from './cnn-binary';
import { cnnMnist } from './cnn-mnist';
import { dcganMnist } from './dcgan-mnist';
import { gptNames } from './gpt-names';
import { gptText } from './gpt-text';
import { housePrices } from './house-prices';
import { mlpMnist } from './mlp-mnist';
import { regression } from './regression';
import { seq2seqReverse } from './seq2seq-reverse';
import { vaeMnist } from './vae-mnist';

/** Every example `tensorzoo train` can run, in `tensorzoo list` order. */
export const examples: readonly Example[] = Object.freeze([regression, housePrices, gptNames, gptText, seq2seqReverse, dcganMnist, vaeMnist, mlpMnist, cnnMnist, cnnBinary]);

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
