import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  Linear,
  Module,
  ShapeError,
  assertInRange,
  assertInteger,
  assertShape,
  describeValue,
  formatShape,
  fusedAttention,
  fusedPackedAttention,
  glorotUniform,
  linear,
  parameter,
  resolveGenerator,
  zeros,
  type Generator,
} from '@tensorzoo/core';
import { KVCache } from './kv-cache';
import { RotaryPositionalEncoding } from './positional-encoding';
import { additiveMask, attentionWeights, checkMask, dropWeights } from './scaled-dot-product-attention';

/** Options of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionOptions {
  /** Feature size of `key` (PyTorch `kdim`). Default `embedDim`. */
  keyDim?: number;
  /** Feature size of `value` (PyTorch `vdim`). Default `embedDim`. */
  valueDim?: number;
  /** Dropout on the attention weights, active in training mode. Default 0. */
  dropout?: number;
  /** Learned biases on the input and output projections. Default `true`. */
  bias?: boolean;
  /**
   * Store the query/key/value projections as one `in_proj_weight [3E, E]` (`true`) or as
   * `q_proj_weight [E, E]`, `k_proj_weight [E, keyDim]`, `v_proj_weight [E, valueDim]`
   * (`false`). Default: packed exactly when `keyDim = valueDim = embedDim`, which is what
   * PyTorch does, so its `state_dict` loads either way. Packing needs equal sizes.
   */
  packed?: boolean;
  /**
   * Rotate queries and keys with rotary position embeddings ({@link RotaryPositionalEncoding})
   * over the whole head; `true` or `{ base }`. Self-attention only. Default off.
   */
  rotary?: boolean | { base?: number };
  /** Randomness for initialisation and dropout. Default: the global generator. */
  rng?: Generator | number;
}

/** {@link MultiHeadAttention}'s constructor arguments as one JSON object (what `getConfig()` returns). */
export interface MultiHeadAttentionConfig extends Omit<MultiHeadAttentionOptions, 'rng'> {
  embedDim: number;
  numHeads: number;
}

/** Input of {@link MultiHeadAttention}: one tensor for self-attention, or query/key/value. */
export type AttentionInput =
  | tf.Tensor
  | {
      /** `[B, Tq, embedDim]` */
      query: tf.Tensor;
      /** `[B, Tk, keyDim]`. Default `query`. */
      key?: tf.Tensor;
      /** `[B, Tk, valueDim]`. Default `key`. */
      value?: tf.Tensor;
    };

/** Call options of {@link MultiHeadAttention}. Masks follow `torch.nn.MultiheadAttention`. */
export interface MultiHeadAttentionCallOptions {
  /**
   * `[B, Tk]` over all keys (cached + new). `bool`: `true` marks padding, which no query
   * attends to (PyTorch's `key_padding_mask`). `float32`: added to the scores.
   */
  keyPaddingMask?: tf.Tensor;
  /**
   * `[Tq, Tk]`, `[B·H, Tq, Tk]` (PyTorch) or anything broadcastable to `[B, H, Tq, Tk]`.
   * `bool`: `true` = NOT allowed to attend (PyTorch's `attn_mask`). `float32`: added to the scores.
   */
  attentionMask?: tf.Tensor;
  /** Each query attends only to keys at or before its own position. Default `false`. */
  causal?: boolean;
  /** Incremental decoding: keys/values of earlier calls are read from and appended to it. */
  cache?: KVCache;
  /** For {@link MultiHeadAttention.callWithWeights}: average the weights over heads (PyTorch's default). Default `true`. */
  averageWeights?: boolean;
}

/**
 * Multi-head attention (Vaswani et al., 2017, §3.2.2), with the parameters of
 * `torch.nn.MultiheadAttention` (`batch_first=True`):
 *
 * ```text
 * head_h = softmax(Q W_qᵀ (K W_kᵀ)ᵀ / sqrt(E/H) + mask) V W_vᵀ
 * output = concat(head_1..head_H) W_oᵀ + b_o
 * ```
 *
 * Parameters (PyTorch `state_dict` names): `in_proj_weight [3E, E]` (or `q_proj_weight`,
 * `k_proj_weight`, `v_proj_weight` when not packed), `in_proj_bias [3E]`,
 * `out_proj.weight [E, E]`, `out_proj.bias [E]`. Initialised like PyTorch (Xavier-uniform
 * projections, zero biases).
 *
 * `call(x)` is self-attention on `[B, T, E]`; `call({ query, key, value })` is
 * cross-attention; both return `[B, Tq, E]`. {@link MultiHeadAttention.callWithWeights}
 * also returns the attention weights.
 * @example
 * ```ts
 * const attention = new MultiHeadAttention(16, 4, { rng: 1 });
 * const y = attention.call(x, { causal: true, keyPaddingMask });           // [B, T, 16]
 * const { output, weights } = attention.callWithWeights({ query: y, key: memory }); // weights [B, T, S]
 * ```
 */
export class MultiHeadAttention extends Module<AttentionInput, tf.Tensor, MultiHeadAttentionCallOptions> {
  static override readonly moduleName: string = 'MultiHeadAttention';
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly packed: boolean;
  /** `[3E, E]` when packed. */
  in_proj_weight?: tf.Variable;
  /** `[E, E]` when not packed. */
  q_proj_weight?: tf.Variable;
  /** `[E, keyDim]` when not packed. */
  k_proj_weight?: tf.Variable;
  /** `[E, valueDim]` when not packed. */
  v_proj_weight?: tf.Variable;
  /** `[3E]` (query, key, value biases), unless `bias: false`. */
  in_proj_bias?: tf.Variable;
  /** Output projection `[E, E]`. */
  out_proj: Linear;
  /** Rotary position embedding of queries and keys, when enabled. */
  rotary?: RotaryPositionalEncoding;
  private readonly _rng: Generator;

  constructor(embedDim: number, numHeads: number, options: MultiHeadAttentionOptions = {}) {
    super();
    const where = 'MultiHeadAttention';
    this.embedDim = assertInteger(where, 'embedDim', embedDim);
    this.numHeads = assertInteger(where, 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) {
      throw new ArgumentError('bad-argument', `${where}: numHeads (${numHeads}) must divide embedDim (${embedDim}).`);
    }
    this.headDim = embedDim / numHeads;
    this.keyDim = assertInteger(where, 'keyDim', options.keyDim ?? embedDim);
    this.valueDim = assertInteger(where, 'valueDim', options.valueDim ?? embedDim);
    this.dropout = assertInRange(where, 'dropout', options.dropout ?? 0, 0, 1);
    const sameSizes = this.keyDim === embedDim && this.valueDim === embedDim;
    this.packed = options.packed ?? sameSizes;
    if (this.packed && !sameSizes) {
      throw new ArgumentError(
        'bad-argument',
        `${where}: packed projections need keyDim (${this.keyDim}) and valueDim (${this.valueDim}) equal to embedDim (${embedDim}); pass packed: false.`,
      );
    }
    const rng = resolveGenerator(options.rng);
    const xavier = glorotUniform();
    if (this.packed) {
      this.in_proj_weight = parameter(xavier([3 * embedDim, embedDim], rng));
    } else {
      this.q_proj_weight = parameter(xavier([embedDim, embedDim], rng));
      this.k_proj_weight = parameter(xavier([embedDim, this.keyDim], rng));
      this.v_proj_weight = parameter(xavier([embedDim, this.valueDim], rng));
    }
    const bias = options.bias ?? true;
    if (bias) this.in_proj_bias = parameter(zeros([3 * embedDim], rng));
    this.out_proj = new Linear(embedDim, embedDim, { bias, rng, biasInit: zeros });
    if (options.rotary) {
      if (this.headDim % 2 !== 0) {
        throw new ArgumentError('bad-argument', `${where}: rotary embeddings need an even head size, received embedDim/numHeads = ${this.headDim}.`);
      }
      this.rotary = new RotaryPositionalEncoding(this.headDim, options.rotary === true ? {} : options.rotary);
    }
    this._rng = rng;
  }

  /**
   * The constructor arguments with every default filled in (no `rng`):
   * `MultiHeadAttention.fromConfig(attention.getConfig())` builds the same architecture.
   */
  getConfig(): MultiHeadAttentionConfig {
    return {
      embedDim: this.embedDim,
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      bias: this.in_proj_bias !== undefined,
      packed: this.packed,
      rotary: this.rotary ? { base: this.rotary.base } : false,
    };
  }

  /** Builds a MultiHeadAttention (fresh random weights) from {@link MultiHeadAttention.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: MultiHeadAttentionConfig): MultiHeadAttention {
    const { embedDim, numHeads, ...options } = config;
    return new MultiHeadAttention(embedDim, numHeads, options);
  }

  /**
   * Like `call`, but also returns the attention weights (before dropout): `[B, Tq, Tk]`
   * averaged over heads (default, like PyTorch's `need_weights=True`) or `[B, H, Tq, Tk]`
   * with `averageWeights: false`.
   */
  callWithWeights(input: AttentionInput, options: MultiHeadAttentionCallOptions = {}): { output: tf.Tensor; weights: tf.Tensor } {
    return tf.tidy(() => {
      const { output, weights } = this.attend(input, options, true);
      return { output, weights: options.averageWeights === false ? weights! : tf.mean(weights!, 1) };
    });
  }

  protected forward(input: AttentionInput, options: MultiHeadAttentionCallOptions = {}): tf.Tensor {
    return this.attend(input, options, false).output;
  }

  /** The output and, when `needWeights` or on the composite path, the attention weights `[B, H, Tq, Tk]`. */
  private attend(input: AttentionInput, options: MultiHeadAttentionCallOptions, needWeights: boolean): { output: tf.Tensor; weights?: tf.Tensor } {
    const { query, key, value } = this.checkInput(input);
    const [batch, queryLength] = query.shape as number[];
    const cache = this.checkCache(options.cache, batch);
    const dropping = this.training && this.dropout > 0;
    // Self-attention with packed weights, nothing else asked: one kernel each way on the packed
    // projections (kernels/attention.ts), no transposes to split and merge the heads.
    const selfPacked = query === key && key === value && this.packed && !this.rotary && !cache;
    const packed = selfPacked ? this.project(query, 'all').reshape([batch, queryLength, 3, this.numHeads, this.headDim]) : undefined;
    if (packed && !needWeights && !dropping && options.keyPaddingMask === undefined && options.attentionMask === undefined) {
      const context = fusedPackedAttention(packed, { scale: 1 / Math.sqrt(this.headDim), causal: options.causal ?? false }); // [B, T, H, Dh]
      if (context) return { output: this.out_proj.call(context.reshape([batch, queryLength, this.embedDim])) };
    }
    const { q, k, v } = this.headsOf(query, key, value, cache, packed); // [B, H, T, Dh]
    const mask = this.combineMasks(options, batch, queryLength, (k.shape as number[])[2]);
    // cpu and wasm: one kernel each way (kernels/attention.ts), unless weights, a mask or dropout are needed.
    const fused = needWeights || dropping || mask !== undefined ? undefined : fusedAttention(q, k, v, { scale: 1 / Math.sqrt(this.headDim), causal: options.causal ?? false });
    const weights = fused ? undefined : attentionWeights(q, k, { mask, causal: options.causal ?? false }); // [B, H, Tq, Tk]
    const context = fused ?? tf.matMul(dropping ? dropWeights(weights!, this.dropout, this._rng) : weights!, v); // [B, H, Tq, Dh]
    const merged = tf.transpose(context, [0, 2, 1, 3]).reshape([batch, queryLength, this.embedDim]); // [B, Tq, E]
    return { output: this.out_proj.call(merged), weights };
  }

  /** Projected (or from `packed`, `[B, T, 3, H, Dh]`), rotated and cached queries, keys and values, `[B, H, T, Dh]` each. */
  private headsOf(query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, cache: KVCache | undefined, packed?: tf.Tensor): { q: tf.Tensor; k: tf.Tensor; v: tf.Tensor } {
    if (cache?.filled) return { q: this.splitHeads(this.project(query, 0)), k: cache.keys!, v: cache.values! };
    let q: tf.Tensor;
    let k: tf.Tensor;
    let v: tf.Tensor;
    if (query === key && key === value && this.packed) {
      // One projection, one transpose: [B, T, 3E] -> [3, B, H, T, Dh], then contiguous slices.
      const [batch, length] = query.shape as number[];
      packed ??= this.project(query, 'all').reshape([batch, length, 3, this.numHeads, this.headDim]);
      [q, k, v] = tf.unstack(tf.transpose(packed, [2, 0, 3, 1, 4]));
    } else {
      [q, k, v] = [this.project(query, 0), this.project(key, 1), this.project(value, 2)].map((part) => this.splitHeads(part));
    }
    if (this.rotary) {
      const offset = cache?.length ?? 0; // absolute position of the first new token
      q = this.rotary.call(q, { offset });
      k = this.rotary.call(k, { offset });
    }
    if (cache) ({ keys: k, values: v } = cache.update(k, v));
    return { q, k, v };
  }

  /** Projects `[B, T, in]` with part 0 (query), 1 (key), 2 (value) or all three packed -> `[B, T, E or 3E]`. */
  private project(input: tf.Tensor, part: 0 | 1 | 2 | 'all'): tf.Tensor {
    const E = this.embedDim;
    let weight: tf.Tensor;
    if (this.packed) {
      weight = part === 'all' ? this.in_proj_weight! : tf.slice(this.in_proj_weight!, [part * E, 0], [E, E]);
    } else {
      weight = [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!][part as number];
    }
    const bias = this.in_proj_bias && (part === 'all' ? this.in_proj_bias : tf.slice(this.in_proj_bias, [part * E], [E]));
    return linear(input, weight, bias); // [B, T, E or 3E]
  }

  /** `[B, T, E]` -> `[B, H, T, E/H]`. */
  private splitHeads(input: tf.Tensor): tf.Tensor {
    const [batch, length] = input.shape as number[];
    return tf.transpose(input.reshape([batch, length, this.numHeads, this.headDim]), [0, 2, 1, 3]);
  }

  /** The key padding and attention masks as one SDPA mask (`true` = may attend, or additive), broadcastable to `[B, H, Tq, Tk]`. */
  private combineMasks(options: MultiHeadAttentionCallOptions, batch: number, queryLength: number, keyLength: number): tf.Tensor | undefined {
    const scores = [batch, this.numHeads, queryLength, keyLength];
    const masks: tf.Tensor[] = [];
    if (options.keyPaddingMask !== undefined) {
      const padding = options.keyPaddingMask;
      checkMask(this.path, padding, [batch, keyLength], 'keyPaddingMask');
      if (padding.rank !== 2) {
        throw new ShapeError('shape-mismatch', `${this.path}: keyPaddingMask expected shape [${batch}, ${keyLength}], received ${formatShape(padding.shape)}.`);
      }
      const [paddingBatch, paddingLength] = padding.shape as number[];
      const reshaped = padding.reshape([paddingBatch, 1, 1, paddingLength]); // [B, 1, 1, Tk]
      masks.push(padding.dtype === 'bool' ? tf.logicalNot(reshaped) : reshaped);
    }
    if (options.attentionMask !== undefined) {
      let attention = options.attentionMask;
      if (attention.rank === 3 && attention.shape[0] === batch * this.numHeads) {
        attention = attention.reshape([batch, this.numHeads, queryLength, keyLength]); // PyTorch's [B·H, Tq, Tk]
      }
      checkMask(this.path, attention, scores, 'attentionMask');
      masks.push(attention.dtype === 'bool' ? tf.logicalNot(attention) : attention);
    }
    if (masks.length < 2) return masks[0];
    return masks[0].dtype === 'bool' && masks[1].dtype === 'bool' ? tf.logicalAnd(masks[0], masks[1]) : tf.add(additiveMask(masks[0]), additiveMask(masks[1]));
  }

  private checkInput(input: AttentionInput): { query: tf.Tensor; key: tf.Tensor; value: tf.Tensor } {
    const isTensor = input instanceof tf.Tensor;
    if (!isTensor && (typeof input !== 'object' || input === null || !('query' in input))) {
      throw new ArgumentError('bad-argument', `${this.path}: input must be a tensor [B, T, E] or { query, key?, value? }, received ${describeValue(input)}.`);
    }
    const query = isTensor ? input : input.query;
    const key = isTensor ? input : (input.key ?? query);
    const value = isTensor ? input : (input.value ?? key);
    assertShape(this.path, 'query', query, [null, null, this.embedDim], 'float32');
    const batch = query.shape[0];
    assertShape(this.path, 'key', key, [batch, null, this.keyDim], 'float32');
    assertShape(this.path, 'value', value, [batch, (key.shape as number[])[1], this.valueDim], 'float32');
    return { query, key, value };
  }

  private checkCache(cache: KVCache | undefined, batch: number): KVCache | undefined {
    if (cache === undefined) return undefined;
    if (!(cache instanceof KVCache)) {
      throw new ArgumentError('bad-argument', `${this.path}: cache must be a KVCache, received ${describeValue(cache)}.`);
    }
    if (cache.mode === 'static' && this.rotary) {
      throw new ArgumentError('bad-argument', `${this.path}: rotary embeddings apply to self-attention only; a static (cross-attention) cache cannot be used.`);
    }
    if (cache.keys && cache.keys.shape[0] !== batch) {
      throw new ShapeError('shape-mismatch', `${this.path}: the cache holds batch ${cache.keys.shape[0]}, the input has batch ${batch}.`);
    }
    return cache;
  }
}
