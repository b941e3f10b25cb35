// The shared conformance suite at tiny widths, batch 2 and small images (CPU convolutions
// are slow, and SwiftShader's WebGPU slower still).
import * as tf from '@tensorflow/tfjs-core';
import { describeModuleConformance } from '@tensorzoo/core/testing';
import { BasicBlock, LeNet5, MLPClassifier, ResNet, SimpleCNN } from '../src/index';

// Software WebGPU (SwiftShader) compiles every new shader on first use: seconds per conv shape.
const timeout = 180_000;
const images = (height: number, width: number, channels: number) => () => tf.randomUniform([2, height, width, channels], 0, 1, 'float32', 7);

describeModuleConformance('SimpleCNN', {
  timeout,
  modelClass: SimpleCNN,
  create: (seed) => new SimpleCNN({ inputShape: [8, 8, 1], channels: [4, 6, 8], padding: 'same', hidden: 16, numClasses: 3, rng: seed }),
  input: images(8, 8, 1),
  outputShape: [2, 3],
  overfit: { steps: 60, lr: 0.2, factor: 0.5 },
});

describeModuleConformance('SimpleCNN (sigmoid head)', {
  timeout,
  modelClass: SimpleCNN,
  create: (seed) => new SimpleCNN({ inputShape: [10, 10, 1], channels: [4, 6], padding: 'valid', hidden: 16, output: 'sigmoid', rng: seed }),
  input: images(10, 10, 1),
  outputShape: [2, 1],
  // Sigmoid outputs cannot reach the default [-1, 1] targets: fit a target inside (0, 1) instead.
  loss: (output) => tf.mean(tf.square(tf.sub(output, tf.tensor2d([[0.1], [0.9]])))) as tf.Scalar,
  overfit: { steps: 60, lr: 0.5, factor: 0.5 },
});

describeModuleConformance('LeNet5', {
  timeout,
  modelClass: LeNet5,
  create: (seed) => new LeNet5({ inputShape: [12, 12, 1], channels: [4, 6], hidden: [8, 8], numClasses: 3, rng: seed }),
  input: images(12, 12, 1),
  outputShape: [2, 3],
});

describeModuleConformance('LeNet5 (tanh, average pooling)', {
  timeout,
  modelClass: LeNet5,
  create: (seed) => new LeNet5({ inputShape: [12, 12, 2], channels: [2, 3], hidden: [5, 4], numClasses: 3, activation: 'tanh', pooling: 'avg', rng: seed }),
  input: images(12, 12, 2),
  outputShape: [2, 3],
});

describeModuleConformance('BasicBlock (projection shortcut)', {
  timeout,
  modelClass: BasicBlock,
  create: (seed) => new BasicBlock(2, 8, { stride: 2, rng: seed }),
  input: images(4, 4, 2),
  outputShape: [2, 2, 2, 8],
  // The block ends in a ReLU: fit non-negative targets.
  loss: (output) => tf.mean(tf.square(tf.sub(output, tf.randomUniform([2, 2, 2, 8], 0, 1, 'float32', 11)))) as tf.Scalar,
  overfit: { steps: 60, lr: 0.2, factor: 0.5 },
});

describeModuleConformance('ResNet', {
  timeout,
  modelClass: ResNet,
  create: (seed) => new ResNet({ inputChannels: 1, widths: [2, 3], blocks: [1, 1], numClasses: 3, rng: seed }),
  input: images(6, 6, 1),
  outputShape: [2, 3],
});

describeModuleConformance('MLPClassifier', {
  timeout,
  modelClass: MLPClassifier,
  create: (seed) => new MLPClassifier({ inputSize: 16, hiddenSizes: [8, 6], numClasses: 3, rng: seed }),
  input: images(4, 4, 1),
  outputShape: [2, 3],
});
