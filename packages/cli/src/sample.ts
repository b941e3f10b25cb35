import { type Command, InvalidArgumentError, Option } from 'commander';
import { ArgumentError, CheckpointError, decodeCheckpoint, parseSafetensorsHeader, readFileBytes, setBackend, type BackendName } from '@tensorzoo/core';
import { GPT, streamTokens, tokenizerFromJSON, type GPTOptions, type Tokenizer } from '@tensorzoo/transformer';
import type { CliOutput } from './cli';
import { CLI_BACKENDS } from './run-example';

/**
 * Checkpoint metadata keys that make a language-model checkpoint self-contained, so
 * `tensorzoo sample` can rebuild the model and its tokenizer from the file alone.
 */
export const LANGUAGE_MODEL_METADATA = Object.freeze({
  /** JSON `{ "architecture": "gpt", "config": GPTOptions without rng }`. */
  model: 'tensorzoo.model',
  /** The tokenizer's `toJSON()`, as JSON text. */
  tokenizer: 'tensorzoo.tokenizer',
  /** JSON `{ "prefix": string, "stopTokens": string[] }`: text put before every prompt, tokens that end a sample. */
  generation: 'tensorzoo.generation',
} as const);

/** The GPT settings stored in a checkpoint: the constructor options without the generator. */
export type GPTConfig = Omit<GPTOptions, 'rng'>;

/** How samples are framed, stored beside the model. */
export interface GenerationHints {
  /** Text put before every prompt, e.g. `'<bos>'` for a model trained on `<bos>name<eos>`. Default `''`. */
  prefix?: string;
  /** Special tokens that end a sample (not printed), e.g. `['<eos>']`. Default none. */
  stopTokens?: string[];
}

/**
 * The checkpoint metadata (see {@link LANGUAGE_MODEL_METADATA}) for a GPT and its tokenizer.
 * Pass it as `metadata` when saving, e.g. through `TrainSetup.metadata`.
 *
 * @example
 * ```ts
 * await saveCheckpoint('gpt.safetensors', gpt, { metadata: languageModelMetadata(config, tokenizer, { prefix: '<bos>', stopTokens: ['<eos>'] }) });
 * ```
 */
export function languageModelMetadata(config: GPTConfig, tokenizer: Tokenizer, generation: GenerationHints = {}): Record<string, string> {
  return {
    [LANGUAGE_MODEL_METADATA.model]: JSON.stringify({ architecture: 'gpt', config }),
    [LANGUAGE_MODEL_METADATA.tokenizer]: JSON.stringify(tokenizer.toJSON()),
    [LANGUAGE_MODEL_METADATA.generation]: JSON.stringify({ prefix: generation.prefix ?? '', stopTokens: generation.stopTokens ?? [] }),
  };
}

/** Options of {@link sampleFromCheckpoint}. */
export interface SampleOptions {
  /** Text to continue. May be empty when the checkpoint has a prefix (e.g. `<bos>`). Default `''`. */
  prompt?: string;
  /** Most tokens to generate; a stop token ends earlier. Default 200. */
  maxNewTokens?: number;
  /** Divides the logits before sampling (< 1: safer, > 1: wilder). Default 1. */
  temperature?: number;
  /** Sample only from the `topK` most likely tokens. Default: all of them. */
  topK?: number;
  /** Sample only from the smallest set of tokens with probability >= `topP`. Default: 1 (all). */
  topP?: number;
  /** Pick the most likely token every time (ignores temperature, topK and topP). Default `false`. */
  greedy?: boolean;
  /** Seed of the sampling. Default 0. */
  seed?: number;
  /** Backend to run on. Default `'auto'`. */
  backend?: (typeof CLI_BACKENDS)[number];
  /** Receives the prompt, then each piece of generated text as soon as it is complete. */
  write?: (text: string) => void;
  /** Receives notices, e.g. backends `'auto'` skipped. Default: ignored. */
  warn?: (line: string) => void;
  /** Stops generation before the next token. */
  signal?: AbortSignal;
}

/** What {@link sampleFromCheckpoint} returns. */
export interface SampleResult {
  /** The prompt (without the prefix) followed by the generated text. */
  text: string;
  /** The generated text only (stop token not included). */
  continuation: string;
  /** Generated token ids (a final stop token included). */
  tokens: number[];
  /** The backend that ran. */
  backend: string;
}

/**
 * Loads a GPT checkpoint whose metadata holds its config and tokenizer (see
 * {@link languageModelMetadata}; `tensorzoo train gpt-names` and `gpt-text` write such
 * files) and streams a continuation of `prompt` to `write`.
 *
 * Sampling draws from the whole distribution by default (temperature 1); `topK` / `topP`
 * narrow it, `greedy` takes the argmax.
 *
 * @throws {CheckpointError} when the file is not a checkpoint or lacks the metadata.
 * @example
 * ```ts
 * const { text } = await sampleFromCheckpoint('runs/gpt-text/checkpoint.safetensors', { prompt: 'Call me', topK: 10, write: (t) => process.stdout.write(t) });
 * ```
 */
export async function sampleFromCheckpoint(path: string, options: SampleOptions = {}): Promise<SampleResult> {
  const bytes = await readFileBytes(path).catch((error: unknown) => {
    throw new ArgumentError('bad-checkpoint', `sample: cannot read ${path} (${(error as Error).message}).`, { cause: error });
  });
  const { config, tokenizer, generation } = readLanguageModel(path, bytes);
  const prompt = options.prompt ?? '';
  const write = options.write ?? (() => {});
  const backend = await setBackend((options.backend ?? 'auto') as BackendName | 'auto', { warn: options.warn ?? (() => {}) });
  let promptIds: number[];
  try {
    promptIds = tokenizer.encode(generation.prefix + prompt);
  } catch (error) {
    // Report the error of the prompt alone, so that character indices count from its start.
    let cause = error;
    try {
      tokenizer.encode(prompt);
    } catch (promptError) {
      cause = promptError;
    }
    throw new ArgumentError('bad-prompt', `sample: the prompt cannot be encoded with this model's tokenizer: ${(cause as Error).message}`, { cause });
  }
  if (promptIds.length === 0) {
    throw new ArgumentError('empty-prompt', `sample: the prompt is empty and ${path} has no start prefix; pass some text with --prompt.`);
  }
  const stopIds = generation.stopTokens.map((token) => tokenizer.specialTokenId(token));
  const model = new GPT({ ...config, rng: 0 });
  try {
    await decodeCheckpoint(bytes, model).catch((error: unknown) => {
      throw CheckpointError.isInstance(error) ? new CheckpointError(error.code, `${path}: ${error.message}`, { cause: error }) : error;
    });
    const decoder = tokenizer.streamDecoder();
    const tokens: number[] = [];
    let continuation = '';
    write(prompt);
    const stream = streamTokens(model, promptIds, {
      maxNewTokens: options.maxNewTokens ?? 200,
      strategy: options.greedy ? 'greedy' : options.topP !== undefined ? 'topP' : 'topK',
      temperature: options.temperature,
      topK: options.topK ?? (options.greedy || options.topP !== undefined ? undefined : config.vocabSize),
      topP: options.topP,
      seed: options.seed ?? 0,
      stopTokens: stopIds,
      signal: options.signal,
    });
    for await (const token of stream) {
      tokens.push(token);
      if (stopIds.includes(token)) break;
      const piece = decoder.write(token);
      continuation += piece;
      write(piece);
    }
    const rest = decoder.end();
    continuation += rest;
    write(rest);
    return { text: prompt + continuation, continuation, tokens, backend };
  } finally {
    model.dispose();
  }
}

/** Reads and checks the model config, tokenizer and generation hints in a checkpoint's metadata. */
function readLanguageModel(path: string, bytes: Uint8Array): { config: GPTConfig; tokenizer: Tokenizer; generation: Required<GenerationHints> } {
  let metadata: Record<string, string>;
  try {
    metadata = parseSafetensorsHeader(bytes).metadata;
  } catch (error) {
    throw new CheckpointError('bad-checkpoint', `${path}: not a safetensors checkpoint (${(error as Error).message}).`, { cause: error });
  }
  const missing = Object.values(LANGUAGE_MODEL_METADATA).filter((key) => !(key in metadata));
  if (missing.length > 0) {
    throw new CheckpointError(
      'not-a-language-model',
      `${path} has no ${missing.join(', ')} metadata, so the model cannot be rebuilt; sample from a checkpoint of "tensorzoo train gpt-names" or "gpt-text".`,
    );
  }
  try {
    const model = JSON.parse(metadata[LANGUAGE_MODEL_METADATA.model]) as { architecture?: unknown; config?: GPTConfig };
    if (model.architecture !== 'gpt' || typeof model.config !== 'object' || model.config === null) {
      throw new Error(`architecture ${JSON.stringify(model.architecture)} is not "gpt"`);
    }
    const tokenizer = tokenizerFromJSON(metadata[LANGUAGE_MODEL_METADATA.tokenizer]);
    const generation = JSON.parse(metadata[LANGUAGE_MODEL_METADATA.generation]) as Required<GenerationHints>;
    if (typeof generation.prefix !== 'string' || !Array.isArray(generation.stopTokens)) throw new Error('generation hints must be { prefix, stopTokens }');
    return { config: model.config, tokenizer, generation };
  } catch (error) {
    throw new CheckpointError('bad-metadata', `${path}: the language-model metadata is damaged (${(error as Error).message}).`, { cause: error });
  }
}

/** Parses a number option in `[min, max]` (integers only when `integer`). */
function numberOption(flag: string, min: number, max: number, integer: boolean): (text: string) => number {
  return (text) => {
    const trimmed = text.trim();
    const value = (integer ? /^\d+$/ : /^\d*\.?\d+(e[-+]?\d+)?$/i).test(trimmed) ? Number(trimmed) : NaN;
    if (!(value >= min && value <= max)) {
      throw new InvalidArgumentError(`${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, received "${text}".`);
    }
    return value;
  };
}

/**
 * Adds `tensorzoo sample <checkpoint> --prompt "..."` to `program`: streams a continuation
 * from a GPT checkpoint written by `tensorzoo train gpt-names` or `gpt-text`.
 */
export function addSampleCommand(program: Command, output: CliOutput, extra: { signal?: AbortSignal } = {}): void {
  program
    .command('sample')
    .description('stream text from a language-model checkpoint (tensorzoo train gpt-names | gpt-text)')
    .argument('<checkpoint>', 'a checkpoint.safetensors written by "tensorzoo train gpt-names" or "gpt-text"')
    .option('--prompt <text>', 'text to continue (may be empty for gpt-names)', '')
    .option('--max-new-tokens <n>', 'most tokens to generate (default: 200)', numberOption('--max-new-tokens', 1, 100_000, true))
    .option('--temperature <t>', 'sampling temperature, > 0 (default: 1)', numberOption('--temperature', 1e-6, 100, false))
    .option('--top-k <k>', 'sample from the k most likely tokens (default: all)', numberOption('--top-k', 1, 10_000_000, true))
    .option('--top-p <p>', 'sample from the smallest set with probability >= p, in (0, 1] (default: 1)', numberOption('--top-p', 1e-6, 1, false))
    .option('--greedy', 'always take the most likely token')
    .option('--seed <n>', 'random seed of the sampling (default: 0)', numberOption('--seed', 0, 0xffffffff, true))
    .addOption(new Option('--backend <name>', 'tensor backend').choices(CLI_BACKENDS).default('auto'))
    .action(async (checkpoint: string, flags: Omit<SampleOptions, 'write' | 'warn' | 'signal'>) => {
      await sampleFromCheckpoint(checkpoint, {
        ...flags,
        write: output.out,
        warn: (line) => output.err(`${line}\n`),
        signal: extra.signal,
      });
      output.out('\n');
    });
}
