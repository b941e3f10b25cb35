import { ArgumentError, describeValue } from '@tensorzoo/core';
import { BytePairTokenizer, BYTE_TOKENS } from './tokenizers/byte-pair-tokenizer';
import { assertTokenIds, parseJSONText, type Tokenizer, type TokenStreamDecoder } from './tokenizers/tokenizer';

/** Saved form of a {@link GPT2Tokenizer}: the GPT-2 files' content. */
export interface GPT2TokenizerJSON {
  type: 'gpt2';
  version: 1;
  /** `vocab.json`: token text (GPT-2's byte characters) -> id. */
  vocab: Record<string, number>;
  /** `merges.txt` lines in rank order, `"left right"`. */
  merges: string[];
}

/**
 * GPT-2's printable stand-ins for the 256 byte values (OpenAI's `bytes_to_unicode`): bytes
 * `!`..`~`, `¡`..`¬`, `®`..`ÿ` are themselves, the others map to U+0100 onwards (a space is `Ġ`).
 */
export function gpt2ByteCharacters(): string[] {
  const characters: string[] = new Array(BYTE_TOKENS);
  const printable = (byte: number) => (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  let extra = 0;
  for (let byte = 0; byte < BYTE_TOKENS; byte++) characters[byte] = String.fromCodePoint(printable(byte) ? byte : 256 + extra++);
  return characters;
}

const badFiles = (message: string) => new ArgumentError('bad-gpt2-tokenizer', `GPT2Tokenizer: ${message}`);

/** Parses `merges.txt` text (a `#version` line, then `left right` per line) or a list of merges. */
function parseMerges(merges: string | ReadonlyArray<string | readonly string[]>): string[][] {
  const lines = typeof merges === 'string' ? merges.split(/\r?\n/).filter((line, index) => line !== '' && !(index === 0 && line.startsWith('#version'))) : merges;
  if (!Array.isArray(lines)) throw badFiles(`merges (${describeValue(merges)}) must be merges.txt's text or an array of merges.`);
  return lines.map((line, rank) => {
    const pair = typeof line === 'string' ? line.split(' ') : line;
    if (!Array.isArray(pair) || pair.length !== 2 || pair.some((part) => typeof part !== 'string' || part === '')) {
      throw badFiles(`merge ${rank} (${JSON.stringify(line)}) must be two tokens separated by one space.`);
    }
    return pair as string[];
  });
}

/**
 * GPT-2's tokenizer, read from Hugging Face / OpenAI files (`vocab.json` + `merges.txt`, or
 * `tokenizer.json`): byte-level BPE with GPT-2's pre-tokenisation, ids exactly as GPT-2's
 * (`'Hello'` -> `[15496]` with the real files), so its ids feed a model from {@link loadGPT2}.
 *
 * It runs on {@link BytePairTokenizer} (the same algorithm: merges applied by rank inside
 * pre-tokenised words) and translates ids: GPT-2 numbers its byte tokens in `bytes_to_unicode`
 * order, and vocabulary entries that no merge produces (`<|endoftext|>`) become special tokens,
 * recognised in text and written back by `decode`.
 *
 * @throws {ArgumentError} (`bad-gpt2-tokenizer`) when a merge uses an unknown token, a merge's
 * result is missing from the vocabulary, or two merges produce the same text.
 * @example
 * ```ts
 * const tokenizer = GPT2Tokenizer.fromFiles(readFileSync('vocab.json', 'utf8'), readFileSync('merges.txt', 'utf8'));
 * tokenizer.encode('Hello world<|endoftext|>');   // [15496, 995, 50256] with GPT-2's files
 * tokenizer.decode([15496, 995]);                 // 'Hello world'
 * ```
 */
export class GPT2Tokenizer implements Tokenizer {
  readonly size: number;
  readonly specialTokens: readonly string[];
  private readonly inner: BytePairTokenizer;
  /** GPT-2 id of each inner id. */
  private readonly outerIds: Int32Array;
  /** Inner id of each GPT-2 id (-1: no token has this id). */
  private readonly innerIds: Int32Array;
  private readonly vocab: Record<string, number>;
  private readonly mergeLines: string[];

  /**
   * @param vocab `vocab.json`'s object (or its text): token text -> id.
   * @param merges `merges.txt`'s text, or merges as `"left right"` strings or `[left, right]` pairs, in rank order.
   */
  constructor(vocab: Record<string, number> | string, merges: string | ReadonlyArray<string | readonly string[]>) {
    const vocabulary = (typeof vocab === 'string' ? parseJSONText('GPT2Tokenizer', vocab) : vocab) as Record<string, number>;
    if (typeof vocabulary !== 'object' || vocabulary === null || Array.isArray(vocabulary)) {
      throw badFiles(`vocab (${describeValue(vocabulary)}) must be vocab.json's object { token: id }.`);
    }
    const entries = Object.entries(vocabulary);
    for (const [token, id] of entries) {
      if (!Number.isInteger(id) || id < 0) throw badFiles(`vocab["${token}"] (${describeValue(id)}) must be a non-negative integer id.`);
    }
    const pairs = parseMerges(merges);
    const innerOf = new Map<string, number>(gpt2ByteCharacters().map((character, byte) => [character, byte]));
    const innerMerges: Array<[number, number]> = pairs.map(([left, right], rank) => {
      const ids = [innerOf.get(left), innerOf.get(right)];
      if (ids[0] === undefined || ids[1] === undefined) throw badFiles(`merge ${rank} ("${left} ${right}") uses a token that no byte or earlier merge makes.`);
      if (innerOf.has(left + right)) throw badFiles(`merge ${rank} ("${left} ${right}") makes "${left + right}" a second time; each merge must make a new token.`);
      innerOf.set(left + right, BYTE_TOKENS + rank);
      return [ids[0], ids[1]];
    });
    const specials = entries.filter(([token]) => !innerOf.has(token)).sort((a, b) => a[1] - b[1]);
    this.inner = new BytePairTokenizer(innerMerges, { specialTokens: specials.map(([token]) => token) });
    specials.forEach(([token], index) => innerOf.set(token, BYTE_TOKENS + innerMerges.length + index));
    this.size = entries.reduce((largest, [, id]) => Math.max(largest, id + 1), 0);
    this.outerIds = new Int32Array(this.inner.size);
    this.innerIds = new Int32Array(this.size).fill(-1);
    for (const [token, inner] of innerOf) {
      const outer = vocabulary[token];
      if (outer === undefined) throw badFiles(`"${token}" (a byte or merge result) is missing from the vocabulary.`);
      if (this.innerIds[outer] !== -1) throw badFiles(`id ${outer} belongs to two tokens in the vocabulary.`);
      this.outerIds[inner] = outer;
      this.innerIds[outer] = inner;
    }
    this.specialTokens = this.inner.specialTokens;
    this.vocab = { ...vocabulary };
    this.mergeLines = pairs.map((pair) => pair.join(' '));
  }

  /** Reads GPT-2's `vocab.json` (text or object) and `merges.txt` (text). */
  static fromFiles(vocab: Record<string, number> | string, merges: string): GPT2Tokenizer {
    return new GPT2Tokenizer(vocab, merges);
  }

  /** Reads a Hugging Face `tokenizer.json` (text or object) with a BPE model (merges as strings or pairs). */
  static fromTokenizerJSON(json: string | object): GPT2Tokenizer {
    const value = parseJSONText('GPT2Tokenizer.fromTokenizerJSON', json) as {
      model?: { type?: string; vocab?: Record<string, number>; merges?: Array<string | string[]> };
      added_tokens?: Array<{ id: number; content: string }>;
    };
    const model = value?.model;
    if (typeof model !== 'object' || model === null || model.type !== 'BPE' || !model.vocab || !model.merges) {
      throw badFiles(`tokenizer.json must have model { type: "BPE", vocab, merges }, received ${describeValue(model)}.`);
    }
    const vocab = { ...model.vocab };
    for (const token of value.added_tokens ?? []) vocab[token.content] = token.id;
    return new GPT2Tokenizer(vocab, model.merges);
  }

  /** Rebuilds a tokenizer from {@link GPT2Tokenizer.toJSON}'s object or text. */
  static fromJSON(json: GPT2TokenizerJSON | string): GPT2Tokenizer {
    const value = parseJSONText('GPT2Tokenizer.fromJSON', json) as GPT2TokenizerJSON;
    if (typeof value !== 'object' || value === null || value.type !== 'gpt2' || value.version !== 1) {
      throw new ArgumentError('bad-tokenizer-json', `GPT2Tokenizer.fromJSON: expected {type: "gpt2", version: 1, vocab, merges}, received ${describeValue(value)}.`);
    }
    return new GPT2Tokenizer(value.vocab, value.merges);
  }

  /** GPT-2 token ids of `text`; special tokens (`<|endoftext|>`) in the text map to their ids. */
  encode(text: string): number[] {
    return this.inner.encode(text).map((id) => this.outerIds[id]);
  }

  /** Text of GPT-2 ids; bytes that are not valid UTF-8 decode to U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    return this.inner.decode(this.toInner('GPT2Tokenizer.decode', ids));
  }

  specialTokenId(token: string): number {
    return this.outerIds[this.inner.specialTokenId(token)];
  }

  streamDecoder(): TokenStreamDecoder {
    const decoder = this.inner.streamDecoder();
    return { write: (id) => decoder.write(this.toInner('GPT2Tokenizer.streamDecoder.write', [id])[0]), end: () => decoder.end() };
  }

  toJSON(): GPT2TokenizerJSON {
    return { type: 'gpt2', version: 1, vocab: { ...this.vocab }, merges: [...this.mergeLines] };
  }

  private toInner(where: string, ids: ArrayLike<number>): number[] {
    assertTokenIds(where, ids, this.size);
    return Array.from(ids, (id) => {
      const inner = this.innerIds[id];
      if (inner < 0) throw new ArgumentError('bad-token-id', `${where}: id ${id} has no token in this vocabulary (its ids have gaps).`);
      return inner;
    });
  }
}
