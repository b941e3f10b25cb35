import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectArgumentError } from '@tensorzoo/core/testing';
import { rmsprop } from '../src/rmsprop';


describe('rmsprop', () => {
  it('divides by sqrt of the squared-gradient average on the first step', async () => {
    const parameter = tf.variable(tf.tensor1d([1]));
    const gradient = tf.tensor1d([2]);
    const optimizer = rmsprop({ lr: 0.01, alpha: 0.9 });
    optimizer.step({ p: parameter }, { p: gradient });
    // s = 0.1 * 4 = 0.4; p = 1 - 0.01 * 2 / (sqrt(0.4) + 1e-8)
    expect((await parameter.data())[0]).toBeCloseTo(1 - (0.01 * 2) / Math.sqrt(0.4), 6);
    tf.dispose([parameter, gradient]);
    optimizer.dispose();
  });

  it('stays finite when the centered variance rounds below zero (constant gradients)', async () => {
    const parameter = tf.variable(tf.tensor1d([1, 1]));
    const gradient = tf.tensor1d([0.3, 1e3]);
    const optimizer = rmsprop({ lr: 1e-3, alpha: 0.5, centered: true });
    for (let i = 0; i < 60; i++) optimizer.step({ p: parameter }, { p: gradient });
    for (const value of await parameter.data()) expect(Number.isFinite(value)).toBe(true);
    tf.dispose([parameter, gradient]);
    optimizer.dispose();
  });

  it('rejects bad options, naming the option, its value and the rule', () => {
    expectArgumentError(() => rmsprop({ lr: -1 }), 'rmsprop: lr (-1) must be a finite number > 0 or a Schedule, e.g. rmsprop({ lr: 0.01 }).');
    expectArgumentError(() => rmsprop({ alpha: 1 }), 'rmsprop: alpha (1) must be in [0, 1).');
    expectArgumentError(() => rmsprop({ momentum: -0.5 }), 'rmsprop: momentum (-0.5) must be a finite number >= 0.');
    expectArgumentError(() => rmsprop({ weightDecay: Number.NaN }), 'rmsprop: weightDecay (NaN) must be a finite number >= 0.');
  });
});
