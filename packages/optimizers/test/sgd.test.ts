import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectArgumentError } from '@tensorzoo/core/testing';
import { sgd, type SgdOptions } from '../src/sgd';


describe('sgd', () => {
  it('follows torch: the first momentum step copies the gradient, later ones dampen it', async () => {
    const parameter = tf.variable(tf.tensor1d([1, -2]));
    const optimizer = sgd({ lr: 0.1, momentum: 0.5, dampening: 0.5, weightDecay: 0.1 });
    const gradient = tf.tensor1d([0.2, 0.4]);
    optimizer.step({ p: parameter }, { p: gradient });
    // g = [0.2 + 0.1, 0.4 - 0.2] = [0.3, 0.2]; b = g; p = p - 0.1 * b
    const first = [1 - 0.1 * 0.3, -2 - 0.1 * 0.2];
    expect(Array.from(await parameter.data())).toEqual(Array.from(new Float32Array(first)));
    optimizer.step({ p: parameter }, { p: gradient });
    // g = grad + 0.1 * p; b = 0.5 * b + 0.5 * g; p = p - 0.1 * b
    const g = [0.2 + 0.1 * first[0], 0.4 + 0.1 * first[1]];
    const b = [0.5 * 0.3 + 0.5 * g[0], 0.5 * 0.2 + 0.5 * g[1]];
    const second = await parameter.data();
    expect(second[0]).toBeCloseTo(first[0] - 0.1 * b[0], 6);
    expect(second[1]).toBeCloseTo(first[1] - 0.1 * b[1], 6);
    tf.dispose([parameter, gradient]);
    optimizer.dispose();
  });

  it('rejects bad options, naming the option, its value and the rule', () => {
    expectArgumentError(() => sgd({} as SgdOptions), 'sgd: lr is required (torch.optim.SGD has no default either), e.g. sgd({ lr: 0.01 }).');
    expectArgumentError(() => sgd({ lr: 0 }), 'sgd: lr (0) must be a finite number > 0 or a Schedule, e.g. sgd({ lr: 0.01 }).');
    expectArgumentError(() => sgd({ lr: -0.1 }), 'sgd: lr (-0.1) must be a finite number > 0 or a Schedule, e.g. sgd({ lr: 0.01 }).');
    expectArgumentError(() => sgd({ lr: 0.1, momentum: -0.9 }), 'sgd: momentum (-0.9) must be a finite number >= 0.');
    expectArgumentError(() => sgd({ lr: 0.1, weightDecay: -1e-4 }), 'sgd: weightDecay (-0.0001) must be a finite number >= 0.');
    expectArgumentError(() => sgd({ lr: 0.1, dampening: 2 }), 'sgd: dampening (2) must be in [0, 1].');
    expectArgumentError(
      () => sgd({ lr: 0.1, nesterov: true }),
      'sgd: nesterov (true) requires momentum > 0 and dampening = 0, received momentum 0 and dampening 0.',
    );
    expectArgumentError(
      () => sgd({ lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      'sgd: nesterov (true) requires momentum > 0 and dampening = 0, received momentum 0.9 and dampening 0.1.',
    );
    expectArgumentError(
      () => sgd({ lr: 0.1, weight_decay: 0.1 } as unknown as SgdOptions),
      'sgd: unknown option "weight_decay"; expected one of lr, momentum, dampening, nesterov, weightDecay, clip.',
    );
    expectArgumentError(() => sgd({ lr: 0.1, clip: { globalNorm: 0 } }), 'sgd: clip.globalNorm (0) must be a finite number > 0.');
    expectArgumentError(
      () => sgd({ lr: 0.1, clip: { norm: 1 } as never }),
      'sgd: clip: unknown option "norm"; expected one of value, globalNorm.',
    );
  });
});
