import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Embedding, GELU, LayerNorm, Linear, Module, Sequential, Sigmoid } from '@tensorzoo/core';
import json from '../fixtures/layers.json';
import { expectClose, fixtureTensor, loadTorchState, readFixture } from '../src/testing/index';

const fixture = readFixture('layers.json', json);

class MLP extends Module {
  layers = new Sequential(new Linear(3, 5), new Sigmoid(), new Linear(5, 4), new GELU(), new Linear(4, 2));
  norm = new LayerNorm(2);
  protected forward(x: tf.Tensor): tf.Tensor {
    return this.norm.call(this.layers.call(x));
  }
}

class Embed extends Module {
  embed = new Embedding(7, 3);
  head = new Linear(3, 2, { bias: false });
  protected forward(ids: tf.Tensor): tf.Tensor {
    return tf.tanh(this.head.call(this.embed.call(ids)));
  }
}

describe('layers match torch.nn', () => {
  it('names parameters like state_dict', () => {
    const model = new MLP();
    expect(model.namedVariables().map(([name]) => name)).toEqual(Object.keys(fixture.mlp.state_dict));
    model.dispose();
  });

  it('Linear/Sigmoid/GELU/LayerNorm forward and gradients', async () => {
    const model = new MLP();
    loadTorchState(model, fixture.mlp.state_dict);
    const x = fixtureTensor(fixture.mlp.input);
    const lossWeights = tf.tensor(fixture.mlp.loss_weights, fixture.mlp.output.shape);
    const output = model.call(x);
    await expectClose(output, fixture.mlp.output);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.call(x), lossWeights)) as tf.Scalar, model.parameters());
    await expectClose(value, [fixture.mlp.loss]);
    for (const [name, variable] of model.namedParameters()) {
      await expectClose(grads[variable.name], (fixture.mlp.grads as Record<string, number[]>)[name]);
    }
    tf.dispose([x, lossWeights, output, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('Embedding forward and gradients', async () => {
    const model = new Embed();
    loadTorchState(model, fixture.embedding.state_dict);
    const ids = fixtureTensor(fixture.embedding.input, 'int32');
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.call(ids))) as tf.Scalar, model.parameters());
    await expectClose(value, [fixture.embedding.loss]);
    for (const [name, variable] of model.namedParameters()) {
      await expectClose(grads[variable.name], (fixture.embedding.grads as Record<string, number[]>)[name]);
    }
    tf.dispose([ids, value, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('shape checks name the module', () => {
  it('rejects a wrong feature size with path, expected and received', () => {
    const model = new MLP();
    const x = tf.zeros([2, 4]);
    expect(() => model.call(x)).toThrow('MLP.layers.0 (Linear): input expected shape [..., 3], received [2, 4].');
    tf.dispose(x);
    model.dispose();
  });
  it('rejects float ids in Embedding', () => {
    const layer = new Embedding(4, 2);
    const ids = tf.zeros([3]);
    expect(() => layer.call(ids)).toThrow('Embedding: ids expected dtype int32, received float32.');
    tf.dispose(ids);
    layer.dispose();
  });
  it('rejects bad constructor arguments', () => {
    expect(() => new Linear(0, 3)).toThrow('Linear: inFeatures (0) must be an integer >= 1.');
    expect(() => new LayerNorm(4, { eps: -1 })).toThrow('LayerNorm: eps (-1) must be in [0, 1).');
  });
  it('loadStateDict reports missing, unexpected and mis-shaped tensors', () => {
    const layer = new Linear(2, 3);
    const wrong = { weight: tf.zeros([2, 3]), bias: tf.zeros([3]) };
    expect(() => layer.loadStateDict(wrong)).toThrow('"weight" expected shape [3, 2], received [2, 3]');
    const extra = { weight: tf.zeros([3, 2]), bogus: tf.zeros([1]) };
    expect(() => layer.loadStateDict(extra)).toThrow('Missing: bias. Unexpected: bogus.');
    tf.dispose([...Object.values(wrong), ...Object.values(extra)]);
    layer.dispose();
  });
});
