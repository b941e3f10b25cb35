import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Relative+absolute tolerance comparison of a tensor against expected numbers. */
export async function expectClose(actual: tf.Tensor, expected: ArrayLike<number>, tolerance = 1e-5): Promise<void> {
  const values = await actual.data();
  expect(values.length).toBe(expected.length);
  const loose = tf.getBackend() === 'webgpu' ? Math.max(tolerance, 1e-4) : tolerance;
  for (let i = 0; i < values.length; i++) {
    const diff = Math.abs(values[i] - expected[i]);
    if (diff > loose * Math.max(1, Math.abs(expected[i]))) {
      expect.fail(`element ${i}: got ${values[i]}, expected ${expected[i]} (|diff| ${diff} > ${loose})`);
    }
  }
}
