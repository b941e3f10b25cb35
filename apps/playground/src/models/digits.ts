// Digits: the widened LeNet-5 of `tensorzoo train cnn-mnist` classifies a drawn digit; "train
// here" fits a fresh one on the 2,000 shipped training digits with Adam.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, decodeCheckpoint, encodeModel, type Batch } from '@tensorzoo/core';
import { LeNet5 } from '@tensorzoo/cnn';
import { sparseCategoricalCrossEntropy } from '@tensorzoo/losses';
import { adam } from '@tensorzoo/optimizers';
import type { Optimizer } from '@tensorzoo/core';
import { fetchBytes, fitWithProgress, type ModelFactory, type ScreenModel, type TrainContext } from './model';
import { PIXELS, gatherPixels, loadDigits } from './mnist-data';

/** The cnn-mnist example's network (packages/cli/src/examples/cnn-mnist.ts). */
const CONFIG = { channels: [16, 32], hidden: [128, 84] } as const;
const BATCH_SIZE = 32;
const LEARNING_RATE = 2e-3;

const loss = (yTrue: tf.Tensor, logits: tf.Tensor) => sparseCategoricalCrossEntropy(yTrue, logits, { fromLogits: true });
const accuracy = (yTrue: tf.Tensor, logits: tf.Tensor) =>
  tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(yTrue, 'int32')), 'float32')) as tf.Scalar);

class DigitsModel implements ScreenModel {
  private readonly model = new LeNet5({ ...CONFIG, rng: 1 });
  private optimizer: Optimizer = adam({ lr: LEARNING_RATE });
  private readonly rng = new Generator(2);
  private step = 0;

  constructor(private readonly baseUrl: string) {}

  info() {
    return { description: `LeNet-5 (${CONFIG.channels.join('/')} channels), ${this.model.parameterCount().toLocaleString('en')} parameters`, step: this.step };
  }

  async infer(input: unknown): Promise<number[]> {
    const pixels = input as Float32Array; // [784] in [0, 1]
    this.model.eval();
    const probabilities = tf.tidy(() => tf.softmax(this.model.call(tf.tensor4d(pixels, [1, 28, 28, 1]))));
    const values = Array.from(await probabilities.data());
    probabilities.dispose();
    return values;
  }

  async train(steps: number, { signal, report }: TrainContext): Promise<void> {
    const { train, test } = await loadDigits(this.baseUrl);
    const rng = this.rng;
    const batches: Iterable<Batch> = {
      *[Symbol.iterator]() {
        for (let index = 0; index < steps; index++) {
          const rows = Array.from({ length: BATCH_SIZE }, () => rng.integer(train.size));
          const batch = { x: tf.tensor4d(gatherPixels(train, rows), [BATCH_SIZE, 28, 28, 1]), y: tf.tensor1d(rows.map((row) => train.labels[row]), 'int32') };
          try {
            yield batch;
          } finally {
            tf.dispose([batch.x, batch.y]);
          }
        }
      },
    };
    this.model.train();
    try {
      await fitWithProgress(this.model, batches, { loss, optimizer: this.optimizer, metrics: { accuracy } }, { signal, report }, async (info) => ({
        step: ++this.step,
        loss: info.loss, metrics: { accuracy: info.metrics.accuracy }, samplesPerSecond: info.samplesPerSecond,
      }));
    } finally {
      this.model.eval();
    }
    // Held-out accuracy on the 500 shipped test digits after each run.
    const predicted = tf.tidy(() => tf.argMax(this.model.call(tf.tensor4d(test.pixels, [test.size, 28, 28, 1])), 1));
    const labels = Array.from(await predicted.data());
    predicted.dispose();
    const correct = labels.reduce((sum, label, index) => sum + (label === test.labels[index] ? 1 : 0), 0);
    report({ step: this.step, loss: NaN, metrics: {}, samplesPerSecond: 0, extra: { testAccuracy: correct / test.size } });
  }

  save(): Promise<Uint8Array> {
    return encodeModel(this.model, { optimizer: this.optimizer, step: this.step });
  }

  async load(bytes: Uint8Array): Promise<void> {
    const info = await decodeCheckpoint(bytes, this.model);
    this.optimizer.dispose();
    this.optimizer = adam({ lr: LEARNING_RATE }); // the shipped files carry no optimizer state
    this.step = info.step;
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

export const createDigitsModel: ModelFactory = async ({ weights, baseUrl }) => {
  const model = new DigitsModel(baseUrl);
  if (weights === 'pretrained') await model.load(await fetchBytes(baseUrl, 'models/cnn-mnist.safetensors'));
  return model;
};
export { PIXELS };
