import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectArgumentError } from '@tensorzoo/core/testing';
import { adam, adamW, type AdamOptions } from '../src/adam';


describe('adam', () => {
  it('moves each element by about lr on the first step (m / sqrt(v) = sign(g) after bias correction)', async () => {
    const parameter = tf.variable(tf.tensor1d([1, 1, 1]));
    const gradient = tf.tensor1d([3, -0.5, 1e-3]);
    const optimizer = adam({ lr: 0.1 });
    optimizer.step({ p: parameter }, { p: gradient });
    const values = await parameter.data();
    [0.9, 1.1, 0.9].forEach((expected, i) => expect(values[i]).toBeCloseTo(expected, 4));
    tf.dispose([parameter, gradient]);
    optimizer.dispose();
  });

  it('rejects bad options, naming the option, its value and the rule', () => {
    expectArgumentError(() => adam({ lr: 0 }), 'adam: lr (0) must be a finite number > 0 or a Schedule, e.g. adam({ lr: 0.01 }).');
    expectArgumentError(() => adam({ betas: [1, 0.999] }), 'adam: betas[0] (1) must be in [0, 1).');
    expectArgumentError(() => adam({ betas: [0.9, -0.1] }), 'adam: betas[1] (-0.1) must be in [0, 1).');
    expectArgumentError(
      () => adam({ betas: [0.9] } as unknown as AdamOptions),
      'adam: betas (array(1)) must be a pair [beta1, beta2], e.g. [0.9, 0.999].',
    );
    expectArgumentError(() => adam({ eps: -1e-8 }), 'adam: eps (-1e-8) must be a finite number >= 0.');
    expectArgumentError(() => adam({ weightDecay: -0.01 }), 'adam: weightDecay (-0.01) must be a finite number >= 0.');
    expectArgumentError(() => adam({ amsgrad: 1 } as unknown as AdamOptions), 'adam: amsgrad (1) must be true or false.');
    expectArgumentError(() => adamW({ betas: [0.9, 1] }), 'adamW: betas[1] (1) must be in [0, 1).');
  });
});

describe('adamW', () => {
  it('decays the parameter by lr * weightDecay (default 1e-2) before the Adam step', async () => {
    const parameter = tf.variable(tf.tensor1d([2]));
    const gradient = tf.tensor1d([0]);
    const optimizer = adamW({ lr: 0.5 });
    optimizer.step({ p: parameter }, { p: gradient });
    // zero gradient: m = v = 0, the Adam step is 0; only p * (1 - 0.5 * 0.01) remains.
    expect((await parameter.data())[0]).toBeCloseTo(2 * (1 - 0.5 * 0.01), 6);
    tf.dispose([parameter, gradient]);
    optimizer.dispose();
  });
});
