// DCGAN generator and discriminator (Radford et al. 2016) with the sizes of seed article 001:
// z (100) -> Dense 7·7·256 -> transposed convolutions -> 28x28x1 tanh images, and a
// discriminator of two 5x5 convolutions (32, 64) with LeakyReLU(0.01) and a sigmoid output.
// With `numClasses` both become class-conditional (one-hot labels into the generator, a
// projection discriminator).
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Embedding,
  Flatten,
  LeakyReLU,
  Linear,
  Module,
  ReLU,
  Reshape,
  Sequential,
  Sigmoid,
  Tanh,
  assertInRange,
  assertInteger,
  assertShape,
  formatShape,
  nanUnless,
  normal,
  readValueRange,
  resolveGenerator,
  type Generator,
  type TensorModule,
} from '@tensorzoo/core';

/** The optional second argument of {@link DCGANGenerator.call} and {@link DCGANDiscriminator.call}. */
export interface DCGANCallOptions {
  /**
   * Class labels, int32 `[N]` in `[0, numClasses)`: required by a class-conditional network
   * (`numClasses > 0`), refused by an unconditional one.
   */
  labels?: tf.Tensor;
}

/** Options of {@link DCGANGenerator}; the defaults are seed 001's generator. */
export interface DCGANGeneratorOptions {
  /** Length of the noise vector z. Default 100. */
  latentDim?: number;
  /**
   * Channels of the projected `base x base` map, then of each upsampling stage before the
   * last. Each entry adds one stride-2 transposed convolution, so
   * `base = imageSize / 2^channels.length`. Default `[256, 128]` (7x7x256 -> 14x14x128 -> 28x28).
   */
  channels?: readonly number[];
  /** Channels of the generated images. Default 1 (MNIST). */
  outChannels?: number;
  /** Height and width of the generated images; must be divisible by `2^channels.length`. Default 28. */
  imageSize?: number;
  /** Kernel size of the transposed convolutions. Default 5 (the seed's). */
  kernelSize?: number;
  /**
   * Batch normalisation after the dense layer and each hidden transposed convolution (those
   * layers then have no bias), as in the DCGAN paper. Default `false` (seed 001 has none).
   */
  batchNorm?: boolean;
  /**
   * Number of classes for a class-conditional generator (a conditional GAN, Mirza & Osindero
   * 2014): `call(z, { labels })` feeds `concat([z, oneHot(labels)])` to the dense layer, which
   * then has `latentDim + numClasses` inputs. Default 0 (unconditional).
   */
  numClasses?: number;
  /** Randomness for the initial weights: a Generator, a seed, or the default generator. */
  rng?: Generator | number;
}

/** The resolved options of a {@link DCGANGenerator} (every default filled in, no `rng`): what `getConfig()` returns. */
export type DCGANGeneratorConfig = Required<Omit<DCGANGeneratorOptions, 'rng' | 'channels'>> & { channels: number[] };

/** `[padding, outputPadding]` that make a stride-2 transposed convolution double the size exactly. */
function doublingPadding(kernelSize: number): [number, number] {
  return kernelSize % 2 === 0 ? [(kernelSize - 2) / 2, 0] : [(kernelSize - 1) / 2, 1];
}

/**
 * DCGAN generator: noise `z` -> image in [-1, 1].
 *
 * ```text
 * z [N, latentDim] -> Linear -> (BatchNorm1d) -> ReLU -> [N, base, base, C0]
 *   -> for each next width Ci: ConvTranspose2d(stride 2) -> (BatchNorm2d) -> ReLU   (size doubles)
 *   -> ConvTranspose2d(stride 2) -> tanh -> [N, imageSize, imageSize, outChannels]
 * ```
 *
 * Parameter names follow the PyTorch reference (`scripts/reference/gan.py`): one
 * `nn.Sequential` called `layers` (`layers.0.weight` is the dense layer, `[C0·base², latentDim]`).
 * Seed 001's Keras code keeps 7x7 maps (its convolutions never upsample); this follows the
 * text instead: transposed convolutions up to 28x28.
 * @example
 * ```ts
 * const generator = new DCGANGenerator({ rng: 0 });          // seed 001: 100 -> 28x28x1
 * const images = generator.call(tf.randomNormal([16, 100])); // [16, 28, 28, 1], tanh
 *
 * const conditional = new DCGANGenerator({ numClasses: 10, rng: 0 }); // draws the digit you ask for
 * conditional.call(tf.randomNormal([2, 100]), { labels: tf.tensor1d([3, 7], 'int32') });
 * ```
 */
export class DCGANGenerator extends Module<tf.Tensor, tf.Tensor, DCGANCallOptions> {
  static override readonly moduleName: string = 'DCGANGenerator';
  readonly latentDim: number;
  /** Classes of a class-conditional generator; 0 when unconditional. */
  readonly numClasses: number;
  readonly imageSize: number;
  readonly outChannels: number;
  /** The whole network, PyTorch `nn.Sequential` indices. */
  layers: Sequential;
  /** The resolved options (see {@link DCGANGenerator.getConfig}). */
  private readonly config: DCGANGeneratorConfig;

  constructor(options: DCGANGeneratorOptions = {}) {
    super();
    const where = 'DCGANGenerator';
    this.latentDim = assertInteger(where, 'latentDim', options.latentDim ?? 100);
    this.outChannels = assertInteger(where, 'outChannels', options.outChannels ?? 1);
    this.imageSize = assertInteger(where, 'imageSize', options.imageSize ?? 28);
    const channels = checkChannels(where, options.channels ?? [256, 128]);
    const kernelSize = assertInteger(where, 'kernelSize', options.kernelSize ?? 5, 2);
    const batchNorm = options.batchNorm ?? false;
    this.numClasses = assertInteger(where, 'numClasses', options.numClasses ?? 0, 0);
    this.config = { latentDim: this.latentDim, channels, outChannels: this.outChannels, imageSize: this.imageSize, kernelSize, batchNorm, numClasses: this.numClasses };
    const scale = 2 ** channels.length;
    if (this.imageSize % scale !== 0) {
      throw new ArgumentError(
        'bad-argument',
        `${where}: imageSize (${this.imageSize}) must be divisible by 2^channels.length (${scale}): each of the ${channels.length} channel entries doubles the size.`,
      );
    }
    const base = this.imageSize / scale;
    const rng = resolveGenerator(options.rng);
    const [padding, outputPadding] = doublingPadding(kernelSize);
    const upsample = (input: number, output: number, bias: boolean) =>
      new ConvTranspose2d(input, output, kernelSize, { stride: 2, padding, outputPadding, bias, rng });
    const projected = channels[0] * base * base;
    const modules: TensorModule[] = [new Linear(this.latentDim + this.numClasses, projected, { bias: !batchNorm, rng })];
    if (batchNorm) modules.push(new BatchNorm1d(projected));
    modules.push(new ReLU(), new Reshape([channels[0], base, base])); // [N, base, base, C0]
    for (let stage = 1; stage < channels.length; stage++) {
      modules.push(upsample(channels[stage - 1], channels[stage], !batchNorm)); // size doubles
      if (batchNorm) modules.push(new BatchNorm2d(channels[stage]));
      modules.push(new ReLU());
    }
    modules.push(upsample(channels[channels.length - 1], this.outChannels, true), new Tanh());
    this.layers = new Sequential(...modules);
  }

  /** The options with every default filled in (a copy, no `rng`): `new DCGANGenerator(generator.getConfig())` builds the same architecture. */
  getConfig(): DCGANGeneratorConfig {
    return { ...this.config, channels: [...this.config.channels] };
  }

  /** Builds a generator (fresh random weights) from {@link DCGANGenerator.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: DCGANGeneratorOptions): DCGANGenerator {
    return new DCGANGenerator(config);
  }

  /**
   * `z` `[N, latentDim]` (and, when conditional, `labels` int32 `[N]`) -> images
   * `[N, imageSize, imageSize, outChannels]` in [-1, 1].
   */
  protected forward(z: tf.Tensor, options?: DCGANCallOptions): tf.Tensor {
    assertShape(this.path, 'z', z, [null, this.latentDim], 'float32');
    const labels = checkLabels(this.path, this.numClasses, options?.labels, z.shape[0]);
    if (labels === undefined) return this.layers.call(z);
    return this.layers.call(tf.concat([z, oneHotRows(labels, this.numClasses)], 1)); // [N, latentDim + numClasses]
  }
}

/** Options of {@link DCGANDiscriminator}; the defaults are seed 001's discriminator. */
export interface DCGANDiscriminatorOptions {
  /** Channels of the input images. Default 1. */
  inChannels?: number;
  /** Height and width of the input images. Default 28. */
  imageSize?: number;
  /** Output channels of each convolution. Default `[32, 64]`. */
  channels?: readonly number[];
  /** Kernel size of the convolutions (padding `floor((k - 1) / 2)`). Default 5. */
  kernelSize?: number;
  /**
   * Stride of every convolution. Default 1 (seed 001: 'same' convolutions at full size).
   * 2 halves the size at each convolution, as in the DCGAN paper, and is about 16x cheaper
   * at the seed's widths.
   */
  stride?: number;
  /** Slope of LeakyReLU for negative inputs. Default 0.01 (the seed's). */
  negativeSlope?: number;
  /**
   * `'sigmoid'` outputs probabilities D(x) (the seed's); `'none'` outputs logits, needed by
   * the hinge and Wasserstein losses and more stable with the non-saturating loss's `fromLogits`.
   * Default `'sigmoid'`.
   */
  outputActivation?: 'sigmoid' | 'none';
  /**
   * Number of classes for a class-conditional discriminator: a projection discriminator
   * (Miyato & Koyama 2018, "cGANs with Projection Discriminator"). With `h` the flattened
   * features, the score is `Linear(h) + <classEmbedding[y], h>`, then the output activation;
   * `call(images, { labels })`. Default 0 (unconditional).
   */
  numClasses?: number;
  /** Randomness for the initial weights: a Generator, a seed, or the default generator. */
  rng?: Generator | number;
}

/** The resolved options of a {@link DCGANDiscriminator} (every default filled in, no `rng`): what `getConfig()` returns. */
export type DCGANDiscriminatorConfig = Required<Omit<DCGANDiscriminatorOptions, 'rng' | 'channels'>> & { channels: number[] };

/**
 * DCGAN discriminator: image -> one score per image (probability of "real", or a logit).
 *
 * ```text
 * x [N, H, W, inChannels] -> for each width Ci: Conv2d(k, stride) -> LeakyReLU
 *   -> Flatten (PyTorch (C, H, W) order) -> Linear(·, 1) -> (sigmoid) -> [N, 1]
 * ```
 *
 * Parameter names follow the PyTorch reference (`scripts/reference/gan.py`): one
 * `nn.Sequential` called `layers`.
 * @example
 * ```ts
 * const discriminator = new DCGANDiscriminator({ stride: 2, rng: 0 });
 * discriminator.call(images).shape; // [N, 1], probabilities
 *
 * const projection = new DCGANDiscriminator({ stride: 2, outputActivation: 'none', numClasses: 10, rng: 0 });
 * projection.call(images, { labels }); // [N, 1] logits of "a real image of this class"
 * ```
 */
export class DCGANDiscriminator extends Module<tf.Tensor, tf.Tensor, DCGANCallOptions> {
  static override readonly moduleName: string = 'DCGANDiscriminator';
  readonly inChannels: number;
  /** Classes of a projection discriminator; 0 when unconditional. */
  readonly numClasses: number;
  readonly imageSize: number;
  readonly outputActivation: 'sigmoid' | 'none';
  /** The whole network, PyTorch `nn.Sequential` indices. */
  layers: Sequential;
  /**
   * The projection's class vectors `[numClasses, features]` (`classEmbedding.weight`),
   * initialised N(0, 0.02²) like the output layer's weights' scale; undefined when unconditional.
   */
  classEmbedding: Embedding | undefined;
  /** The resolved options (see {@link DCGANDiscriminator.getConfig}). */
  private readonly config: DCGANDiscriminatorConfig;

  constructor(options: DCGANDiscriminatorOptions = {}) {
    super();
    const where = 'DCGANDiscriminator';
    this.inChannels = assertInteger(where, 'inChannels', options.inChannels ?? 1);
    this.imageSize = assertInteger(where, 'imageSize', options.imageSize ?? 28);
    const channels = checkChannels(where, options.channels ?? [32, 64]);
    const kernelSize = assertInteger(where, 'kernelSize', options.kernelSize ?? 5);
    const stride = assertInteger(where, 'stride', options.stride ?? 1);
    const negativeSlope = assertInRange(where, 'negativeSlope', options.negativeSlope ?? 0.01, 0, 1, true);
    const activation = options.outputActivation ?? 'sigmoid';
    if (activation !== 'sigmoid' && activation !== 'none') {
      throw new ArgumentError('bad-argument', `${where}: outputActivation (${JSON.stringify(activation)}) must be 'sigmoid' or 'none'.`);
    }
    this.outputActivation = activation;
    this.numClasses = assertInteger(where, 'numClasses', options.numClasses ?? 0, 0);
    this.config = { inChannels: this.inChannels, imageSize: this.imageSize, channels, kernelSize, stride, negativeSlope, outputActivation: activation, numClasses: this.numClasses };
    const rng = resolveGenerator(options.rng);
    const padding = Math.floor((kernelSize - 1) / 2);
    const modules: TensorModule[] = [];
    let size = this.imageSize;
    let inputChannels = this.inChannels;
    for (const width of channels) {
      modules.push(new Conv2d(inputChannels, width, kernelSize, { stride, padding, rng }), new LeakyReLU(negativeSlope));
      size = Math.floor((size + 2 * padding - kernelSize) / stride) + 1;
      if (size < 1) {
        throw new ArgumentError('bad-argument', `${where}: imageSize (${this.imageSize}) is too small for ${channels.length} convolutions of kernel ${kernelSize} and stride ${stride}.`);
      }
      inputChannels = width;
    }
    const features = inputChannels * size * size;
    modules.push(new Flatten(), new Linear(features, 1, { rng }));
    if (activation === 'sigmoid') modules.push(new Sigmoid());
    this.layers = new Sequential(...modules);
    this.classEmbedding = this.numClasses > 0 ? new Embedding(this.numClasses, features, { rng, init: normal({ std: 0.02 }) }) : undefined;
  }

  /** The options with every default filled in (a copy, no `rng`): `new DCGANDiscriminator(discriminator.getConfig())` builds the same architecture. */
  getConfig(): DCGANDiscriminatorConfig {
    return { ...this.config, channels: [...this.config.channels] };
  }

  /** Builds a discriminator (fresh random weights) from {@link DCGANDiscriminator.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: DCGANDiscriminatorOptions): DCGANDiscriminator {
    return new DCGANDiscriminator(config);
  }

  /**
   * Images `[N, imageSize, imageSize, inChannels]` (and, when conditional, `labels` int32
   * `[N]`) -> scores `[N, 1]`.
   */
  protected forward(images: tf.Tensor, options?: DCGANCallOptions): tf.Tensor {
    assertShape(this.path, 'images', images, [null, this.imageSize, this.imageSize, this.inChannels], 'float32');
    const labels = checkLabels(this.path, this.numClasses, options?.labels, images.shape[0]);
    if (labels === undefined) return this.layers.call(images);
    const modules = this.layers.modules;
    const head = modules.length - (this.outputActivation === 'sigmoid' ? 2 : 1); // the output Linear
    let features = images;
    for (let index = 0; index < head; index++) features = modules[index].call(features); // [N, F]
    const projection = tf.sum(tf.mul(this.classEmbedding!.call(labels), features), 1, true); // [N, 1]
    const score = tf.add(modules[head].call(features), projection);
    return this.outputActivation === 'sigmoid' ? tf.sigmoid(score) : score;
  }
}

/**
 * Checks the labels of a conditional call: int32 `[count]` in `[0, numClasses)`, given exactly
 * when `numClasses > 0`. Returns them, or undefined for an unconditional network.
 */
function checkLabels(where: string, numClasses: number, labels: tf.Tensor | undefined, count: number): tf.Tensor | undefined {
  if (numClasses === 0) {
    if (labels !== undefined) {
      throw new ArgumentError('bad-argument', `${where}: received labels, but this network is unconditional (numClasses 0); build it with numClasses to condition on classes.`);
    }
    return undefined;
  }
  if (labels === undefined) {
    throw new ArgumentError('bad-argument', `${where}: this network is class-conditional (numClasses ${numClasses}); pass { labels } (int32 [${count}] in [0, ${numClasses})) as the second argument of call.`);
  }
  assertShape(where, 'labels', labels, [count], 'int32');
  const range = readValueRange(labels);
  if (range !== undefined && (range.min < 0 || range.max >= numClasses)) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: labels must be in [0, ${numClasses}), received a label ${range.min < 0 ? range.min : range.max} (labels ${formatShape(labels.shape)}).`,
    );
  }
  return labels;
}

/** One-hot rows `[N, numClasses]` (float32); rows of out-of-range labels are NaN (the check could not read them). */
function oneHotRows(labels: tf.Tensor, numClasses: number): tf.Tensor {
  const rows = tf.cast(tf.oneHot(labels as tf.Tensor1D, numClasses), 'float32');
  if (tf.getBackend() !== 'webgpu') return rows; // checked by checkLabels
  return nanUnless(tf.logicalAnd(tf.greaterEqual(labels, 0), tf.less(labels, numClasses)), rows);
}

function checkChannels(where: string, channels: readonly number[]): number[] {
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new ArgumentError('bad-argument', `${where}: channels must be a non-empty array of positive integers, received ${JSON.stringify(channels)}.`);
  }
  return channels.map((width, index) => assertInteger(where, `channels[${index}]`, width));
}
