import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '@tensorzoo/core';

describe('gradient and chained-op registration', () => {
  it('differentiates square', async () => {
    const gradient = tf.grad((x: tf.Tensor) => tf.square(x))(tf.tensor1d([1, 2, 3]));
    expect(Array.from(await gradient.data())).toEqual([2, 4, 6]);
  });
  it('provides chained ops', async () => {
    const x = tf.tensor1d([1, -2]);
    expect(Array.from(await x.square().abs().data())).toEqual([1, 4]);
  });
});
