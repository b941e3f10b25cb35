import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Generator, Module, ShapeError } from '@tensorzoo/core';
import { describeModuleConformance } from '@tensorzoo/core/testing';
import { ConvVAE, VAE, elbo, elboLoss, type VariationalAutoencoder } from '../src/index';

/**
 * The conformance suite takes tensor -> tensor modules: this wrapper returns
 * [reconstruction | mu | logVar] side by side, so every parameter (encoder heads included)
 * gets a gradient, and in eval mode (save/load and overfit checks) the pass is deterministic.
 */
class Concatenated extends Module {
  constructor(readonly vae: VariationalAutoencoder) {
    super();
  }
  protected forward(images: tf.Tensor): tf.Tensor {
    const { reconstruction, mu, logVar } = this.vae.call(images);
    return tf.concat([tf.reshape(reconstruction, [images.shape[0], -1]), mu, logVar], 1);
  }
}

const images = (count: number, shape: number[], seed: number) => () => tf.randomUniform([count, ...shape], 0, 1, 'float32', seed);

describeModuleConformance('VAE (MLP, tiny)', {
  create: (seed) => new Concatenated(new VAE({ imageShape: [4, 4, 1], hiddenDims: [6], latentDim: 2, rng: seed })),
  input: images(2, [4, 4, 1], 1),
  outputShape: [2, 16 + 2 + 2],
  overfit: { steps: 80, lr: 0.2, factor: 0.6 },
});

describeModuleConformance('ConvVAE (tiny)', {
  create: (seed) => new Concatenated(new ConvVAE({ imageSize: 8, channels: [2, 3], latentDim: 2, rng: seed })),
  input: images(2, [8, 8, 1], 2),
  outputShape: [2, 64 + 2 + 2],
  overfit: { steps: 80, lr: 0.2, factor: 0.6 },
});

describe('VAE', () => {
  it('defaults are the PyTorch examples MNIST VAE (784-400-20); names are state_dict names', () => {
    const vae = new VAE({ rng: 0 });
    expect(vae.namedParameters().map(([name, v]) => `${name} ${v.shape.join('x')}`)).toEqual([
      'encoder.0.weight 400x784',
      'encoder.0.bias 400',
      'mu.weight 20x400',
      'mu.bias 20',
      'logVar.weight 20x400',
      'logVar.bias 20',
      'decoder.0.weight 400x20',
      'decoder.0.bias 400',
      'decoder.2.weight 784x400',
      'decoder.2.bias 784',
    ]);
    vae.dispose();
    const conv = new ConvVAE({ rng: 0 });
    expect(conv.namedParameters().map(([name, v]) => `${name} ${v.shape.join('x')}`)).toEqual([
      'encoder.0.weight 32x1x4x4',
      'encoder.0.bias 32',
      'encoder.2.weight 64x32x4x4',
      'encoder.2.bias 64',
      'mu.weight 20x3136',
      'mu.bias 20',
      'logVar.weight 20x3136',
      'logVar.bias 20',
      'decoder.0.weight 3136x20',
      'decoder.0.bias 3136',
      'decoder.3.weight 64x32x4x4',
      'decoder.3.bias 32',
      'decoder.5.weight 32x1x4x4',
      'decoder.5.bias 1',
    ]);
    conv.dispose();
  });

  it('training mode samples z with the seeded generator; eval mode decodes the mean', async () => {
    const [a, b] = [new VAE({ imageShape: [4, 4, 1], hiddenDims: [5], latentDim: 3, rng: 4 }), new VAE({ imageShape: [4, 4, 1], hiddenDims: [5], latentDim: 3, rng: 4 })];
    const x = images(2, [4, 4, 1], 3)();
    const [outA, outB] = [a.call(x), b.call(x)];
    expect(Array.from(await outA.z.data())).toEqual(Array.from(await outB.z.data())); // same seed, same noise
    expect(Array.from(await outA.z.data())).not.toEqual(Array.from(await outA.mu.data()));
    a.eval();
    const evalOut = a.call(x);
    expect(Array.from(await evalOut.z.data())).toEqual(Array.from(await evalOut.mu.data()));
    const sampled = a.call(x, { sample: true });
    expect(Array.from(await sampled.z.data())).not.toEqual(Array.from(await sampled.mu.data()));
    tf.dispose([x, ...Object.values(outA), ...Object.values(outB), ...Object.values(evalOut), ...Object.values(sampled)]);
    a.dispose();
    b.dispose();
  });

  it('sample, reconstruct and interpolate give images of the right shape, leak nothing', async () => {
    const vae = new ConvVAE({ imageSize: 8, channels: [2, 3], latentDim: 2, rng: 1 });
    const x = images(3, [8, 8, 1], 4)();
    const from = tf.slice(x, [0, 0, 0, 0], [1, 8, 8, 1]); // [1, H, W, C]
    const to = tf.tidy(() => tf.reshape(tf.slice(x, [1, 0, 0, 0], [1, 8, 8, 1]), [8, 8, 1])); // [H, W, C]
    const before = tf.memory().numTensors;
    const samples = vae.sample(5, 7);
    const again = vae.sample(5, new Generator(7));
    const reconstructions = vae.reconstruct(x);
    const path = vae.interpolate(from, to, 4);
    expect(samples.shape).toEqual([5, 8, 8, 1]);
    expect(Array.from(await again.data())).toEqual(Array.from(await samples.data()));
    expect(reconstructions.shape).toEqual([3, 8, 8, 1]);
    expect(path.shape).toEqual([4, 8, 8, 1]);
    // The ends of the path are the reconstructions of the two images.
    const ends = await path.data();
    const expected = await reconstructions.data();
    for (let i = 0; i < 64; i++) {
      expect(ends[i]).toBeCloseTo(expected[i], 5);
      expect(ends[3 * 64 + i]).toBeCloseTo(expected[64 + i], 5);
    }
    const { mu, logVar } = vae.encode(x);
    expect(mu.shape).toEqual([3, 2]);
    expect(logVar.shape).toEqual([3, 2]);
    tf.dispose([samples, again, reconstructions, path, mu, logVar]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, from, to]);
    vae.dispose();
  });

  it('elbo: terms add up, KL is 0 at the prior, MSE and beta options', async () => {
    const x = tf.tensor4d([0, 1, 0.5, 0.25], [1, 2, 2, 1]);
    const output = { reconstruction: tf.tensor4d([0.5, 0.5, 0.5, 0.5], [1, 2, 2, 1]), mu: tf.zeros([1, 3]), logVar: tf.zeros([1, 3]) };
    const terms = elbo(x, output);
    expect((await terms.kl.data())[0]).toBeCloseTo(0, 6);
    expect((await terms.reconstruction.data())[0]).toBeCloseTo(4 * Math.LN2, 5); // -log 0.5 per pixel, any target
    const mse = elboLoss(x, { ...output, mu: tf.ones([1, 3]) }, { reconstructionLoss: 'mse', beta: 2 });
    // Σ (0.5 - x)² = 0.25 + 0.25 + 0 + 0.0625; KL = ½·3·1 = 1.5, times beta 2.
    expect((await mse.data())[0]).toBeCloseTo(0.5625 + 3, 5);
    tf.dispose([x, ...Object.values(output), ...Object.values(terms), mse]);
  });

  it('rejects bad shapes and options with messages naming them', () => {
    const vae = new VAE({ imageShape: [4, 4, 1], hiddenDims: [5], latentDim: 3 });
    expect(() => vae.call(tf.zeros([2, 4, 4, 2]))).toThrow(ShapeError);
    expect(() => vae.call(tf.zeros([2, 4, 4, 2]))).toThrow(/VAE: images expected shape \[\*, 4, 4, 1\], received \[2, 4, 4, 2\]/);
    expect(() => vae.decode(tf.zeros([2, 4]))).toThrow(/decode: z expected shape \[\*, 3\], received \[2, 4\]/);
    expect(() => vae.interpolate(tf.zeros([2, 4, 4, 1]), tf.zeros([4, 4, 1]), 3)).toThrow(/interpolate: from expected shape \[1, 4, 4, 1\]/);
    expect(() => vae.call(tf.zeros([2, 4, 4, 1]), { epsilon: tf.zeros([2, 2]) })).toThrow(/epsilon expected shape \[2, 3\]/);
    expect(() => new ConvVAE({ imageSize: 10 })).toThrow(/imageSize \(10\) must be divisible by 2\^channels.length \(4\)/);
    expect(() => elbo(tf.zeros([2, 4]), { reconstruction: tf.zeros([2, 5]), mu: tf.zeros([2, 3]), logVar: tf.zeros([2, 3]) })).toThrow(/reconstruction \[2, 5\] must have the images' shape \[2, 4\]/);
    expect(() => elbo(tf.zeros([2, 4]), { reconstruction: tf.zeros([2, 4]), mu: tf.zeros([2, 3]), logVar: tf.zeros([2, 3]) }, { reconstructionLoss: 'l1' as 'mse' })).toThrow(/reconstructionLoss \("l1"\) must be 'bce' or 'mse'/);
    vae.dispose();
  });
});
