import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Dropout, Embedding, Generator, Linear, Module, parameter, Sequential } from '@tensorzoo/core';

class Block extends Module {
  attn = new Linear(4, 4, { rng: 1 });
  drop = new Dropout(0.5, { rng: 2 });
  protected forward(x: tf.Tensor): tf.Tensor {
    return this.drop.call(this.attn.call(x));
  }
}

class Net extends Module {
  embed = new Embedding(10, 4, { rng: 3 });
  blocks = [new Block(), new Block()];
  head = new Sequential(new Linear(4, 2, { rng: 4 }));
  scale = parameter(tf.ones([2]));
  running = parameter(tf.zeros([2]), false);
  protected forward(ids: tf.Tensor): tf.Tensor {
    let h = this.embed.call(ids);
    for (const block of this.blocks) h = block.call(h);
    return tf.mul(this.head.call(h), this.scale);
  }
}

describe('Module', () => {
  it('finds parameters by walking fields, with dotted PyTorch-style names', () => {
    const net = new Net();
    // As in torch's state_dict: a module's own variables first, then its children in field order.
    expect(net.namedParameters().map(([name]) => name)).toEqual([
      'scale',
      'embed.weight',
      'blocks.0.attn.weight',
      'blocks.0.attn.bias',
      'blocks.1.attn.weight',
      'blocks.1.attn.bias',
      'head.0.weight',
      'head.0.bias',
    ]);
    expect(net.namedBuffers().map(([name]) => name)).toEqual(['running']);
    expect(net.parameterCount()).toBe(40 + 2 * 20 + 10 + 2);
    net.dispose();
  });

  it('train()/eval() reach every sub-module; dropout is identity in eval', async () => {
    const net = new Net();
    net.eval();
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    const ids = tf.tensor1d([1, 2, 3], 'int32');
    const a = net.call(ids);
    const b = net.call(ids);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    net.train();
    expect(net.blocks[1].drop.training).toBe(true);
    tf.dispose([ids, a, b]);
    net.dispose();
  });

  it('the same seed gives the same weights', async () => {
    const first = new Linear(5, 3, { rng: new Generator(7) });
    const second = new Linear(5, 3, { rng: new Generator(7) });
    const other = new Linear(5, 3, { rng: new Generator(8) });
    expect(Array.from(await first.weight.data())).toEqual(Array.from(await second.weight.data()));
    expect(Array.from(await first.weight.data())).not.toEqual(Array.from(await other.weight.data()));
    // PyTorch's default init: U(±1/sqrt(fanIn))
    expect(Math.max(...Array.from(await first.weight.data()).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(5));
    [first, second, other].forEach((m) => m.dispose());
  });

  it('dropout zeroes about p of the elements and rescales the rest', async () => {
    const drop = new Dropout(0.25, { rng: 11 });
    const out = drop.call(tf.ones([4000]));
    const values = Array.from(await out.data());
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(zeros).toBeGreaterThan(0.2);
    expect(zeros).toBeLessThan(0.3);
    expect(values.filter((v) => v !== 0).every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    out.dispose();
  });

  it('call() frees intermediates', () => {
    const net = new Net();
    const ids = tf.tensor1d([1, 2], 'int32');
    tf.dispose(net.call(ids));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.dispose(net.call(ids));
    expect(tf.memory().numTensors).toBe(before);
    ids.dispose();
    net.dispose();
  });
});

describe('Generator', () => {
  it('is deterministic, and its state round-trips', () => {
    const rng = new Generator(123);
    rng.normal();
    const state = rng.getState();
    const next = [rng.uniform(), rng.normal(), rng.nextUint32()];
    const restored = new Generator(0);
    restored.setState(state);
    expect([restored.uniform(), restored.normal(), restored.nextUint32()]).toEqual(next);
  });
  it('draws uniform values with the right moments', () => {
    const rng = new Generator(5);
    const values = rng.uniformArray(20000);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const normals = rng.normalArray(20000);
    const variance = normals.reduce((a, b) => a + b * b, 0) / normals.length;
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });
  it('rejects bad seeds', () => {
    expect(() => new Generator(-1)).toThrow('Generator: seed (-1) must be an integer in [0, 4294967295].');
  });
});
