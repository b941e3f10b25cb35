import { ArgumentError, describeValue } from '@tensorzoo/core';
import { BytePairTokenizer } from './byte-pair-tokenizer';
import { CharTokenizer } from './char-tokenizer';
import { GPT2Tokenizer } from '../gpt2-tokenizer';
import { parseJSONText, type Tokenizer, type TokenizerJSON } from './tokenizer';

/**
 * Rebuilds any tokenizer from its `toJSON()` object (or that object's JSON text), choosing
 * the class by its `type` field.
 *
 * @throws {ArgumentError} (`bad-tokenizer-json`) for an unknown `type` or malformed data.
 * @example
 * ```ts
 * const saved = JSON.stringify(tokenizer);            // e.g. into checkpoint metadata
 * const tokenizer2 = tokenizerFromJSON(saved);         // a CharTokenizer, BytePairTokenizer or GPT2Tokenizer
 * ```
 */
export function tokenizerFromJSON(json: TokenizerJSON | string): Tokenizer {
  const value = parseJSONText('tokenizerFromJSON', json);
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (type === 'char') return CharTokenizer.fromJSON(value as TokenizerJSON & { type: 'char' });
  if (type === 'byte-pair') return BytePairTokenizer.fromJSON(value as TokenizerJSON & { type: 'byte-pair' });
  if (type === 'gpt2') return GPT2Tokenizer.fromJSON(value as TokenizerJSON & { type: 'gpt2' });
  throw new ArgumentError(
    'bad-tokenizer-json',
    `tokenizerFromJSON: type (${describeValue(type)}) must be "char", "byte-pair" or "gpt2"; pass the object a tokenizer's toJSON() returned.`,
  );
}
