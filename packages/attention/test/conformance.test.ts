import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module } from '@tensorzoo/core';
import { describeModuleConformance } from '@tensorzoo/core/testing';
import { LearnedPositionalEncoding, MultiHeadAttention, SinusoidalPositionalEncoding } from '../src/index';

const input = (shape: number[], seed: number) => () => tf.randomNormal(shape, 0, 1, 'float32', seed);
// On the software WebGPU adapter a training step takes up to seconds; there the suite only
// checks that the loss falls, and 5 steps show it.
const onCpu = tf.getBackend() === 'cpu';
const timeout = onCpu ? 60_000 : 300_000;
const overfit = (lr: number, steps = 60) => ({ steps: onCpu ? steps : 5, lr, factor: 0.5 });

describeModuleConformance('MultiHeadAttention (self, packed, causal)', {
  modelClass: MultiHeadAttention,
  create: (seed) => new MultiHeadAttention(8, 2, { rng: seed }),
  input: input([2, 5, 8], 1),
  outputShape: [2, 5, 8],
  timeout,
  overfit: overfit(0.5),
});

describeModuleConformance('MultiHeadAttention (cross, separate q/k/v weights)', {
  modelClass: MultiHeadAttention,
  create: (seed) => new MultiHeadAttention(8, 2, { keyDim: 6, valueDim: 4, dropout: 0.1, rng: seed }),
  input: () => ({
    query: tf.randomNormal([2, 4, 8], 0, 1, 'float32', 2),
    key: tf.randomNormal([2, 6, 6], 0, 1, 'float32', 3),
    value: tf.randomNormal([2, 6, 4], 0, 1, 'float32', 4),
  }),
  outputShape: [2, 4, 8],
  timeout,
  overfit: overfit(0.2),
});

/** Causal self-attention with rotary embeddings (call options cannot be passed by the suite). */
class RotaryCausalAttention extends Module {
  attention: MultiHeadAttention;
  constructor(seed: number) {
    super();
    this.attention = new MultiHeadAttention(8, 2, { rotary: true, rng: seed });
  }
  protected forward(x: tf.Tensor): tf.Tensor {
    return this.attention.call(x, { causal: true });
  }
}

describeModuleConformance('MultiHeadAttention (rotary, causal)', {
  create: (seed) => new RotaryCausalAttention(seed),
  input: input([2, 6, 8], 5),
  outputShape: [2, 6, 8],
  timeout,
  overfit: overfit(0.5),
});

describeModuleConformance('LearnedPositionalEncoding', {
  modelClass: LearnedPositionalEncoding,
  create: (seed) => new LearnedPositionalEncoding(7, 8, { rng: seed }),
  input: input([2, 5, 8], 6),
  outputShape: [2, 5, 8],
  timeout,
  overfit: overfit(5, 30),
});

/** The sinusoidal encoding has no parameters; the suite checks it behind a Linear layer. */
class SinusoidalProjection extends Module {
  linear: Linear;
  positions = new SinusoidalPositionalEncoding(8);
  constructor(seed: number) {
    super();
    this.linear = new Linear(4, 8, { rng: seed });
  }
  protected forward(x: tf.Tensor): tf.Tensor {
    return this.positions.call(this.linear.call(x));
  }
}

describeModuleConformance('SinusoidalPositionalEncoding (after a Linear layer)', {
  create: (seed) => new SinusoidalProjection(seed),
  input: input([2, 5, 4], 7),
  outputShape: [2, 5, 8],
  timeout,
  overfit: overfit(0.2),
});
