// Seed article 003's image classifier: three Conv 3x3 + ReLU + MaxPool blocks, then
// Dense 512 + ReLU and a sigmoid unit (binary) or class logits.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, assertShape, resolveGenerator, type Generator } from '@tensorzoo/core';
import { imageShape, oneOf, positiveInteger, positiveIntegers } from './validate';

/** Options of {@link SimpleCNN}; every field is optional. */
export interface SimpleCNNConfig {
  /** One input image, channels last: `[height, width, channels]`. Default `[28, 28, 1]` (MNIST). */
  inputShape?: readonly [number, number, number];
  /** Output channels of the conv blocks, one block per entry. Default `[32, 64, 128]` (seed 003). */
  channels?: readonly number[];
  /** Square kernel side of every conv, odd for `'same'`. Default `3`. */
  kernelSize?: number;
  /** `'valid'` (no padding: Keras' `Conv2D` default, as in seed 003) or `'same'` (`kernelSize // 2` zeros). Default `'valid'`. */
  padding?: 'valid' | 'same';
  /** Units of the hidden dense layer. Default `512`. */
  hidden?: number;
  /** Number of classes. Default `10`, or `2` with `output: 'sigmoid'` (the only value it allows). */
  numClasses?: number;
  /**
   * `'logits'`: `numClasses` raw scores (train with `sparseCategoricalCrossEntropy(..., { fromLogits: true })`);
   * `'sigmoid'`: one unit through a sigmoid, the probability of the second class (train with
   * `binaryCrossEntropy`), as seed 003's `Dense(1, activation='sigmoid')`. Default `'logits'`.
   */
  output?: 'logits' | 'sigmoid';
  /** Randomness for the initial weights (PyTorch's default init): a Generator or a seed. Default: core's default generator. */
  rng?: Generator | number;
}

/** The resolved configuration of a {@link SimpleCNN} (every default filled in, no `rng`). */
export type ResolvedSimpleCNNConfig = Required<Omit<SimpleCNNConfig, 'rng' | 'inputShape' | 'channels'>> & {
  inputShape: [number, number, number];
  channels: number[];
};

/**
 * The convolutional classifier of seed article 003, configurable: per entry of `channels` a
 * block `Conv2d(kernelSize) -> ReLU -> MaxPool2d(2)`, then `Flatten -> Linear(hidden) -> ReLU
 * -> Linear(outputs)`, and a sigmoid for the binary head.
 *
 * Input `[N, height, width, channels]` float32 (NHWC, e.g. `[N, 28, 28, 1]` in [0, 1]) ->
 * output `[N, numClasses]` logits, or `[N, 1]` probabilities with `output: 'sigmoid'`.
 * With the defaults on 28x28 digits the feature maps are 26 -> 13 -> 11 -> 5 -> 3 -> 1, so the
 * dense layer sees 128 features (about 225k parameters in all).
 *
 * Parameter names equal the PyTorch reference `SimpleCNN` in `scripts/reference/cnn.py`
 * (`features.0.weight` `[32, 1, 3, 3]`, ..., `classifier.1.weight`, `classifier.3.weight`).
 *
 * @throws ArgumentError when a config value is invalid or the image is too small for the blocks.
 * @example
 * ```ts
 * const model = new SimpleCNN({ rng: 0 });                                       // 10-way digits
 * model.call(tf.zeros([8, 28, 28, 1])).shape;                                    // [8, 10]
 * const binary = new SimpleCNN({ output: 'sigmoid', rng: 0 });                   // seed 003
 * binary.call(tf.zeros([8, 28, 28, 1])).shape;                                   // [8, 1], in (0, 1)
 * ```
 */
export class SimpleCNN extends Module {
  static override readonly moduleName: string = 'SimpleCNN';
  /** The configuration, every default filled in. */
  readonly config: ResolvedSimpleCNNConfig;
  /** Conv blocks: `[Conv2d, ReLU, MaxPool2d]` per entry of `channels` (children 0, 3, 6, ... hold weights). */
  features: Sequential;
  /** `Flatten -> Linear(hidden) -> ReLU -> Linear(outputs)`. */
  classifier: Sequential;

  constructor(config: SimpleCNNConfig = {}) {
    super();
    const where = 'SimpleCNN';
    const output = oneOf(where, 'output', config.output ?? 'logits', ['logits', 'sigmoid'] as const);
    const numClasses = positiveInteger(where, 'numClasses', config.numClasses ?? (output === 'sigmoid' ? 2 : 10));
    if (output === 'sigmoid' && numClasses !== 2) {
      throw new ArgumentError('bad-argument', `${where}: output 'sigmoid' is a binary head and needs numClasses 2, received ${numClasses}; use output 'logits' for more classes.`);
    }
    if (output === 'logits' && numClasses < 2) {
      throw new ArgumentError('bad-argument', `${where}: numClasses (${numClasses}) must be at least 2.`);
    }
    this.config = {
      inputShape: imageShape(where, config.inputShape ?? [28, 28, 1]),
      channels: positiveIntegers(where, 'channels', config.channels ?? [32, 64, 128]),
      kernelSize: positiveInteger(where, 'kernelSize', config.kernelSize ?? 3),
      padding: oneOf(where, 'padding', config.padding ?? 'valid', ['valid', 'same'] as const),
      hidden: positiveInteger(where, 'hidden', config.hidden ?? 512),
      numClasses,
      output,
    };
    const { inputShape, channels, kernelSize, padding, hidden } = this.config;
    if (padding === 'same' && kernelSize % 2 === 0) {
      throw new ArgumentError('bad-argument', `${where}: padding 'same' needs an odd kernelSize, received ${kernelSize}.`);
    }
    const rng = resolveGenerator(config.rng);
    const pad = padding === 'same' ? (kernelSize - 1) / 2 : 0;
    let [height, width, inChannels] = inputShape;
    const blocks = [];
    for (const [index, outChannels] of channels.entries()) {
      const convHeight = height + 2 * pad - kernelSize + 1;
      const convWidth = width + 2 * pad - kernelSize + 1;
      if (convHeight < 2 || convWidth < 2) {
        throw new ArgumentError(
          'bad-argument',
          `${where}: inputShape [${inputShape.join(', ')}] is too small for ${channels.length} conv blocks (kernel ${kernelSize}, padding '${padding}', pool 2): ` +
            `block ${index} would see a ${height}x${width} map; use larger images, fewer channels entries or padding 'same'.`,
        );
      }
      blocks.push(new Conv2d(inChannels, outChannels, kernelSize, { padding: pad, rng: rng.fork() }), new ReLU(), new MaxPool2d(2));
      [height, width, inChannels] = [Math.floor(convHeight / 2), Math.floor(convWidth / 2), outChannels];
    }
    this.features = new Sequential(...blocks);
    const outputs = output === 'sigmoid' ? 1 : numClasses;
    this.classifier = new Sequential(
      new Flatten(),
      new Linear(inChannels * height * width, hidden, { rng: rng.fork() }),
      new ReLU(),
      new Linear(hidden, outputs, { rng: rng.fork() }),
    );
  }

  /** The configuration with every default filled in (a copy; `new SimpleCNN(model.getConfig())` builds the same architecture). */
  getConfig(): ResolvedSimpleCNNConfig {
    return { ...this.config, inputShape: [...this.config.inputShape], channels: [...this.config.channels] };
  }

  /** Builds a SimpleCNN (fresh random weights) from {@link SimpleCNN.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: SimpleCNNConfig): SimpleCNN {
    return new SimpleCNN(config);
  }

  protected forward(images: tf.Tensor): tf.Tensor {
    const [height, width, channels] = this.config.inputShape;
    assertShape(this.path, 'images', images, [null, height, width, channels], 'float32');
    const features = this.features.call(images); // [N, h, w, channels.at(-1)]
    const scores = this.classifier.call(features); // [N, outputs]
    return this.config.output === 'sigmoid' ? tf.sigmoid(scores) : scores; // [N, 1] or [N, numClasses]
  }
}
