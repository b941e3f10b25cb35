// DCGAN generator and discriminator (Radford et al. 2016) with the sizes of seed article 001:
// z (100) -> Dense 7·7·256 -> transposed convolutions -> 28x28x1 tanh images, and a
// discriminator of two 5x5 convolutions (32, 64) with LeakyReLU(0.01) and a sigmoid output.
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
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
  resolveGenerator,
  type Generator,
  type TensorModule,
} from '@tensorzoo/core';

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
 * ```
 */
export class DCGANGenerator extends Module {
  static override readonly moduleName: string = 'DCGANGenerator';
  readonly latentDim: number;
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
    this.config = { latentDim: this.latentDim, channels, outChannels: this.outChannels, imageSize: this.imageSize, kernelSize, batchNorm };
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
    const modules: TensorModule[] = [new Linear(this.latentDim, projected, { bias: !batchNorm, rng })];
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

  /** `z` `[N, latentDim]` -> images `[N, imageSize, imageSize, outChannels]` in [-1, 1]. */
  /** The options with every default filled in (a copy, no `rng`): `new DCGANGenerator(generator.getConfig())` builds the same architecture. */
  getConfig(): DCGANGeneratorConfig {
    return { ...this.config, channels: [...this.config.channels] };
  }

  /** Builds a generator (fresh random weights) from {@link DCGANGenerator.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: DCGANGeneratorOptions): DCGANGenerator {
    return new DCGANGenerator(config);
  }

  protected forward(z: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'z', z, [null, this.latentDim], 'float32');
    return this.layers.call(z);
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
 * ```
 */
export class DCGANDiscriminator extends Module {
  static override readonly moduleName: string = 'DCGANDiscriminator';
  readonly inChannels: number;
  readonly imageSize: number;
  readonly outputActivation: 'sigmoid' | 'none';
  /** The whole network, PyTorch `nn.Sequential` indices. */
  layers: Sequential;
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
    this.config = { inChannels: this.inChannels, imageSize: this.imageSize, channels, kernelSize, stride, negativeSlope, outputActivation: activation };
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
    modules.push(new Flatten(), new Linear(inputChannels * size * size, 1, { rng }));
    if (activation === 'sigmoid') modules.push(new Sigmoid());
    this.layers = new Sequential(...modules);
  }

  /** Images `[N, imageSize, imageSize, inChannels]` -> scores `[N, 1]`. */
  /** The options with every default filled in (a copy, no `rng`): `new DCGANDiscriminator(discriminator.getConfig())` builds the same architecture. */
  getConfig(): DCGANDiscriminatorConfig {
    return { ...this.config, channels: [...this.config.channels] };
  }

  /** Builds a discriminator (fresh random weights) from {@link DCGANDiscriminator.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: DCGANDiscriminatorOptions): DCGANDiscriminator {
    return new DCGANDiscriminator(config);
  }

  protected forward(images: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'images', images, [null, this.imageSize, this.imageSize, this.inChannels], 'float32');
    return this.layers.call(images);
  }
}

function checkChannels(where: string, channels: readonly number[]): number[] {
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new ArgumentError('bad-argument', `${where}: channels must be a non-empty array of positive integers, received ${JSON.stringify(channels)}.`);
  }
  return channels.map((width, index) => assertInteger(where, `channels[${index}]`, width));
}
