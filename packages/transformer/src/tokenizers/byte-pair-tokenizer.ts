import { ArgumentError, describeValue } from '@tensorzoo/core';
import { MinHeap } from './heap';
import {
  assertSpecialTokens,
  assertText,
  parseJSONText,
  assertTokenIds,
  splitOnSpecialTokens,
  unknownSpecialToken,
  type BytePairTokenizerJSON,
  type Tokenizer,
  type TokenStreamDecoder,
} from './tokenizer';

/** Number of base tokens: one per byte value. Merge `r` creates token id `BYTE_TOKENS + r`. */
export const BYTE_TOKENS = 256;

/** Largest vocabulary a {@link BytePairTokenizer} supports (ids are packed in pair keys). */
const MAX_VOCABULARY = 2 ** 21;

/**
 * GPT-2's pre-tokenisation: English contractions, runs of letters, runs of digits, runs of
 * other symbols (each optionally after one space), and whitespace runs (the last space of a
 * run is left to start the next word). Merges never cross these pieces.
 */
export const GPT2_SPLIT_PATTERN = /'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Words kept in the encoding cache before it is cleared. */
const CACHE_LIMIT = 50_000;

/** Options of {@link BytePairTokenizer.train}. */
export interface BytePairTrainOptions {
  /**
   * Total vocabulary: 256 byte tokens + learned merges + special tokens. Training stops
   * earlier (a smaller vocabulary) when no pair occurs `minFrequency` times any more.
   */
  vocabSize: number;
  /** A pair must occur at least this often (counting word frequencies) to be merged. Default `2`. */
  minFrequency?: number;
  /** Tokens with their own ids after the merges, e.g. `['<|endoftext|>']`. Never merged. Default `[]`. */
  specialTokens?: string[];
}

const encoder = new TextEncoder();

/** Pre-tokenises `text` with {@link GPT2_SPLIT_PATTERN}; the pieces concatenate back to `text`. @internal */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let last = 0;
  for (const match of text.matchAll(GPT2_SPLIT_PATTERN)) {
    if (match.index > last) words.push(text.slice(last, match.index)); // never happens with this pattern; kept for safety
    words.push(match[0]);
    last = match.index + match[0].length;
  }
  if (last < text.length) words.push(text.slice(last));
  return words;
}

const pairKey = (left: number, right: number): number => left * MAX_VOCABULARY + right;

/** Replaces every non-overlapping `left right` (scanning left to right) in `symbols` by `merged`. */
function mergePair(symbols: number[], left: number, right: number, merged: number): number[] {
  const out: number[] = [];
  for (let index = 0; index < symbols.length; index++) {
    if (index + 1 < symbols.length && symbols[index] === left && symbols[index + 1] === right) {
      out.push(merged);
      index++;
    } else out.push(symbols[index]);
  }
  return out;
}

/**
 * Byte-level byte-pair-encoding tokenizer, as GPT-2: the 256 byte values are the base
 * tokens, so every string round-trips exactly (emoji, CJK, combining marks, whitespace),
 * and learned merges of frequent adjacent pairs make common words a single token.
 *
 * Ids: `0..255` are bytes, `256 + r` is the token made by merge `r` (merges in rank order),
 * then the special tokens. Text is first split into words with GPT-2's split pattern (`GPT2_SPLIT_PATTERN`, not exported);
 * merges never cross a word boundary or a special token.
 *
 * Training counts word frequencies once, then repeatedly merges the most frequent pair
 * (ties: the smallest left id, then the smallest right id), updating only the words that
 * contain it, so it is deterministic and takes seconds on a novel. Encoding applies merges
 * by rank with a priority queue over each word's pairs (O(n log n) per word) and caches word
 * encodings.
 *
 * @example
 * ```ts
 * const tokenizer = BytePairTokenizer.train(mobyDick, { vocabSize: 512 });
 * const ids = tokenizer.encode('Call me Ishmael.');
 * tokenizer.decode(ids);                      // 'Call me Ishmael.'
 * tokenizer.encode('🐋 鯨').length;          // byte tokens for unseen characters
 * ```
 */
export class BytePairTokenizer implements Tokenizer {
  readonly size: number;
  readonly specialTokens: readonly string[];
  /** Learned merges in rank order: `[leftId, rightId]` becomes id `256 + rank`. */
  readonly merges: ReadonlyArray<readonly [number, number]>;
  private readonly mergedIdOf = new Map<number, number>();
  private readonly bytesOf: Uint8Array[] = [];
  private readonly specialIdOf: Map<string, number>;
  private readonly cache = new Map<string, number[]>();

  /**
   * Builds a tokenizer from known merges; most code uses {@link BytePairTokenizer.train} or
   * {@link BytePairTokenizer.fromJSON}.
   * @param merges `[leftId, rightId]` pairs in rank order; each id must exist before its merge.
   */
  constructor(merges: ReadonlyArray<readonly [number, number]>, options: { specialTokens?: string[] } = {}) {
    const where = 'BytePairTokenizer';
    if (!Array.isArray(merges)) throw new ArgumentError('bad-argument', `${where}: merges (${describeValue(merges)}) must be an array of [leftId, rightId] pairs.`);
    const specialTokens = assertSpecialTokens(where, options.specialTokens ?? []);
    if (BYTE_TOKENS + merges.length + specialTokens.length > MAX_VOCABULARY) {
      throw new ArgumentError('bad-argument', `${where}: ${merges.length} merges and ${specialTokens.length} special tokens exceed the ${MAX_VOCABULARY}-token limit.`);
    }
    for (let byte = 0; byte < BYTE_TOKENS; byte++) this.bytesOf.push(Uint8Array.of(byte));
    for (const [rank, pair] of merges.entries()) {
      const id = BYTE_TOKENS + rank;
      const valid = Array.isArray(pair) && pair.length === 2 && pair.every((part) => Number.isInteger(part) && part >= 0 && part < id);
      if (!valid) {
        throw new ArgumentError('bad-merge', `${where}: merges[${rank}] (${JSON.stringify(pair)}) must be two ids in [0, ${id}) (existing tokens before it).`);
      }
      const key = pairKey(pair[0], pair[1]);
      if (this.mergedIdOf.has(key)) throw new ArgumentError('bad-merge', `${where}: merges[${rank}] ${JSON.stringify(pair)} repeats an earlier merge.`);
      this.mergedIdOf.set(key, id);
      const left = this.bytesOf[pair[0]];
      const right = this.bytesOf[pair[1]];
      const bytes = new Uint8Array(left.length + right.length);
      bytes.set(left);
      bytes.set(right, left.length);
      this.bytesOf.push(bytes);
    }
    this.merges = Object.freeze(merges.map(([left, right]) => Object.freeze([left, right] as const)));
    this.specialTokens = Object.freeze(specialTokens);
    this.specialIdOf = new Map(specialTokens.map((token, index) => [token, BYTE_TOKENS + merges.length + index]));
    this.size = BYTE_TOKENS + merges.length + specialTokens.length;
  }

  /**
   * Learns merges from `corpus` (one string, or several documents) until the vocabulary
   * reaches `vocabSize` or no pair occurs `minFrequency` times.
   * @throws {ArgumentError} when `vocabSize` is below `256 + specialTokens.length`.
   */
  static train(corpus: string | readonly string[], options: BytePairTrainOptions): BytePairTokenizer {
    const where = 'BytePairTokenizer.train';
    const documents = typeof corpus === 'string' ? [corpus] : corpus;
    if (!Array.isArray(documents)) throw new ArgumentError('bad-argument', `${where}: corpus (${describeValue(corpus)}) must be a string or an array of strings.`);
    documents.forEach((document, index) => assertText(where, `corpus[${index}]`, document));
    const specialTokens = assertSpecialTokens(where, options?.specialTokens ?? []);
    const { vocabSize, minFrequency = 2 } = options ?? {};
    const smallest = BYTE_TOKENS + specialTokens.length;
    if (!Number.isInteger(vocabSize) || vocabSize < smallest || vocabSize > MAX_VOCABULARY) {
      throw new ArgumentError('bad-argument', `${where}: vocabSize (${describeValue(vocabSize)}) must be an integer in [${smallest}, ${MAX_VOCABULARY}] (256 byte tokens + ${specialTokens.length} special tokens + merges).`);
    }
    if (!Number.isInteger(minFrequency) || minFrequency < 1) {
      throw new ArgumentError('bad-argument', `${where}: minFrequency (${describeValue(minFrequency)}) must be a positive integer.`);
    }

    // Word frequencies; each distinct word becomes a list of byte ids.
    const wordCounts = new Map<string, number>();
    for (const document of documents) {
      for (const piece of splitOnSpecialTokens(document, specialTokens)) {
        if (piece.special) continue;
        for (const word of splitWords(piece.text)) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
      }
    }
    const words = [...wordCounts.keys()].map((word) => Array.from(encoder.encode(word)));
    const counts = [...wordCounts.values()];

    // Pair counts, the words each pair occurs in, and a max-heap of (count, pair) with lazy deletion.
    const pairCounts = new Map<number, number>();
    const pairWords = new Map<number, Set<number>>();
    const addPairs = (wordIndex: number, sign: 1 | -1, touched: Map<number, number>) => {
      const symbols = words[wordIndex];
      for (let index = 0; index + 1 < symbols.length; index++) {
        const key = pairKey(symbols[index], symbols[index + 1]);
        const before = pairCounts.get(key) ?? 0;
        if (!touched.has(key)) touched.set(key, before);
        pairCounts.set(key, before + sign * counts[wordIndex]);
        if (sign > 0) {
          let holders = pairWords.get(key);
          if (!holders) pairWords.set(key, (holders = new Set()));
          holders.add(wordIndex);
        }
      }
    };
    type Entry = readonly [count: number, key: number];
    const heap = new MinHeap<Entry>((a, b) => a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]));
    const pushChanged = (touched: Map<number, number>) => {
      for (const [key, before] of touched) {
        const count = pairCounts.get(key)!;
        if (count <= 0) pairCounts.delete(key);
        else if (count !== before) heap.push([count, key]);
      }
    };
    const initial = new Map<number, number>();
    words.forEach((_, wordIndex) => addPairs(wordIndex, 1, initial));
    pushChanged(initial);

    const merges: Array<[number, number]> = [];
    const wanted = vocabSize - smallest;
    while (merges.length < wanted) {
      const entry = heap.pop();
      if (!entry) break;
      const [count, key] = entry;
      if (pairCounts.get(key) !== count) continue; // stale entry
      if (count < minFrequency) break;
      const left = Math.floor(key / MAX_VOCABULARY);
      const right = key % MAX_VOCABULARY;
      const merged = BYTE_TOKENS + merges.length;
      merges.push([left, right]);
      const touched = new Map<number, number>();
      for (const wordIndex of pairWords.get(key) ?? []) {
        addPairs(wordIndex, -1, touched);
        words[wordIndex] = mergePair(words[wordIndex], left, right, merged);
        addPairs(wordIndex, 1, touched);
      }
      pairWords.delete(key);
      pushChanged(touched);
    }
    return new BytePairTokenizer(merges, { specialTokens });
  }

  /** Rebuilds a tokenizer saved with {@link BytePairTokenizer.toJSON} (an object or its JSON text). */
  static fromJSON(json: BytePairTokenizerJSON | string): BytePairTokenizer {
    const value = parseJSONText('BytePairTokenizer.fromJSON', json) as BytePairTokenizerJSON;
    if (typeof value !== 'object' || value === null || value.type !== 'byte-pair' || value.version !== 1) {
      throw new ArgumentError('bad-tokenizer-json', `BytePairTokenizer.fromJSON: expected {type: "byte-pair", version: 1, ...}, received ${describeValue(value)}.`);
    }
    return new BytePairTokenizer(value.merges, { specialTokens: value.specialTokens });
  }

  /** Token ids of `text`; special tokens in the text map to their ids. */
  encode(text: string): number[] {
    assertText('BytePairTokenizer.encode', 'text', text);
    const ids: number[] = [];
    for (const piece of splitOnSpecialTokens(text, this.specialTokens)) {
      if (piece.special) ids.push(this.specialIdOf.get(piece.text)!);
      else for (const word of splitWords(piece.text)) for (const id of this.encodeWord(word)) ids.push(id);
    }
    return ids;
  }

  /** Text of `ids`. Byte sequences that are not valid UTF-8 (a split character) decode to U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    assertTokenIds('BytePairTokenizer.decode', ids, this.size);
    const decoder = new TextDecoder('utf-8');
    const byteCount = this.bytesOf.length;
    let text = '';
    let bytes = new Uint8Array(256);
    let used = 0;
    for (let index = 0; index <= ids.length; index++) {
      const id = index < ids.length ? ids[index] : -1;
      if (id >= 0 && id < byteCount) {
        const token = this.bytesOf[id];
        if (used + token.length > bytes.length) {
          const grown = new Uint8Array(2 * (used + token.length));
          grown.set(bytes.subarray(0, used));
          bytes = grown;
        }
        bytes.set(token, used);
        used += token.length;
        continue;
      }
      // A special token or the end: decode the bytes gathered so far in one call.
      text += decoder.decode(bytes.subarray(0, used));
      used = 0;
      if (id >= byteCount) text += this.specialTokens[id - byteCount];
    }
    return text;
  }

  /** The bytes of one token id (a copy; for a special token, its UTF-8 text). */
  tokenBytes(id: number): Uint8Array {
    assertTokenIds('BytePairTokenizer.tokenBytes', [id], this.size);
    return id < this.bytesOf.length ? this.bytesOf[id].slice() : encoder.encode(this.specialTokens[id - this.bytesOf.length]);
  }

  specialTokenId(token: string): number {
    const id = this.specialIdOf.get(token);
    if (id === undefined) throw unknownSpecialToken('BytePairTokenizer.specialTokenId', token, this.specialTokens);
    return id;
  }

  streamDecoder(): TokenStreamDecoder {
    let decoder = new TextDecoder('utf-8');
    return {
      write: (id) => {
        assertTokenIds('BytePairTokenizer.streamDecoder.write', [id], this.size);
        if (id < this.bytesOf.length) return decoder.decode(this.bytesOf[id], { stream: true });
        const pending = decoder.decode();
        decoder = new TextDecoder('utf-8');
        return pending + this.specialTokens[id - this.bytesOf.length];
      },
      end: () => decoder.decode(),
    };
  }

  toJSON(): BytePairTokenizerJSON {
    return { type: 'byte-pair', version: 1, merges: this.merges.map(([left, right]) => [left, right]), specialTokens: [...this.specialTokens] };
  }

  /** Ids of one pre-tokenised word: its bytes, merged by rank (lowest first, leftmost on ties). */
  private encodeWord(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const tokens = Array.from(encoder.encode(word));
    const count = tokens.length;
    if (count === 0) return [];
    const next = Int32Array.from({ length: count }, (_, index) => (index + 1 < count ? index + 1 : -1));
    const previous = Int32Array.from({ length: count }, (_, index) => index - 1);
    const alive = new Uint8Array(count).fill(1);
    // Entries are packed numbers: mergedId * 2^31 + left position (merged id = priority, position = tie-break).
    const heap = new MinHeap<number>((a, b) => a < b);
    const consider = (left: number) => {
      const right = next[left];
      if (left < 0 || right < 0) return;
      const merged = this.mergedIdOf.get(pairKey(tokens[left], tokens[right]));
      if (merged !== undefined) heap.push(merged * 2 ** 31 + left);
    };
    for (let index = 0; index + 1 < count; index++) consider(index);
    while (heap.size > 0) {
      const entry = heap.pop()!;
      const merged = Math.floor(entry / 2 ** 31);
      const left = entry % 2 ** 31;
      const right = next[left];
      if (!alive[left] || right < 0 || this.mergedIdOf.get(pairKey(tokens[left], tokens[right])) !== merged) continue; // stale
      tokens[left] = merged;
      alive[right] = 0;
      next[left] = next[right];
      if (next[right] >= 0) previous[next[right]] = left;
      consider(previous[left]);
      consider(left);
    }
    const ids: number[] = [];
    for (let index = 0; index >= 0; index = next[index]) ids.push(tokens[index]);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }
}
