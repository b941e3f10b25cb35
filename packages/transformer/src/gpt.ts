import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  Dropout,
  Embedding,
  LayerNorm,
  Linear,
  Module,
  assertInRange,
  assertInteger,
  assertShape,
  describeValue,
  geluTanh,
  linear,
  resolveGenerator,
  type Generator,
} from '@tensorzoo/core';
import { KVCache, LearnedPositionalEncoding, MultiHeadAttention } from '@tensorzoo/attention';
import { streamTokens, type AutoregressiveModel, type GenerateOptions, type GenerationState } from './generation';
import { TransformerEncoderLayer } from './transformer';

/** Options of {@link GPT} (defaults follow nanoGPT). */
export interface GPTOptions {
  /** Number of token ids V. */
  vocabSize: number;
  /** Most positions the model sees (nanoGPT's `block_size`). */
  contextLength: number;
  /** Model width E. */
  dModel: number;
  /** Attention heads; must divide `dModel`. */
  numHeads: number;
  /** Transformer blocks. */
  numLayers: number;
  /** Feed-forward hidden size. Default `4 · dModel`. */
  dimFeedforward?: number;
  /** Dropout on embeddings, attention weights and residual branches (training only). Default 0. */
  dropout?: number;
  /** Share the token embedding with the output projection (GPT-2, nanoGPT). Default `true`. */
  tieWeights?: boolean;
  /** Biases in linear layers and projections. Default `true`. */
  bias?: boolean;
  /**
   * Feed-forward activation: `'gelu'` (exact, as nanoGPT) or `'gelu-tanh'` (the tanh
   * approximation GPT-2 was trained with, Hugging Face's `gelu_new`). Default `'gelu'`.
   */
  activation?: 'gelu' | 'gelu-tanh';
  /** Standard deviation of the N(0, σ²) weight initialisation (residual projections get σ/√(2·numLayers)). Default 0.02. */
  initStd?: number;
  /** Randomness for initialisation and dropout. Default: the global generator. */
  rng?: Generator | number;
}

/** A {@link GPT}'s options with every default filled in (no `rng`): what `getConfig()` returns. */
export type ResolvedGPTOptions = Required<Omit<GPTOptions, 'rng'>>;

/** Call options of {@link GPT}. */
export interface GPTCallOptions {
  /** KV caches from {@link GPT.createGenerationState}; the input continues the cached tokens. */
  cache?: GPTCache;
}

/** The KV caches of a {@link GPT}, one per block. */
export class GPTCache implements GenerationState {
  readonly layers: KVCache[];

  constructor(numLayers: number) {
    this.layers = Array.from({ length: assertInteger('GPTCache', 'numLayers', numLayers) }, () => new KVCache());
  }

  /** Tokens processed so far. */
  get length(): number {
    return this.layers[0].length;
  }

  select(rows: readonly number[]): void {
    for (const cache of this.layers) cache.select(rows);
  }

  dispose(): void {
    for (const cache of this.layers) cache.dispose();
  }
}

/**
 * A decoder-only causal language model in the style of GPT-2 / nanoGPT: token embeddings +
 * learned position embeddings, `numLayers` pre-norm blocks (causal self-attention and a GELU
 * MLP; each a {@link TransformerEncoderLayer} with `normFirst: true`), a final LayerNorm and
 * a language-model head, tied to the token embedding by default.
 *
 * Parameter names: `token_embedding.weight [V, E]`, `position_embedding.weight [C, E]`,
 * `layers.N.self_attn.in_proj_weight`, `layers.N.linear1`, ..., `norm.weight`, and
 * `lm_head.weight [V, E]` when not tied (nanoGPT's `c_attn` / `c_proj` / `c_fc` map to
 * `self_attn.in_proj_*` / `self_attn.out_proj` + `linear2` / `linear1` with the same layouts).
 *
 * `call(ids [B, T] int32)` -> logits `[B, T, V]`, `T <= contextLength`.
 * @example
 * ```ts
 * const gpt = new GPT({ vocabSize: 65, contextLength: 64, dModel: 64, numHeads: 4, numLayers: 2, rng: 1 });
 * const logits = gpt.call(ids);                         // [B, T, 65]
 * for await (const token of gpt.generate([0, 5, 7], { maxNewTokens: 50, topK: 10, seed: 1 })) out.push(token);
 * ```
 */
export class GPT extends Module<tf.Tensor, tf.Tensor, GPTCallOptions> implements AutoregressiveModel<GPTCache> {
  static override readonly moduleName: string = 'GPT';
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly dModel: number;
  readonly tieWeights: boolean;
  token_embedding: Embedding;
  position_embedding: LearnedPositionalEncoding;
  dropout: Dropout;
  layers: TransformerEncoderLayer[];
  norm: LayerNorm;
  /** Output projection `[V, E]`, absent when tied to `token_embedding`. */
  lm_head?: Linear;
  /** The resolved options (see {@link GPT.getConfig}). */
  private readonly _config: ResolvedGPTOptions;

  constructor(options: GPTOptions) {
    super();
    const where = 'GPT';
    if (typeof options !== 'object' || options === null) {
      throw new ArgumentError('bad-argument', `${where}: expected options { vocabSize, contextLength, dModel, numHeads, numLayers }, received ${describeValue(options)}.`);
    }
    this.vocabSize = assertInteger(where, 'vocabSize', options.vocabSize);
    this.contextLength = assertInteger(where, 'contextLength', options.contextLength);
    this.dModel = assertInteger(where, 'dModel', options.dModel);
    const numLayers = assertInteger(where, 'numLayers', options.numLayers);
    const numHeads = assertInteger(where, 'numHeads', options.numHeads);
    if (this.dModel % numHeads !== 0) throw new ArgumentError('bad-argument', `${where}: numHeads (${numHeads}) must divide dModel (${this.dModel}).`);
    const dropout = assertInRange(where, 'dropout', options.dropout ?? 0, 0, 1);
    const initStd = assertInRange(where, 'initStd', options.initStd ?? 0.02, 0, Infinity);
    const bias = options.bias ?? true;
    const activation = options.activation ?? 'gelu';
    if (activation !== 'gelu' && activation !== 'gelu-tanh') {
      throw new ArgumentError('bad-argument', `${where}: activation (${describeValue(activation)}) must be 'gelu' or 'gelu-tanh'.`);
    }
    this.tieWeights = options.tieWeights ?? true;
    const dimFeedforward = options.dimFeedforward ?? 4 * this.dModel;
    this._config = { vocabSize: this.vocabSize, contextLength: this.contextLength, dModel: this.dModel, numHeads, numLayers, dimFeedforward, dropout, tieWeights: this.tieWeights, bias, initStd, activation };
    const rng = resolveGenerator(options.rng);
    this.token_embedding = new Embedding(this.vocabSize, this.dModel, { rng });
    this.position_embedding = new LearnedPositionalEncoding(this.contextLength, this.dModel, { rng });
    this.dropout = new Dropout(dropout, { rng });
    this.layers = Array.from(
      { length: numLayers },
      () =>
        new TransformerEncoderLayer({
          dModel: this.dModel,
          numHeads,
          dimFeedforward,
          dropout,
          activation: activation === 'gelu-tanh' ? geluTanh : 'gelu',
          normFirst: true,
          bias,
          rng: rng.fork(),
        }),
    );
    this.norm = new LayerNorm(this.dModel);
    if (!this.tieWeights) this.lm_head = new Linear(this.dModel, this.vocabSize, { bias: false, rng });
    this.initialize(initStd, numLayers, rng);
  }

  /** The options with every default filled in (a copy, no `rng`): `new GPT(gpt.getConfig())` builds the same architecture. */
  getConfig(): ResolvedGPTOptions {
    return { ...this._config };
  }

  /** Builds a GPT (fresh random weights) from {@link GPT.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: GPTOptions): GPT {
    return new GPT(config);
  }

  /** nanoGPT's initialisation: N(0, std²) weights and embeddings, zero biases, residual projections scaled by 1/√(2·numLayers). */
  private initialize(std: number, numLayers: number, rng: Generator): void {
    const normal = (variable: tf.Variable, scale: number) => {
      const value = tf.tensor(rng.normalArray(variable.size, 0, scale), variable.shape);
      variable.assign(value);
      value.dispose();
    };
    const zero = (variable: tf.Variable | undefined) => variable && tf.tidy(() => variable.assign(tf.zerosLike(variable)));
    const residualStd = std / Math.sqrt(2 * numLayers);
    for (const [name, module] of this.namedModules()) {
      if (module instanceof Embedding || module instanceof LearnedPositionalEncoding) normal(module.weight, std);
      if (module instanceof Linear) {
        normal(module.weight, name.endsWith('out_proj') || name.endsWith('linear2') ? residualStd : std);
        zero(module.bias);
      }
      if (module instanceof MultiHeadAttention && module.in_proj_weight) {
        normal(module.in_proj_weight, std);
        zero(module.in_proj_bias);
      }
    }
  }

  protected forward(ids: tf.Tensor, options: GPTCallOptions = {}): tf.Tensor {
    assertShape(this.path, 'ids', ids, [null, null], 'int32');
    const cache = options.cache;
    if (cache !== undefined && !(cache instanceof GPTCache && cache.layers.length === this.layers.length)) {
      throw new ArgumentError('bad-argument', `${this.path}: cache must come from createGenerationState(), received ${describeValue(cache)}.`);
    }
    const [batch, length] = ids.shape as number[];
    const offset = cache?.length ?? 0;
    if (offset + length > this.contextLength) {
      throw new ArgumentError(
        'sequence-too-long',
        `${this.path}: ${offset ? `${offset} cached + ` : ''}${length} tokens exceed contextLength (${this.contextLength}); crop the context.`,
      );
    }
    let x = this.position_embedding.call(this.token_embedding.call(ids), { offset }); // [B, T, E]
    x = this.dropout.call(x);
    this.layers.forEach((layer, index) => (x = layer.call(x, { causal: true, cache: cache?.layers[index] })));
    x = this.norm.call(x); // [B, T, E]
    if (this.lm_head) return this.lm_head.call(x); // [B, T, V]
    return linear(x, this.token_embedding.weight); // [B, T, V], the head tied to the token embedding
  }

  /** Empty KV caches for incremental decoding (one per block). */
  createGenerationState(): GPTCache {
    return new GPTCache(this.layers.length);
  }

  /** Runs `ids` `[B, T]` after the tokens in `state` and returns the last position's logits `[B, V]`. */
  decodeStep(ids: tf.Tensor, state: GPTCache): tf.Tensor {
    return tf.tidy(() => {
      const logits = this.call(ids, { cache: state }); // [B, T, V]
      const [batch, length] = logits.shape as number[];
      return tf.slice(logits, [0, length - 1, 0], [batch, 1, this.vocabSize]).reshape([batch, this.vocabSize]);
    });
  }

  /**
   * Streams up to `maxNewTokens` new tokens after `prompt` (see `streamTokens` for the
   * strategies and the KV cache), calling `onToken` for each.
   */
  generate(prompt: readonly number[], options: GenerateOptions): AsyncGenerator<number, void, undefined> {
    return streamTokens(this, prompt, options);
  }

  /**
   * Loads a PyTorch `state_dict`; with tied weights a `lm_head.weight` entry (PyTorch saves
   * the shared tensor under both names) is skipped.
   */
  override loadStateDict(values: Record<string, tf.Tensor>, options: { strict?: boolean } = {}): void {
    const own = { ...values };
    if (this.tieWeights) delete own['lm_head.weight'];
    super.loadStateDict(own, options);
  }
}
