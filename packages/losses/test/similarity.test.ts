import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '@tensorzoo/core';
import { expectClose, expectNoLeak } from '@tensorzoo/core/testing';
import { cosineSimilarityLoss } from '../src/similarity';

describe('cosineSimilarityLoss', () => {
  it('rejects a shape mismatch', () => {
    const a = tf.zeros([4, 1]);
    const b = tf.zeros([4, 2]);
    expect(() => cosineSimilarityLoss(a, b)).toThrow(ShapeError);
    expect(() => cosineSimilarityLoss(a, b)).toThrow('cosineSimilarityLoss: yTrue shape [4, 1] must equal yPred shape [4, 2].');
    tf.dispose([a, b]);
  });

  it('is 1 - cos per row: 0 parallel, 1 orthogonal, 2 opposite, 1 for a zero vector', async () => {
    const yTrue = tf.tensor2d([[1, 2], [1, 0], [1, 1], [0, 0], [1, 0]]);
    const yPred = tf.tensor2d([[2, 4], [0, 3], [-1, -1], [1, 1], [1, 1]]);
    const value = cosineSimilarityLoss(yTrue, yPred, { reduction: 'none' });
    expect(value.shape).toEqual([5]);
    await expectClose(value, [0, 1, 2, 1, 1 - Math.SQRT1_2], { label: 'value' });
    const gradient = tf.grad((prediction: tf.Tensor) => cosineSimilarityLoss(yTrue, prediction))(yPred);
    expect(Array.from(await gradient.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([yTrue, yPred, value, gradient]);
  });

  it.each(['mean', 'sum', 'none'] as const)('leaks no tensor with reduction %s', async (reduction) => {
    const yTrue = tf.randomNormal([3, 4]);
    const yPred = tf.randomNormal([3, 4]);
    await expectNoLeak(() => {
      tf.dispose(cosineSimilarityLoss(yTrue, yPred, { reduction }));
      tf.dispose(tf.grad((prediction: tf.Tensor) => cosineSimilarityLoss(yTrue, prediction, { reduction }))(yPred));
    });
    tf.dispose([yTrue, yPred]);
  });
});
