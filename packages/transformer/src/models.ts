import type { ModelClass } from '@tensorzoo/core';
import { GPT } from './gpt';
import { Seq2SeqTransformer } from './seq2seq';
import { Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer } from './transformer';

/**
 * The model classes of this package, for `loadModel`'s `models` option (a list, not a global
 * registry: importing it registers nothing).
 * @example
 * ```ts
 * import { loadModel } from '@tensorzoo/core';
 * import { transformerModels, type GPT } from '@tensorzoo/transformer';
 * const gpt = await loadModel<GPT>('https://example.com/gpt.safetensors', { models: transformerModels });
 * ```
 */
export const transformerModels: readonly ModelClass[] = [
  GPT,
  Seq2SeqTransformer,
  Transformer,
  TransformerEncoder,
  TransformerDecoder,
  TransformerEncoderLayer,
  TransformerDecoderLayer,
];
