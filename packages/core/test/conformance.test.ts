import * as tf from '@tensorflow/tfjs-core';
import { Dropout, Embedding, GELU, LayerNorm, Linear, Module, Sequential, Sigmoid, coreLayers } from '@tensorzoo/core';
import { describeModuleConformance } from '@tensorzoo/core/testing';

describeModuleConformance('Linear', {
  modelClass: Linear,
  create: (seed) => new Linear(3, 2, { rng: seed }),
  input: () => tf.randomNormal([4, 3], 0, 1, 'float32', 1),
  outputShape: [4, 2],
});

describeModuleConformance('MLP (Sequential, Sigmoid, GELU, LayerNorm, Dropout)', {
  modelClass: Sequential,
  models: coreLayers,
  create: (seed) =>
    new Sequential(new Linear(3, 8, { rng: seed }), new Sigmoid(), new Dropout(0.1, { rng: seed }), new Linear(8, 8, { rng: seed + 1 }), new GELU(), new LayerNorm(8), new Linear(8, 2, { rng: seed + 2 })),
  input: () => tf.randomNormal([5, 3], 0, 1, 'float32', 2),
  outputShape: [5, 2],
  overfit: { steps: 150, lr: 0.05, factor: 0.7 }, // lr 0.2 made the loss spike (chaotic steps), so the last value depended on float rounding
});

class TinyLM extends Module {
  embed: Embedding;
  head: Linear;
  constructor(seed: number) {
    super();
    this.embed = new Embedding(6, 4, { rng: seed });
    this.head = new Linear(4, 6, { rng: seed + 1 });
  }
  protected forward(ids: tf.Tensor): tf.Tensor {
    return this.head.call(this.embed.call(ids));
  }
}

describeModuleConformance('Embedding + Linear', {
  create: (seed) => new TinyLM(seed),
  input: () => tf.tensor2d([[0, 1, 2], [3, 4, 5]], [2, 3], 'int32'),
  outputShape: [2, 3, 6],
});
