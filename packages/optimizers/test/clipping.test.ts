import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectArgumentError } from '@tensorzoo/core/testing';
import { clipGradientsByGlobalNorm, clipGradientsByValue } from '../src/clipping';
import { sgd } from '../src/sgd';


describe('clipGradientsByValue', () => {
  it('clamps to [-limit, limit], returns new tensors and leaves the inputs alone', async () => {
    const gradients = { a: tf.tensor1d([-3, 0.5, 2]), b: tf.tensor2d([[0.1, -0.9]]) };
    const clipped = clipGradientsByValue(gradients, 1);
    expect(Array.from(await clipped.a.data())).toEqual([-1, 0.5, 1]);
    expect(Array.from(await clipped.b.data())).toEqual([Math.fround(0.1), Math.fround(-0.9)]);
    expect(clipped.a).not.toBe(gradients.a);
    expect(gradients.a.isDisposed).toBe(false);
    tf.dispose([...Object.values(gradients), ...Object.values(clipped)]);
  });

  it('rejects a limit <= 0', () => {
    expectArgumentError(() => clipGradientsByValue({}, 0), 'clipGradientsByValue: limit (0) must be a finite number > 0.');
  });
});

describe('clipGradientsByGlobalNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) when the norm is too large, and returns the norm', async () => {
    const gradients = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) }; // global norm 5
    const before = tf.memory().numTensors;
    const { gradients: clipped, globalNorm } = clipGradientsByGlobalNorm(gradients, 1);
    expect(tf.memory().numTensors).toBe(before + 3); // two gradients and the norm, nothing else
    expect((await globalNorm.data())[0]).toBeCloseTo(5, 6);
    const scale = 1 / (5 + 1e-6);
    const a = await clipped.a.data();
    expect(a[0]).toBeCloseTo(3 * scale, 7);
    expect((await clipped.b.data())[0]).toBeCloseTo(4 * scale, 7);
    tf.dispose([...Object.values(gradients), ...Object.values(clipped), globalNorm]);
  });

  it('leaves gradients unchanged when maxNorm / (norm + 1e-6) >= 1', async () => {
    const gradients = { a: tf.tensor1d([0.3, -0.4]) }; // norm 0.5
    const { gradients: clipped, globalNorm } = clipGradientsByGlobalNorm(gradients, 0.6);
    expect(Array.from(await clipped.a.data())).toEqual(Array.from(await gradients.a.data()));
    tf.dispose([...Object.values(gradients), ...Object.values(clipped), globalNorm]);
  });

  it('still scales slightly at norm == maxNorm, as torch does (the 1e-6 is in the denominator)', async () => {
    const gradients = { a: tf.tensor1d([0.3, -0.4]) }; // norm 0.5
    const { gradients: clipped, globalNorm } = clipGradientsByGlobalNorm(gradients, 0.5);
    const [first] = await clipped.a.data();
    expect(first).toBeLessThan(Math.fround(0.3));
    expect(first).toBeCloseTo((0.3 * 0.5) / (0.5 + 1e-6), 7);
    tf.dispose([...Object.values(gradients), ...Object.values(clipped), globalNorm]);
  });

  it('gives norm 0 for no gradients', async () => {
    const { gradients, globalNorm } = clipGradientsByGlobalNorm({}, 1);
    expect(gradients).toEqual({});
    expect((await globalNorm.data())[0]).toBe(0);
    globalNorm.dispose();
  });

  it('rejects a maxNorm <= 0 and non-tensor gradients', () => {
    expectArgumentError(() => clipGradientsByGlobalNorm({}, -1), 'clipGradientsByGlobalNorm: maxNorm (-1) must be a finite number > 0.');
    expectArgumentError(
      () => clipGradientsByGlobalNorm({ a: [1, 2] as unknown as tf.Tensor }, 1),
      'clipGradientsByGlobalNorm: gradient "a" must be a tf.Tensor, received array(2).',
    );
  });
});

describe('the clip option', () => {
  it('gives the same update as clipping by value, then by global norm, before step()', async () => {
    const make = () => ({ p: tf.variable(tf.tensor1d([1, 2, 3])) });
    const gradients = { p: tf.tensor1d([5, -0.2, 0.7]) };
    const withOption = make();
    sgd({ lr: 0.1, clip: { value: 1, globalNorm: 0.5 } }).step(withOption, gradients);
    const byHand = make();
    const byValue = clipGradientsByValue(gradients, 1);
    const { gradients: byNorm, globalNorm } = clipGradientsByGlobalNorm(byValue, 0.5);
    sgd({ lr: 0.1 }).step(byHand, byNorm);
    expect(Array.from(await withOption.p.data())).toEqual(Array.from(await byHand.p.data()));
    tf.dispose([...Object.values(gradients), ...Object.values(byValue), ...Object.values(byNorm), globalNorm, withOption.p, byHand.p]);
  });
});
