import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  Dropout,
  LayerNorm,
  Linear,
  Module,
  assertInRange,
  assertInteger,
  assertShape,
  describeValue,
  gelu,
  resolveGenerator,
  type Generator,
} from '@tensorzoo/core';
import { KVCache, MultiHeadAttention } from '@tensorzoo/attention';

/** The feed-forward activation: a name, or any element-wise function. */
export type Activation = 'relu' | 'gelu' | ((input: tf.Tensor) => tf.Tensor);

/** Options of one encoder or decoder layer (PyTorch `nn.TransformerEncoderLayer` arguments). */
export interface TransformerLayerOptions {
  /** Model width E. */
  dModel: number;
  /** Attention heads; must divide `dModel`. */
  numHeads: number;
  /** Hidden size of the feed-forward block. Default 2048 (PyTorch). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (training mode only). Default 0.1 (PyTorch). */
  dropout?: number;
  /** Feed-forward activation. Default `'relu'` (PyTorch); `'gelu'` is exact GELU. */
  activation?: Activation;
  /** LayerNorm epsilon. Default 1e-5. */
  layerNormEps?: number;
  /** Pre-norm (`x + f(norm(x))`, GPT-2 and most modern models) instead of post-norm (`norm(x + f(x))`, the 2017 paper). Default `false`. */
  normFirst?: boolean;
  /** Biases in the linear and attention projections. Default `true`. */
  bias?: boolean;
  /** Randomness for initialisation and dropout. Default: the global generator. */
  rng?: Generator | number;
}

/** Call options of {@link TransformerEncoderLayer} (PyTorch's `src_mask`, `src_key_padding_mask`). */
export interface EncoderLayerCallOptions {
  /** Each position attends only to itself and earlier positions. Default `false`. */
  causal?: boolean;
  /** `[T, T]` or broadcastable to `[B, H, T, T]`; bool `true` = blocked, float added (PyTorch `src_mask`). */
  attentionMask?: tf.Tensor;
  /** `[B, T]`, bool `true` marks padding (PyTorch `src_key_padding_mask`). */
  keyPaddingMask?: tf.Tensor;
  /** Incremental decoding cache of the self-attention. */
  cache?: KVCache;
}

/** One encoder/decoder layer's options with every default filled in (no `rng`): what its `getConfig()` returns. */
export type TransformerLayerConfig = Required<Omit<TransformerLayerOptions, 'rng' | 'activation'>> & { activation: 'relu' | 'gelu' };

/** A layer's resolved options; `activation` is undefined when it was a custom function. */
type StoredLayerConfig = Omit<TransformerLayerConfig, 'activation'> & { activation: 'relu' | 'gelu' | undefined };

function serializableLayerConfig(where: string, config: StoredLayerConfig): TransformerLayerConfig {
  if (config.activation === undefined) {
    throw new ArgumentError(
      'not-serializable',
      `${where}.getConfig: the activation is a custom function, which a config cannot store; use activation 'relu' or 'gelu', or rebuild the model in code and load its weights with loadCheckpoint.`,
    );
  }
  return { ...config, activation: config.activation };
}

interface ResolvedLayerOptions {
  config: StoredLayerConfig;
  dModel: number;
  numHeads: number;
  dimFeedforward: number;
  dropout: number;
  activation: (input: tf.Tensor) => tf.Tensor;
  layerNormEps: number;
  normFirst: boolean;
  bias: boolean;
  rng: Generator;
}

function resolveLayerOptions(where: string, options: TransformerLayerOptions): ResolvedLayerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError('bad-argument', `${where}: expected an options object { dModel, numHeads, ... }, received ${describeValue(options)}.`);
  }
  const dModel = assertInteger(where, 'dModel', options.dModel);
  const numHeads = assertInteger(where, 'numHeads', options.numHeads);
  if (dModel % numHeads !== 0) throw new ArgumentError('bad-argument', `${where}: numHeads (${numHeads}) must divide dModel (${dModel}).`);
  const activation = options.activation ?? 'relu';
  if (activation !== 'relu' && activation !== 'gelu' && typeof activation !== 'function') {
    throw new ArgumentError('bad-argument', `${where}: activation (${describeValue(activation)}) must be 'relu', 'gelu' or a function.`);
  }
  const config: StoredLayerConfig = {
    dModel,
    numHeads,
    dimFeedforward: assertInteger(where, 'dimFeedforward', options.dimFeedforward ?? 2048),
    dropout: assertInRange(where, 'dropout', options.dropout ?? 0.1, 0, 1),
    activation: typeof activation === 'function' ? undefined : activation,
    layerNormEps: assertInRange(where, 'layerNormEps', options.layerNormEps ?? 1e-5, 0, 1),
    normFirst: options.normFirst ?? false,
    bias: options.bias ?? true,
  };
  return {
    ...config,
    config,
    activation: activation === 'relu' ? tf.relu : activation === 'gelu' ? gelu : activation,
    rng: resolveGenerator(options.rng),
  };
}

/**
 * One Transformer encoder layer: self-attention and a feed-forward block, each with a
 * residual connection and LayerNorm (Vaswani et al., 2017, §3.1). Parameters are named and
 * laid out like `torch.nn.TransformerEncoderLayer(batch_first=True)` (`self_attn.in_proj_weight`,
 * `linear1`, `linear2`, `norm1`, `norm2`), so its `state_dict` loads directly.
 *
 * Input `[B, T, dModel]` -> `[B, T, dModel]`. With `causal: true` and a pre-norm GELU
 * configuration it is a GPT block.
 * @example
 * ```ts
 * const layer = new TransformerEncoderLayer({ dModel: 16, numHeads: 4, dimFeedforward: 32, rng: 1 });
 * layer.call(x, { keyPaddingMask });  // [B, T, 16]
 * ```
 */
export class TransformerEncoderLayer extends Module<tf.Tensor, tf.Tensor, EncoderLayerCallOptions> {
  static override readonly moduleName: string = 'TransformerEncoderLayer';
  readonly dModel: number;
  readonly normFirst: boolean;
  self_attn: MultiHeadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  private readonly _activation: (input: tf.Tensor) => tf.Tensor;
  /** The resolved options (see {@link TransformerEncoderLayer.getConfig}). */
  private readonly _config: StoredLayerConfig;

  constructor(options: TransformerLayerOptions) {
    super();
    const settings = resolveLayerOptions('TransformerEncoderLayer', options);
    const { dModel, numHeads, dimFeedforward, dropout, bias, rng } = settings;
    this.dModel = dModel;
    this.normFirst = settings.normFirst;
    this.self_attn = new MultiHeadAttention(dModel, numHeads, { dropout, bias, rng });
    this.linear1 = new Linear(dModel, dimFeedforward, { bias, rng });
    this.dropout = new Dropout(dropout, { rng });
    this.linear2 = new Linear(dimFeedforward, dModel, { bias, rng });
    this.norm1 = new LayerNorm(dModel, { eps: settings.layerNormEps });
    this.norm2 = new LayerNorm(dModel, { eps: settings.layerNormEps });
    this.dropout1 = new Dropout(dropout, { rng });
    this.dropout2 = new Dropout(dropout, { rng });
    this._activation = settings.activation;
    this._config = settings.config;
  }

  /**
   * The options with every default filled in (no `rng`): `new TransformerEncoderLayer(layer.getConfig())`
   * builds the same architecture.
   * @throws {ArgumentError} when the activation is a custom function (a config stores only `'relu'` or `'gelu'`).
   */
  getConfig(): TransformerLayerConfig {
    return serializableLayerConfig(this.path, this._config);
  }

  /** Builds a layer (fresh random weights) from {@link TransformerEncoderLayer.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: TransformerLayerOptions): TransformerEncoderLayer {
    return new TransformerEncoderLayer(config);
  }

  protected forward(input: tf.Tensor, options: EncoderLayerCallOptions = {}): tf.Tensor {
    assertShape(this.path, 'input', input, [null, null, this.dModel], 'float32');
    const attend = (x: tf.Tensor) => this.dropout1.call(this.self_attn.call(x, options));
    const feedForward = (x: tf.Tensor) => this.dropout2.call(this.linear2.call(this.dropout.call(this._activation(this.linear1.call(x)))));
    let x = input; // [B, T, E]
    if (this.normFirst) {
      x = tf.add(x, attend(this.norm1.call(x)));
      x = tf.add(x, feedForward(this.norm2.call(x)));
    } else {
      x = this.norm1.call(tf.add(x, attend(x)));
      x = this.norm2.call(tf.add(x, feedForward(x)));
    }
    return x;
  }
}

/** Input of a decoder layer or stack. */
export interface DecoderInput {
  /** Target sequence `[B, T, dModel]`. */
  target: tf.Tensor;
  /** Encoder output `[B, S, dModel]`. */
  memory: tf.Tensor;
}

/** Caches of one decoder layer for incremental decoding. */
export interface DecoderLayerCache {
  /** Self-attention keys/values (`'append'` mode). */
  self: KVCache;
  /** Cross-attention keys/values of the memory (`'static'` mode: projected once). */
  cross: KVCache;
}

/** Creates empty caches for `numLayers` decoder layers. */
export function createDecoderCaches(numLayers: number): DecoderLayerCache[] {
  assertInteger('createDecoderCaches', 'numLayers', numLayers);
  return Array.from({ length: numLayers }, () => ({ self: new KVCache(), cross: new KVCache({ mode: 'static' }) }));
}

/** Call options of {@link TransformerDecoderLayer} (PyTorch's `tgt_mask`, `memory_mask`, padding masks). */
export interface DecoderLayerCallOptions {
  /** Target positions attend only to earlier target positions (what `generate_square_subsequent_mask` gives). Default `false`. */
  causal?: boolean;
  /** Self-attention mask, `[T, T]` or broadcastable to `[B, H, T, T]`; bool `true` = blocked, float added. */
  targetMask?: tf.Tensor;
  /** Cross-attention mask, `[T, S]` or broadcastable to `[B, H, T, S]`; bool `true` = blocked, float added. */
  memoryMask?: tf.Tensor;
  /** `[B, T]`, bool `true` marks target padding. */
  targetPaddingMask?: tf.Tensor;
  /** `[B, S]`, bool `true` marks memory (source) padding. */
  memoryPaddingMask?: tf.Tensor;
  /** Incremental decoding caches. */
  cache?: DecoderLayerCache;
}

/**
 * One Transformer decoder layer: causal self-attention, cross-attention over the encoder
 * output ("memory") and a feed-forward block, each with residual + LayerNorm. Parameters
 * match `torch.nn.TransformerDecoderLayer(batch_first=True)`: `self_attn`, `multihead_attn`,
 * `linear1`, `linear2`, `norm1`, `norm2`, `norm3`.
 *
 * Input `{ target [B, T, dModel], memory [B, S, dModel] }` -> `[B, T, dModel]`.
 * @example
 * ```ts
 * const layer = new TransformerDecoderLayer({ dModel: 16, numHeads: 4, dimFeedforward: 32 });
 * layer.call({ target, memory }, { causal: true, memoryPaddingMask }); // [B, T, 16]
 * ```
 */
export class TransformerDecoderLayer extends Module<DecoderInput, tf.Tensor, DecoderLayerCallOptions> {
  static override readonly moduleName: string = 'TransformerDecoderLayer';
  readonly dModel: number;
  readonly normFirst: boolean;
  self_attn: MultiHeadAttention;
  multihead_attn: MultiHeadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  private readonly _activation: (input: tf.Tensor) => tf.Tensor;
  /** The resolved options (see {@link TransformerDecoderLayer.getConfig}). */
  private readonly _config: StoredLayerConfig;

  constructor(options: TransformerLayerOptions) {
    super();
    const settings = resolveLayerOptions('TransformerDecoderLayer', options);
    const { dModel, numHeads, dimFeedforward, dropout, bias, rng } = settings;
    this.dModel = dModel;
    this.normFirst = settings.normFirst;
    this.self_attn = new MultiHeadAttention(dModel, numHeads, { dropout, bias, rng });
    this.multihead_attn = new MultiHeadAttention(dModel, numHeads, { dropout, bias, rng });
    this.linear1 = new Linear(dModel, dimFeedforward, { bias, rng });
    this.dropout = new Dropout(dropout, { rng });
    this.linear2 = new Linear(dimFeedforward, dModel, { bias, rng });
    this.norm1 = new LayerNorm(dModel, { eps: settings.layerNormEps });
    this.norm2 = new LayerNorm(dModel, { eps: settings.layerNormEps });
    this.norm3 = new LayerNorm(dModel, { eps: settings.layerNormEps });
    this.dropout1 = new Dropout(dropout, { rng });
    this.dropout2 = new Dropout(dropout, { rng });
    this.dropout3 = new Dropout(dropout, { rng });
    this._activation = settings.activation;
    this._config = settings.config;
  }

  /**
   * The options with every default filled in (no `rng`): `new TransformerDecoderLayer(layer.getConfig())`
   * builds the same architecture.
   * @throws {ArgumentError} when the activation is a custom function (a config stores only `'relu'` or `'gelu'`).
   */
  getConfig(): TransformerLayerConfig {
    return serializableLayerConfig(this.path, this._config);
  }

  /** Builds a layer (fresh random weights) from {@link TransformerDecoderLayer.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: TransformerLayerOptions): TransformerDecoderLayer {
    return new TransformerDecoderLayer(config);
  }

  protected forward(input: DecoderInput, options: DecoderLayerCallOptions = {}): tf.Tensor {
    const { target, memory } = checkDecoderInput(this.path, input, this.dModel);
    const attendSelf = (x: tf.Tensor) =>
      this.dropout1.call(
        this.self_attn.call(x, { causal: options.causal, attentionMask: options.targetMask, keyPaddingMask: options.targetPaddingMask, cache: options.cache?.self }),
      );
    const attendMemory = (x: tf.Tensor) =>
      this.dropout2.call(
        this.multihead_attn.call(
          { query: x, key: memory },
          { attentionMask: options.memoryMask, keyPaddingMask: options.memoryPaddingMask, cache: options.cache?.cross },
        ),
      );
    const feedForward = (x: tf.Tensor) => this.dropout3.call(this.linear2.call(this.dropout.call(this._activation(this.linear1.call(x)))));
    let x = target; // [B, T, E]
    if (this.normFirst) {
      x = tf.add(x, attendSelf(this.norm1.call(x)));
      x = tf.add(x, attendMemory(this.norm2.call(x)));
      x = tf.add(x, feedForward(this.norm3.call(x)));
    } else {
      x = this.norm1.call(tf.add(x, attendSelf(x)));
      x = this.norm2.call(tf.add(x, attendMemory(x)));
      x = this.norm3.call(tf.add(x, feedForward(x)));
    }
    return x;
  }
}

function checkDecoderInput(where: string, input: DecoderInput, dModel: number): DecoderInput {
  if (typeof input !== 'object' || input === null || input instanceof tf.Tensor || !('target' in input) || !('memory' in input)) {
    throw new ArgumentError('bad-argument', `${where}: input must be { target: [B, T, ${dModel}], memory: [B, S, ${dModel}] }, received ${describeValue(input)}.`);
  }
  assertShape(where, 'target', input.target, [null, null, dModel], 'float32');
  assertShape(where, 'memory', input.memory, [input.target.shape[0], null, dModel], 'float32');
  return input;
}

/** Options of {@link TransformerEncoder} and {@link TransformerDecoder}. */
export interface TransformerStackOptions extends TransformerLayerOptions {
  /** Number of layers. */
  numLayers: number;
  /** A final LayerNorm after the last layer (`norm`; PyTorch's `norm=` argument, always on in `nn.Transformer`). Default `false`. */
  norm?: boolean;
}

/** A {@link TransformerEncoder} / {@link TransformerDecoder}'s options with every default filled in: what `getConfig()` returns. */
export type TransformerStackConfig = TransformerLayerConfig & { numLayers: number; norm: boolean };

/** Call options of {@link TransformerEncoder}: a layer's, with one cache per layer. */
export interface EncoderCallOptions extends Omit<EncoderLayerCallOptions, 'cache'> {
  /** One self-attention cache per layer, for incremental (causal) decoding. */
  caches?: KVCache[];
}

function buildLayers<Layer>(where: string, options: TransformerStackOptions, create: (options: TransformerLayerOptions) => Layer): Layer[] {
  const numLayers = assertInteger(where, 'numLayers', options?.numLayers);
  const rng = resolveGenerator(options.rng);
  return Array.from({ length: numLayers }, () => create({ ...options, rng: rng.fork() }));
}

function checkCaches<Cache>(where: string, caches: Cache[] | undefined, numLayers: number): void {
  if (caches !== undefined && (!Array.isArray(caches) || caches.length !== numLayers)) {
    throw new ArgumentError('bad-argument', `${where}: caches must hold one entry per layer (${numLayers}), received ${describeValue(caches)}.`);
  }
}

/**
 * A stack of {@link TransformerEncoderLayer}s with an optional final LayerNorm, named like
 * `torch.nn.TransformerEncoder` (`layers.0.self_attn.in_proj_weight`, ..., `norm.weight`).
 * Each layer is initialised independently (PyTorch deep-copies one layer).
 *
 * Input `[B, T, dModel]` -> `[B, T, dModel]`.
 * @example
 * ```ts
 * const encoder = new TransformerEncoder({ dModel: 16, numHeads: 4, numLayers: 2, norm: true });
 * const memory = encoder.call(embedded, { keyPaddingMask }); // [B, S, 16]
 * ```
 */
export class TransformerEncoder extends Module<tf.Tensor, tf.Tensor, EncoderCallOptions> {
  static override readonly moduleName: string = 'TransformerEncoder';
  layers: TransformerEncoderLayer[];
  norm?: LayerNorm;

  constructor(options: TransformerStackOptions) {
    super();
    this.layers = buildLayers('TransformerEncoder', options, (layerOptions) => new TransformerEncoderLayer(layerOptions));
    if (options.norm) this.norm = new LayerNorm(options.dModel, { eps: options.layerNormEps ?? 1e-5 });
  }

  /** The options with every default filled in (no `rng`): `new TransformerEncoder(stack.getConfig())` builds the same architecture. */
  getConfig(): TransformerStackConfig {
    return { ...this.layers[0].getConfig(), numLayers: this.layers.length, norm: this.norm !== undefined };
  }

  /** Builds a stack (fresh random weights) from {@link TransformerEncoder.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: TransformerStackOptions): TransformerEncoder {
    return new TransformerEncoder(config);
  }

  protected forward(input: tf.Tensor, options: EncoderCallOptions = {}): tf.Tensor {
    const { caches, ...layerOptions } = options;
    checkCaches(this.path, caches, this.layers.length);
    let x = input; // [B, T, E]
    this.layers.forEach((layer, index) => (x = layer.call(x, { ...layerOptions, cache: caches?.[index] })));
    return this.norm ? this.norm.call(x) : x;
  }
}

/** Call options of {@link TransformerDecoder}: a layer's, with one cache pair per layer. */
export interface DecoderCallOptions extends Omit<DecoderLayerCallOptions, 'cache'> {
  /** One cache pair per layer (see {@link createDecoderCaches}), for incremental decoding. */
  caches?: DecoderLayerCache[];
}

/**
 * A stack of {@link TransformerDecoderLayer}s with an optional final LayerNorm, named like
 * `torch.nn.TransformerDecoder` (`layers.0.multihead_attn.in_proj_weight`, ..., `norm.weight`).
 *
 * Input `{ target [B, T, dModel], memory [B, S, dModel] }` -> `[B, T, dModel]`.
 * @example
 * ```ts
 * const decoder = new TransformerDecoder({ dModel: 16, numHeads: 4, numLayers: 2, norm: true });
 * decoder.call({ target, memory }, { causal: true }); // [B, T, 16]
 * ```
 */
export class TransformerDecoder extends Module<DecoderInput, tf.Tensor, DecoderCallOptions> {
  static override readonly moduleName: string = 'TransformerDecoder';
  layers: TransformerDecoderLayer[];
  norm?: LayerNorm;

  constructor(options: TransformerStackOptions) {
    super();
    this.layers = buildLayers('TransformerDecoder', options, (layerOptions) => new TransformerDecoderLayer(layerOptions));
    if (options.norm) this.norm = new LayerNorm(options.dModel, { eps: options.layerNormEps ?? 1e-5 });
  }

  /** The options with every default filled in (no `rng`): `new TransformerDecoder(stack.getConfig())` builds the same architecture. */
  getConfig(): TransformerStackConfig {
    return { ...this.layers[0].getConfig(), numLayers: this.layers.length, norm: this.norm !== undefined };
  }

  /** Builds a stack (fresh random weights) from {@link TransformerDecoder.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: TransformerStackOptions): TransformerDecoder {
    return new TransformerDecoder(config);
  }

  protected forward(input: DecoderInput, options: DecoderCallOptions = {}): tf.Tensor {
    const { caches, ...layerOptions } = options;
    checkCaches(this.path, caches, this.layers.length);
    let x = input.target; // [B, T, E]
    this.layers.forEach((layer, index) => (x = layer.call({ target: x, memory: input.memory }, { ...layerOptions, cache: caches?.[index] })));
    return this.norm ? this.norm.call(x) : x;
  }
}

/** Options of {@link Transformer} (PyTorch `nn.Transformer` arguments and defaults). */
export interface TransformerOptions extends Partial<Omit<TransformerLayerOptions, 'rng'>> {
  /** Encoder layers. Default 6. */
  numEncoderLayers?: number;
  /** Decoder layers. Default 6. */
  numDecoderLayers?: number;
  /** Randomness for initialisation and dropout. */
  rng?: Generator | number;
}

/** A {@link Transformer}'s options with every default filled in (no `rng`): what `getConfig()` returns. */
export type TransformerConfig = TransformerLayerConfig & { numEncoderLayers: number; numDecoderLayers: number };

/** Input of {@link Transformer}: embedded source and target sequences. */
export interface TransformerInput {
  /** `[B, S, dModel]` */
  source: tf.Tensor;
  /** `[B, T, dModel]` */
  target: tf.Tensor;
}

/** Call options of {@link Transformer} (PyTorch `nn.Transformer.forward` masks). */
export interface TransformerCallOptions {
  /** Causal target self-attention. Default `false`. */
  causal?: boolean;
  /** Encoder self-attention mask (`src_mask`). */
  sourceMask?: tf.Tensor;
  /** Decoder self-attention mask (`tgt_mask`). */
  targetMask?: tf.Tensor;
  /** Cross-attention mask (`memory_mask`). */
  memoryMask?: tf.Tensor;
  /** `[B, S]`, `true` marks source padding (`src_key_padding_mask`). */
  sourcePaddingMask?: tf.Tensor;
  /** `[B, T]`, `true` marks target padding (`tgt_key_padding_mask`). */
  targetPaddingMask?: tf.Tensor;
  /** `[B, S]`, `true` marks memory padding (`memory_key_padding_mask`); usually the source padding mask. */
  memoryPaddingMask?: tf.Tensor;
}

/**
 * The encoder-decoder Transformer of "Attention is all you need" on embedded sequences,
 * named like `torch.nn.Transformer(batch_first=True)`: `encoder.layers.*`, `encoder.norm`,
 * `decoder.layers.*`, `decoder.norm`. Defaults are PyTorch's (dModel 512, 8 heads, 6 + 6
 * layers, feed-forward 2048, dropout 0.1).
 *
 * Input `{ source [B, S, dModel], target [B, T, dModel] }` -> `[B, T, dModel]`. For token
 * ids, embeddings and an output projection, use {@link Seq2SeqTransformer}.
 * @example
 * ```ts
 * const model = new Transformer({ dModel: 16, numHeads: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32 });
 * model.call({ source, target }, { causal: true, sourcePaddingMask, memoryPaddingMask: sourcePaddingMask });
 * ```
 */
export class Transformer extends Module<TransformerInput, tf.Tensor, TransformerCallOptions> {
  static override readonly moduleName: string = 'Transformer';
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;

  constructor(options: TransformerOptions = {}) {
    super();
    const rng = resolveGenerator(options.rng);
    const layer: TransformerLayerOptions = { ...options, dModel: options.dModel ?? 512, numHeads: options.numHeads ?? 8, rng };
    this.encoder = new TransformerEncoder({ ...layer, numLayers: options.numEncoderLayers ?? 6, norm: true, rng: rng.fork() });
    this.decoder = new TransformerDecoder({ ...layer, numLayers: options.numDecoderLayers ?? 6, norm: true, rng: rng.fork() });
  }

  /** The options with every default filled in (no `rng`): `new Transformer(transformer.getConfig())` builds the same architecture. */
  getConfig(): TransformerConfig {
    const { numLayers, norm, ...layer } = this.encoder.getConfig();
    return { ...layer, numEncoderLayers: numLayers, numDecoderLayers: this.decoder.layers.length };
  }

  /** Builds a Transformer (fresh random weights) from {@link Transformer.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: TransformerOptions): Transformer {
    return new Transformer(config);
  }

  protected forward(input: TransformerInput, options: TransformerCallOptions = {}): tf.Tensor {
    if (typeof input !== 'object' || input === null || input instanceof tf.Tensor || !('source' in input) || !('target' in input)) {
      throw new ArgumentError('bad-argument', `${this.path}: input must be { source: [B, S, E], target: [B, T, E] }, received ${describeValue(input)}.`);
    }
    const memory = this.encoder.call(input.source, { attentionMask: options.sourceMask, keyPaddingMask: options.sourcePaddingMask }); // [B, S, E]
    return this.decoder.call(
      { target: input.target, memory },
      {
        causal: options.causal,
        targetMask: options.targetMask,
        memoryMask: options.memoryMask,
        targetPaddingMask: options.targetPaddingMask,
        memoryPaddingMask: options.memoryPaddingMask,
      },
    ); // [B, T, E]
  }
}
