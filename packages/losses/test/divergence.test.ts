import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '@tensorzoo/core';
import { expectClose, expectNoLeak } from '@tensorzoo/core/testing';
import { klDivergence } from '../src/divergence';

describe('klDivergence', () => {
  it('rejects a shape mismatch and a scalar', () => {
    const p = tf.fill([4, 1], 1);
    const q = tf.fill([4, 2], 0.5);
    const scalar = tf.scalar(1);
    expect(() => klDivergence(p, q)).toThrow(ShapeError);
    expect(() => klDivergence(p, q)).toThrow('klDivergence: yTrue shape [4, 1] must equal yPred shape [4, 2].');
    expect(() => klDivergence(scalar, scalar)).toThrow(
      'klDivergence: yPred shape [] must have at least one dimension (a class axis).',
    );
    tf.dispose([p, q, scalar]);
  });

  it('is KL(yTrue || yPred), 0 for equal distributions, 0 terms where yTrue = 0', async () => {
    const p = tf.tensor2d([[0.5, 0.5], [0, 1]]);
    const q = tf.tensor2d([[0.9, 0.1], [0.3, 0.7]]);
    const none = klDivergence(p, q, { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    await expectClose(none, [0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1), Math.log(1 / 0.7)], { label: 'none' });
    const same = klDivergence(q, q, { reduction: 'sum' });
    await expectClose(same, [0], { label: 'KL(q || q)' });
    tf.dispose([p, q, none, same]);
  });

  it('stays finite where yPred = 0', async () => {
    const p = tf.tensor2d([[0.5, 0.5]]);
    const q = tf.tensor2d([[1, 0]]);
    const value = klDivergence(p, q);
    const gradient = tf.grad((prediction: tf.Tensor) => klDivergence(p, prediction))(q);
    expect(Array.from(await value.data()).every(Number.isFinite)).toBe(true);
    expect(Array.from(await gradient.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([p, q, value, gradient]);
  });

  it.each(['mean', 'sum', 'none'] as const)('leaks no tensor with reduction %s', async (reduction) => {
    const p = tf.softmax(tf.randomNormal([3, 4]));
    const q = tf.softmax(tf.randomNormal([3, 4]));
    await expectNoLeak(() => {
      tf.dispose(klDivergence(p, q, { reduction }));
      tf.dispose(tf.grad((prediction: tf.Tensor) => klDivergence(p, prediction, { reduction }))(q));
    });
    tf.dispose([p, q]);
  });
});
