import { ArgumentError, describeValue } from '@tensorzoo/core';
import type { GPT2TokenizerJSON } from '../gpt2-tokenizer';

/**
 * Turns text into token ids and back. Implemented by {@link CharTokenizer} (one token per
 * Unicode character) and {@link BytePairTokenizer} (byte-level BPE, GPT-2 style).
 *
 * Special tokens (`<bos>`, `<|endoftext|>`, ...) have their own ids; `encode` recognises
 * them inside the text and `decode` writes them back, so `decode(encode(text)) === text`.
 *
 * A tokenizer is plain data: `toJSON()` gives a JSON-safe object (store it beside a
 * checkpoint, e.g. in its metadata as `JSON.stringify(tokenizer)`), and
 * {@link tokenizerFromJSON} (or the class's static `fromJSON`) rebuilds it.
 *
 * @example
 * ```ts
 * const tokenizer: Tokenizer = CharTokenizer.fromText('hello world');
 * const ids = tokenizer.encode('hello');   // [4, 3, 5, 5, 6]
 * tokenizer.decode(ids);                   // 'hello'
 * const copy = tokenizerFromJSON(JSON.parse(JSON.stringify(tokenizer)));
 * ```
 */
export interface Tokenizer {
  /** Vocabulary size: every id is in `[0, size)`. Use it as a model's `vocabSize`. */
  readonly size: number;
  /** The special tokens, in the order they were given. */
  readonly specialTokens: readonly string[];
  /** Token ids of `text`. */
  encode(text: string): number[];
  /** Text of `ids` (any integers in `[0, size)`). */
  decode(ids: ArrayLike<number>): string;
  /** Id of a special token, e.g. `specialTokenId('<eos>')`; throws when it is not one. */
  specialTokenId(token: string): number;
  /**
   * A decoder for ids that arrive one at a time (generation): `write(id)` returns the text
   * that is complete so far, holding back the bytes of a character split over tokens.
   */
  streamDecoder(): TokenStreamDecoder;
  /** JSON-safe description; rebuild it with {@link tokenizerFromJSON}. */
  toJSON(): TokenizerJSON;
}

/** Incremental decoder from {@link Tokenizer.streamDecoder}. */
export interface TokenStreamDecoder {
  /** Adds one id; returns the text it completes (possibly `''`). */
  write(id: number): string;
  /** Returns whatever is still held back (a broken character becomes U+FFFD). */
  end(): string;
}

/** Saved form of a {@link CharTokenizer}. */
export interface CharTokenizerJSON {
  type: 'char';
  version: 1;
  /** Ordinary tokens, one Unicode character each, in id order after the special tokens. */
  characters: string[];
  /** Special tokens, ids `0 .. specialTokens.length - 1`. */
  specialTokens: string[];
  /** Token used for characters outside the vocabulary, or `null` to throw instead. */
  unknownToken: string | null;
}

/** Saved form of a {@link BytePairTokenizer}. */
export interface BytePairTokenizerJSON {
  type: 'byte-pair';
  version: 1;
  /** Learned merges in rank order as id pairs `[left, right]`; merge `r` creates id `256 + r`. */
  merges: Array<[number, number]>;
  /** Special tokens, ids after the merges. */
  specialTokens: string[];
}

/** Any saved tokenizer. */
export type TokenizerJSON = CharTokenizerJSON | BytePairTokenizerJSON | GPT2TokenizerJSON;

/** Checks `ids` and returns them as numbers; names the first bad id and its index. @internal */
export function assertTokenIds(where: string, ids: ArrayLike<number>, size: number): void {
  if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
    throw new ArgumentError('bad-argument', `${where}: ids (${describeValue(ids)}) must be an array of token ids.`);
  }
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index];
    if (!Number.isInteger(id) || id < 0 || id >= size) {
      throw new ArgumentError('bad-token-id', `${where}: ids[${index}] (${describeValue(id)}) must be an integer in [0, ${size}).`);
    }
  }
}

/** `json` itself, or the value its JSON text encodes. @internal */
export function parseJSONText(where: string, json: unknown): unknown {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new ArgumentError('bad-tokenizer-json', `${where}: the text is not valid JSON (${(error as Error).message}).`, { cause: error });
  }
}

/** Throws unless `text` is a string. @internal */
export function assertText(where: string, name: string, text: unknown): asserts text is string {
  if (typeof text !== 'string') {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(text)}) must be a string.`);
  }
}

/** Checks a special-token list: non-empty, distinct strings. @internal */
export function assertSpecialTokens(where: string, tokens: unknown): string[] {
  if (!Array.isArray(tokens)) {
    throw new ArgumentError('bad-argument', `${where}: specialTokens (${describeValue(tokens)}) must be an array of strings.`);
  }
  const seen = new Set<string>();
  for (const [index, token] of tokens.entries()) {
    if (typeof token !== 'string' || token.length === 0) {
      throw new ArgumentError('bad-argument', `${where}: specialTokens[${index}] (${describeValue(token)}) must be a non-empty string.`);
    }
    if (seen.has(token)) throw new ArgumentError('bad-argument', `${where}: special token ${JSON.stringify(token)} is listed twice.`);
    seen.add(token);
  }
  return [...tokens] as string[];
}

/**
 * Splits `text` into ordinary pieces and special tokens (longest special token first), so
 * `'<bos>ab<eos>'` gives `['<bos>', 'ab', '<eos>']` with `special` flags. @internal
 */
export function splitOnSpecialTokens(text: string, specialTokens: readonly string[]): Array<{ text: string; special: boolean }> {
  if (specialTokens.length === 0 || text.length === 0) return text.length === 0 ? [] : [{ text, special: false }];
  const pattern = new RegExp([...specialTokens].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  const pieces: Array<{ text: string; special: boolean }> = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) pieces.push({ text: text.slice(last, match.index), special: false });
    pieces.push({ text: match[0], special: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), special: false });
  return pieces;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The error `specialTokenId` throws for a token that is not special. @internal */
export function unknownSpecialToken(where: string, token: string, specialTokens: readonly string[]): ArgumentError {
  const known = specialTokens.length ? specialTokens.map((t) => JSON.stringify(t)).join(', ') : 'none';
  return new ArgumentError('unknown-special-token', `${where}: ${JSON.stringify(token)} is not a special token (special tokens: ${known}).`);
}
