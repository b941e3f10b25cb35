// Regression (seed article 000): the 1-16-1 sigmoid network of `tensorzoo train regression`
// learns y = 2x + 1; every step sends the fitted line to the page.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, Linear, Sequential, Sigmoid, decodeCheckpoint, encodeModel, type Optimizer } from '@tensorzoo/core';
import { linearRegressionData } from '@tensorzoo/datasets';
import { meanSquaredError } from '@tensorzoo/losses';
import { adam } from '@tensorzoo/optimizers';
import { fetchBytes, fitWithProgress, type ModelFactory, type ScreenModel, type TrainContext } from './model';

const HIDDEN = 16;
const BATCH_SIZE = 32;
const LEARNING_RATE = 0.05;
/** Where the line is drawn: x = -1, -0.95, ..., 1. */
const GRID = Float32Array.from({ length: 41 }, (_, index) => -1 + index / 20);

class RegressionModel implements ScreenModel {
  private readonly model: Sequential;
  private optimizer: Optimizer = adam({ lr: LEARNING_RATE });
  private readonly data;
  private readonly rng = new Generator(3);
  private step = 0;

  constructor() {
    const initRng = new Generator(4);
    this.model = new Sequential(new Linear(1, HIDDEN, { rng: initRng }), new Sigmoid(), new Linear(HIDDEN, 1, { rng: initRng }));
    this.data = linearRegressionData({ n: 256, slope: 2, intercept: 1, noiseStd: 0.05, xRange: [-1, 1], rng: new Generator(5) });
  }

  info() {
    return { description: `1-${HIDDEN}-1 sigmoid network, ${this.model.parameterCount()} parameters, fitting y = 2x + 1`, step: this.step };
  }

  /** The points (x, y) of the training data and the model's line on {@link GRID}. */
  async infer(): Promise<{ x: number[]; line: number[]; pointsX: number[]; pointsY: number[] }> {
    return { x: Array.from(GRID), line: await this.line(), pointsX: Array.from(this.data.features), pointsY: Array.from(this.data.targets) };
  }

  private async line(): Promise<number[]> {
    const output = tf.tidy(() => this.model.call(tf.tensor2d(GRID, [GRID.length, 1])));
    const values = Array.from(await output.data());
    output.dispose();
    return values;
  }

  async train(steps: number, { signal, report }: TrainContext): Promise<void> {
    const { features, targets, size } = this.data;
    const rng = this.rng;
    const batches = {
      *[Symbol.iterator]() {
        for (let index = 0; index < steps; index++) {
          const rows = Array.from({ length: BATCH_SIZE }, () => rng.integer(size));
          const batch = { x: tf.tensor2d(rows.map((row) => features[row]), [BATCH_SIZE, 1]), y: tf.tensor2d(rows.map((row) => targets[row] as number), [BATCH_SIZE, 1]) };
          try {
            yield batch;
          } finally {
            tf.dispose([batch.x, batch.y]);
          }
        }
      },
    };
    await fitWithProgress(this.model, batches, { loss: meanSquaredError, optimizer: this.optimizer }, { signal, report }, async (info) => ({
      step: ++this.step,
      loss: info.loss, metrics: {}, samplesPerSecond: info.samplesPerSecond, extra: { line: await this.line() },
    }));
  }

  save(): Promise<Uint8Array> {
    return encodeModel(this.model, { optimizer: this.optimizer, step: this.step });
  }

  async load(bytes: Uint8Array): Promise<void> {
    const info = await decodeCheckpoint(bytes, this.model);
    this.optimizer.dispose();
    this.optimizer = adam({ lr: LEARNING_RATE });
    this.step = info.step;
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

export const createRegressionModel: ModelFactory = async ({ weights, baseUrl }) => {
  const model = new RegressionModel();
  if (weights === 'pretrained') await model.load(await fetchBytes(baseUrl, 'models/regression.safetensors'));
  return model;
};
