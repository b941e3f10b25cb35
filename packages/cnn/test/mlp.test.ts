import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MLPClassifier } from '../src/mlp';

describe('MLPClassifier', () => {
  it("defaults to seed 001's 784 -> 2048 -> 1024 -> 10 network", () => {
    const model = new MLPClassifier({ rng: 0 });
    expect(model.getConfig()).toEqual({ inputSize: 784, hiddenSizes: [2048, 1024], numClasses: 10, output: 'logits' });
    expect(model.parameterCount()).toBe(3_716_106);
    expect(model.namedParameters().map(([name, variable]) => `${name} [${variable.shape}]`)).toEqual([
      'layers.0.weight [2048,784]', 'layers.0.bias [2048]', 'layers.2.weight [1024,2048]', 'layers.2.bias [1024]', 'layers.4.weight [10,1024]', 'layers.4.bias [10]',
    ]);
    model.dispose();
  });

  it('takes images or flat vectors; softmax rows sum to 1', async () => {
    const model = new MLPClassifier({ inputSize: 12, hiddenSizes: [5], numClasses: 4, output: 'softmax', rng: 1 });
    const images = tf.randomUniform([3, 2, 2, 3], 0, 1, 'float32', 4);
    const flat = tf.reshape(tf.transpose(images, [0, 3, 1, 2]), [3, 12]); // PyTorch (C, H, W) order
    const fromImages = model.call(images);
    const fromFlat = model.call(flat);
    expect(fromImages.shape).toEqual([3, 4]);
    expect(Array.from(await fromImages.data())).toEqual(Array.from(await fromFlat.data()));
    const sums = tf.sum(fromImages, 1);
    for (const sum of await sums.data()) expect(sum).toBeCloseTo(1, 5);
    tf.dispose([images, flat, fromImages, fromFlat, sums]);
    model.dispose();
  });

  it('hiddenSizes [] gives a linear classifier', () => {
    const model = new MLPClassifier({ inputSize: 6, hiddenSizes: [], numClasses: 3, rng: 0 });
    expect(model.namedParameters().map(([name]) => name)).toEqual(['layers.0.weight', 'layers.0.bias']);
    model.dispose();
  });

  it('rejects inputs of the wrong size', () => {
    const model = new MLPClassifier({ inputSize: 16, hiddenSizes: [4], numClasses: 2, rng: 0 });
    const x = tf.zeros([2, 28, 28, 1]);
    expect(() => model.call(x)).toThrow('MLPClassifier: input expected shape [N, 16] or [N, H, W, C] with H·W·C = 16, received [2, 28, 28, 1].');
    expect(() => new MLPClassifier({ hiddenSizes: [0] })).toThrow('MLPClassifier: hiddenSizes ([0]) must be a non-empty list of positive integers.');
    tf.dispose(x);
    model.dispose();
  });
});
