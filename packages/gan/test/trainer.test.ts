import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, CheckpointError, Generator, TrainingError, decodeCheckpoint } from '@tensorzoo/core';
import { adam, sgd } from '@tensorzoo/optimizers';
import {
  DCGANDiscriminator,
  DCGANGenerator,
  GANPair,
  GANTrainer,
  hingeGANLoss,
  nonSaturatingGANLoss,
  wassersteinGPLoss,
  type GANLoss,
  type GANTrainerOptions,
} from '../src/index';

/** Tiny networks: z 4 -> 8x8x1 images; D with 2 and 3 channels. */
function tinyTrainer(overrides: Partial<GANTrainerOptions> = {}, logits = false): GANTrainer {
  return new GANTrainer({
    generator: new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8, batchNorm: true, rng: 1 }),
    discriminator: new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], stride: 2, outputActivation: logits ? 'none' : 'sigmoid', rng: 2 }),
    generatorOptimizer: adam({ lr: 2e-3, betas: [0.5, 0.999] }),
    discriminatorOptimizer: adam({ lr: 2e-3, betas: [0.5, 0.999] }),
    rng: 3,
    sampleCount: 4,
    ...overrides,
  });
}

/** A fixed list of "real" batches [2, 8, 8, 1] in [-1, 1]. */
function realBatches(count: number): tf.Tensor[] {
  const rng = new Generator(9);
  return Array.from({ length: count }, () => tf.tensor4d(rng.uniformArray(2 * 64, -1, 1), [2, 8, 8, 1]));
}

function disposeTrainer(trainer: GANTrainer): void {
  trainer.generator.dispose();
  trainer.discriminator.dispose();
  trainer.generatorOptimizer.dispose();
  trainer.discriminatorOptimizer.dispose();
}

/** Software GPUs (SwiftShader) compile a shader per op and run a step in ~1 s: fewer steps there. */
const quick = () => tf.getBackend() !== 'cpu';

describe('GANTrainer', () => {
  it('alternates updates, reports losses and samples, and leaks no tensors', async () => {
    const trainer = tinyTrainer();
    const batches = realBatches(4);
    await trainer.train(batches.slice(0, 1), { steps: 1 }); // creates the optimizer slots
    const before = tf.memory().numTensors;
    const sampled: number[] = [];
    const steps: number[] = [];
    const history = await trainer.train(batches.slice(1), {
      steps: 4,
      sampleEvery: 2,
      onStep: ({ step }) => void steps.push(step),
      onSamples: async (images, step) => {
        expect(images.shape).toEqual([4, 8, 8, 1]);
        sampled.push(step);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(steps).toEqual([2, 3, 4]);
    expect(sampled).toEqual([2, 4]);
    expect(trainer.step).toBe(4);
    expect(trainer.generatorOptimizer.iterations).toBe(4);
    expect(trainer.discriminatorOptimizer.iterations).toBe(4);
    expect(history.generatorLoss.every(Number.isFinite) && history.discriminatorLoss.every(Number.isFinite)).toBe(true);
    expect(history.realScore.every((p) => p > 0 && p < 1)).toBe(true);
    tf.dispose(batches);
    disposeTrainer(trainer);
  });

  it('fixed-noise samples are the same for two trainers built alike', async () => {
    const [a, b] = [tinyTrainer(), tinyTrainer()];
    const [samplesA, samplesB] = [a.samples(), b.samples()];
    expect(Array.from(await samplesA.data())).toEqual(Array.from(await samplesB.data()));
    tf.dispose([samplesA, samplesB]);
    disposeTrainer(a);
    disposeTrainer(b);
  });

  it('save -> load into a fresh trainer continues the exact same run', async () => {
    const total = quick() ? 2 : 4;
    const half = total / 2;
    const batches = realBatches(total);
    const straight = tinyTrainer();
    const full = await straight.train(batches, { steps: total });

    const first = tinyTrainer();
    const head = await first.train(batches.slice(0, half), { steps: half });
    const bytes = await first.save({ metadata: { note: 'half way' }, epoch: 1 });
    disposeTrainer(first);
    const resumed = tinyTrainer();
    const info = await resumed.load(bytes);
    expect(info.step).toBe(half);
    expect(info.epoch).toBe(1);
    expect(info.metadata.note).toBe('half way');
    expect(resumed.step).toBe(half);
    const tail = await resumed.train(batches.slice(half), { steps: total });

    expect([...head.generatorLoss, ...tail.generatorLoss]).toEqual(full.generatorLoss);
    expect([...head.discriminatorLoss, ...tail.discriminatorLoss]).toEqual(full.discriminatorLoss);
    const expected = straight.pair.namedVariables();
    const actual = resumed.pair.namedVariables();
    expect(actual.map(([name]) => name)).toEqual(expected.map(([name]) => name));
    for (let i = 0; i < expected.length; i++) {
      expect(Array.from(await actual[i][1].data()), expected[i][0]).toEqual(Array.from(await expected[i][1].data()));
    }
    tf.dispose(batches);
    disposeTrainer(straight);
    disposeTrainer(resumed);
  });

  it('one checkpoint file holds both networks and both optimizers under prefixes', async () => {
    const trainer = tinyTrainer();
    const batches = realBatches(1);
    await trainer.train(batches, { steps: 1 });
    const bytes = await trainer.save();
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)))));
    const names = Object.keys(header).filter((name) => name !== '__metadata__');
    expect(names).toContain('generator.layers.0.weight');
    expect(names).toContain('discriminator.layers.0.weight');
    expect(names).toContain('generator.layers.1.running_mean');
    expect(names).toContain('optimizer/generator.layers.0.weight.exp_avg');
    expect(names).toContain('optimizer/discriminator.layers.5.bias.exp_avg_sq');
    // Weights alone load into a GANPair (e.g. for sampling), without optimizers.
    const pair = new GANPair(
      new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8, batchNorm: true, rng: 5 }),
      new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], stride: 2, rng: 6 }),
    );
    await decodeCheckpoint(bytes, pair);
    const z = tf.randomNormal([2, 4], 0, 1, 'float32', 1);
    pair.eval();
    trainer.pair.eval();
    const [a, b] = [pair.call(z), trainer.pair.call(z)];
    expect(a.shape).toEqual([2, 1]);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    // A checkpoint of other networks is rejected before anything changes.
    const other = new GANTrainer({
      generator: new DCGANGenerator({ latentDim: 4, channels: [3, 2], imageSize: 8, rng: 1 }),
      discriminator: new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], stride: 2, rng: 2 }),
      generatorOptimizer: adam(),
      discriminatorOptimizer: adam(),
    });
    await expect(other.load(bytes)).rejects.toThrow(CheckpointError);
    tf.dispose([z, a, b, ...batches]);
    pair.dispose();
    disposeTrainer(trainer);
    disposeTrainer(other);
  });

  it('trains with the hinge loss and with WGAN-GP (several critic steps, second-order gradients)', async () => {
    for (const [loss, discriminatorSteps] of [[hingeGANLoss(), 1], [wassersteinGPLoss(), 2]] as Array<[GANLoss, number]>) {
      const trainer = tinyTrainer({ loss, discriminatorSteps }, true);
      const batches = realBatches(4);
      const history = await trainer.train(batches, { steps: 2 });
      expect(history.generatorLoss).toHaveLength(2);
      expect(trainer.discriminatorOptimizer.iterations).toBe(2 * discriminatorSteps);
      expect([...history.generatorLoss, ...history.discriminatorLoss].every(Number.isFinite)).toBe(true);
      tf.dispose(batches);
      disposeTrainer(trainer);
    }
  });

  it('stops at the end of the batches, on abort, and on a non-finite loss', async () => {
    const trainer = tinyTrainer();
    const batches = realBatches(2);
    const history = await trainer.train(batches, { steps: 10 });
    expect(history.generatorLoss).toHaveLength(2);
    const controller = new AbortController();
    controller.abort();
    await expect(trainer.train(batches, { steps: 10, signal: controller.signal })).rejects.toThrow(TrainingError);
    tf.dispose(batches);
    disposeTrainer(trainer);
    // A loss that turns NaN (multiplying by NaN is NaN on every backend; NaN pixels are not:
    // GPU max/min may drop them).
    const exploding: GANLoss = { ...nonSaturatingGANLoss(), discriminatorLoss: ({ realScores }) => tf.mul(tf.mean(realScores), NaN) as tf.Scalar };
    const broken = tinyTrainer({ loss: exploding });
    const before = await broken.pair.namedParameters()[0][1].data();
    const real = realBatches(1);
    const error = await broken.train(real, { steps: 10 }).catch((caught: unknown) => caught);
    expect(TrainingError.isInstance(error) && error.code).toBe('non-finite-loss');
    expect(Array.from(await broken.pair.namedParameters()[0][1].data())).toEqual(Array.from(before));
    tf.dispose(real);
    disposeTrainer(broken);
  });

  it('rejects a loss that does not fit the discriminator output and other bad options', () => {
    const make = (loss: GANLoss, logits: boolean) => () => disposeTrainer(tinyTrainer({ loss }, logits));
    expect(make(hingeGANLoss(), false)).toThrow(/needs raw scores \(logits\) but the discriminator ends with a sigmoid/);
    expect(make(nonSaturatingGANLoss(), true)).toThrow(/use nonSaturatingGANLoss\(\{ fromLogits: true \}\)/);
    const optimizer = sgd({ lr: 0.1 });
    expect(() => tinyTrainer({ generatorOptimizer: optimizer, discriminatorOptimizer: optimizer })).toThrow(ArgumentError);
    expect(() => tinyTrainer({ discriminatorSteps: 0 })).toThrow(/GANTrainer: discriminatorSteps \(0\)/);
  });

  it('ema: averages the generator with the warm-up decay, samples from the average and round-trips it in the checkpoint', async () => {
    const trainer = tinyTrainer({ ema: { decay: 0.9 } });
    const averaged = trainer.generatorEma!;
    expect(averaged).toBeDefined();
    expect(averaged).not.toBe(trainer.generator);
    const read = async (module: typeof averaged) =>
      Promise.all(module.namedVariables().map(async ([name, variable]) => [name, Array.from(await variable.data())] as const));
    // Starts as a copy of the generator.
    expect(await read(averaged)).toEqual(await read(trainer.generator));
    const parameterNames = new Set(trainer.generator.namedParameters().map(([name]) => name));
    const batches = realBatches(3);
    let previousAverage = await read(averaged);
    for (let step = 1; step <= 3; step++) {
      await trainer.train([batches[step - 1]], { steps: step });
      const decay = Math.min(0.9, (1 + step) / (10 + step)); // 2/11, 3/12, 4/13: the warm-up
      const weights = new Map(await read(trainer.generator));
      const average = await read(averaged);
      average.forEach(([name, values], entry) => {
        const current = weights.get(name)!;
        const before = previousAverage[entry][1];
        // Parameters move towards the weights by (1 - d); buffers are copies.
        const expected = parameterNames.has(name) ? before.map((value, i) => value + (current[i] - value) * (1 - decay)) : current;
        values.forEach((value, i) => expect(Math.abs(value - expected[i]), `${name}[${i}] at step ${step}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(expected[i]))));
      });
      previousAverage = average;
    }
    // samples() draws from the average: the generator itself gives different images.
    const samples = trainer.samples();
    trainer.generator.eval();
    averaged.eval();
    const z = tf.randomNormal([4, 4], 0, 1, 'float32', 7);
    const [fromAverage, fromGenerator] = [averaged.call(z), trainer.generator.call(z)];
    expect(Array.from(await fromAverage.data())).not.toEqual(Array.from(await fromGenerator.data()));
    // The checkpoint holds the average under generatorEma.* and a resumed trainer restores it exactly.
    const bytes = await trainer.save();
    const resumed = tinyTrainer({ ema: { decay: 0.9 } });
    await resumed.load(bytes);
    expect(await read(resumed.generatorEma!)).toEqual(await read(averaged));
    const resumedSamples = resumed.samples();
    expect(Array.from(await resumedSamples.data())).toEqual(Array.from(await samples.data()));
    // A trainer without ema refuses the file instead of dropping the average silently.
    const plain = tinyTrainer();
    await expect(plain.load(bytes)).rejects.toThrow(/generatorEma/);
    tf.dispose([samples, z, fromAverage, fromGenerator, resumedSamples, ...batches]);
    for (const each of [trainer, resumed, plain]) {
      each.dispose();
      disposeTrainer(each);
    }
  });

  it('ema: leaks no tensors per step and rejects a bad decay or a different architecture', async () => {
    const trainer = tinyTrainer({ ema: { decay: 0.999 } });
    const batches = realBatches(4);
    await trainer.train(batches.slice(0, 1), { steps: 1 });
    const before = tf.memory().numTensors;
    await trainer.train(batches.slice(1), { steps: 4 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(batches);
    trainer.dispose();
    disposeTrainer(trainer);
    for (const decay of [0, 1, 1.5, Number.NaN]) {
      expect(() => tinyTrainer({ ema: { decay } })).toThrow(/ema\.decay must be a number in \(0, 1\)/);
    }
    const other = new DCGANGenerator({ latentDim: 4, channels: [3, 2], imageSize: 8, batchNorm: true, rng: 1 });
    expect(() => tinyTrainer({ ema: { decay: 0.9, generator: other } })).toThrow(/ema\.generator must have the generator's architecture; its "layers\.0\.weight" is \[/);
    other.dispose();
  });
});
