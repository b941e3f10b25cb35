// Class-conditional DCGAN: the networks' label argument, and GANTrainer with labelled batches
// (parity with PyTorch is in parity.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, ShapeError, decodeCheckpoint } from '@tensorzoo/core';
import { adam } from '@tensorzoo/optimizers';
import { DCGANDiscriminator, DCGANGenerator, GANPair, GANTrainer, wassersteinGPLoss, type GANTrainerOptions, type LabeledBatch } from '../src/index';

const CLASSES = 3;

/** Tiny conditional networks: z 4 (+ 3 classes) -> 8x8x1; a projection discriminator with logits. */
function tinyConditional(overrides: Partial<GANTrainerOptions> = {}): GANTrainer {
  return new GANTrainer({
    generator: new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8, kernelSize: 4, batchNorm: true, numClasses: CLASSES, rng: 1 }),
    discriminator: new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], kernelSize: 4, stride: 2, outputActivation: 'none', numClasses: CLASSES, rng: 2 }),
    generatorOptimizer: adam({ lr: 2e-3, betas: [0.5, 0.999] }),
    discriminatorOptimizer: adam({ lr: 2e-3, betas: [0.5, 0.999] }),
    rng: 3,
    sampleCount: 5,
    ...overrides,
  });
}

/** Labelled "real" batches of 2 images [2, 8, 8, 1] in [-1, 1]. */
function labeledBatches(count: number): LabeledBatch[] {
  const rng = new Generator(9);
  return Array.from({ length: count }, () => ({
    images: tf.tensor4d(rng.uniformArray(2 * 64, -1, 1), [2, 8, 8, 1]),
    labels: tf.tensor1d([rng.integer(CLASSES), rng.integer(CLASSES)], 'int32'),
  }));
}

function disposeAll(trainer: GANTrainer, batches: LabeledBatch[] = []): void {
  for (const { images, labels } of batches) tf.dispose([images, labels]);
  trainer.dispose();
  trainer.generator.dispose();
  trainer.discriminator.dispose();
  trainer.generatorOptimizer.dispose();
  trainer.discriminatorOptimizer.dispose();
}

describe('class-conditional DCGAN networks', () => {
  it('the generator draws per label: different labels, different images; the first layer reads latentDim + numClasses inputs', async () => {
    const generator = new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8, kernelSize: 4, numClasses: CLASSES, rng: 1 });
    expect(generator.getConfig().numClasses).toBe(CLASSES);
    expect(generator.namedParameters().find(([name]) => name === 'layers.0.weight')![1].shape).toEqual([4 * 2 * 2, 4 + CLASSES]);
    const z = tf.tensor2d(new Generator(5).normalArray(8), [2, 4]);
    const same = tf.concat([z.slice([0, 0], [1, 4]), z.slice([0, 0], [1, 4])]); // one noise vector twice
    const images = generator.call(same, { labels: tf.tensor1d([0, 2], 'int32') });
    expect(images.shape).toEqual([2, 8, 8, 1]);
    const values = Array.from(await images.data()); // async: webgpu cannot read synchronously
    expect(values.slice(0, 64)).not.toEqual(values.slice(64));
    tf.dispose([z, same, images]);
    generator.dispose();
  });

  it('the projection discriminator adds <classEmbedding[y], h> to the unconditional logit', async () => {
    const discriminator = new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], kernelSize: 4, stride: 2, outputActivation: 'none', numClasses: CLASSES, rng: 2 });
    expect(discriminator.namedParameters().map(([name]) => name)).toContain('classEmbedding.weight');
    const images = tf.tensor4d(new Generator(6).uniformArray(2 * 64, -1, 1), [2, 8, 8, 1]);
    const labels = tf.tensor1d([1, 2], 'int32');
    const scores = discriminator.call(images, { labels });
    // By hand: features h of the layers before the output Linear, then Linear(h) + <e_y, h>.
    const modules = discriminator.layers.modules;
    const expected = tf.tidy(() => {
      let h: tf.Tensor = images;
      for (const module of modules.slice(0, -1)) h = module.call(h);
      const vectors = tf.gather(discriminator.classEmbedding!.weight, labels);
      return tf.add(modules[modules.length - 1].call(h), tf.sum(tf.mul(vectors, h), 1, true));
    });
    expect(scores.shape).toEqual([2, 1]);
    const [got, want] = [Array.from(await scores.data()), Array.from(await expected.data())];
    got.forEach((value, index) => expect(value).toBeCloseTo(want[index], 5));
    tf.dispose([images, labels, scores, expected]);
    discriminator.dispose();
  });

  it('rejects missing, unexpected, mis-shaped and out-of-range labels with messages naming them (webgpu: NaN rows for bad labels)', async () => {
    const conditional = new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8, kernelSize: 4, numClasses: CLASSES, rng: 1 });
    const plain = new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], kernelSize: 4, stride: 2, rng: 2 });
    const z = tf.zeros([2, 4]);
    const images = tf.zeros([2, 8, 8, 1]);
    expect(() => conditional.call(z)).toThrow(/class-conditional \(numClasses 3\); pass \{ labels \} \(int32 \[2\] in \[0, 3\)\)/);
    if (tf.getBackend() === 'webgpu') {
      // No synchronous read there: the row of a bad label becomes NaN (a loud loss) instead.
      const images = conditional.call(z, { labels: tf.tensor1d([0, 3], 'int32') });
      const values = Array.from(await images.data());
      expect(values.slice(0, 64).some(Number.isNaN)).toBe(false);
      expect(values.slice(64).every(Number.isNaN)).toBe(true);
      images.dispose();
    } else {
      expect(() => conditional.call(z, { labels: tf.tensor1d([0, 3], 'int32') })).toThrow(/labels must be in \[0, 3\), received a label 3/);
      expect(() => conditional.call(z, { labels: tf.tensor1d([0, -1], 'int32') })).toThrow(/received a label -1/);
    }
    expect(() => conditional.call(z, { labels: tf.tensor1d([0], 'int32') })).toThrow(ShapeError);
    expect(() => conditional.call(z, { labels: tf.tensor1d([0, 1], 'float32') })).toThrow(/labels/);
    expect(() => plain.call(images, { labels: tf.tensor1d([0, 1], 'int32') })).toThrow(/received labels, but this network is unconditional/);
    expect(() => new DCGANGenerator({ numClasses: -1 })).toThrow(ArgumentError);
    expect(() => new DCGANDiscriminator({ numClasses: 1.5 })).toThrow(/numClasses/);
    tf.dispose([z, images]);
    conditional.dispose();
    plain.dispose();
  });
});

describe('GANTrainer, class-conditional', () => {
  it('trains on labelled batches, cycles the sample classes, and leaks no tensors', async () => {
    const trainer = tinyConditional();
    expect(trainer.numClasses).toBe(CLASSES);
    expect(Array.from(trainer.sampleLabels)).toEqual([0, 1, 2, 0, 1]);
    const batches = labeledBatches(4);
    await trainer.train(batches.slice(0, 1), { steps: 1 }); // creates the optimizer slots
    const before = tf.memory().numTensors;
    const history = await trainer.train(batches.slice(1), {
      steps: 4,
      sampleEvery: 3,
      onSamples: (images) => expect(images.shape).toEqual([5, 8, 8, 1]),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(trainer.step).toBe(4);
    expect(history.generatorLoss.every(Number.isFinite) && history.discriminatorLoss.every(Number.isFinite)).toBe(true);
    disposeAll(trainer, batches);
  });

  it('the discriminator step draws its fakes with the real batch labels; the generator step draws uniform labels', async () => {
    const trainer = tinyConditional();
    const seen: tf.Tensor[] = [];
    const generator = trainer.generator as DCGANGenerator;
    const call = generator.call.bind(generator);
    generator.call = (z, options) => {
      seen.push(tf.keep(options!.labels!.clone())); // read later: webgpu cannot read synchronously
      return call(z, options);
    };
    const [batch] = labeledBatches(1);
    await trainer.discriminatorStep(batch.images, batch.labels);
    expect(seen).toHaveLength(1);
    expect(Array.from(await seen[0].data())).toEqual(Array.from(await batch.labels.data()));
    await trainer.generatorStep(64);
    const drawn = Array.from(await seen[1].data());
    expect(drawn).toHaveLength(64);
    expect(new Set(drawn)).toEqual(new Set([0, 1, 2]));
    tf.dispose(seen);
    disposeAll(trainer, [batch]);
  });

  it('save -> load into a fresh trainer continues the same run (class vectors included)', async () => {
    const batches = labeledBatches(4);
    const straight = tinyConditional();
    const straightHistory = await straight.train(batches, { steps: 4 });
    const first = tinyConditional();
    await first.train(batches.slice(0, 2), { steps: 2 });
    const bytes = await first.save();
    const resumed = tinyConditional();
    await resumed.load(bytes);
    const rest = await resumed.train(batches.slice(2), { steps: 4 });
    expect(rest.generatorLoss).toEqual(straightHistory.generatorLoss.slice(2));
    const [a, b] = [straight.samples(), resumed.samples()];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    // The file holds the projection's class vectors, and GANPair reads it back.
    const pair = new GANPair(
      new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8, kernelSize: 4, batchNorm: true, numClasses: CLASSES }),
      new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], kernelSize: 4, stride: 2, outputActivation: 'none', numClasses: CLASSES }),
    );
    await decodeCheckpoint(bytes, pair);
    const z = tf.zeros([2, 4]);
    const labels = tf.tensor1d([0, 2], 'int32');
    expect(pair.call(z, { labels }).shape).toEqual([2, 1]);
    tf.dispose([a, b, z, labels]);
    pair.dispose();
    for (const trainer of [straight, first, resumed]) disposeAll(trainer);
    for (const { images, labels: l } of batches) tf.dispose([images, l]);
  });

  it('trains with WGAN-GP: the penalty sees the discriminator bound to the batch labels', async () => {
    const trainer = tinyConditional({ loss: wassersteinGPLoss(), discriminatorSteps: 2 });
    const batches = labeledBatches(4);
    const history = await trainer.train(batches, { steps: 2 });
    expect(history.discriminatorLoss).toHaveLength(2);
    expect(history.discriminatorLoss.every(Number.isFinite)).toBe(true);
    disposeAll(trainer, batches);
  });

  it('rejects unlabelled batches, mismatched numClasses and labels for an unconditional GAN', async () => {
    const trainer = tinyConditional();
    const images = tf.zeros([2, 8, 8, 1]);
    await expect(trainer.train([images], { steps: 1 })).rejects.toThrow(/class-conditional \(numClasses 3\); the batches must be \{ images, labels \}, received a tensor \[2, 8, 8, 1\]/);
    await expect(trainer.discriminatorStep(images)).rejects.toThrow(/needs the real batch's labels, int32 \[2\] in \[0, 3\)/);
    expect(
      () =>
        new GANTrainer({
          generator: new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8, numClasses: CLASSES }),
          discriminator: new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], stride: 2 }),
          generatorOptimizer: adam(),
          discriminatorOptimizer: adam(),
        }),
    ).toThrow(/the discriminator has numClasses 0 but the trainer 3/);
    const plain = new GANTrainer({
      generator: new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8 }),
      discriminator: new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], stride: 2 }),
      generatorOptimizer: adam(),
      discriminatorOptimizer: adam(),
    });
    const labels = tf.tensor1d([0, 1], 'int32');
    await expect(plain.discriminatorStep(images, labels)).rejects.toThrow(/unconditional/);
    // An unconditional GAN accepts labelled batches and ignores the labels.
    const history = await plain.train([{ images, labels }], { steps: 1 });
    expect(history.discriminatorLoss).toHaveLength(1);
    tf.dispose([images, labels]);
    disposeAll(trainer);
    disposeAll(plain);
  });
});
