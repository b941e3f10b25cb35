import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, addMany } from '@tensorzoo/core';

describe('addMany', () => {
  it('sums 1 to 40 tensors like addN, in launches of at most 4 inputs (WebGPU reads at most 8 buffers per shader)', async () => {
    for (const count of [1, 2, 4, 5, 9, 17, 40]) {
      const tensors = Array.from({ length: count }, (_, index) => tf.tensor1d([index, -2 * index, 0.5]));
      const before = tf.memory().numTensors;
      const profile = await tf.profile(() => tf.dispose(addMany(tensors)));
      expect(profile.kernels.every((kernel) => kernel.inputShapes.length <= 4), `${count} tensors`).toBe(true);
      const total = addMany(tensors);
      const n = (count * (count - 1)) / 2;
      expect(Array.from(await total.data())).toEqual([n, -2 * n, 0.5 * count]);
      total.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(tensors);
    }
  });

  it('rejects an empty list', () => {
    expect(() => addMany([])).toThrow(ArgumentError);
    expect(() => addMany([])).toThrow(/addMany: expected a non-empty array of tensors, received an empty array/);
  });
});
