import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BasicBlock, ResNet } from '../src/resnet';

// Software WebGPU (SwiftShader) compiles every new shader on first use: seconds per conv shape.
const SLOW = 180_000;

describe('ResNet', () => {
  it('defaults to ResNet-8 for MNIST: 77,754 parameters, torchvision-style names', () => {
    const model = new ResNet({ rng: 0 });
    expect(model.getConfig()).toEqual({ inputChannels: 1, widths: [16, 32, 64], blocks: [1, 1, 1], numClasses: 10 });
    expect(model.parameterCount()).toBe(77_754);
    const names = model.namedVariables().map(([name]) => name);
    expect(names.slice(0, 7)).toEqual(['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.num_batches_tracked', 'layers.0.0.conv1.weight']);
    expect(names).toContain('layers.1.0.downsample.0.weight');
    expect(names).toContain('layers.2.0.downsample.1.running_var');
    expect(names.some((name) => name.startsWith('layers.0.0.downsample'))).toBe(false); // identity shortcut
    expect(names.at(-1)).toBe('fc.bias');
    const x = tf.zeros([2, 28, 28, 1]);
    const output = model.eval().call(x);
    expect(output.shape).toEqual([2, 10]);
    tf.dispose([x, output]);
    model.dispose();
  }, SLOW);

  it('BasicBlock halves the map with stride 2; identity keeps it', () => {
    const down = new BasicBlock(4, 8, { stride: 2, rng: 0 });
    const same = new BasicBlock(4, 4, { rng: 0 });
    expect(same.downsample).toBeUndefined();
    const x = tf.randomUniform([2, 7, 7, 4], 0, 1, 'float32', 1);
    const a = down.call(x);
    const b = same.call(x);
    expect(a.shape).toEqual([2, 4, 4, 8]);
    expect(b.shape).toEqual([2, 7, 7, 4]);
    tf.dispose([x, a, b]);
    down.dispose();
    same.dispose();
  }, SLOW);

  it('updates the running statistics in training mode only', async () => {
    const model = new ResNet({ widths: [2], blocks: [1], numClasses: 2, rng: 0 });
    const x = tf.randomUniform([2, 5, 5, 1], 0, 1, 'float32', 2);
    const tracked = () => model.bn1.num_batches_tracked!.data();
    tf.dispose(model.call(x));
    expect(Array.from(await tracked())).toEqual([1]);
    tf.dispose(model.eval().call(x));
    expect(Array.from(await tracked())).toEqual([1]);
    tf.dispose(x);
    model.dispose();
  }, SLOW);

  it('rejects bad configs and inputs', () => {
    expect(() => new ResNet({ widths: [8, 16], blocks: [1] })).toThrow('ResNet: blocks ([1]) must have one entry per stage of widths ([8, 16]).');
    expect(() => new BasicBlock(4, 8, { stride: 0 })).toThrow('BasicBlock: stride (0) must be a positive integer.');
    const model = new ResNet({ widths: [2], blocks: [1], rng: 0 });
    const x = tf.zeros([2, 5, 5, 3]);
    expect(() => model.call(x)).toThrow('ResNet: images expected shape [*, *, *, 1], received [2, 5, 5, 3].');
    tf.dispose(x);
    model.dispose();
  }, SLOW);
});
