import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '@tensorzoo/core';
import { describeModuleConformance } from '@tensorzoo/core/testing';
import { DCGANDiscriminator, DCGANGenerator } from '../src/index';

describeModuleConformance('DCGANGenerator (tiny, batch norm)', {
  modelClass: DCGANGenerator,
  create: (seed) => new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8, batchNorm: true, rng: seed }),
  input: () => tf.randomNormal([2, 4], 0, 1, 'float32', 1),
  outputShape: [2, 8, 8, 1],
  // A smooth target a 2-channel generator can reach (a random image per sample it cannot).
  loss: (output) => tf.mean(tf.square(tf.sub(output, 0.5))) as tf.Scalar,
  overfit: { steps: 60, lr: 0.2, factor: 0.5 },
});

describeModuleConformance('DCGANGenerator (tiny, seed 001 layout)', {
  modelClass: DCGANGenerator,
  create: (seed) => new DCGANGenerator({ latentDim: 3, channels: [3, 2], imageSize: 4, kernelSize: 4, rng: seed }),
  input: () => tf.randomNormal([2, 3], 0, 1, 'float32', 2),
  outputShape: [2, 4, 4, 1],
  loss: (output) => tf.mean(tf.square(tf.sub(output, 0.5))) as tf.Scalar,
  overfit: { steps: 60, lr: 0.2, factor: 0.5 },
});

describeModuleConformance('DCGANDiscriminator (tiny, sigmoid)', {
  modelClass: DCGANDiscriminator,
  create: (seed) => new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], rng: seed }),
  input: () => tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 3),
  outputShape: [2, 1],
  // A sigmoid output in (0, 1) against a target in (-1, 1): the loss only has to fall.
  loss: (output) => tf.mean(tf.square(tf.sub(output, tf.tensor2d([[0.9], [0.1]])))) as tf.Scalar,
  overfit: { steps: 60, lr: 0.5, factor: 0.7 },
});

describeModuleConformance('DCGANDiscriminator (tiny, stride 2, logits)', {
  modelClass: DCGANDiscriminator,
  create: (seed) => new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], stride: 2, outputActivation: 'none', rng: seed }),
  input: () => tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 4),
  outputShape: [2, 1],
});

describe('DCGAN networks', () => {
  it('default sizes are seed 001: z 100 -> 7x7x256 -> 14x14x128 -> 28x28x1; D conv 32/64 -> sigmoid', () => {
    const generator = new DCGANGenerator({ rng: 0 });
    expect(generator.namedParameters().map(([name, v]) => `${name} ${v.shape.join('x')}`)).toEqual([
      'layers.0.weight 12544x100',
      'layers.0.bias 12544',
      'layers.3.weight 256x128x5x5',
      'layers.3.bias 128',
      'layers.5.weight 128x1x5x5',
      'layers.5.bias 1',
    ]);
    const discriminator = new DCGANDiscriminator({ rng: 0 });
    expect(discriminator.namedParameters().map(([name, v]) => `${name} ${v.shape.join('x')}`)).toEqual([
      'layers.0.weight 32x1x5x5',
      'layers.0.bias 32',
      'layers.2.weight 64x32x5x5',
      'layers.2.bias 64',
      'layers.5.weight 1x50176',
      'layers.5.bias 1',
    ]);
    generator.dispose();
    discriminator.dispose();
  });

  it('generator output is in [-1, 1] with the requested size; same seed, same weights', async () => {
    const a = new DCGANGenerator({ latentDim: 5, channels: [4, 3, 2], imageSize: 16, outChannels: 3, rng: 7 });
    const b = new DCGANGenerator({ latentDim: 5, channels: [4, 3, 2], imageSize: 16, outChannels: 3, rng: 7 });
    const z = tf.randomNormal([2, 5], 0, 1, 'float32', 1);
    const [imagesA, imagesB] = [a.call(z), b.call(z)];
    expect(imagesA.shape).toEqual([2, 16, 16, 3]);
    const values = await imagesA.data();
    expect(values.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(Array.from(await imagesB.data())).toEqual(Array.from(values));
    tf.dispose([z, imagesA, imagesB]);
    a.dispose();
    b.dispose();
  });

  it('rejects bad options and inputs with messages naming them', () => {
    expect(() => new DCGANGenerator({ imageSize: 30 })).toThrow(/imageSize \(30\) must be divisible by 2\^channels.length \(4\)/);
    expect(() => new DCGANGenerator({ channels: [] })).toThrow(ArgumentError);
    expect(() => new DCGANDiscriminator({ outputActivation: 'tanh' as 'none' })).toThrow(/outputActivation \("tanh"\) must be 'sigmoid' or 'none'/);
    expect(() => new DCGANDiscriminator({ imageSize: 2, channels: [2, 2], kernelSize: 6 })).toThrow(/too small/);
    const generator = new DCGANGenerator({ latentDim: 4, channels: [2], imageSize: 4 });
    expect(() => generator.call(tf.zeros([2, 5]))).toThrow(ShapeError);
    expect(() => generator.call(tf.zeros([2, 5]))).toThrow(/DCGANGenerator: z expected shape \[\*, 4\], received \[2, 5\]/);
    const discriminator = new DCGANDiscriminator({ imageSize: 8, channels: [2] });
    expect(() => discriminator.call(tf.zeros([2, 8, 8, 3]))).toThrow(/images expected shape \[\*, 8, 8, 1\], received \[2, 8, 8, 3\]/);
    generator.dispose();
    discriminator.dispose();
  });
});
