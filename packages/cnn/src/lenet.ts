// LeNet-5 (LeCun et al., 1998) for 28x28 digits: the first conv pads by 2, which gives the
// 32x32 input of the paper.
import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Tanh, assertShape, resolveGenerator, type Generator } from '@tensorzoo/core';
import { imageShape, oneOf, positiveInteger, positiveIntegers } from './validate';

/** Options of {@link LeNet5}; every field is optional. */
export interface LeNet5Config {
  /** One input image, channels last: `[height, width, channels]`. Default `[28, 28, 1]`. */
  inputShape?: readonly [number, number, number];
  /** Output channels of `conv1` and `conv2`. Default `[6, 16]` (the paper). */
  channels?: readonly [number, number];
  /** Units of `fc1` and `fc2`. Default `[120, 84]` (the paper). */
  hidden?: readonly [number, number];
  /** Number of classes (`fc3`'s outputs, logits). Default `10`. */
  numClasses?: number;
  /** `'relu'` (modern) or `'tanh'` (the paper's squashing function). Default `'relu'`. */
  activation?: 'relu' | 'tanh';
  /** `'max'` (modern) or `'avg'` (the paper's subsampling, without its trainable scale). Default `'max'`. */
  pooling?: 'max' | 'avg';
  /** Randomness for the initial weights: a Generator or a seed. Default: core's default generator. */
  rng?: Generator | number;
}

/** The resolved configuration of a {@link LeNet5} (every default filled in, no `rng`). */
export type ResolvedLeNet5Config = Required<Omit<LeNet5Config, 'rng' | 'inputShape' | 'channels' | 'hidden'>> & {
  inputShape: [number, number, number];
  channels: [number, number];
  hidden: [number, number];
};

/**
 * LeNet-5: `conv1` 5x5 (padding 2) -> act -> pool 2 -> `conv2` 5x5 -> act -> pool 2 ->
 * flatten -> `fc1` -> act -> `fc2` -> act -> `fc3` (logits).
 *
 * Input `[N, height, width, channels]` float32 (NHWC) -> logits `[N, numClasses]`. On 28x28
 * images the maps are 28 -> 14 -> 10 -> 5, so `fc1` sees 16·5·5 = 400 features (61,706
 * parameters with the defaults). Names equal the PyTorch reference `LeNet5` in
 * `scripts/reference/cnn.py`: `conv1.weight` `[6, 1, 5, 5]`, ..., `fc3.bias`.
 *
 * @throws ArgumentError when a config value is invalid or the image is smaller than 12x12.
 * @example
 * ```ts
 * const model = new LeNet5({ rng: 0 });
 * model.call(tf.zeros([8, 28, 28, 1])).shape; // [8, 10]
 * const classic = new LeNet5({ activation: 'tanh', pooling: 'avg', rng: 0 });
 * ```
 */
export class LeNet5 extends Module {
  static override readonly moduleName: string = 'LeNet5';
  /** The configuration, every default filled in. */
  readonly config: ResolvedLeNet5Config;
  conv1: Conv2d;
  conv2: Conv2d;
  fc1: Linear;
  fc2: Linear;
  fc3: Linear;
  /** The activation after every layer but `fc3` (no parameters). */
  activation: ReLU | Tanh;
  /** 2x2 pooling with stride 2 (no parameters). */
  pool: MaxPool2d | AvgPool2d;
  /** NHWC -> PyTorch's `(C, H, W)` order, so `fc1` loads from PyTorch unchanged. */
  flatten = new Flatten();

  constructor(config: LeNet5Config = {}) {
    super();
    const where = 'LeNet5';
    this.config = {
      inputShape: imageShape(where, config.inputShape ?? [28, 28, 1]),
      channels: positiveIntegers(where, 'channels', config.channels ?? [6, 16], 2) as [number, number],
      hidden: positiveIntegers(where, 'hidden', config.hidden ?? [120, 84], 2) as [number, number],
      numClasses: positiveInteger(where, 'numClasses', config.numClasses ?? 10),
      activation: oneOf(where, 'activation', config.activation ?? 'relu', ['relu', 'tanh'] as const),
      pooling: oneOf(where, 'pooling', config.pooling ?? 'max', ['max', 'avg'] as const),
    };
    const { inputShape, channels, hidden, numClasses } = this.config;
    const [height, width, inChannels] = inputShape;
    // conv1 keeps the size (padding 2), pool halves it, conv2 (5x5, no padding) takes 4, pool halves it.
    const mapHeight = Math.floor((Math.floor(height / 2) - 4) / 2);
    const mapWidth = Math.floor((Math.floor(width / 2) - 4) / 2);
    if (mapHeight < 1 || mapWidth < 1) {
      throw new ArgumentError('bad-argument', `${where}: inputShape [${inputShape.join(', ')}] is too small; LeNet5 needs images of at least 12x12.`);
    }
    const rng = resolveGenerator(config.rng);
    this.conv1 = new Conv2d(inChannels, channels[0], 5, { padding: 2, rng: rng.fork() });
    this.conv2 = new Conv2d(channels[0], channels[1], 5, { rng: rng.fork() });
    this.fc1 = new Linear(channels[1] * mapHeight * mapWidth, hidden[0], { rng: rng.fork() });
    this.fc2 = new Linear(hidden[0], hidden[1], { rng: rng.fork() });
    this.fc3 = new Linear(hidden[1], numClasses, { rng: rng.fork() });
    this.activation = this.config.activation === 'relu' ? new ReLU() : new Tanh();
    this.pool = this.config.pooling === 'max' ? new MaxPool2d(2) : new AvgPool2d(2);
  }

  /** The configuration with every default filled in (a copy). */
  getConfig(): ResolvedLeNet5Config {
    const { inputShape, channels, hidden } = this.config;
    return { ...this.config, inputShape: [...inputShape], channels: [...channels], hidden: [...hidden] };
  }

  /** Builds a LeNet5 (fresh random weights) from {@link LeNet5.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: LeNet5Config): LeNet5 {
    return new LeNet5(config);
  }

  protected forward(images: tf.Tensor): tf.Tensor {
    const [height, width, channels] = this.config.inputShape;
    assertShape(this.path, 'images', images, [null, height, width, channels], 'float32');
    const act = (x: tf.Tensor) => this.activation.call(x);
    let x = this.pool.call(act(this.conv1.call(images))); // [N, H/2, W/2, 6]
    x = this.pool.call(act(this.conv2.call(x))); // [N, (H/2-4)/2, (W/2-4)/2, 16]
    x = this.flatten.call(x); // [N, 400] for 28x28
    x = act(this.fc2.call(act(this.fc1.call(x)))); // [N, 84]
    return this.fc3.call(x); // [N, numClasses]
  }
}
