import { ArgumentError, describeValue } from '@tensorzoo/core';
import {
  assertSpecialTokens,
  assertText,
  parseJSONText,
  assertTokenIds,
  splitOnSpecialTokens,
  unknownSpecialToken,
  type CharTokenizerJSON,
  type Tokenizer,
  type TokenStreamDecoder,
} from './tokenizer';

/** Options of {@link CharTokenizer.fromText}. */
export interface CharTokenizerOptions {
  /**
   * Extra tokens with their own ids `0, 1, ...` before the characters, e.g.
   * `['<pad>', '<bos>', '<eos>']`. `encode` recognises them inside the text. Default `[]`.
   */
  specialTokens?: string[];
  /**
   * A token for characters that are not in the vocabulary (added to the special tokens if
   * it is not one already). Default: none, and `encode` throws on an unknown character.
   */
  unknownToken?: string;
}

/**
 * Character-level tokenizer: one token per Unicode character (code point, so an emoji is
 * one token), plus optional special tokens. Ids: the special tokens first, in the order
 * given, then the characters of the corpus sorted by code point.
 *
 * Small vocabularies (a few dozen ids for English) make it the tokenizer of choice for
 * tiny language models (names, Shakespeare, Moby Dick), as in nanoGPT's `shakespeare_char`.
 *
 * @example
 * ```ts
 * const tokenizer = CharTokenizer.fromText(names.join('\n'), { specialTokens: ['<pad>'] });
 * tokenizer.size;                           // 1 + number of distinct characters
 * tokenizer.decode(tokenizer.encode('Ada')); // 'Ada'
 * tokenizer.encode('Ada€');                 // throws: character "€" (U+20AC) at index 3 ...
 * ```
 */
export class CharTokenizer implements Tokenizer {
  readonly size: number;
  readonly specialTokens: readonly string[];
  /** The ordinary tokens (one character each), in id order after the special tokens. */
  readonly characters: readonly string[];
  /** Token used for unknown characters, or `null` (unknown characters throw). */
  readonly unknownToken: string | null;
  private readonly idOf: Map<string, number>;
  private readonly tokens: string[];
  private basicPlaneTable: Int32Array | undefined;

  /**
   * Builds the tokenizer from an explicit vocabulary; most code uses {@link CharTokenizer.fromText}.
   * @param characters distinct single characters (code points), ids after the special tokens.
   */
  constructor(characters: readonly string[], options: CharTokenizerOptions = {}) {
    const where = 'CharTokenizer';
    if (!Array.isArray(characters)) {
      throw new ArgumentError('bad-argument', `${where}: characters (${describeValue(characters)}) must be an array of single characters.`);
    }
    const specialTokens = assertSpecialTokens(where, options.specialTokens ?? []);
    const unknownToken = options.unknownToken ?? null;
    if (unknownToken !== null) {
      assertText(where, 'unknownToken', unknownToken);
      if (unknownToken.length === 0) throw new ArgumentError('bad-argument', `${where}: unknownToken must be a non-empty string.`);
      if (!specialTokens.includes(unknownToken)) specialTokens.push(unknownToken);
    }
    this.tokens = [...specialTokens];
    this.idOf = new Map(specialTokens.map((token, id) => [token, id]));
    for (const [index, character] of characters.entries()) {
      if (typeof character !== 'string' || [...character].length !== 1) {
        throw new ArgumentError('bad-argument', `${where}: characters[${index}] (${describeValue(character)}) must be exactly one character.`);
      }
      if (this.idOf.has(character)) {
        throw new ArgumentError('bad-argument', `${where}: character ${JSON.stringify(character)} is listed twice (or is also a special token).`);
      }
      this.idOf.set(character, this.tokens.length);
      this.tokens.push(character);
    }
    this.specialTokens = Object.freeze(specialTokens);
    this.characters = Object.freeze([...characters]);
    this.unknownToken = unknownToken;
    this.size = this.tokens.length;
  }

  /**
   * A tokenizer whose vocabulary is the distinct characters of `corpus`, sorted by code
   * point, after `options.specialTokens`. A special token of one character that also occurs
   * in the corpus (e.g. `'\n'`) keeps its special id and is not listed twice.
   */
  static fromText(corpus: string, options: CharTokenizerOptions = {}): CharTokenizer {
    assertText('CharTokenizer.fromText', 'corpus', corpus);
    const special = new Set([...(options.specialTokens ?? []), ...(options.unknownToken === undefined ? [] : [options.unknownToken])]);
    const distinct = new Set<string>();
    const seenUnits = new Uint8Array(0x10000); // fast path for basic-plane characters
    for (let index = 0; index < corpus.length; index++) {
      const unit = corpus.charCodeAt(index);
      if (unit < 0xd800 || unit > 0xdfff) {
        if (seenUnits[unit]) continue;
        seenUnits[unit] = 1;
      }
      const character = String.fromCodePoint(corpus.codePointAt(index)!);
      index += character.length - 1;
      if (!special.has(character)) distinct.add(character);
    }
    const characters = [...distinct].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(characters, options);
  }

  /** Rebuilds a tokenizer saved with {@link CharTokenizer.toJSON} (an object or its JSON text). */
  static fromJSON(json: CharTokenizerJSON | string): CharTokenizer {
    const value = parseJSONText('CharTokenizer.fromJSON', json) as CharTokenizerJSON;
    if (typeof value !== 'object' || value === null || value.type !== 'char' || value.version !== 1) {
      throw new ArgumentError('bad-tokenizer-json', `CharTokenizer.fromJSON: expected {type: "char", version: 1, ...}, received ${describeValue(value)}.`);
    }
    return new CharTokenizer(value.characters, { specialTokens: value.specialTokens, unknownToken: value.unknownToken ?? undefined });
  }

  /**
   * Ids of `text`, one per character (special tokens in the text map to their ids).
   * @throws {ArgumentError} (`unknown-character`) naming the character, its code point and
   *   its index in `text`, unless the tokenizer has an `unknownToken`.
   */
  encode(text: string): number[] {
    assertText('CharTokenizer.encode', 'text', text);
    const ids: number[] = [];
    let offset = 0;
    for (const piece of splitOnSpecialTokens(text, this.specialTokens)) {
      if (piece.special) ids.push(this.idOf.get(piece.text)!);
      else this.encodeCharacters(piece.text, offset, ids);
      offset += piece.text.length;
    }
    return ids;
  }

  /** Text of `ids`: their characters (and special tokens) joined. */
  decode(ids: ArrayLike<number>): string {
    assertTokenIds('CharTokenizer.decode', ids, this.size);
    let text = '';
    for (let index = 0; index < ids.length; index++) text += this.tokens[ids[index]];
    return text;
  }

  /** The string of one token id. */
  idToToken(id: number): string {
    assertTokenIds('CharTokenizer.idToToken', [id], this.size);
    return this.tokens[id];
  }

  specialTokenId(token: string): number {
    const id = this.specialTokens.includes(token) ? this.idOf.get(token) : undefined;
    if (id === undefined) throw unknownSpecialToken('CharTokenizer.specialTokenId', token, this.specialTokens);
    return id;
  }

  streamDecoder(): TokenStreamDecoder {
    return { write: (id) => this.decode([id]), end: () => '' };
  }

  toJSON(): CharTokenizerJSON {
    return { type: 'char', version: 1, characters: [...this.characters], specialTokens: [...this.specialTokens], unknownToken: this.unknownToken };
  }

  /** Appends the ids of `text` (no special tokens in it) to `ids`; `offset` is its index in the caller's text. */
  private encodeCharacters(text: string, offset: number, ids: number[]): void {
    const table = this.basicPlaneIds();
    for (let index = 0; index < text.length; index++) {
      const unit = text.charCodeAt(index);
      const id = table[unit]; // -1: not in the vocabulary, or half of a surrogate pair
      if (id >= 0) {
        ids.push(id);
        continue;
      }
      const character = String.fromCodePoint(text.codePointAt(index)!);
      ids.push(this.idOf.get(character) ?? this.unknownId(character, offset + index));
      index += character.length - 1;
    }
  }

  /** Id of every basic-plane character by UTF-16 code unit (-1 when absent); built on first use. */
  private basicPlaneIds(): Int32Array {
    if (!this.basicPlaneTable) {
      this.basicPlaneTable = new Int32Array(0x10000).fill(-1);
      for (const [token, id] of this.idOf) {
        const unit = token.charCodeAt(0);
        if (token.length === 1 && (unit < 0xd800 || unit > 0xdfff)) this.basicPlaneTable[unit] = id;
      }
    }
    return this.basicPlaneTable;
  }

  private unknownId(character: string, index: number): number {
    if (this.unknownToken !== null) return this.idOf.get(this.unknownToken)!;
    const codePoint = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new ArgumentError(
      'unknown-character',
      `CharTokenizer.encode: character ${JSON.stringify(character)} (${codePoint}) at index ${index} is not in the vocabulary ` +
        `of ${this.characters.length} characters; build the tokenizer from text that contains it, or pass unknownToken.`,
    );
  }
}
