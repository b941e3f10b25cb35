import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectArgumentError } from '@tensorzoo/core/testing';
import { adagrad } from '../src/adagrad';


describe('adagrad', () => {
  it('accumulates squared gradients from initialAccumulatorValue and decays lr per step', async () => {
    const parameter = tf.variable(tf.tensor1d([1]));
    const gradient = tf.tensor1d([0.5]);
    const optimizer = adagrad({ lr: 0.1, lrDecay: 0.5, initialAccumulatorValue: 0.75 });
    optimizer.step({ p: parameter }, { p: gradient });
    // s = 0.75 + 0.25 = 1; p = 1 - 0.1 * 0.5 / 1
    const first = 1 - 0.05;
    expect((await parameter.data())[0]).toBeCloseTo(first, 6);
    optimizer.step({ p: parameter }, { p: gradient });
    // t = 2: clr = 0.1 / 1.5; s = 1.25
    expect((await parameter.data())[0]).toBeCloseTo(first - (0.1 / 1.5) * (0.5 / Math.sqrt(1.25)), 6);
    tf.dispose([parameter, gradient]);
    optimizer.dispose();
  });

  it('rejects bad options, naming the option, its value and the rule', () => {
    expectArgumentError(() => adagrad({ lr: 0 }), 'adagrad: lr (0) must be a finite number > 0 or a Schedule, e.g. adagrad({ lr: 0.01 }).');
    expectArgumentError(() => adagrad({ lrDecay: -1 }), 'adagrad: lrDecay (-1) must be a finite number >= 0.');
    expectArgumentError(
      () => adagrad({ initialAccumulatorValue: -0.1 }),
      'adagrad: initialAccumulatorValue (-0.1) must be a finite number >= 0.',
    );
    expectArgumentError(() => adagrad({ weightDecay: -1 }), 'adagrad: weightDecay (-1) must be a finite number >= 0.');
  });
});
