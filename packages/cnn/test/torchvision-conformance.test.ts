// Core's conformance suite on the building blocks of the torchvision models, at tiny widths.
import * as tf from '@tensorflow/tfjs-core';
import { describeModuleConformance } from '@tensorzoo/core/testing';
import { Bottleneck, InvertedResidual } from '../src/index';

// Software WebGPU (SwiftShader) compiles every new shader on first use.
const timeout = 180_000;
const images = (height: number, width: number, channels: number) => () => tf.randomUniform([2, height, width, channels], 0, 1, 'float32', 7);
// Both blocks can end in a ReLU (Bottleneck): fit non-negative targets.
const nonNegativeTarget = (shape: number[]) => (output: tf.Tensor) => tf.mean(tf.square(tf.sub(output, tf.randomUniform(shape, 0, 1, 'float32', 11)))) as tf.Scalar;

describeModuleConformance('Bottleneck (grouped 3x3, projection, stride 2)', {
  timeout,
  create: (seed) => new Bottleneck(4, 2, { stride: 2, groups: 2, widthPerGroup: 64, rng: seed }),
  input: images(4, 4, 4),
  outputShape: [2, 2, 2, 8],
  loss: nonNegativeTarget([2, 2, 2, 8]),
  overfit: { steps: 60, lr: 0.2, factor: 0.5 },
});

describeModuleConformance('InvertedResidual (depthwise, residual)', {
  timeout,
  create: (seed) => new InvertedResidual(4, 4, { expandRatio: 2, rng: seed }),
  input: images(4, 4, 4),
  outputShape: [2, 4, 4, 4],
  overfit: { steps: 60, lr: 0.2, factor: 0.5 },
});

describeModuleConformance('InvertedResidual (no expansion, stride 2)', {
  timeout,
  create: (seed) => new InvertedResidual(3, 5, { expandRatio: 1, stride: 2, rng: seed }),
  input: images(5, 5, 3),
  outputShape: [2, 3, 3, 5],
  // The block ends in a training-mode BatchNorm (per-channel mean beta, spread gamma): a constant target is reachable.
  loss: (output) => tf.mean(tf.square(tf.sub(output, 0.5))) as tf.Scalar,
  overfit: { steps: 60, lr: 0.2, factor: 0.5 },
});
