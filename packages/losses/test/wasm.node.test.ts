import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '@tensorzoo/core';
import { categoricalCrossEntropy, sparseCategoricalCrossEntropy } from '../src/index';

afterAll(async () => {
  await setBackend('cpu');
});

describe('losses on the wasm backend', () => {
  it('sparse cross-entropy matches cpu (wasm OneHot ignores its dtype argument)', async () => {
    const logits = [2, -1, 0.5, 0.1, 0.3, -2, 1, 1, 0];
    const labels = [0, 1, 2];
    const compute = async () => {
      const value = sparseCategoricalCrossEntropy(tf.tensor1d(labels, 'int32'), tf.tensor2d(logits, [3, 3]), { fromLogits: true });
      return (await value.data())[0];
    };
    await setBackend('cpu');
    const onCpu = await compute();
    await setBackend('wasm');
    const onWasm = await compute();
    expect(onCpu).toBeGreaterThan(0.5);
    expect(onWasm).toBeCloseTo(onCpu, 5);
    const dense = categoricalCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 3).cast('float32'), tf.tensor2d(logits, [3, 3]), { fromLogits: true });
    expect((await dense.data())[0]).toBeCloseTo(onCpu, 5);
  });
});
