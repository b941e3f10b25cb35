// DCGAN: the class-conditional generator of `tensorzoo train dcgan-mnist` draws the digits it
// is asked for; "train here" runs the same recipe (non-saturating loss, projection
// discriminator, Adam 2e-4 / beta1 0.5, batch 64) on the 2,000 shipped digits and their labels
// and sends the fixed-noise grid (one digit per column) every few steps.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, decodeCheckpoint } from '@tensorzoo/core';
import { DCGANDiscriminator, DCGANGenerator, GANTrainer, nonSaturatingGANLoss } from '@tensorzoo/gan';
import { adam } from '@tensorzoo/optimizers';
import { fetchBytes, isAbort, modelMetadata, yieldToEvents, type ModelFactory, type ScreenModel, type TrainContext } from './model';
import { gatherPixels, loadDigits } from './mnist-data';
import { DCGAN_SAMPLE_EVERY as SAMPLE_EVERY } from '../protocol';

/** The dcgan-mnist example's networks (packages/cli/src/examples/dcgan-mnist.ts). */
const GENERATOR = { latentDim: 100, channels: [48, 24], kernelSize: 4, batchNorm: true, numClasses: 10 };
const DISCRIMINATOR = { channels: [16, 32], kernelSize: 4, stride: 2, outputActivation: 'none' as const, numClasses: 10 };
/** Fixed-noise samples of the training grid: 10 rows of the digits 0-9. */
export const DCGAN_GRID_COUNT = 100;
const BATCH_SIZE = 64;
/** The example's moving average of the generator's weights: what the grid draws. */
const EMA_DECAY = 0.999;


/** What the page asks for: `count` samples from noise of `seed`, all of `digit`, or the digits 0-9 in turn when it is absent. */
export interface DcganRequest {
  count: number;
  seed: number;
  digit?: number;
}

class DcganModel implements ScreenModel {
  private generator = new DCGANGenerator({ ...GENERATOR, rng: 13 });
  private discriminator = new DCGANDiscriminator({ ...DISCRIMINATOR, rng: 14 });
  private trainer = this.newTrainer();
  /** Steps of the loaded checkpoint (the trainer counts this session's). */
  private loadedStep = 0;

  constructor(private readonly baseUrl: string) {}

  private newTrainer(): GANTrainer {
    const options = { lr: 2e-4, betas: [0.5, 0.999] as [number, number] };
    return new GANTrainer({
      generator: this.generator,
      discriminator: this.discriminator,
      generatorOptimizer: adam(options),
      discriminatorOptimizer: adam(options),
      loss: nonSaturatingGANLoss({ fromLogits: true }),
      rng: 15,
      sampleCount: DCGAN_GRID_COUNT,
      ema: { decay: EMA_DECAY },
    });
  }

  /** The averaged generator (the trainer's `ema`): the one that draws. */
  private sampler(): DCGANGenerator {
    return this.trainer.generatorEma as DCGANGenerator;
  }

  info() {
    return {
      description: `class-conditional DCGAN: generator [z 100, one-hot digit] -> 7x7x48 -> 14x14x24 -> 28x28 (${this.generator.parameterCount().toLocaleString('en')} parameters), projection discriminator ${this.discriminator.parameterCount().toLocaleString('en')} parameters`,
      step: this.loadedStep + this.trainer.step,
    };
  }

  /** `count` generated digits `[count * 784]` in [0, 1]. */
  async infer(input: unknown): Promise<{ images: Float32Array; count: number }> {
    const { count, seed, digit } = input as DcganRequest;
    const sampler = this.sampler();
    sampler.eval();
    const noise = new Generator(seed).normalArray(count * GENERATOR.latentDim);
    const digits = Int32Array.from({ length: count }, (_, index) => digit ?? index % GENERATOR.numClasses);
    const images = tf.tidy(() => {
      const generated = sampler.call(tf.tensor2d(noise, [count, GENERATOR.latentDim]), { labels: tf.tensor1d(digits, 'int32') });
      return tf.div(tf.add(generated, 1), 2);
    });
    const values = (await images.data()) as Float32Array;
    images.dispose();
    return { images: values, count };
  }

  async train(steps: number, { signal, report }: TrainContext): Promise<void> {
    const { train } = await loadDigits(this.baseUrl);
    const rng = new Generator(16 + this.trainer.step);
    function* realBatches() {
      for (;;) {
        const rows = Array.from({ length: BATCH_SIZE }, () => rng.integer(train.size));
        const images = tf.tensor4d(gatherPixels(train, rows, (value) => value * 2 - 1), [BATCH_SIZE, 28, 28, 1]);
        const labels = tf.tensor1d(Int32Array.from(rows, (row) => train.labels[row]), 'int32');
        try {
          yield { images, labels };
        } finally {
          tf.dispose([images, labels]);
        }
      }
    }
    let grid: Float32Array | undefined;
    try {
      await this.trainer.train(realBatches(), {
        steps: this.trainer.step + steps,
        sampleEvery: SAMPLE_EVERY,
        signal,
        onSamples: async (images) => {
          const scaled = tf.tidy(() => tf.div(tf.add(images, 1), 2));
          grid = (await scaled.data()) as Float32Array;
          scaled.dispose();
        },
        onStep: async (info) => {
          // onSamples runs after onStep for the same step: the grid goes with the next report.
          report({
            step: info.step,
            loss: info.discriminatorLoss,
            metrics: { generatorLoss: info.generatorLoss },
            samplesPerSecond: BATCH_SIZE / info.seconds,
            extra: grid ? { grid, count: DCGAN_GRID_COUNT } : undefined,
          });
          grid = undefined;
          await yieldToEvents();
        },
      });
    } catch (error) {
      if (!isAbort(error)) throw error;
    } finally {
      this.generator.eval();
    }
    if (grid) report({ step: this.trainer.step, loss: NaN, metrics: {}, samplesPerSecond: 0, extra: { grid, count: DCGAN_GRID_COUNT } });
  }

  save(): Promise<Uint8Array> {
    return this.trainer.save({ metadata: modelMetadata('DCGAN', { generator: GENERATOR, discriminator: DISCRIMINATOR }) });
  }

  async load(bytes: Uint8Array): Promise<void> {
    // Weights only (the shipped file has no optimizer state): a fresh trainer around the loaded pair.
    const info = await decodeCheckpoint(bytes, this.trainer.pair);
    this.loadedStep = info.step - this.trainer.step;
  }

  dispose(): void {
    this.trainer.dispose();
    this.generator.dispose();
    this.discriminator.dispose();
    this.trainer.generatorOptimizer.dispose();
    this.trainer.discriminatorOptimizer.dispose();
  }
}

export const createDcganModel: ModelFactory = async ({ weights, baseUrl }) => {
  const model = new DcganModel(baseUrl);
  if (weights === 'pretrained') await model.load(await fetchBytes(baseUrl, 'models/dcgan-mnist.safetensors'));
  return model;
};
