import * as tf from '@tensorflow/tfjs-core';
import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  GlobalAvgPool2d,
  LeakyReLU,
  Linear,
  MaxPool2d,
  ReLU,
  Reshape,
  Sequential,
  Tanh,
} from '@tensorzoo/core';
import { describeModuleConformance } from '@tensorzoo/core/testing';

// Tiny sizes: the stock cpu kernels and the software WebGPU adapter are slow for convolutions.
const images = (shape: [number, number, number, number], seed: number) => () => tf.randomNormal(shape, 0, 1, 'float32', seed);

describeModuleConformance('Conv2d', {
  create: (seed) => new Conv2d(2, 3, 3, { padding: 1, rng: seed }),
  input: images([2, 5, 5, 2], 1),
  outputShape: [2, 5, 5, 3],
});

describeModuleConformance('Conv2d (stride 2, dilation 2, no bias)', {
  create: (seed) => new Conv2d(2, 3, [3, 2], { stride: 2, dilation: 2, padding: [2, 1], bias: false, rng: seed }),
  input: images([2, 6, 6, 2], 2),
  outputShape: [2, 3, 3, 3],
});

describeModuleConformance('ConvTranspose2d', {
  create: (seed) => new ConvTranspose2d(3, 2, 4, { stride: 2, padding: 1, rng: seed }),
  input: images([2, 3, 3, 3], 3),
  outputShape: [2, 6, 6, 2],
  overfit: { steps: 60, lr: 0.3 },
});

describeModuleConformance('Conv2d + MaxPool2d + AvgPool2d', {
  create: (seed) => new Sequential(new Conv2d(2, 8, 3, { padding: 1, rng: seed }), new MaxPool2d(2), new AvgPool2d(3, { stride: 1, padding: 1 })),
  input: images([1, 6, 6, 2], 4),
  outputShape: [1, 3, 3, 8],
  overfit: { steps: 60, lr: 0.5 },
});

describeModuleConformance('BatchNorm2d', {
  create: () => new BatchNorm2d(3),
  input: images([4, 3, 3, 3], 5),
  outputShape: [4, 3, 3, 3],
});

describeModuleConformance('BatchNorm1d', {
  create: () => new BatchNorm1d(4),
  input: () => tf.randomNormal([6, 4], 0, 1, 'float32', 6),
  outputShape: [6, 4],
});

describeModuleConformance('CNN (Conv, BatchNorm2d, ReLU, MaxPool, GlobalAvgPool, Linear)', {
  create: (seed) =>
    new Sequential(
      new Conv2d(1, 4, 3, { padding: 1, rng: seed }),
      new BatchNorm2d(4),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(4, 4, 3, { padding: 1, rng: seed + 1 }),
      new GlobalAvgPool2d(),
      new Linear(4, 3, { rng: seed + 2 }),
    ),
  input: images([3, 6, 6, 1], 7),
  outputShape: [3, 3],
});

describeModuleConformance('DCGAN-style generator (Linear, Reshape, ConvTranspose2d, BatchNorm2d, Tanh)', {
  create: (seed) =>
    new Sequential(
      new Linear(4, 3 * 2 * 2, { rng: seed }),
      new Reshape([3, 2, 2]),
      new ConvTranspose2d(3, 2, 4, { stride: 2, padding: 1, rng: seed + 1 }),
      new BatchNorm2d(2),
      new LeakyReLU(0.2),
      new ConvTranspose2d(2, 1, 3, { stride: 2, padding: 1, outputPadding: 1, rng: seed + 2 }),
      new Tanh(),
    ),
  input: () => tf.randomNormal([1, 4], 0, 1, 'float32', 8),
  outputShape: [1, 8, 8, 1],
  overfit: { steps: 60, lr: 0.3 },
});

describeModuleConformance('Discriminator-style (Conv2d stride 2, LeakyReLU, Flatten, Linear)', {
  create: (seed) =>
    new Sequential(
      new Conv2d(1, 2, 3, { stride: 2, padding: 1, rng: seed }),
      new LeakyReLU(0.2),
      new Conv2d(2, 3, 3, { stride: 2, padding: 'same', rng: seed + 1 }),
      new Flatten(),
      new Linear(3 * 2 * 2, 1, { rng: seed + 2 }),
    ),
  input: images([2, 8, 8, 1], 9),
  outputShape: [2, 1],
});
