import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '@tensorzoo/core';
import { expectClose, expectNoLeak } from '@tensorzoo/core/testing';
import { meanSquaredError } from '../src/regression';
import { l1Penalty, l2Penalty, withWeightPenalty } from '../src/regularizers';

describe('weight penalties: validation', () => {
  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects lambda %s', (lambda) => {
    const w = tf.ones([2]);
    expect(() => l2Penalty([w], lambda)).toThrow(ArgumentError);
    expect(() => l2Penalty([w], lambda)).toThrow(`l2Penalty: lambda (${lambda}) must be a finite number >= 0.`);
    expect(() => l1Penalty([w], lambda)).toThrow(`l1Penalty: lambda (${lambda}) must be a finite number >= 0.`);
    w.dispose();
  });

  it('rejects weights that are not an array of tensors', () => {
    expect(() => l2Penalty(tf.ones([2]) as unknown as tf.Tensor[], 1)).toThrow(
      'l2Penalty: weights must be an array of tensors, received tensor [2] float32.',
    );
    expect(() => l1Penalty([[1, 2]] as unknown as tf.Tensor[], 1)).toThrow(
      'l1Penalty: weights[0] must be a tf.Tensor, received array(2); wrap arrays with tf.tensor(...).',
    );
  });

  it('withWeightPenalty rejects negative strengths and non-functions', () => {
    expect(() => withWeightPenalty(meanSquaredError, () => [], { l1: -0.1 })).toThrow(
      'withWeightPenalty: l1 (-0.1) must be a finite number >= 0.',
    );
    expect(() => withWeightPenalty(meanSquaredError, () => [], { l2: -2 })).toThrow(
      'withWeightPenalty: l2 (-2) must be a finite number >= 0.',
    );
    expect(() => withWeightPenalty(meanSquaredError, [] as unknown as () => tf.Tensor[])).toThrow(
      'withWeightPenalty: getWeights must be a function returning tf.Tensor[], received array(0).',
    );
  });
});

describe('weight penalties: behaviour', () => {
  it('computes lambda Σw² and lambda Σ|w| over every tensor; an empty list gives 0', async () => {
    const weights = [tf.tensor2d([[1, -2], [3, 0]]), tf.tensor1d([-1])];
    await expectClose(l2Penalty(weights, 0.5), [7.5], { label: 'l2' });
    await expectClose(l1Penalty(weights, 0.5), [3.5], { label: 'l1' });
    await expectClose(l2Penalty([], 0.5), [0], { label: 'empty' });
    const l1Gradient = tf.grads((a: tf.Tensor, b: tf.Tensor) => l1Penalty([a, b], 0.5))(weights);
    await expectClose(l1Gradient[0], [0.5, -0.5, 0.5, 0], { label: 'l1 gradient (0 at w = 0)' });
    tf.dispose([...weights, ...l1Gradient]);
  });

  it('adds loss + l1 Σ|w| + l2 Σw² (seed 003 §3.3.2: L = loss + λΣw², ∂/∂w = 2λw)', async () => {
    const w = tf.tensor1d([0.5, -1]);
    const yTrue = tf.tensor1d([2, 3, 5]);
    const yPred = tf.tensor1d([1, 2.5, 4]);
    const loss = withWeightPenalty(meanSquaredError, () => [w], { l2: 0.1 });
    await expectClose(loss(yTrue, yPred), [0.75 + 0.1 * 1.25], { label: 'value' });
    const gradient = tf.grad((weight: tf.Tensor) => withWeightPenalty(meanSquaredError, () => [weight], { l2: 0.1 })(yTrue, yPred))(w);
    await expectClose(gradient, [0.1, -0.2], { label: '2 lambda w' });
    const unpenalised = withWeightPenalty(meanSquaredError, () => {
      throw new Error('not called when both strengths are 0');
    });
    await expectClose(unpenalised(yTrue, yPred), [0.75], { label: 'no penalty' });
    tf.dispose([w, yTrue, yPred, gradient]);
  });

  it('trains variables through tf.variableGrads without leaking over steps', async () => {
    const kernel = tf.variable(tf.tensor2d([[0.5], [-0.25]]));
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.tensor2d([[1], [2]]);
    const loss = withWeightPenalty(meanSquaredError, () => [kernel], { l1: 0.01, l2: 0.01 });
    const step = () => {
      const { value, grads } = tf.variableGrads(() => loss(y, tf.matMul(x, kernel)));
      tf.tidy(() => kernel.assign(tf.sub(kernel, tf.mul(grads[kernel.name], 0.01))));
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    await expectNoLeak(() => {
      for (let i = 0; i < 5; i += 1) step();
    });
    tf.dispose([kernel, x, y]);
  });
});
