import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError, Module, decodeCheckpoint, describeValue, readFileBytes } from '@tensorzoo/core';
import { GPT, type GPTOptions } from './gpt';

/**
 * The fields of a Hugging Face GPT-2 `config.json` that {@link loadGPT2} reads. Every GPT-2
 * size (124M to 1.5B) and most GPT-2 fine-tunes use these values' meaning unchanged.
 */
export interface GPT2Config {
  /** Vocabulary size V (50257 for OpenAI's GPT-2). */
  vocab_size: number;
  /** Learned positions C (1024). */
  n_positions: number;
  /** Width E (768 for the 124M model). */
  n_embd: number;
  /** Blocks (12). */
  n_layer: number;
  /** Attention heads (12). */
  n_head: number;
  /** Feed-forward size; `null`/absent means `4 · n_embd`. */
  n_inner?: number | null;
  /** `'gelu_new'` (GPT-2), `'gelu_pytorch_tanh'` or `'gelu'`. Default `'gelu_new'`. */
  activation_function?: string;
  /** Must be 1e-5 (TensorZoo's LayerNorm epsilon). Default 1e-5. */
  layer_norm_epsilon?: number;
  /** `lm_head` shares the token embedding. Default `true`. */
  tie_word_embeddings?: boolean;
  /** Must be `false` or absent (GPT-2 never sets it). */
  scale_attn_by_inverse_layer_idx?: boolean;
  /** Must be `true` or absent: attention scores are divided by √(E / n_head). */
  scale_attn_weights?: boolean;
}

const ACTIVATIONS: Record<string, GPTOptions['activation']> = { gelu_new: 'gelu-tanh', gelu_pytorch_tanh: 'gelu-tanh', gelu_fast: 'gelu-tanh', gelu: 'gelu' };

/**
 * {@link GPT} options equivalent to a Hugging Face GPT-2 config: `vocab_size -> vocabSize`,
 * `n_positions -> contextLength`, `n_embd -> dModel`, `n_head -> numHeads`,
 * `n_layer -> numLayers`, `n_inner -> dimFeedforward`, `activation_function 'gelu_new' ->
 * activation 'gelu-tanh'`, `tie_word_embeddings -> tieWeights`; dropout 0 (inference).
 *
 * @throws {ArgumentError} (`unsupported-gpt2-config`) for settings GPT cannot reproduce
 * (another LayerNorm epsilon or activation, per-layer attention scaling).
 * @example
 * ```ts
 * const gpt = new GPT(gpt2Options(JSON.parse(configJsonText)));
 * ```
 */
export function gpt2Options(config: GPT2Config): GPTOptions {
  const where = 'gpt2Options';
  if (typeof config !== 'object' || config === null) {
    throw new ArgumentError('bad-argument', `${where}: expected a GPT-2 config.json object, received ${describeValue(config)}.`);
  }
  const unsupported = (setting: string, value: unknown, rule: string) =>
    new ArgumentError('unsupported-gpt2-config', `${where}: ${setting} (${describeValue(value)}) is not supported: ${rule}.`);
  const activation = ACTIVATIONS[config.activation_function ?? 'gelu_new'];
  if (!activation) throw unsupported('activation_function', config.activation_function, `expected one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  const eps = config.layer_norm_epsilon ?? 1e-5;
  if (Math.abs(eps - 1e-5) > 1e-12) throw unsupported('layer_norm_epsilon', eps, 'GPT normalises with epsilon 1e-5');
  if (config.scale_attn_by_inverse_layer_idx) throw unsupported('scale_attn_by_inverse_layer_idx', true, 'GPT scales every layer by 1/√(head size) only');
  if (config.scale_attn_weights === false) throw unsupported('scale_attn_weights', false, 'GPT always scales attention scores by 1/√(head size)');
  return {
    vocabSize: config.vocab_size,
    contextLength: config.n_positions,
    dModel: config.n_embd,
    numHeads: config.n_head,
    numLayers: config.n_layer,
    dimFeedforward: config.n_inner ?? 4 * config.n_embd,
    activation,
    tieWeights: config.tie_word_embeddings ?? true,
    dropout: 0,
  };
}

/**
 * How Hugging Face GPT-2 names map to {@link GPT}'s (after an optional `transformer.` prefix;
 * `N` is the block). Conv1D weights are stored `[in, out]` (`y = x·W + b`) and are transposed
 * to GPT's PyTorch-Linear layout `[out, in]`; the rest keep their layout.
 *
 * | GPT-2 | GPT | layout |
 * |---|---|---|
 * | `wte.weight [V, E]` | `token_embedding.weight` | same |
 * | `wpe.weight [C, E]` | `position_embedding.weight` | same |
 * | `h.N.ln_1.{weight,bias}` | `layers.N.norm1.*` | same |
 * | `h.N.attn.c_attn.weight [E, 3E]` | `layers.N.self_attn.in_proj_weight [3E, E]` | transposed (q, k, v order kept) |
 * | `h.N.attn.c_attn.bias [3E]` | `layers.N.self_attn.in_proj_bias` | same |
 * | `h.N.attn.c_proj.weight [E, E]` | `layers.N.self_attn.out_proj.weight` | transposed |
 * | `h.N.ln_2.*` | `layers.N.norm2.*` | same |
 * | `h.N.mlp.c_fc.weight [E, F]` | `layers.N.linear1.weight [F, E]` | transposed |
 * | `h.N.mlp.c_proj.weight [F, E]` | `layers.N.linear2.weight [E, F]` | transposed |
 * | `ln_f.*` | `norm.*` | same |
 * | `lm_head.weight` | dropped when tied, else `lm_head.weight` | same |
 * | `h.N.attn.bias`, `h.N.attn.masked_bias` | dropped (causal-mask buffers) | |
 */
export const GPT2_NAME_MAP: ReadonlyArray<readonly [pattern: RegExp, zooName: string, transpose: boolean]> = Object.freeze([
  [/^wte\.weight$/, 'token_embedding.weight', false],
  [/^wpe\.weight$/, 'position_embedding.weight', false],
  [/^h\.(\d+)\.ln_1\.(weight|bias)$/, 'layers.$1.norm1.$2', false],
  [/^h\.(\d+)\.attn\.c_attn\.weight$/, 'layers.$1.self_attn.in_proj_weight', true],
  [/^h\.(\d+)\.attn\.c_attn\.bias$/, 'layers.$1.self_attn.in_proj_bias', false],
  [/^h\.(\d+)\.attn\.c_proj\.weight$/, 'layers.$1.self_attn.out_proj.weight', true],
  [/^h\.(\d+)\.attn\.c_proj\.bias$/, 'layers.$1.self_attn.out_proj.bias', false],
  [/^h\.(\d+)\.ln_2\.(weight|bias)$/, 'layers.$1.norm2.$2', false],
  [/^h\.(\d+)\.mlp\.c_fc\.weight$/, 'layers.$1.linear1.weight', true],
  [/^h\.(\d+)\.mlp\.c_fc\.bias$/, 'layers.$1.linear1.bias', false],
  [/^h\.(\d+)\.mlp\.c_proj\.weight$/, 'layers.$1.linear2.weight', true],
  [/^h\.(\d+)\.mlp\.c_proj\.bias$/, 'layers.$1.linear2.bias', false],
  [/^ln_f\.(weight|bias)$/, 'norm.$1', false],
  [/^lm_head\.weight$/, 'lm_head.weight', false],
] as const);

const DROPPED = /^h\.\d+\.attn\.(bias|masked_bias)$/;

/**
 * Renames and re-lays out a Hugging Face GPT-2 `state_dict` (GPT2LMHeadModel or GPT2Model
 * names, with or without the `transformer.` prefix) for {@link GPT} (see {@link GPT2_NAME_MAP}).
 * Returns new tensors (the caller disposes both maps); `lm_head.weight` is kept only when
 * `tieWeights` is false.
 *
 * @throws {CheckpointError} (`unknown-gpt2-weight`) naming any tensor that is not part of GPT-2.
 * @example
 * ```ts
 * const zoo = gpt2StateDictToZoo(hfTensors);   // { 'layers.0.self_attn.in_proj_weight': [3E, E], ... }
 * gpt.loadStateDict(zoo);
 * tf.dispose(Object.values(zoo));
 * ```
 */
export function gpt2StateDictToZoo(values: Record<string, tf.Tensor>, options: { tieWeights?: boolean } = {}): Record<string, tf.Tensor> {
  const tieWeights = options.tieWeights ?? true;
  const zoo: Record<string, tf.Tensor> = {};
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const local = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
    if (DROPPED.test(local) || (tieWeights && local === 'lm_head.weight')) continue;
    const entry = GPT2_NAME_MAP.find(([pattern]) => pattern.test(local));
    if (!entry) {
      unknown.push(name);
      continue;
    }
    const [pattern, zooName, transpose] = entry;
    zoo[local.replace(pattern, zooName)] = transpose ? tf.transpose(value) : tf.clone(value);
  }
  if (unknown.length > 0) {
    tf.dispose(Object.values(zoo));
    throw new CheckpointError(
      'unknown-gpt2-weight',
      `gpt2StateDictToZoo: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} ` +
        'are not GPT-2 weights (expected transformer.wte/wpe, h.N.ln_1/attn/ln_2/mlp, ln_f, lm_head); is this a GPT-2 checkpoint?',
    );
  }
  return zoo;
}

/**
 * Hands the tensors `decodeCheckpoint` read (validated, converted to float32) to `receive`: it
 * holds no parameters itself, so the checkpoint's own names reach the callback unchanged.
 */
class StateDictReceiver extends Module {
  constructor(private readonly receive: (values: Record<string, tf.Tensor>) => void) {
    super();
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    return input;
  }

  override loadStateDict(values: Record<string, tf.Tensor>): void {
    this.receive(values);
  }
}

/**
 * Builds a {@link GPT} from Hugging Face GPT-2 files: `model.safetensors` (a path in Node, or
 * its bytes) and `config.json` (its text or parsed object). F32, F16 and BF16 weights load
 * as float32. The tokenizer comes from {@link GPT2Tokenizer}.
 *
 * @throws {CheckpointError} when the file is not valid safetensors, holds non-GPT-2 names, or
 * a shape disagrees with the config; {@link ArgumentError} for an unsupported config.
 * @example
 * ```ts
 * const gpt = await loadGPT2('gpt2/model.safetensors', await readFile('gpt2/config.json', 'utf8'));
 * const tokenizer = GPT2Tokenizer.fromFiles(await readFile('gpt2/vocab.json', 'utf8'), await readFile('gpt2/merges.txt', 'utf8'));
 * for await (const id of gpt.generate(tokenizer.encode('Hello, I am'), { maxNewTokens: 20, topK: 40, seed: 1 })) ...
 * ```
 */
export async function loadGPT2(weights: string | Uint8Array | ArrayBuffer | Blob, config: GPT2Config | string): Promise<GPT> {
  let parsed: GPT2Config;
  try {
    parsed = typeof config === 'string' ? (JSON.parse(config) as GPT2Config) : config;
  } catch (cause) {
    throw new ArgumentError('bad-argument', `loadGPT2: config is not valid JSON (${(cause as Error).message}); pass config.json's text or object.`, { cause });
  }
  const gpt = new GPT(gpt2Options(parsed));
  try {
    const bytes = typeof weights === 'string' ? await readFileBytes(weights) : weights;
    const receiver = new StateDictReceiver((values) => {
      const zoo = gpt2StateDictToZoo(values, { tieWeights: gpt.tieWeights });
      try {
        gpt.loadStateDict(zoo);
      } finally {
        tf.dispose(Object.values(zoo));
      }
    });
    await decodeCheckpoint(bytes, receiver);
  } catch (error) {
    gpt.dispose();
    throw error;
  }
  return gpt;
}
