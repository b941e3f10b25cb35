// A small image classifier that judges generated images: how confident it is, which classes
// it sees, and the Fréchet distance of its hidden features to real images (a cheap FID for
// 28x28 digits). Used by dcgan-mnist; no dependency on the command itself.
import * as tf from '@tensorflow/tfjs-core';
import { Flatten, Linear, ReLU, Sequential, fit, type Generator } from '@tensorzoo/core';
import { sparseCategoricalCrossEntropy } from '@tensorzoo/losses';
import { adam } from '@tensorzoo/optimizers';
import { frechetDistance, gaussianOf } from './frechet';

/** What the judge says about a set of images. */
export interface Judgement {
  /** Mean over images of the largest softmax probability. */
  confidence: number;
  /** Images per predicted class. */
  histogram: number[];
  /** Their hidden-layer features, `[count * hidden]` row-major. */
  features: Float32Array;
  /** Number of images judged. */
  count: number;
}

/** Options of {@link ImageJudge}. */
export interface ImageJudgeOptions {
  /** Image shape `[height, width, channels]`. Default `[28, 28, 1]`. */
  imageShape?: readonly [number, number, number];
  /** Hidden units (the feature width of the Fréchet distance). */
  hidden: number;
  /** Classes. Default 10. */
  classes?: number;
  /** Initial weights and the training shuffle. */
  rng: Generator;
}

/** Images per forward pass when judging. */
const JUDGE_BATCH = 250;

/**
 * The judge: Flatten -> Linear(pixels, hidden) -> ReLU (the features) -> Linear(hidden, classes).
 *
 * @example
 * ```ts
 * const judge = new ImageJudge({ hidden: 64, rng: new Generator(0) });
 * await judge.train(images, labels, { epochs: 3, batchSize: 64, learningRate: 3e-3 }); // [N, 28, 28, 1], int32 [N]
 * const real = await judge.judge(testImages);
 * const fake = await judge.judge(generated);
 * judge.frechetDistance(fake, real); // lower is closer
 * judge.dispose();
 * ```
 */
export class ImageJudge {
  readonly features: Sequential;
  readonly head: Linear;
  /** Features and head, the model `train` fits. */
  readonly model: Sequential;
  readonly hidden: number;
  readonly classes: number;
  private readonly imageShape: readonly [number, number, number];
  private readonly rng: Generator;

  constructor(options: ImageJudgeOptions) {
    this.imageShape = options.imageShape ?? [28, 28, 1];
    this.hidden = options.hidden;
    this.classes = options.classes ?? 10;
    this.rng = options.rng;
    const pixels = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    this.features = new Sequential(new Flatten(), new Linear(pixels, this.hidden, { rng: this.rng }), new ReLU());
    this.head = new Linear(this.hidden, this.classes, { rng: this.rng });
    this.model = new Sequential(this.features, this.head);
  }

  /** Trains on `images` `[N, ...imageShape]` with int32 `labels` `[N]` (Adam, cross-entropy from logits), then switches to eval mode. */
  async train(images: tf.Tensor, labels: tf.Tensor, options: { epochs: number; batchSize: number; learningRate: number }): Promise<void> {
    const optimizer = adam({ lr: options.learningRate });
    try {
      await fit(this.model, { x: images, y: labels }, {
        loss: (yTrue, yPred) => sparseCategoricalCrossEntropy(yTrue, yPred, { fromLogits: true }),
        optimizer,
        epochs: options.epochs,
        batchSize: options.batchSize,
        rng: this.rng,
      });
    } finally {
      optimizer.dispose();
      this.model.eval();
    }
  }

  /** Fraction of `images` whose predicted class equals `labels` (int32 `[N]`). */
  async accuracy(images: tf.Tensor, labels: ArrayLike<number>): Promise<number> {
    const predictions = tf.tidy(() => tf.argMax(this.model.call(images), 1));
    const predicted = await predictions.data();
    predictions.dispose();
    let correct = 0;
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) correct++;
    return correct / predicted.length;
  }

  /** Classifies `images` `[n, ...imageShape]` in batches of 250: confidence, class histogram, features. */
  async judge(images: tf.Tensor): Promise<Judgement> {
    const count = images.shape[0];
    const [height, width, channels] = this.imageShape;
    const features = new Float32Array(count * this.hidden);
    const histogram = new Array<number>(this.classes).fill(0);
    let confidence = 0;
    for (let start = 0; start < count; start += JUDGE_BATCH) {
      const size = Math.min(JUDGE_BATCH, count - start);
      const [batchFeatures, probabilities] = tf.tidy(() => {
        const batch = tf.slice(images, [start, 0, 0, 0], [size, height, width, channels]);
        const h = this.features.call(batch); // [size, hidden]
        return [h, tf.softmax(this.head.call(h))];
      });
      features.set(await batchFeatures.data(), start * this.hidden);
      const p = await probabilities.data();
      for (let row = 0; row < size; row++) {
        let best = 0;
        for (let label = 1; label < this.classes; label++) if (p[row * this.classes + label] > p[row * this.classes + best]) best = label;
        histogram[best]++;
        confidence += p[row * this.classes + best];
      }
      tf.dispose([batchFeatures, probabilities]);
    }
    return { confidence: confidence / count, histogram, features, count };
  }

  /** Fréchet distance between the Gaussian fits of two judgements' features (the first `count` of `a` if given). */
  frechetDistance(a: Judgement, b: Judgement, count = a.count): number {
    const fit = (judgement: Judgement, rows: number) => gaussianOf(judgement.features.subarray(0, rows * this.hidden), rows, this.hidden);
    return frechetDistance(fit(a, count), fit(b, b.count));
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Entropy in bits of a class histogram (`log2(classes)` when uniform, 0 when one class).
 * @example
 * ```ts
 * entropyBits([5, 5]); // 1
 * ```
 */
export function entropyBits(histogram: readonly number[]): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  return -histogram.reduce((sum, count) => (count > 0 ? sum + (count / total) * Math.log2(count / total) : sum), 0);
}
