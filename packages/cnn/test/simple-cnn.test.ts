import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '@tensorzoo/core';
import { SimpleCNN } from '../src/simple-cnn';

// Software WebGPU (SwiftShader) compiles every new shader on first use: seconds per conv shape.
const SLOW = 180_000;

describe('SimpleCNN', () => {
  it('defaults to seed 003 on 28x28 digits: 10 logits, 163,850 parameters', async () => {
    const model = new SimpleCNN({ rng: 0 });
    expect(model.getConfig()).toEqual({
      inputShape: [28, 28, 1],
      channels: [32, 64, 128],
      kernelSize: 3,
      padding: 'valid',
      hidden: 512,
      numClasses: 10,
      output: 'logits',
    });
    expect(model.parameterCount()).toBe(163_850);
    expect(model.namedParameters().map(([name]) => name)).toEqual([
      'features.0.weight', 'features.0.bias', 'features.3.weight', 'features.3.bias', 'features.6.weight', 'features.6.bias',
      'classifier.1.weight', 'classifier.1.bias', 'classifier.3.weight', 'classifier.3.bias',
    ]);
    expect(model.features.modules[6]).toMatchObject({ weight: { shape: [128, 64, 3, 3] } });
    const x = tf.zeros([2, 28, 28, 1]);
    const before = tf.memory().numTensors;
    const output = model.call(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(output.shape).toEqual([2, 10]);
    tf.dispose([x, output]);
    model.dispose();
  }, SLOW);

  it('sigmoid head: one probability per image', async () => {
    const model = new SimpleCNN({ output: 'sigmoid', padding: 'same', channels: [4, 8, 8], hidden: 16, rng: 1 });
    expect(model.getConfig().numClasses).toBe(2);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 3);
    const output = model.call(x);
    expect(output.shape).toEqual([3, 1]);
    for (const p of await output.data()) expect(p > 0 && p < 1).toBe(true);
    tf.dispose([x, output]);
    model.dispose();
  }, SLOW);

  it('the same seed gives the same weights; getConfig rebuilds the architecture', async () => {
    const a = new SimpleCNN({ inputShape: [12, 12, 1], padding: 'same', channels: [2, 3], hidden: 4, rng: 5 });
    const b = new SimpleCNN({ ...a.getConfig(), rng: 5 });
    expect(Array.from(await b.classifier.modules[1].namedParameters()[0][1].data())).toEqual(
      Array.from(await a.classifier.modules[1].namedParameters()[0][1].data()),
    );
    a.dispose();
    b.dispose();
  }, SLOW);

  it('rejects bad configs and inputs with the rule', () => {
    expect(() => new SimpleCNN({ output: 'sigmoid', numClasses: 3 })).toThrow(
      "SimpleCNN: output 'sigmoid' is a binary head and needs numClasses 2, received 3; use output 'logits' for more classes.",
    );
    expect(() => new SimpleCNN({ inputShape: [16, 16, 1] })).toThrow(
      "SimpleCNN: inputShape [16, 16, 1] is too small for 3 conv blocks (kernel 3, padding 'valid', pool 2): block 2 would see a 2x2 map",
    );
    expect(() => new SimpleCNN({ channels: [] })).toThrow('SimpleCNN: channels ([]) must be a non-empty list of positive integers.');
    expect(() => new SimpleCNN({ padding: 'full' as 'same' })).toThrow(`SimpleCNN: padding ("full") must be one of 'valid', 'same'.`);
    expect(() => new SimpleCNN({ padding: 'same', kernelSize: 4 })).toThrow("SimpleCNN: padding 'same' needs an odd kernelSize, received 4.");
    const model = new SimpleCNN({ rng: 0 });
    const x = tf.zeros([2, 28, 28, 3]);
    expect(() => model.call(x)).toThrow('SimpleCNN: images expected shape [*, 28, 28, 1], received [2, 28, 28, 3].');
    const error = (() => {
      try {
        model.call(x);
      } catch (caught) {
        return caught;
      }
    })();
    expect(ShapeError.isInstance(error)).toBe(true);
    tf.dispose(x);
    model.dispose();
  }, SLOW);
});
