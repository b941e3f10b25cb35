import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, Generator, Module, TrainingError, assertInRange, assertInteger, describeValue } from '@tensorzoo/core';

/** What a model keeps between decoding steps (KV caches); owned by the generation loop. */
export interface GenerationState {
  /** Keeps batch rows `rows` in that order (repeats allowed): expands a prompt to beams, follows surviving beams. */
  select(rows: readonly number[]): void;
  /** Frees the state's tensors. */
  dispose(): void;
}

/**
 * A model {@link generate} can drive token by token. `GPT` implements it; a
 * `Seq2SeqTransformer` gives one per source sentence with `decoderFor(source)`.
 */
export interface AutoregressiveModel<State extends GenerationState = GenerationState> {
  /** Most tokens the model sees at once (positions). */
  readonly contextLength: number;
  /** Number of token ids, V. */
  readonly vocabSize: number;
  /**
   * The module switched to eval mode (no dropout) while generating and restored afterwards.
   * Default: the model itself when it is a `Module`.
   */
  readonly module?: Module<never, unknown, never>;
  /** An empty state (no tokens processed). */
  createGenerationState(): State;
  /**
   * Processes `ids` `[B, T]` int32, the tokens that follow those already in `state`,
   * appends them to `state`, and returns the logits of the last position, `[B, V]`
   * (the caller disposes them).
   */
  decodeStep(ids: tf.Tensor, state: State): tf.Tensor;
}

/** How the next token is chosen. */
export type DecodingStrategy = 'greedy' | 'topK' | 'topP' | 'beam';

/** Options of {@link generate} and `model.generate`. */
export interface GenerateOptions {
  /** Most tokens to generate (a stop token ends earlier). */
  maxNewTokens: number;
  /**
   * `'greedy'` (argmax), `'topK'` / `'topP'` (sampling from the `topK` most likely tokens /
   * the smallest set with probability >= `topP`; both filters apply when both are given), or
   * `'beam'` (beam search). Default: `'beam'` when `beamWidth` is given, else `'topP'` when
   * `topP` is given, else `'topK'` when `topK` is given, else `'greedy'`.
   */
  strategy?: DecodingStrategy;
  /** Divides the logits before sampling (< 1 sharper, > 1 flatter). Sampling only. Default 1. */
  temperature?: number;
  /** Tokens kept by `'topK'`. Default 50 with `'topK'`, no limit with `'topP'`. */
  topK?: number;
  /** Probability mass kept by `'topP'`, in (0, 1]. Default 0.9 with `'topP'`, 1 with `'topK'`. */
  topP?: number;
  /** Beams kept by `'beam'`. Default 4. */
  beamWidth?: number;
  /** Beam scores are `sum log p / length^lengthPenalty`. Default 1. */
  lengthPenalty?: number;
  /** Seed of the sampling randomness (a Generator advances). Same seed, same tokens. Default 0. */
  seed?: number | Generator;
  /** Generation ends after one of these tokens (which is included in the output). */
  stopTokens?: readonly number[];
  /** Called with each new token and its index, as it is produced (for beam search: at the end). */
  onToken?: (token: number, index: number) => void;
  /** Stops generation with a `TrainingError` (code `'aborted'`) before the next step. */
  signal?: AbortSignal;
}

interface Settings {
  maxNewTokens: number;
  strategy: DecodingStrategy;
  temperature: number;
  topK: number;
  topP: number;
  beamWidth: number;
  lengthPenalty: number;
  rng: Generator;
  stopTokens: Set<number>;
  onToken?: (token: number, index: number) => void;
  signal?: AbortSignal;
}

const STRATEGIES: readonly DecodingStrategy[] = ['greedy', 'topK', 'topP', 'beam'];

function resolveSettings(where: string, model: AutoregressiveModel, options: GenerateOptions): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError('bad-argument', `${where}: options must be an object with maxNewTokens, received ${describeValue(options)}.`);
  }
  const vocabSize = model.vocabSize;
  const strategy =
    options.strategy ?? (options.beamWidth !== undefined ? 'beam' : options.topP !== undefined ? 'topP' : options.topK !== undefined ? 'topK' : 'greedy');
  if (!STRATEGIES.includes(strategy)) {
    throw new ArgumentError('bad-argument', `${where}: strategy (${describeValue(strategy)}) must be one of ${STRATEGIES.map((s) => `'${s}'`).join(', ')}.`);
  }
  const topK = assertInteger(where, 'topK', options.topK ?? (strategy === 'topK' ? Math.min(50, vocabSize) : vocabSize));
  if (topK > vocabSize) throw new ArgumentError('bad-argument', `${where}: topK (${topK}) must be <= vocabSize (${vocabSize}).`);
  const topP = assertInRange(where, 'topP', options.topP ?? (strategy === 'topP' ? 0.9 : 1), 0, 1, true);
  if (topP === 0) throw new ArgumentError('bad-argument', `${where}: topP (0) must be in (0, 1].`);
  const temperature = assertInRange(where, 'temperature', options.temperature ?? 1, 0, Infinity);
  if (temperature === 0) throw new ArgumentError('bad-argument', `${where}: temperature (0) must be > 0; use strategy 'greedy' for argmax decoding.`);
  const stopTokens = options.stopTokens ?? [];
  if (!Array.isArray(stopTokens) || stopTokens.some((token) => !Number.isInteger(token) || token < 0 || token >= vocabSize)) {
    throw new ArgumentError('bad-argument', `${where}: stopTokens must be token ids in [0, ${vocabSize}), received ${JSON.stringify(stopTokens)}.`);
  }
  if (options.onToken !== undefined && typeof options.onToken !== 'function') {
    throw new ArgumentError('bad-argument', `${where}: onToken must be a function, received ${describeValue(options.onToken)}.`);
  }
  const seed = options.seed ?? 0;
  return {
    maxNewTokens: assertInteger(where, 'maxNewTokens', options.maxNewTokens),
    strategy,
    temperature,
    topK,
    topP,
    beamWidth: assertInteger(where, 'beamWidth', options.beamWidth ?? 4),
    lengthPenalty: assertInRange(where, 'lengthPenalty', options.lengthPenalty ?? 1, -Infinity, Infinity),
    rng: seed instanceof Generator ? seed : new Generator(seed),
    stopTokens: new Set(stopTokens),
    onToken: options.onToken,
    signal: options.signal,
  };
}

function checkPrompt(where: string, prompt: readonly number[], vocabSize: number): void {
  if (!Array.isArray(prompt) || prompt.length === 0 || prompt.some((token) => !Number.isInteger(token) || token < 0 || token >= vocabSize)) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: prompt must be a non-empty array of token ids in [0, ${vocabSize}), received ${Array.isArray(prompt) ? JSON.stringify(prompt.slice(0, 20)) : describeValue(prompt)}.`,
    );
  }
}

/** Index of the largest value (the first one on ties, like `torch.argmax`). */
export function argmax(values: ArrayLike<number>): number {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number' || values.length === 0) {
    throw new ArgumentError('bad-argument', `argmax: values must be a non-empty array of numbers, received ${describeValue(values)}.`);
  }
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Samples a token from `logits` `[V]` after temperature scaling and top-k / top-p
 * filtering, with `rng` (on the CPU, so the same seed gives the same token on every
 * backend). `topK = 1` is argmax.
 */
export function sampleToken(logits: ArrayLike<number>, options: { temperature?: number; topK?: number; topP?: number; rng: Generator }): number {
  const where = 'sampleToken';
  if (logits === null || typeof logits !== 'object' || typeof logits.length !== 'number' || logits.length === 0) {
    throw new ArgumentError('bad-argument', `${where}: logits must be a non-empty array of numbers, received ${describeValue(logits)}.`);
  }
  if (!(options?.rng instanceof Generator)) {
    throw new ArgumentError('bad-argument', `${where}: options.rng must be a Generator, received ${describeValue(options?.rng)}.`);
  }
  const temperature = assertInRange(where, 'temperature', options.temperature ?? 1, Number.MIN_VALUE, Infinity);
  if (options.topK !== undefined && assertInteger(where, 'topK', options.topK) > logits.length) {
    throw new ArgumentError('bad-argument', `${where}: topK (${options.topK}) must be <= the number of logits (${logits.length}).`);
  }
  if (options.topP !== undefined && (assertInRange(where, 'topP', options.topP, 0, 1, true) === 0)) {
    throw new ArgumentError('bad-argument', `${where}: topP (0) must be in (0, 1].`);
  }
  const order = Array.from({ length: logits.length }, (_, index) => index);
  order.sort((a, b) => logits[b] - logits[a] || a - b); // most likely first, lower id on ties
  const kept = order.slice(0, options.topK ?? logits.length);
  const top = logits[kept[0]] / temperature;
  const weights = kept.map((index) => Math.exp(logits[index] / temperature - top));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const topP = options.topP ?? 1;
  let mass = 0;
  let count = 0;
  while (count < kept.length && (count === 0 || mass < topP * total)) mass += weights[count++]; // nucleus
  let draw = options.rng.uniform() * mass;
  for (let i = 0; i < count; i++) {
    draw -= weights[i];
    if (draw < 0) return kept[i];
  }
  return kept[count - 1];
}

function logSoftmax(logits: ArrayLike<number>, from: number, size: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < size; i++) max = Math.max(max, logits[from + i]);
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp(logits[from + i] - max);
  const normalizer = max + Math.log(sum);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = logits[from + i] - normalizer;
  return out;
}

async function readAndDispose(tensor: tf.Tensor): Promise<Float32Array> {
  try {
    return (await tensor.data()) as Float32Array;
  } finally {
    tensor.dispose();
  }
}

function step<State extends GenerationState>(model: AutoregressiveModel<State>, rows: readonly number[][], state: State): tf.Tensor {
  const ids = tf.tensor2d(rows.flat(), [rows.length, rows[0].length], 'int32');
  try {
    return model.decodeStep(ids, state);
  } finally {
    ids.dispose();
  }
}

/**
 * Generates tokens after `prompt`, streaming each one as it is chosen. The prompt is
 * processed once; each further step runs only the newest token against the KV cache.
 * A prompt longer than the context keeps its last `contextLength` tokens; once the context
 * is full, each step re-encodes the last `contextLength` tokens (as nanoGPT does), since
 * absolute positions shift. Runs the model in eval mode (restored afterwards). Leaves no
 * tensors behind, also when the consumer stops early (`break`).
 * @returns an async generator of new token ids (the prompt is not repeated).
 * @example
 * ```ts
 * for await (const token of streamTokens(model, tokenizer.encode('Call me'), { maxNewTokens: 100, topP: 0.9, seed: 1 })) {
 *   process.stdout.write(tokenizer.decode([token]));
 * }
 * ```
 */
export async function* streamTokens<State extends GenerationState>(
  model: AutoregressiveModel<State>,
  prompt: readonly number[],
  options: GenerateOptions,
): AsyncGenerator<number, void, undefined> {
  const where = 'generate';
  if (typeof model?.decodeStep !== 'function' || typeof model.createGenerationState !== 'function') {
    throw new ArgumentError('bad-argument', `${where}: model must implement createGenerationState() and decodeStep(ids, state), received ${describeValue(model)}.`);
  }
  const settings = resolveSettings(where, model, options);
  checkPrompt(where, prompt, model.vocabSize);
  const module = model.module ?? (Module.isModule(model) ? model : undefined);
  const wasTraining = module?.training;
  module?.eval();
  try {
    if (settings.strategy === 'beam') {
      const best = await beamSearch(model, prompt, settings);
      for (const [index, token] of best.entries()) {
        settings.onToken?.(token, index);
        yield token;
      }
      return;
    }
    const contextLength = model.contextLength;
    const sequence = prompt.slice(-contextLength);
    let state = model.createGenerationState();
    let logits: tf.Tensor | undefined;
    try {
      logits = step(model, [sequence], state);
      let processed = sequence.length;
      for (let index = 0; index < settings.maxNewTokens; index++) {
        checkAborted(settings.signal, index);
        const values = await readAndDispose(logits);
        logits = undefined;
        const token = settings.strategy === 'greedy' ? argmax(values) : sampleToken(values, settings);
        settings.onToken?.(token, index);
        yield token;
        if (settings.stopTokens.has(token) || index === settings.maxNewTokens - 1) break;
        sequence.push(token);
        if (processed < contextLength) {
          logits = step(model, [[token]], state);
          processed++;
        } else {
          state.dispose();
          state = model.createGenerationState();
          logits = step(model, [sequence.slice(-contextLength)], state);
        }
      }
    } finally {
      logits?.dispose();
      state.dispose();
    }
  } finally {
    if (module && wasTraining) module.train();
  }
}

/**
 * Generates up to `maxNewTokens` tokens after `prompt` with a KV cache (see
 * {@link streamTokens}) and returns them (without the prompt; a stop token is included).
 *
 * Strategies: greedy, top-k and nucleus (top-p) sampling with a seeded generator, and beam
 * search (scores `sum log p / length^lengthPenalty`; a beam that emits a stop token is
 * finished, and the search ends when `beamWidth` beams are finished or after
 * `maxNewTokens`).
 * @example
 * ```ts
 * const tokens = await generate(gpt, [1, 2, 3], { maxNewTokens: 20, strategy: 'topK', topK: 5, seed: 42 });
 * ```
 */
export async function generate<State extends GenerationState>(
  model: AutoregressiveModel<State>,
  prompt: readonly number[],
  options: GenerateOptions,
): Promise<number[]> {
  const tokens: number[] = [];
  for await (const token of streamTokens(model, prompt, options)) tokens.push(token);
  return tokens;
}

function checkAborted(signal: AbortSignal | undefined, index: number): void {
  if (signal?.aborted) throw new TrainingError('aborted', `generate: aborted before token ${index}.`, { cause: signal.reason });
}

interface Beam {
  tokens: number[];
  /** Sum of log-probabilities. */
  logProbability: number;
}

async function beamSearch<State extends GenerationState>(model: AutoregressiveModel<State>, prompt: readonly number[], settings: Settings): Promise<number[]> {
  const { beamWidth, maxNewTokens, stopTokens, lengthPenalty } = settings;
  const contextLength = model.contextLength;
  const vocabSize = model.vocabSize;
  const score = (beam: Beam) => beam.logProbability / Math.pow(beam.tokens.length, lengthPenalty);
  const finished: Beam[] = [];
  let beams: Beam[] = [{ tokens: [], logProbability: 0 }];
  let state = model.createGenerationState();
  let logits: tf.Tensor | undefined;
  try {
    const context = prompt.slice(-contextLength);
    logits = step(model, [context], state);
    let processed = context.length;
    for (let index = 0; index < maxNewTokens; index++) {
      checkAborted(settings.signal, index);
      const values = await readAndDispose(logits);
      logits = undefined;
      // The best 2·beamWidth continuations over all beams (enough to refill after stops).
      const candidates: Array<{ beam: number; token: number; logProbability: number }> = [];
      beams.forEach((beam, row) => {
        const logProbabilities = logSoftmax(values, row * vocabSize, vocabSize);
        for (let token = 0; token < vocabSize; token++) {
          candidates.push({ beam: row, token, logProbability: beam.logProbability + logProbabilities[token] });
        }
      });
      candidates.sort((a, b) => b.logProbability - a.logProbability || a.beam - b.beam || a.token - b.token);
      const next: Beam[] = [];
      const parents: number[] = [];
      for (const [rank, candidate] of candidates.slice(0, 2 * beamWidth).entries()) {
        const beam = { tokens: [...beams[candidate.beam].tokens, candidate.token], logProbability: candidate.logProbability };
        if (stopTokens.has(candidate.token)) {
          if (rank < beamWidth) finished.push(beam);
        } else if (next.length < beamWidth) {
          next.push(beam);
          parents.push(candidate.beam);
        }
      }
      beams = next;
      if (finished.length >= beamWidth || beams.length === 0 || index === maxNewTokens - 1) break;
      if (processed < contextLength) {
        state.select(parents);
        logits = step(model, beams.map((beam) => [beam.tokens[beam.tokens.length - 1]]), state);
        processed++;
      } else {
        state.dispose();
        state = model.createGenerationState();
        logits = step(model, beams.map((beam) => [...prompt, ...beam.tokens].slice(-contextLength)), state);
      }
    }
  } finally {
    logits?.dispose();
    state.dispose();
  }
  const pool = finished.length > 0 ? [...finished, ...beams] : beams;
  let best = pool[0];
  for (const beam of pool) if (score(beam) > score(best)) best = beam;
  return best.tokens;
}
