import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '@tensorzoo/core';
import type { LossFn } from '@tensorzoo/core';
import { expectClose, expectNoLeak } from '@tensorzoo/core/testing';
import { huberLoss, meanAbsoluteError, meanSquaredError } from '../src/regression';

const REGRESSION_LOSSES = { meanSquaredError, meanAbsoluteError, huberLoss } as const;

describe('regression losses: validation', () => {
  it.each(Object.entries(REGRESSION_LOSSES))('%s rejects a shape mismatch with a ShapeError', (name, loss) => {
    const yTrue = tf.zeros([4, 1]);
    const yPred = tf.zeros([4, 2]);
    let caught: unknown;
    try {
      loss(yTrue, yPred);
    } catch (error) {
      caught = error;
    }
    expect(ShapeError.isInstance(caught)).toBe(true);
    expect((caught as ShapeError).code).toBe('shape-mismatch');
    expect((caught as Error).message).toBe(`${name}: yTrue shape [4, 1] must equal yPred shape [4, 2].`);
    tf.dispose([yTrue, yPred]);
  });

  it('rejects an unknown reduction', () => {
    const x = tf.zeros([2, 2]);
    const call = () => meanSquaredError(x, x, { reduction: 'avg' as 'mean' });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(`meanSquaredError: reduction ("avg") must be one of 'mean', 'sum', 'none'.`);
    x.dispose();
  });

  it.each([-1, 0, Number.NaN, Number.POSITIVE_INFINITY])('huberLoss rejects delta %s', (delta) => {
    const x = tf.zeros([2, 2]);
    expect(() => huberLoss(x, x, { delta })).toThrow(ArgumentError);
    expect(() => huberLoss(x, x, { delta })).toThrow(`huberLoss: delta (${delta}) must be a finite number > 0.`);
    x.dispose();
  });

  it('rejects a non-float yPred, a non-tensor argument and a scalar yPred', () => {
    const yTrue = tf.zeros([3]);
    const integers = tf.zeros([3], 'int32');
    const scalar = tf.scalar(1);
    expect(() => meanAbsoluteError(yTrue, integers)).toThrow(
      `meanAbsoluteError: yPred dtype int32 must be float32; convert it with tf.cast(yPred, 'float32').`,
    );
    expect(() => meanSquaredError([1, 2, 3] as unknown as tf.Tensor, yTrue)).toThrow(
      'meanSquaredError: yTrue must be a tf.Tensor, received array(3); wrap arrays with tf.tensor(...).',
    );
    expect(() => meanSquaredError(scalar, scalar)).toThrow(
      'meanSquaredError: yPred shape [] must have at least one dimension (a batch axis).',
    );
    expect(() => meanSquaredError(scalar, scalar)).toThrow(ShapeError);
    tf.dispose([yTrue, integers, scalar]);
  });

  it('creates no tensor when it throws', async () => {
    const yTrue = tf.zeros([4, 1]);
    const yPred = tf.zeros([4, 2]);
    await expectNoLeak(() => {
      expect(() => huberLoss(yTrue, yPred, { delta: 2 })).toThrow(ShapeError);
    });
    tf.dispose([yTrue, yPred]);
  });
});

describe('regression losses: behaviour', () => {
  it('reduces per sample over the last axis; rank 1 is one value per sample', async () => {
    const yTrue = tf.tensor2d([[0, 0], [1, 1]]);
    const yPred = tf.tensor2d([[1, 3], [1, 2]]);
    const none = meanSquaredError(yTrue, yPred, { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    await expectClose(none, [5, 0.5], { label: 'none' });
    const sum = meanSquaredError(yTrue, yPred, { reduction: 'sum' });
    expect(sum.shape).toEqual([]);
    await expectClose(sum, [5.5], { label: 'sum' });
    await expectClose(meanSquaredError(yTrue, yPred), [2.75], { label: 'mean (default)' });
    const rank1 = meanAbsoluteError(tf.tensor1d([1, 2]), tf.tensor1d([1.5, 1]), { reduction: 'none' });
    expect(rank1.shape).toEqual([2]);
    await expectClose(rank1, [0.5, 1], { label: 'rank 1' });
    const sequence = huberLoss(tf.zeros([2, 3, 4]), tf.ones([2, 3, 4]), { reduction: 'none' });
    expect(sequence.shape).toEqual([2, 3]);
    tf.dispose([yTrue, yPred, none, sum, rank1, sequence]);
  });

  it('accepts int32 targets', async () => {
    const loss = meanSquaredError(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([1.5, 2]));
    await expectClose(loss, [0.125], { label: 'value' });
  });

  it('meanAbsoluteError has gradient 0 where yTrue == yPred (as PyTorch)', async () => {
    const yTrue = tf.tensor1d([1, 2, 3]);
    const gradient = tf.grad((yPred: tf.Tensor) => meanAbsoluteError(yTrue, yPred))(tf.tensor1d([1, 3, 2]));
    await expectClose(gradient, [0, 1 / 3, -1 / 3], { label: 'gradient' });
  });

  it('huberLoss is quadratic within delta and linear beyond it', async () => {
    const loss = huberLoss(tf.zeros([3]), tf.tensor1d([0.5, 2, -3]), { delta: 1, reduction: 'none' });
    await expectClose(loss, [0.125, 1.5, 2.5], { label: 'value' });
  });

  it('fits the LossFn type and types the result by reduction', () => {
    const asLossFn: LossFn = meanSquaredError;
    const scalar: tf.Scalar = huberLoss(tf.zeros([1]), tf.zeros([1]), { reduction: 'sum', delta: 2 });
    const perSample: tf.Tensor = meanAbsoluteError(tf.zeros([1]), tf.zeros([1]), { reduction: 'none' });
    // @ts-expect-error reduction 'none' returns a tensor, not a scalar
    const wrong: tf.Scalar = meanAbsoluteError(tf.zeros([1]), tf.zeros([1]), { reduction: 'none' });
    expect(typeof asLossFn).toBe('function');
    tf.dispose([scalar, perSample, wrong]);
  });

  it.each(['mean', 'sum', 'none'] as const)('leaks no tensor with reduction %s, forward and backward', async (reduction) => {
    const yTrue = tf.randomNormal([4, 3]);
    const yPred = tf.randomNormal([4, 3]);
    await expectNoLeak(() => {
      for (const loss of Object.values(REGRESSION_LOSSES)) {
        tf.dispose(loss(yTrue, yPred, { reduction }));
        tf.dispose(tf.grad((prediction: tf.Tensor) => loss(yTrue, prediction, { reduction }))(yPred));
      }
    });
    tf.dispose([yTrue, yPred]);
  });
});
