// A convolutional digit classifier (LeNet-5, widened) on the 8,000 MNIST training digits: the
// held-out accuracy on the 2,000 test digits, per digit, with a confusion matrix. The seed 003
// network itself runs in cnn-binary.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, type Batch, type Module } from '@tensorzoo/core';
import { LeNet5 } from '@tensorzoo/cnn';
import { loadMnist, type MnistDataset } from '@tensorzoo/datasets/mnist';
import { sparseCategoricalCrossEntropy } from '@tensorzoo/losses';
import { adam, cosineDecay } from '@tensorzoo/optimizers';
import type { Example } from '../example';

/**
 * Settings of the run. With 8,000 training digits, reaching 98% on the held-out 2,000 takes
 * more than plain training: the digits are shifted at random (more variety from the same
 * images) and the step size decays. In PyTorch this recipe gave 98.2-98.3% over the last
 * passes for two seeds (the paper's 6/16-channel LeNet-5 stopped at 97.9%).
 */
const CONFIG = {
  /** LeNet-5 with 16/32 conv channels and a 128-unit first dense layer (127k parameters). */
  model: { channels: [16, 32], hidden: [128, 84] } as const,
  batchSize: 64,
  /** Steps per epoch: 25 x 64 = 1,600 images drawn at random from the 8,000, so five epochs see about one pass. */
  stepsPerEpoch: 25,
  /** 75 epochs: about 15 passes over the training digits. */
  defaultEpochs: 75,
  /** Each training digit moves by up to this many pixels in x and y (zeros fill in). */
  maxShift: 2,
  /** Adam's step size, cosine-decayed to `finalLearningRate` over `defaultEpochs` (fixed, so a resumed run follows it). */
  learningRate: 2e-3,
  finalLearningRate: 1e-5,
  /** Test digits scored after every epoch for the curve (the first 500 of the class-interleaved order: 50 per digit). */
  curveImages: 500,
} as const;

const loss = (yTrue: tf.Tensor, logits: tf.Tensor) => sparseCategoricalCrossEntropy(yTrue, logits, { fromLogits: true });

/**
 * One epoch per loop: `steps` batches of `batchSize` images drawn without repetition from
 * `dataset` with `rng` (whose state the CLI checkpoints, so `--resume` draws the same ones),
 * each image moved by up to `maxShift` pixels. Each batch is disposed when the next is requested.
 */
export function imageEpochs(dataset: MnistDataset, options: { steps: number; batchSize: number; maxShift: number; rng: Generator }): Iterable<Batch> {
  const { steps, batchSize, maxShift, rng } = options;
  const [height, width, channels] = dataset.featureShape;
  const imageSize = height * width * channels;
  const labelSize = dataset.targets.length / dataset.size;
  return {
    *[Symbol.iterator]() {
      const order = rng.permutation(dataset.size);
      for (let step = 0; step < steps; step++) {
        const size = Math.min(batchSize, dataset.size);
        const images = new Float32Array(size * imageSize);
        const labels = dataset.targets instanceof Int32Array ? new Int32Array(size * labelSize) : new Float32Array(size * labelSize);
        for (let row = 0; row < size; row++) {
          const index = order[(step * batchSize + row) % dataset.size];
          const source = dataset.features.subarray(index * imageSize, (index + 1) * imageSize);
          shiftImage(source, images.subarray(row * imageSize, (row + 1) * imageSize), [height, width, channels], rng.integer(2 * maxShift + 1) - maxShift, rng.integer(2 * maxShift + 1) - maxShift);
          labels.set(dataset.targets.subarray(index * labelSize, (index + 1) * labelSize), row * labelSize);
        }
        const batch = {
          x: tf.tensor(images, [size, height, width, channels], 'float32'), // [b, 28, 28, 1]
          y: tf.tensor(labels, [size, ...dataset.targetShape], labels instanceof Int32Array ? 'int32' : 'float32'), // [b] or [b, 1]
        };
        try {
          yield batch;
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
      }
    },
  };
}

/** Copies `source` into `target` moved by `dy` rows and `dx` columns, zeros where nothing moves in. */
function shiftImage(source: Float32Array, target: Float32Array, [height, width, channels]: readonly number[], dy: number, dx: number): void {
  target.fill(0);
  for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
    const from = ((y - dy) * width + Math.max(0, -dx)) * channels;
    const to = (y * width + Math.max(0, dx)) * channels;
    target.set(source.subarray(from, from + (width - Math.abs(dx)) * channels), to);
  }
}

/** The first `count` images of `dataset` as tensors (x `[count, 28, 28, 1]`); the caller disposes them. */
export function firstImages(dataset: MnistDataset, count: number): Batch {
  const size = Math.min(count, dataset.size);
  const imageSize = dataset.features.length / dataset.size;
  const labelSize = dataset.targets.length / dataset.size;
  return {
    x: tf.tensor(dataset.features.subarray(0, size * imageSize), [size, ...dataset.featureShape], 'float32'),
    y: tf.tensor(dataset.targets.subarray(0, size * labelSize), [size, ...dataset.targetShape], dataset.targets instanceof Int32Array ? 'int32' : 'float32'),
  };
}

/**
 * Runs `model` in eval mode over every image of `dataset` (250 at a time) and returns the
 * predicted label of each: the arg-max of logits/probabilities, or `p >= 0.5` for one sigmoid unit.
 */
export async function predictLabels(model: Module, dataset: MnistDataset): Promise<Int32Array> {
  const wasTraining = model.training;
  model.eval();
  const predicted = new Int32Array(dataset.size);
  const imageSize = dataset.features.length / dataset.size;
  try {
    for (let start = 0; start < dataset.size; start += 250) {
      const size = Math.min(250, dataset.size - start);
      const labels = tf.tidy(() => {
        const x = tf.tensor(dataset.features.subarray(start * imageSize, (start + size) * imageSize), [size, ...dataset.featureShape], 'float32');
        const output = model.call(x); // [size, classes] or [size, 1]
        return output.shape[1] === 1 ? tf.cast(tf.greaterEqual(tf.reshape(output, [size]), 0.5), 'int32') : tf.argMax(output, 1);
      });
      predicted.set(await labels.data(), start);
      labels.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return predicted;
}

/** `matrix[true][predicted]` counts, for labels `0..classes-1`. */
export function confusionMatrix(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let index = 0; index < predicted.length; index++) matrix[trueLabels[index]][predicted[index]]++;
  return matrix;
}

/** Lines of a confusion matrix with row/column names, true classes down, predictions across. */
export function formatConfusion(matrix: number[][], names: readonly string[]): string[] {
  const width = Math.max(5, ...names.map((name) => name.length), ...matrix.flat().map((count) => String(count).length)) + 1;
  const corner = 'true \\ predicted';
  const label = Math.max(corner.length, ...names.map((name) => name.length)) + 2;
  const lines = [`${corner.padEnd(label)}${names.map((name) => name.padStart(width)).join('')}`];
  matrix.forEach((row, index) => lines.push(`${names[index].padEnd(label)}${row.map((count) => String(count).padStart(width)).join('')}`));
  return lines;
}

/** `tensorzoo train cnn-mnist`: a widened LeNet-5 on 8,000 MNIST digits, 2,000 held out. */
export const cnnMnist: Example = {
  name: 'cnn-mnist',
  description: 'LeNet-5 (16/32 channels) classifies MNIST digits, >= 98% on 2,000 held-out digits (Adam + cross-entropy, shifted digits)',
  defaultEpochs: CONFIG.defaultEpochs,
  async run({ seed, log, train }) {
    const rng = new Generator(seed);
    const [initRng, shuffleRng] = [rng.fork(), rng.fork()];
    const [trainSet, testSet] = await Promise.all([loadMnist(), loadMnist({ split: 'test' })]);
    const model = new LeNet5({ ...CONFIG.model, rng: initRng });
    log(`model: LeNet5 ${CONFIG.model.channels.join('/')} channels, ${CONFIG.model.hidden.join('/')} hidden (ReLU, max pooling): ${model.parameterCount()} parameters`);
    const totalSteps = CONFIG.defaultEpochs * CONFIG.stepsPerEpoch;
    const optimizer = adam({ lr: cosineDecay(CONFIG.learningRate, totalSteps, { minLr: CONFIG.finalLearningRate }) });
    const curve = firstImages(testSet, CONFIG.curveImages);
    const batches = imageEpochs(trainSet, { steps: CONFIG.stepsPerEpoch, batchSize: CONFIG.batchSize, maxShift: CONFIG.maxShift, rng: shuffleRng });
    try {
      await train(model, batches, { loss, optimizer, rng: shuffleRng, batchSize: CONFIG.batchSize, validationData: curve, validationLabel: `test (${curve.x.shape[0]} digits)` });
      const predicted = await predictLabels(model, testSet);
      const matrix = confusionMatrix(testSet.targets, predicted, 10);
      const correct = matrix.reduce((sum, row, index) => sum + row[index], 0);
      const accuracy = correct / testSet.size;
      const seen = optimizer.iterations * CONFIG.batchSize;
      log(`test accuracy: ${(accuracy * 100).toFixed(2)}% (${correct} / ${testSet.size} held-out digits) after ${optimizer.iterations} steps (${(seen / trainSet.size).toFixed(1)} passes over ${trainSet.size} training digits)`);
      log('confusion matrix (rows: true digit, columns: predicted):');
      for (const line of formatConfusion(matrix, testSet.classNames)) log(`  ${line}`);
      const perDigit = matrix.map((row, index) => row[index] / testSet.classCounts[index]);
      const hardest = perDigit.indexOf(Math.min(...perDigit));
      log(`hardest digit: ${hardest} (${(perDigit[hardest] * 100).toFixed(1)}% right)`);
      return { testAccuracy: accuracy, testErrors: testSet.size - correct, ...Object.fromEntries(perDigit.map((value, digit) => [`accuracyDigit${digit}`, value])) };
    } finally {
      tf.dispose([curve.x, curve.y]);
      model.dispose();
      optimizer.dispose();
    }
  },
};
