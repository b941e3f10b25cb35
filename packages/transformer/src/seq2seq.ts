import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  Dropout,
  Embedding,
  Linear,
  Module,
  assertInRange,
  assertInteger,
  assertShape,
  describeValue,
  resolveGenerator,
  type Generator,
} from '@tensorzoo/core';
import { SinusoidalPositionalEncoding } from '@tensorzoo/attention';
import { argmax, streamTokens, type AutoregressiveModel, type GenerateOptions, type GenerationState } from './generation';
import { Transformer, createDecoderCaches, type Activation, type DecoderLayerCache } from './transformer';

/** Options of {@link Seq2SeqTransformer}. Defaults follow PyTorch's translation tutorial. */
export interface Seq2SeqTransformerOptions {
  /** Source token ids. */
  sourceVocabSize: number;
  /** Target token ids (the output size). */
  targetVocabSize: number;
  /** Model width E. Default 512. */
  dModel?: number;
  /** Attention heads. Default 8. */
  numHeads?: number;
  /** Encoder layers. Default 3. */
  numEncoderLayers?: number;
  /** Decoder layers. Default 3. */
  numDecoderLayers?: number;
  /** Feed-forward hidden size. Default 512. */
  dimFeedforward?: number;
  /** Dropout (embeddings, attention, residual branches; training only). Default 0.1. */
  dropout?: number;
  /** Longest source or target sequence. Default 512. */
  maxLength?: number;
  /** Feed-forward activation. Default `'relu'`. */
  activation?: Activation;
  /** Pre-norm layers. Default `false` (post-norm, as in the paper). */
  normFirst?: boolean;
  /** Randomness for initialisation and dropout. Default: the global generator. */
  rng?: Generator | number;
}

/** A {@link Seq2SeqTransformer}'s options with every default filled in (no `rng`): what `getConfig()` returns. */
export type ResolvedSeq2SeqTransformerOptions = Required<Omit<Seq2SeqTransformerOptions, 'rng' | 'activation'>> & { activation: 'relu' | 'gelu' };

/** Input of {@link Seq2SeqTransformer}. Padding masks are bool `[B, length]` with `true` at padding. */
export interface Seq2SeqInput {
  /** Source ids `[B, S]` int32. */
  source: tf.Tensor;
  /** Target ids `[B, T]` int32 (teacher forcing: the target shifted right, starting with a start token). */
  target: tf.Tensor;
  /** `[B, S]` bool, `true` marks source padding (also masks the memory in cross-attention). */
  sourcePaddingMask?: tf.Tensor;
  /** `[B, T]` bool, `true` marks target padding. */
  targetPaddingMask?: tf.Tensor;
}

/** Options of {@link Seq2SeqTransformer.generate}: {@link GenerateOptions} plus the start token. */
export interface Seq2SeqGenerateOptions extends GenerateOptions {
  /** The first target token (beginning of sequence). */
  startToken: number;
}

/** Options of {@link Seq2SeqTransformer.greedyDecode}. */
export interface GreedyDecodeOptions {
  /** Most tokens per row. */
  maxNewTokens: number;
  /** The first target token. */
  startToken: number;
  /** A row ends after one of these (included in its output). */
  stopTokens?: readonly number[];
  /** `[B, S]` bool, `true` marks source padding. */
  sourcePaddingMask?: tf.Tensor;
}

/** What a {@link Seq2SeqTransformer} keeps while decoding: the encoder output and per-layer caches. */
export class Seq2SeqDecodingState implements GenerationState {
  memory: tf.Tensor;
  memoryPaddingMask: tf.Tensor | undefined;
  readonly caches: DecoderLayerCache[];

  /** Takes ownership of `memory` and `memoryPaddingMask`. */
  constructor(memory: tf.Tensor, memoryPaddingMask: tf.Tensor | undefined, numLayers: number) {
    this.memory = memory;
    this.memoryPaddingMask = memoryPaddingMask;
    this.caches = createDecoderCaches(numLayers);
  }

  /** Target tokens processed so far. */
  get length(): number {
    return this.caches[0].self.length;
  }

  select(rows: readonly number[]): void {
    const gather = (tensor: tf.Tensor) => {
      const selected = tf.tidy(() => tf.gather(tensor, tf.tensor1d(rows as number[], 'int32')));
      tensor.dispose();
      return selected;
    };
    this.memory = gather(this.memory);
    if (this.memoryPaddingMask) this.memoryPaddingMask = gather(this.memoryPaddingMask);
    for (const cache of this.caches) {
      cache.self.select(rows);
      cache.cross.select(rows);
    }
  }

  dispose(): void {
    this.memory.dispose();
    this.memoryPaddingMask?.dispose();
    for (const cache of this.caches) {
      cache.self.dispose();
      cache.cross.dispose();
    }
  }
}

/**
 * An encoder-decoder Transformer for sequence-to-sequence tasks (translation, seed 004):
 * token embeddings scaled by √E plus sinusoidal positions, an {@link Transformer} with
 * cross-attention, and a linear projection to target logits. The causal target mask is built
 * in. Laid out like PyTorch's "Language Translation with nn.Transformer" model
 * (`batch_first=True`): `transformer.encoder.layers.*`, `transformer.decoder.layers.*`,
 * `generator`, `source_embedding`, `target_embedding`.
 *
 * `call({ source [B, S], target [B, T] })` -> logits `[B, T, targetVocabSize]`.
 * @example
 * ```ts
 * const model = new Seq2SeqTransformer({ sourceVocabSize: 20, targetVocabSize: 20, dModel: 32, numHeads: 4,
 *   numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64, dropout: 0.1, maxLength: 32, rng: 1 });
 * const logits = model.call({ source, target: shiftedTarget, sourcePaddingMask }); // [B, T, 20]
 * const [translation] = await model.greedyDecode(source, { maxNewTokens: 20, startToken: 1, stopTokens: [2] });
 * ```
 */
export class Seq2SeqTransformer extends Module<Seq2SeqInput, tf.Tensor> {
  static override readonly moduleName: string = 'Seq2SeqTransformer';
  readonly sourceVocabSize: number;
  readonly targetVocabSize: number;
  readonly dModel: number;
  readonly maxLength: number;
  transformer: Transformer;
  generator: Linear;
  source_embedding: Embedding;
  target_embedding: Embedding;
  positional_encoding: SinusoidalPositionalEncoding;
  dropout: Dropout;

  constructor(options: Seq2SeqTransformerOptions) {
    super();
    const where = 'Seq2SeqTransformer';
    if (typeof options !== 'object' || options === null) {
      throw new ArgumentError('bad-argument', `${where}: expected options { sourceVocabSize, targetVocabSize, ... }, received ${describeValue(options)}.`);
    }
    this.sourceVocabSize = assertInteger(where, 'sourceVocabSize', options.sourceVocabSize);
    this.targetVocabSize = assertInteger(where, 'targetVocabSize', options.targetVocabSize);
    this.dModel = assertInteger(where, 'dModel', options.dModel ?? 512);
    this.maxLength = assertInteger(where, 'maxLength', options.maxLength ?? 512);
    const dropout = assertInRange(where, 'dropout', options.dropout ?? 0.1, 0, 1);
    const rng = resolveGenerator(options.rng);
    this.transformer = new Transformer({
      dModel: this.dModel,
      numHeads: options.numHeads ?? 8,
      numEncoderLayers: options.numEncoderLayers ?? 3,
      numDecoderLayers: options.numDecoderLayers ?? 3,
      dimFeedforward: options.dimFeedforward ?? 512,
      dropout,
      activation: options.activation,
      normFirst: options.normFirst,
      rng: rng.fork(),
    });
    this.generator = new Linear(this.dModel, this.targetVocabSize, { rng });
    this.source_embedding = new Embedding(this.sourceVocabSize, this.dModel, { rng });
    this.target_embedding = new Embedding(this.targetVocabSize, this.dModel, { rng });
    this.positional_encoding = new SinusoidalPositionalEncoding(this.dModel);
    this.dropout = new Dropout(dropout, { rng });
  }

  /** The options with every default filled in (no `rng`): `new Seq2SeqTransformer(model.getConfig())` builds the same architecture. */
  getConfig(): ResolvedSeq2SeqTransformerOptions {
    const { dModel, numHeads, numEncoderLayers, numDecoderLayers, dimFeedforward, dropout, activation, normFirst } = this.transformer.getConfig();
    const { sourceVocabSize, targetVocabSize, maxLength } = this;
    return { sourceVocabSize, targetVocabSize, dModel, numHeads, numEncoderLayers, numDecoderLayers, dimFeedforward, dropout, maxLength, activation, normFirst };
  }

  /** Builds a model (fresh random weights) from {@link Seq2SeqTransformer.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: Seq2SeqTransformerOptions): Seq2SeqTransformer {
    return new Seq2SeqTransformer(config);
  }

  protected forward(input: Seq2SeqInput): tf.Tensor {
    if (typeof input !== 'object' || input === null || input instanceof tf.Tensor || !('source' in input) || !('target' in input)) {
      throw new ArgumentError('bad-argument', `${this.path}: input must be { source: [B, S] int32, target: [B, T] int32, ... }, received ${describeValue(input)}.`);
    }
    const memory = this.encode(input.source, input.sourcePaddingMask); // [B, S, E]
    return this.decode(input.target, memory, { memoryPaddingMask: input.sourcePaddingMask, targetPaddingMask: input.targetPaddingMask }); // [B, T, V]
  }

  /** Encodes source ids `[B, S]` into the memory `[B, S, E]`. */
  encode(source: tf.Tensor, sourcePaddingMask?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const x = this.embed(this.source_embedding, 'source', source, 0); // [B, S, E]
      if (sourcePaddingMask !== undefined) assertShape(this.path, 'sourcePaddingMask', sourcePaddingMask, source.shape, 'bool');
      return this.transformer.encoder.call(x, { keyPaddingMask: sourcePaddingMask });
    });
  }

  /**
   * Target ids `[B, T]` (positions `offset..`) and the memory `[B, S, E]` -> logits `[B, T, V]`,
   * with the causal target mask. `caches` continue an incremental decode.
   */
  decode(
    target: tf.Tensor,
    memory: tf.Tensor,
    options: { memoryPaddingMask?: tf.Tensor; targetPaddingMask?: tf.Tensor; caches?: DecoderLayerCache[]; offset?: number } = {},
  ): tf.Tensor {
    return tf.tidy(() => {
      const x = this.embed(this.target_embedding, 'target', target, options.offset ?? 0); // [B, T, E]
      if (options.targetPaddingMask !== undefined) assertShape(this.path, 'targetPaddingMask', options.targetPaddingMask, target.shape, 'bool');
      const hidden = this.transformer.decoder.call(
        { target: x, memory },
        { causal: true, memoryPaddingMask: options.memoryPaddingMask, targetPaddingMask: options.targetPaddingMask, caches: options.caches },
      ); // [B, T, E]
      return this.generator.call(hidden); // [B, T, V]
    });
  }

  /** `dropout(embedding(ids)·√E + PE)` for positions `offset..`. */
  private embed(embedding: Embedding, name: string, ids: tf.Tensor, offset: number): tf.Tensor {
    assertShape(this.path, name, ids, [null, null], 'int32');
    const length = (ids.shape as number[])[1];
    if (offset + length > this.maxLength) {
      throw new ArgumentError('sequence-too-long', `${this.path}: ${name} positions ${offset}..${offset + length - 1} exceed maxLength (${this.maxLength}).`);
    }
    const scaled = tf.mul(embedding.call(ids), Math.sqrt(this.dModel)); // [B, L, E]
    return this.dropout.call(this.positional_encoding.call(scaled, { offset }));
  }

  /**
   * The decoder as an {@link AutoregressiveModel} for one source sequence, for `generate()`:
   * each state encodes the source once; steps run target tokens against the KV caches.
   * `generate()` puts this model in eval mode while it runs.
   */
  decoderFor(source: readonly number[], options: { sourcePaddingMask?: readonly boolean[] } = {}): AutoregressiveModel<Seq2SeqDecodingState> {
    checkIds(`${this.path}.decoderFor`, 'source', source, this.sourceVocabSize);
    if (source.length > this.maxLength) {
      throw new ArgumentError('sequence-too-long', `${this.path}.decoderFor: source length (${source.length}) exceeds maxLength (${this.maxLength}).`);
    }
    const padding = options.sourcePaddingMask;
    if (padding !== undefined && (!Array.isArray(padding) || padding.length !== source.length)) {
      throw new ArgumentError('bad-argument', `${this.path}.decoderFor: sourcePaddingMask must be ${source.length} booleans, received ${describeValue(padding)}.`);
    }
    const numLayers = this.transformer.decoder.layers.length;
    return {
      contextLength: this.maxLength,
      vocabSize: this.targetVocabSize,
      module: this,
      createGenerationState: () => {
        const ids = tf.tensor2d([source as number[]], [1, source.length], 'int32');
        const mask = padding ? tf.tensor2d([padding as boolean[]], [1, source.length], 'bool') : undefined;
        const memory = this.encode(ids, mask);
        ids.dispose();
        return new Seq2SeqDecodingState(memory, mask, numLayers);
      },
      decodeStep: (ids, state) =>
        tf.tidy(() => {
          const logits = this.decode(ids, state.memory, { memoryPaddingMask: state.memoryPaddingMask, caches: state.caches, offset: state.length });
          const [batch, length] = logits.shape as number[];
          return tf.slice(logits, [0, length - 1, 0], [batch, 1, this.targetVocabSize]).reshape([batch, this.targetVocabSize]);
        }),
    };
  }

  /**
   * Streams the target tokens for one source sequence (any strategy of `generate`; the
   * start token is not repeated, a stop token is included). `maxNewTokens` must be <= maxLength.
   * @example
   * ```ts
   * for await (const token of model.generate(sourceIds, { startToken: 1, stopTokens: [2], maxNewTokens: 30, beamWidth: 4 })) out.push(token);
   * ```
   */
  generate(source: readonly number[], options: Seq2SeqGenerateOptions): AsyncGenerator<number, void, undefined> {
    const where = `${this.path}.generate`;
    const startToken = checkStart(where, options, this.targetVocabSize, this.maxLength);
    return streamTokens(this.decoderFor(source), [startToken], options);
  }

  /**
   * Greedy decoding of a batch of sources `[B, S]` int32 with KV caches: every row starts with
   * `startToken` and stops at a stop token (included) or after `maxNewTokens`. Runs in eval mode.
   * @returns the generated ids of each row.
   */
  async greedyDecode(source: tf.Tensor, options: GreedyDecodeOptions): Promise<number[][]> {
    const where = `${this.path}.greedyDecode`;
    assertShape(where, 'source', source, [null, null], 'int32');
    const startToken = checkStart(where, options, this.targetVocabSize, this.maxLength);
    const stopList = options.stopTokens ?? [];
    checkIds(where, 'stopTokens', stopList, this.targetVocabSize, true);
    const stopTokens = new Set(stopList);
    checkIds(where, 'source', Array.from(await source.data()), this.sourceVocabSize);
    const batch = (source.shape as number[])[0];
    const wasTraining = this.training;
    this.eval();
    const state = new Seq2SeqDecodingState(this.encode(source, options.sourcePaddingMask), options.sourcePaddingMask?.clone(), this.transformer.decoder.layers.length);
    const outputs: number[][] = Array.from({ length: batch }, () => []);
    const done = new Array<boolean>(batch).fill(false);
    let next = new Array<number>(batch).fill(startToken);
    try {
      for (let index = 0; index < options.maxNewTokens && !done.every(Boolean); index++) {
        const ids = tf.tensor2d(next, [batch, 1], 'int32');
        const logits = tf.tidy(() => this.decode(ids, state.memory, { memoryPaddingMask: state.memoryPaddingMask, caches: state.caches, offset: state.length }));
        ids.dispose();
        const values = await logits.data();
        logits.dispose();
        next = outputs.map((row, b) => {
          const token = argmax(values.subarray(b * this.targetVocabSize, (b + 1) * this.targetVocabSize));
          if (!done[b]) {
            row.push(token);
            done[b] = stopTokens.has(token);
          }
          return token;
        });
      }
    } finally {
      state.dispose();
      if (wasTraining) this.train();
    }
    return outputs;
  }
}

function checkIds(where: string, name: string, ids: readonly number[], vocabSize: number, allowEmpty = false): void {
  if (!Array.isArray(ids) || (!allowEmpty && ids.length === 0) || ids.some((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize)) {
    throw new ArgumentError('bad-argument', `${where}: ${name} must be ${allowEmpty ? '' : 'a non-empty list of '}token ids in [0, ${vocabSize}), received ${describeValue(ids)}.`);
  }
}

function checkStart(where: string, options: { startToken: number; maxNewTokens: number }, vocabSize: number, maxLength: number): number {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError('bad-argument', `${where}: options must be an object with startToken and maxNewTokens, received ${describeValue(options)}.`);
  }
  const startToken = assertInteger(where, 'startToken', options.startToken, 0);
  if (startToken >= vocabSize) throw new ArgumentError('bad-argument', `${where}: startToken (${startToken}) must be < targetVocabSize (${vocabSize}).`);
  const maxNewTokens = assertInteger(where, 'maxNewTokens', options.maxNewTokens);
  if (maxNewTokens > maxLength) {
    throw new ArgumentError('bad-argument', `${where}: maxNewTokens (${maxNewTokens}) must be <= maxLength (${maxLength}), the longest target the positions cover.`);
  }
  return startToken;
}
