// Node project only: atomic-load and finite-weight logic is backend-independent, and reading
// optimizer slot snapshots back on webgpu in Node needs OffscreenCanvas (absent there).
// Issue 10 items 2 and 5 for GANTrainer: an update that leaves non-finite weights stops
// training, and a checkpoint whose discriminator part is bad changes nothing on load.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CheckpointError, TrainingError, decodeSafetensors, encodeSafetensors, type Optimizer } from '@tensorzoo/core';
import { adam } from '@tensorzoo/optimizers';
import { DCGANDiscriminator, DCGANGenerator, GANTrainer } from '../src/index';

function tinyTrainer(discriminatorOptimizer: Optimizer = adam({ lr: 2e-3, betas: [0.5, 0.999] })): GANTrainer {
  return new GANTrainer({
    generator: new DCGANGenerator({ latentDim: 4, channels: [4, 2], imageSize: 8, batchNorm: true, rng: 1 }),
    discriminator: new DCGANDiscriminator({ imageSize: 8, channels: [2, 3], stride: 2, rng: 2 }),
    generatorOptimizer: adam({ lr: 2e-3, betas: [0.5, 0.999] }),
    discriminatorOptimizer,
    rng: 3,
    sampleCount: 2,
  });
}

function disposeTrainer(trainer: GANTrainer): void {
  trainer.generator.dispose();
  trainer.discriminator.dispose();
  trainer.generatorOptimizer.dispose();
  trainer.discriminatorOptimizer.dispose();
}

const real = () => tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 5);

async function weights(trainer: GANTrainer): Promise<number[][]> {
  const modules = [trainer.generator, trainer.discriminator] as unknown as Array<{ namedVariables(): Array<[string, tf.Variable]> }>;
  return Promise.all(modules.flatMap((module) => module.namedVariables().map(async ([, variable]) => Array.from(await variable.data()))));
}

async function optimizerState(optimizer: Optimizer): Promise<string> {
  const state = optimizer.getState();
  const tensors = await Promise.all(Object.entries(state.tensors).sort().map(async ([name, tensor]) => [name, Array.from(await tensor.data())]));
  tf.dispose(Object.values(state.tensors));
  return JSON.stringify({ tensors, scalars: state.scalars });
}

describe('GANTrainer reliability', () => {
  it('stops with a TrainingError naming the parameter when an update leaves infinite weights', async () => {
    const exploding = adam({ lr: 2e-3 });
    const overflowing: Optimizer = {
      get iterations() {
        return exploding.iterations;
      },
      step(parameters, gradients) {
        exploding.step(parameters, gradients);
        const [first] = Object.values(parameters);
        first.assign(tf.fill(first.shape, Infinity));
      },
      getState: () => exploding.getState(),
      setState: (state) => exploding.setState(state),
      dispose: () => exploding.dispose(),
    };
    const trainer = tinyTrainer(overflowing);
    const batch = real();
    const error = await trainer.discriminatorStep(batch).catch((caught: unknown) => caught);
    expect(TrainingError.isInstance(error)).toBe(true);
    expect((error as TrainingError).code).toBe('non-finite-parameters');
    expect((error as TrainingError).message).toMatch(/^GANTrainer: after the discriminator update at step 1, parameter "[\w.]+" \[[\d, ]+\] holds Infinity/);
    batch.dispose();
    disposeTrainer(trainer);
  });

  it('a checkpoint with a bad discriminator part leaves weights and both optimizers unchanged', async () => {
    const source = tinyTrainer();
    const batch = real();
    await source.train([batch], { steps: 1 });
    const bytes = await source.save({ checksum: false });

    const target = tinyTrainer();
    await target.train([batch, batch], { steps: 2 });
    const before = [await weights(target), await optimizerState(target.generatorOptimizer), await optimizerState(target.discriminatorOptimizer)];

    const decoded = decodeSafetensors(bytes);
    const stored = JSON.parse(decoded.metadata.tensorzoo);
    stored.optimizer.discriminator.optimizer = 'sgd'; // refused by the discriminator's Adam, after the generator's was set
    const refused = encodeSafetensors(decoded.tensors, { ...decoded.metadata, tensorzoo: JSON.stringify(stored) });
    const error = await target.load(refused).catch((caught: unknown) => caught);
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect((error as CheckpointError).code).toBe('bad-optimizer-state');
    expect([await weights(target), await optimizerState(target.generatorOptimizer), await optimizerState(target.discriminatorOptimizer)]).toEqual(before);

    const missing = Object.assign(Object.create(null), decoded.tensors);
    delete missing[Object.keys(missing).find((name) => name.startsWith('optimizer/discriminator.') && name.endsWith('.exp_avg_sq'))!];
    const lost = encodeSafetensors(missing, decoded.metadata);
    const lostError = await target.load(lost).catch((caught: unknown) => caught);
    expect((lostError as CheckpointError).code).toBe('bad-optimizer-state');
    expect((lostError as CheckpointError).message).toContain('GANTrainer: discriminator optimizer');
    expect([await weights(target), await optimizerState(target.generatorOptimizer), await optimizerState(target.discriminatorOptimizer)]).toEqual(before);

    batch.dispose();
    [source, target].forEach(disposeTrainer);
  });
});
