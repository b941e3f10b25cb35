import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LeNet5 } from '../src/lenet';

// Software WebGPU (SwiftShader) compiles every new shader on first use: seconds per conv shape.
const SLOW = 180_000;

describe('LeNet5', () => {
  it('defaults to the paper on 28x28 digits: 61,706 parameters, 10 logits', () => {
    const model = new LeNet5({ rng: 0 });
    expect(model.getConfig()).toEqual({
      inputShape: [28, 28, 1],
      channels: [6, 16],
      hidden: [120, 84],
      numClasses: 10,
      activation: 'relu',
      pooling: 'max',
    });
    expect(model.parameterCount()).toBe(61_706);
    expect(model.namedParameters().map(([name, variable]) => `${name} [${variable.shape}]`)).toEqual([
      'conv1.weight [6,1,5,5]', 'conv1.bias [6]', 'conv2.weight [16,6,5,5]', 'conv2.bias [16]',
      'fc1.weight [120,400]', 'fc1.bias [120]', 'fc2.weight [84,120]', 'fc2.bias [84]', 'fc3.weight [10,84]', 'fc3.bias [10]',
    ]);
    const x = tf.zeros([2, 28, 28, 1]);
    const output = model.call(x);
    expect(output.shape).toEqual([2, 10]);
    tf.dispose([x, output]);
    model.dispose();
  }, SLOW);

  it('classic tanh + average pooling variant', () => {
    const model = new LeNet5({ activation: 'tanh', pooling: 'avg', numClasses: 4, rng: 1 });
    const x = tf.ones([1, 28, 28, 1]);
    const output = model.call(x);
    expect(output.shape).toEqual([1, 4]);
    tf.dispose([x, output]);
    model.dispose();
  }, SLOW);

  it('rejects bad configs', () => {
    expect(() => new LeNet5({ inputShape: [10, 10, 1] })).toThrow('LeNet5: inputShape [10, 10, 1] is too small; LeNet5 needs images of at least 12x12.');
    expect(() => new LeNet5({ channels: [6] as unknown as [number, number] })).toThrow('LeNet5: channels ([6]) must be a list of 2 positive integers.');
    expect(() => new LeNet5({ activation: 'sigmoid' as 'tanh' })).toThrow(`LeNet5: activation ("sigmoid") must be one of 'relu', 'tanh'.`);
  }, SLOW);
});
