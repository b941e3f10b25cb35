import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Fails unless every element of `actual` is within `tolerance · max(1, |expected|)` of `expected`; returns the largest |difference|. */
export async function expectClose(actual: tf.Tensor, expected: ArrayLike<number>, tolerance = 1e-4, label = ''): Promise<number> {
  const values = await actual.data();
  expect(values.length, `${label} length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const difference = Math.abs(values[i] - expected[i]);
    worst = Math.max(worst, difference);
    if (!(difference <= tolerance * Math.max(1, Math.abs(expected[i])))) {
      expect.fail(`${label} element ${i}: got ${values[i]}, expected ${expected[i]} (|difference| ${difference} > ${tolerance})`);
    }
  }
  return worst;
}

/** Tensors from a fixture's `{ name: { shape, values } }` record; `num_batches_tracked` buffers are int32. */
export function stateDictTensors(record: Record<string, { shape: number[]; values: number[] }>): Record<string, tf.Tensor> {
  return Object.fromEntries(
    Object.entries(record).map(([name, { shape, values }]) => [name, tf.tensor(values, shape, name.endsWith('num_batches_tracked') ? 'int32' : 'float32')]),
  );
}
