import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  Module,
  assertInRange,
  assertInteger,
  assertShape,
  normal,
  parameter,
  resolveGenerator,
  type Generator,
  type Initializer,
} from '@tensorzoo/core';

/** Call options of the positional encodings. */
export interface PositionOptions {
  /** Position of the first time step (the number of tokens already in a KV cache). Default 0. */
  offset?: number;
}

function checkOffset(where: string, options: PositionOptions | undefined): number {
  return assertInteger(where, 'offset', options?.offset ?? 0, 0);
}

/**
 * The sinusoidal table of "Attention is all you need" (§3.5), `[length, dim]`:
 *
 * ```text
 * PE(pos, 2i)   = sin(pos / base^(2i/dim))
 * PE(pos, 2i+1) = cos(pos / base^(2i/dim))
 * ```
 *
 * for `pos = offset .. offset + length - 1` (sin and cos interleaved, as in the paper and the
 * PyTorch tutorials). Computed in float64 on the CPU, returned as float32.
 * @example
 * ```ts
 * sinusoidalPositionalEncoding(50, 16).shape; // [50, 16]
 * ```
 */
export function sinusoidalPositionalEncoding(
  length: number,
  dim: number,
  options: { offset?: number; base?: number } = {},
): tf.Tensor2D {
  const where = 'sinusoidalPositionalEncoding';
  assertInteger(where, 'length', length);
  assertInteger(where, 'dim', dim);
  const offset = assertInteger(where, 'offset', options.offset ?? 0, 0);
  const base = assertInRange(where, 'base', options.base ?? 10000, 1, Infinity);
  const table = new Float32Array(length * dim);
  for (let t = 0; t < length; t++) {
    for (let j = 0; j < dim; j++) {
      const angle = (offset + t) / Math.pow(base, (2 * Math.floor(j / 2)) / dim);
      table[t * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tf.tensor2d(table, [length, dim]);
}

/**
 * Adds the fixed sinusoidal encoding ({@link sinusoidalPositionalEncoding}) to `[B, T, dim]`
 * inputs. No parameters. Pass `offset` when continuing a KV cache.
 * @example
 * ```ts
 * const positions = new SinusoidalPositionalEncoding(16);
 * positions.call(embeddings);                 // [B, T, 16]
 * positions.call(nextEmbedding, { offset: T }); // position T
 * ```
 */
export class SinusoidalPositionalEncoding extends Module<tf.Tensor, tf.Tensor, PositionOptions> {
  static override readonly moduleName: string = 'SinusoidalPositionalEncoding';
  readonly dim: number;
  readonly base: number;

  /** @param dim feature size. @param options.base wavelength base, default 10000. */
  constructor(dim: number, options: { base?: number } = {}) {
    super();
    this.dim = assertInteger('SinusoidalPositionalEncoding', 'dim', dim);
    this.base = assertInRange('SinusoidalPositionalEncoding', 'base', options.base ?? 10000, 1, Infinity);
  }

  /** The constructor arguments, `{ dim, base }`. */
  getConfig(): { dim: number; base: number } {
    return { dim: this.dim, base: this.base };
  }

  /** Builds the layer from {@link SinusoidalPositionalEncoding.getConfig}'s output. */
  static fromConfig(config: { dim: number; base?: number }): SinusoidalPositionalEncoding {
    return new SinusoidalPositionalEncoding(config.dim, { base: config.base });
  }

  protected forward(input: tf.Tensor, options?: PositionOptions): tf.Tensor {
    assertShape(this.path, 'input', input, ['...', null, this.dim], 'float32');
    const offset = checkOffset(this.path, options);
    const length = input.shape[input.rank - 2];
    return tf.add(input, sinusoidalPositionalEncoding(length, this.dim, { offset, base: this.base })); // [..., T, dim]
  }
}

/** Options of {@link LearnedPositionalEncoding}. */
export interface LearnedPositionalEncodingOptions {
  /** Randomness for initialisation. Default: the global generator. */
  rng?: Generator | number;
  /** Initializer of `weight` `[maxLength, dim]`. Default N(0, 1), like `nn.Embedding`. */
  init?: Initializer;
}

/**
 * A learned position embedding (GPT, BERT): a table `weight [maxLength, dim]` whose rows
 * `offset .. offset + T - 1` are added to `[B, T, dim]` inputs. Same layout as an
 * `nn.Embedding(maxLength, dim)` indexed by `arange(T)`.
 * @example
 * ```ts
 * const positions = new LearnedPositionalEncoding(64, 16, { rng: 1 });
 * positions.call(tokenEmbeddings); // [B, T, 16], T <= 64
 * ```
 */
export class LearnedPositionalEncoding extends Module<tf.Tensor, tf.Tensor, PositionOptions> {
  static override readonly moduleName: string = 'LearnedPositionalEncoding';
  readonly maxLength: number;
  readonly dim: number;
  /** `[maxLength, dim]` */
  weight: tf.Variable;

  constructor(maxLength: number, dim: number, options: LearnedPositionalEncodingOptions = {}) {
    super();
    this.maxLength = assertInteger('LearnedPositionalEncoding', 'maxLength', maxLength);
    this.dim = assertInteger('LearnedPositionalEncoding', 'dim', dim);
    this.weight = parameter((options.init ?? normal())([maxLength, dim], resolveGenerator(options.rng)));
  }

  /** The constructor arguments, `{ maxLength, dim }` (no rng or initializer). */
  getConfig(): { maxLength: number; dim: number } {
    return { maxLength: this.maxLength, dim: this.dim };
  }

  /** Builds the layer (fresh random weights) from {@link LearnedPositionalEncoding.getConfig}'s output. */
  static fromConfig(config: { maxLength: number; dim: number }): LearnedPositionalEncoding {
    return new LearnedPositionalEncoding(config.maxLength, config.dim);
  }

  protected forward(input: tf.Tensor, options?: PositionOptions): tf.Tensor {
    assertShape(this.path, 'input', input, ['...', null, this.dim], 'float32');
    const offset = checkOffset(this.path, options);
    const length = input.shape[input.rank - 2];
    if (offset + length > this.maxLength) {
      throw new ArgumentError(
        'sequence-too-long',
        `${this.path}: positions ${offset}..${offset + length - 1} exceed maxLength (${this.maxLength}); shorten the input or crop the context.`,
      );
    }
    return tf.add(input, tf.slice(this.weight, [offset, 0], [length, this.dim])); // [..., T, dim]
  }
}

/**
 * The cos and sin tables of rotary embeddings, `[length, dim]` each, for positions
 * `offset .. offset + length - 1`: column `c` uses frequency `base^(-2(c mod dim/2)/dim)`
 * (the "rotate half" layout of GPT-NeoX and Hugging Face LLaMA).
 */
export function rotaryTables(
  length: number,
  dim: number,
  options: { offset?: number; base?: number } = {},
): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const where = 'rotaryTables';
  assertInteger(where, 'length', length);
  assertInteger(where, 'dim', dim);
  if (dim % 2 !== 0) throw new ArgumentError('bad-argument', `${where}: dim (${dim}) must be even.`);
  const offset = assertInteger(where, 'offset', options.offset ?? 0, 0);
  const base = assertInRange(where, 'base', options.base ?? 10000, 1, Infinity);
  const half = dim / 2;
  const cos = new Float32Array(length * dim);
  const sin = new Float32Array(length * dim);
  for (let t = 0; t < length; t++) {
    for (let c = 0; c < dim; c++) {
      const angle = (offset + t) * Math.pow(base, (-2 * (c % half)) / dim);
      cos[t * dim + c] = Math.cos(angle);
      sin[t * dim + c] = Math.sin(angle);
    }
  }
  return { cos: tf.tensor2d(cos, [length, dim]), sin: tf.tensor2d(sin, [length, dim]) };
}

/**
 * Rotary position embedding (RoPE; Su et al., 2021, "RoFormer"): rotates each pair of
 * features `(x[c], x[c + dim/2])` of a query or key at position `p` by the angle
 * `p·base^(-2c/dim)`, so that `q·k` depends only on the relative position:
 *
 * ```text
 * rope(x) = x ⊙ cos + rotateHalf(x) ⊙ sin,   rotateHalf([x1, x2]) = [-x2, x1]
 * ```
 *
 * Input `[..., T, dim]` (usually `[B, H, T, headDim]`) -> same shape. No parameters.
 * `MultiHeadAttention` applies it to queries and keys with its `rotary` option.
 * @example
 * ```ts
 * const rope = new RotaryPositionalEncoding(8);
 * rope.call(q, { offset: cache.length }); // [B, H, T, 8]
 * ```
 */
export class RotaryPositionalEncoding extends Module<tf.Tensor, tf.Tensor, PositionOptions> {
  static override readonly moduleName: string = 'RotaryPositionalEncoding';
  readonly dim: number;
  readonly base: number;

  /** @param dim features rotated (the head size; even). @param options.base default 10000. */
  constructor(dim: number, options: { base?: number } = {}) {
    super();
    this.dim = assertInteger('RotaryPositionalEncoding', 'dim', dim);
    if (dim % 2 !== 0) throw new ArgumentError('bad-argument', `RotaryPositionalEncoding: dim (${dim}) must be even.`);
    this.base = assertInRange('RotaryPositionalEncoding', 'base', options.base ?? 10000, 1, Infinity);
  }

  /** The constructor arguments, `{ dim, base }`. */
  getConfig(): { dim: number; base: number } {
    return { dim: this.dim, base: this.base };
  }

  /** Builds the layer from {@link RotaryPositionalEncoding.getConfig}'s output. */
  static fromConfig(config: { dim: number; base?: number }): RotaryPositionalEncoding {
    return new RotaryPositionalEncoding(config.dim, { base: config.base });
  }

  protected forward(input: tf.Tensor, options?: PositionOptions): tf.Tensor {
    assertShape(this.path, 'input', input, ['...', null, this.dim], 'float32');
    const offset = checkOffset(this.path, options);
    const { cos, sin } = rotaryTables(input.shape[input.rank - 2], this.dim, { offset, base: this.base });
    const [first, second] = tf.split(input, 2, input.rank - 1); // [..., T, dim/2] each
    const rotated = tf.concat([tf.neg(second), first], input.rank - 1); // [..., T, dim]
    return tf.add(tf.mul(input, cos), tf.mul(rotated, sin));
  }
}
