// Variational autoencoders (Kingma & Welling 2014): an encoder gives the mean and log-variance
// of q(z | x), z = mu + exp(logVar / 2)·ε is drawn by reparameterisation, and a decoder maps z
// back to pixel probabilities. Seed article 001 (VAE section): encoder -> (mu, sigma²),
// decoder -> x', loss = reconstruction + KL.
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  Generator,
  Linear,
  Module,
  ReLU,
  Reshape,
  Sequential,
  Sigmoid,
  assertInteger,
  assertShape,
  formatShape,
  resolveGenerator,
  type TensorModule,
} from '@tensorzoo/core';

/** What a VAE's `call` returns (a type alias, so it can be returned from `tf.tidy`). */
export type VAEOutput = {
  /** Decoded pixel probabilities, the input's shape `[N, H, W, C]`, in (0, 1). */
  reconstruction: tf.Tensor;
  /** Mean of q(z | x), `[N, latentDim]`. */
  mu: tf.Tensor;
  /** Log-variance of q(z | x), `[N, latentDim]`. */
  logVar: tf.Tensor;
  /** The latent code that was decoded, `[N, latentDim]`. */
  z: tf.Tensor;
};

/** Options of a VAE's `call`. */
export interface VAEForwardOptions {
  /**
   * The noise ε `[N, latentDim]` of `z = mu + exp(logVar / 2)·ε` (a fixed one makes the
   * pass deterministic, e.g. to compare with PyTorch). Default: drawn from the model's
   * seeded generator. Implies `sample: true`.
   */
  epsilon?: tf.Tensor;
  /** Draw z (true) or decode the mean, z = mu (false). Default: the training mode (`train()` draws, `eval()` decodes the mean). */
  sample?: boolean;
}

/**
 * What every VAE here shares: encode to (mu, logVar), reparameterise, decode; sampling,
 * reconstruction and interpolation. Subclasses build `encoder`, `mu`, `logVar`, `decoder`.
 */
export abstract class VariationalAutoencoder extends Module<tf.Tensor, VAEOutput, VAEForwardOptions> {
  static override readonly moduleName: string = 'VariationalAutoencoder';
  /** Length of z. */
  readonly latentDim: number;
  /** Shape of one image, `[H, W, C]`. */
  readonly imageShape: readonly [number, number, number];
  /** Draws ε for the reparameterisation (not a parameter; advanced by every sampled pass). */
  protected readonly _noise: Generator;

  protected constructor(latentDim: number, imageShape: readonly [number, number, number], noise: Generator) {
    super();
    this.latentDim = latentDim;
    this.imageShape = imageShape;
    this._noise = noise;
  }

  /** Images `[N, H, W, C]` -> `[mu, logVar]`, each `[N, latentDim]`. Inside tidy. */
  protected abstract encodeImages(images: tf.Tensor): [tf.Tensor, tf.Tensor];

  /** `z` `[N, latentDim]` -> probabilities `[N, H, W, C]`. Inside tidy. */
  protected abstract decodeLatents(z: tf.Tensor): tf.Tensor;

  /** `x` `[N, H, W, C]` -> reconstruction, mu, logVar and z (see {@link VAEOutput}). */
  protected forward(images: tf.Tensor, options: VAEForwardOptions = {}): VAEOutput {
    this.checkImages(this.path, images);
    const [mu, logVar] = this.encodeImages(images); // [N, latent] each
    const sample = options.epsilon !== undefined || (options.sample ?? this.training);
    const z = sample ? this.reparameterise(mu, logVar, options.epsilon) : mu; // [N, latent]
    const reconstruction = this.decodeLatents(z); // [N, H, W, C]
    return { reconstruction, mu, logVar, z };
  }

  /** `z = mu + exp(logVar / 2)·ε`, ε ~ N(0, I) from the model's generator unless given. */
  reparameterise(mu: tf.Tensor, logVar: tf.Tensor, epsilon?: tf.Tensor): tf.Tensor {
    const [count] = mu.shape;
    assertShape(`${this.path}.reparameterise`, 'mu', mu, [null, this.latentDim], 'float32');
    assertShape(`${this.path}.reparameterise`, 'logVar', logVar, [count, this.latentDim], 'float32');
    if (epsilon !== undefined) assertShape(`${this.path}.reparameterise`, 'epsilon', epsilon, [count, this.latentDim], 'float32');
    return tf.tidy(() => {
      const noise = epsilon ?? tf.tensor2d(this._noise.normalArray(count * this.latentDim), [count, this.latentDim]);
      return tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), noise));
    });
  }

  /** The parameters of q(z | x): images `[N, H, W, C]` -> `{ mu, logVar }`, each `[N, latentDim]`. */
  encode(images: tf.Tensor): { mu: tf.Tensor; logVar: tf.Tensor } {
    this.checkImages(`${this.path}.encode`, images);
    const [mu, logVar] = tf.tidy(() => this.encodeImages(images));
    return { mu, logVar };
  }

  /** Latent codes `[N, latentDim]` -> pixel probabilities `[N, H, W, C]`. */
  decode(z: tf.Tensor): tf.Tensor {
    assertShape(`${this.path}.decode`, 'z', z, [null, this.latentDim], 'float32');
    return tf.tidy(() => this.decodeLatents(z));
  }

  /**
   * `count` new images from the prior: z ~ N(0, I) drawn from `rng` (a Generator or a seed),
   * decoded. Returns `[count, H, W, C]` probabilities.
   */
  sample(count: number, rng: Generator | number): tf.Tensor {
    assertInteger(`${this.path}.sample`, 'count', count);
    const generator = rng instanceof Generator ? rng : new Generator(assertInteger(`${this.path}.sample`, 'rng', rng, 0));
    return tf.tidy(() => this.decodeLatents(tf.tensor2d(generator.normalArray(count * this.latentDim), [count, this.latentDim])));
  }

  /** Deterministic reconstructions: decode(mu(x)). Images `[N, H, W, C]` -> `[N, H, W, C]`. */
  reconstruct(images: tf.Tensor): tf.Tensor {
    this.checkImages(`${this.path}.reconstruct`, images);
    return tf.tidy(() => this.decodeLatents(this.encodeImages(images)[0]));
  }

  /**
   * Walks the latent space from `from` to `to` (each one image `[H, W, C]` or `[1, H, W, C]`):
   * decodes `steps` evenly spaced points of the line between their means, ends included.
   * Returns `[steps, H, W, C]`.
   */
  interpolate(from: tf.Tensor, to: tf.Tensor, steps: number): tf.Tensor {
    const where = `${this.path}.interpolate`;
    assertInteger(where, 'steps', steps, 2);
    const one = (name: string, image: tf.Tensor): tf.Tensor => {
      const batched = image instanceof tf.Tensor && image.rank === 3 ? tf.expandDims(image, 0) : image;
      this.checkImages(where, batched, name, 1);
      return batched;
    };
    return tf.tidy(() => {
      const [muFrom] = this.encodeImages(one('from', from)); // [1, latent]
      const [muTo] = this.encodeImages(one('to', to)); // [1, latent]
      const t = tf.reshape(tf.linspace(0, 1, steps), [steps, 1]); // [steps, 1]
      const z = tf.add(tf.mul(tf.sub(1, t), muFrom), tf.mul(t, muTo)); // [steps, latent]
      return this.decodeLatents(z);
    });
  }

  private checkImages(where: string, images: tf.Tensor, name = 'images', count: number | null = null): void {
    assertShape(where, name, images, [count, ...this.imageShape], 'float32');
  }
}

/** Options of {@link VAE}; the defaults are the PyTorch examples / Kingma & Welling MNIST model. */
export interface VAEOptions {
  /** Shape of one image `[H, W, C]`. Default `[28, 28, 1]`. */
  imageShape?: readonly [number, number, number];
  /** Widths of the encoder's hidden layers (the decoder mirrors them). Default `[400]`. */
  hiddenDims?: readonly number[];
  /** Length of z. Default 20. */
  latentDim?: number;
  /** Randomness for the initial weights: a Generator, a seed, or the default generator. */
  rng?: Generator | number;
  /**
   * Generator of the reparameterisation noise ε. Pass the one your training loop
   * checkpoints to make a resumed run draw the same noise. Default: a fork of `rng`.
   */
  noise?: Generator;
}

/** The resolved options of a {@link VAE} (every default filled in, no `rng`/`noise`): what `getConfig()` returns. */
export type VAEConfig = { imageShape: [number, number, number]; hiddenDims: number[]; latentDim: number };

/**
 * Fully connected VAE (Kingma & Welling 2014; the PyTorch examples' MNIST VAE is
 * `new VAE()`: 784-400-20).
 *
 * ```text
 * x [N, H, W, C] -> Flatten (C, H, W order) -> [Linear -> ReLU]* -> mu, logVar [N, latentDim]
 * z [N, latentDim] -> [Linear -> ReLU]* (mirrored) -> Linear -> sigmoid -> [N, H, W, C]
 * ```
 *
 * Parameter names follow the PyTorch reference (`scripts/reference/vae.py`): `encoder.0`,
 * `mu`, `logVar`, `decoder.0`, ...
 * @example
 * ```ts
 * const vae = new VAE({ rng: 0 });
 * const { reconstruction, mu, logVar } = vae.call(images); // images [N, 28, 28, 1] in [0, 1]
 * const loss = elboLoss(images, { reconstruction, mu, logVar });
 * const digits = vae.sample(16, 1);                        // [16, 28, 28, 1]
 * ```
 */
export class VAE extends VariationalAutoencoder {
  static override readonly moduleName: string = 'VAE';
  encoder: Sequential;
  mu: Linear;
  logVar: Linear;
  decoder: Sequential;
  private readonly flatten = new Flatten();
  private readonly unflatten: Reshape;
  /** The resolved options (see {@link VAE.getConfig}). */
  private readonly config: VAEConfig;

  constructor(options: VAEOptions = {}) {
    const where = 'VAE';
    const imageShape = checkImageShape(where, options.imageShape ?? [28, 28, 1]);
    const latentDim = assertInteger(where, 'latentDim', options.latentDim ?? 20);
    const hiddenDims = checkWidths(where, 'hiddenDims', options.hiddenDims ?? [400], 0);
    const rng = resolveGenerator(options.rng);
    const [height, width, channels] = imageShape;
    const inputDim = height * width * channels;
    const encoder: TensorModule[] = [];
    let size = inputDim;
    for (const hidden of hiddenDims) {
      encoder.push(new Linear(size, hidden, { rng }), new ReLU());
      size = hidden;
    }
    const encoderSequential = new Sequential(...encoder);
    const mu = new Linear(size, latentDim, { rng });
    const logVar = new Linear(size, latentDim, { rng });
    const decoder: TensorModule[] = [];
    size = latentDim;
    for (const hidden of [...hiddenDims].reverse()) {
      decoder.push(new Linear(size, hidden, { rng }), new ReLU());
      size = hidden;
    }
    decoder.push(new Linear(size, inputDim, { rng }), new Sigmoid());
    super(latentDim, imageShape, checkNoise(where, options.noise) ?? rng.fork());
    this.encoder = encoderSequential;
    this.mu = mu;
    this.logVar = logVar;
    this.decoder = new Sequential(...decoder);
    this.unflatten = new Reshape([channels, height, width]);
    this.config = { imageShape: [height, width, channels], hiddenDims, latentDim };
  }

  /** The options with every default filled in (a copy, no `rng`/`noise`): `new VAE(vae.getConfig())` builds the same architecture. */
  getConfig(): VAEConfig {
    return { imageShape: [...this.config.imageShape], hiddenDims: [...this.config.hiddenDims], latentDim: this.config.latentDim };
  }

  /** Builds a VAE (fresh random weights) from {@link VAE.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: VAEOptions): VAE {
    return new VAE(config);
  }

  protected encodeImages(images: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const hidden = this.encoder.call(this.flatten.call(images)); // [N, hidden]
    return [this.mu.call(hidden), this.logVar.call(hidden)]; // [N, latent] each
  }

  protected decodeLatents(z: tf.Tensor): tf.Tensor {
    return this.unflatten.call(this.decoder.call(z)); // [N, C*H*W] -> [N, H, W, C]
  }
}

/** Options of {@link ConvVAE}. */
export interface ConvVAEOptions {
  /** Channels of the images. Default 1. */
  inChannels?: number;
  /** Height and width of the images; must be divisible by `2^channels.length`. Default 28. */
  imageSize?: number;
  /** Channels of the encoder's convolutions (the decoder mirrors them). Default `[32, 64]`. */
  channels?: readonly number[];
  /** Length of z. Default 20. */
  latentDim?: number;
  /** Randomness for the initial weights: a Generator, a seed, or the default generator. */
  rng?: Generator | number;
  /**
   * Generator of the reparameterisation noise ε. Pass the one your training loop
   * checkpoints to make a resumed run draw the same noise. Default: a fork of `rng`.
   */
  noise?: Generator;
}

/** The resolved options of a {@link ConvVAE} (every default filled in, no `rng`/`noise`): what `getConfig()` returns. */
export type ConvVAEConfig = { inChannels: number; imageSize: number; channels: number[]; latentDim: number };

/**
 * Convolutional VAE with seed 001's widths (32, 64): every convolution is 4x4, stride 2,
 * padding 1, so each halves (encoder) or doubles (decoder) the image size.
 *
 * ```text
 * x [N, 28, 28, 1] -> [Conv2d(4, s2, p1) -> ReLU]*: [N, 7, 7, 64] -> Flatten -> mu, logVar [N, latentDim]
 * z -> Linear -> ReLU -> [N, 7, 7, 64] -> [ConvTranspose2d(4, s2, p1) -> ReLU]* -> ConvTranspose2d -> sigmoid
 * ```
 *
 * Parameter names follow the PyTorch reference (`scripts/reference/vae.py`).
 * @example
 * ```ts
 * const vae = new ConvVAE({ rng: 0 });
 * vae.call(images).reconstruction.shape; // [N, 28, 28, 1]
 * ```
 */
export class ConvVAE extends VariationalAutoencoder {
  static override readonly moduleName: string = 'ConvVAE';
  /** The resolved options (see {@link ConvVAE.getConfig}). */
  private readonly config: ConvVAEConfig;
  encoder: Sequential;
  mu: Linear;
  logVar: Linear;
  decoder: Sequential;

  constructor(options: ConvVAEOptions = {}) {
    const where = 'ConvVAE';
    const inChannels = assertInteger(where, 'inChannels', options.inChannels ?? 1);
    const imageSize = assertInteger(where, 'imageSize', options.imageSize ?? 28);
    const channels = checkWidths(where, 'channels', options.channels ?? [32, 64], 1);
    const latentDim = assertInteger(where, 'latentDim', options.latentDim ?? 20);
    const scale = 2 ** channels.length;
    if (imageSize % scale !== 0) {
      throw new ArgumentError('bad-argument', `${where}: imageSize (${imageSize}) must be divisible by 2^channels.length (${scale}).`);
    }
    const base = imageSize / scale;
    const rng = resolveGenerator(options.rng);
    const halve = { stride: 2, padding: 1, rng };
    const encoder: TensorModule[] = [];
    let width = inChannels;
    for (const next of channels) {
      encoder.push(new Conv2d(width, next, 4, halve), new ReLU()); // size halves
      width = next;
    }
    encoder.push(new Flatten()); // [N, C*base*base]
    const features = width * base * base;
    const encoderSequential = new Sequential(...encoder);
    const mu = new Linear(features, latentDim, { rng });
    const logVar = new Linear(features, latentDim, { rng });
    const decoder: TensorModule[] = [new Linear(latentDim, features, { rng }), new ReLU(), new Reshape([width, base, base])];
    const widths = [...channels].reverse();
    for (let stage = 1; stage < widths.length; stage++) {
      decoder.push(new ConvTranspose2d(widths[stage - 1], widths[stage], 4, halve), new ReLU()); // size doubles
    }
    decoder.push(new ConvTranspose2d(widths[widths.length - 1], inChannels, 4, halve), new Sigmoid());
    super(latentDim, [imageSize, imageSize, inChannels], checkNoise(where, options.noise) ?? rng.fork());
    this.encoder = encoderSequential;
    this.mu = mu;
    this.logVar = logVar;
    this.decoder = new Sequential(...decoder);
    this.config = { inChannels, imageSize, channels, latentDim };
  }

  /** The options with every default filled in (a copy, no `rng`/`noise`): `new ConvVAE(vae.getConfig())` builds the same architecture. */
  getConfig(): ConvVAEConfig {
    return { ...this.config, channels: [...this.config.channels] };
  }

  /** Builds a ConvVAE (fresh random weights) from {@link ConvVAE.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: ConvVAEOptions): ConvVAE {
    return new ConvVAE(config);
  }

  protected encodeImages(images: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const features = this.encoder.call(images); // [N, C*base*base]
    return [this.mu.call(features), this.logVar.call(features)]; // [N, latent] each
  }

  protected decodeLatents(z: tf.Tensor): tf.Tensor {
    return this.decoder.call(z); // [N, H, W, C]
  }
}

function checkNoise(where: string, noise: unknown): Generator | undefined {
  if (noise !== undefined && !(noise instanceof Generator)) {
    throw new ArgumentError('bad-argument', `${where}: noise must be a Generator from @tensorzoo/core, received ${typeof noise}.`);
  }
  return noise;
}

function checkImageShape(where: string, shape: readonly number[]): readonly [number, number, number] {
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ArgumentError('bad-argument', `${where}: imageShape (${Array.isArray(shape) ? formatShape(shape) : String(shape)}) must be [height, width, channels] of positive integers.`);
  }
  return [shape[0], shape[1], shape[2]];
}

function checkWidths(where: string, name: string, widths: readonly number[], minLength: number): number[] {
  if (!Array.isArray(widths) || widths.length < minLength) {
    throw new ArgumentError('bad-argument', `${where}: ${name} must be an array of at least ${minLength} positive integers, received ${JSON.stringify(widths)}.`);
  }
  return widths.map((value, index) => assertInteger(where, `${name}[${index}]`, value));
}
