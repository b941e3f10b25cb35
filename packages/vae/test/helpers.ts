import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { Module } from '@tensorzoo/core';

/** A tensor stored by scripts/reference/vae.py: row-major values and a shape. */
export interface Stored {
  shape: number[];
  data: number[];
}

export const tensorOf = (stored: Stored, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor => tf.tensor(stored.data, stored.shape, dtype);

/** Loads a PyTorch state_dict from the fixture (int buffers such as num_batches_tracked as int32). */
export function loadTorchState(module: Module<never, unknown, never>, state: Record<string, Stored>): void {
  const values = Object.fromEntries(
    Object.entries(state).map(([name, stored]) => [name, tensorOf(stored, name.endsWith('num_batches_tracked') ? 'int32' : 'float32')]),
  );
  module.loadStateDict(values);
  tf.dispose(Object.values(values));
}

/** |actual - expected| <= tolerance * max(1, |expected|) element-wise (1e-4 allowed on webgpu). */
export async function expectClose(actual: tf.Tensor, expected: ArrayLike<number>, tolerance = 1e-5, label = ''): Promise<number> {
  const values = await actual.data();
  expect(values.length, label).toBe(expected.length);
  const loose = tf.getBackend() === 'cpu' ? tolerance : Math.max(tolerance, 1e-4);
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const diff = Math.abs(values[i] - expected[i]);
    worst = Math.max(worst, diff / Math.max(1, Math.abs(expected[i])));
    if (diff > loose * Math.max(1, Math.abs(expected[i]))) {
      expect.fail(`${label} element ${i}: got ${values[i]}, expected ${expected[i]} (|diff| ${diff} > ${loose})`);
    }
  }
  return worst;
}
