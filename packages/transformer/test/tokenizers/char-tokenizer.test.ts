import { ArgumentError } from '@tensorzoo/core';
import { describe, expect, it } from 'vitest';
import { CharTokenizer } from '../../src/tokenizers/char-tokenizer';
import { tokenizerFromJSON } from '../../src/tokenizers/from-json';

describe('CharTokenizer', () => {
  it('has the sorted distinct characters of the corpus after the special tokens', () => {
    const tokenizer = CharTokenizer.fromText('hello world', { specialTokens: ['<pad>', '<eos>'] });
    expect(tokenizer.specialTokens).toEqual(['<pad>', '<eos>']);
    expect(tokenizer.characters).toEqual([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(tokenizer.size).toBe(10);
    expect(tokenizer.encode('hello')).toEqual([5, 4, 6, 6, 7]);
    expect(tokenizer.specialTokenId('<eos>')).toBe(1);
    expect(tokenizer.idToToken(2)).toBe(' ');
  });

  it.each([
    ['ASCII', 'The quick brown fox jumps over the lazy dog. 0123456789 !?'],
    ['emoji', 'whale 🐋 and 👩‍👩‍👧 family 🇫🇷'],
    ['CJK', '鯨は大きい。白鯨'],
    ['combining marks', 'cafe\u0301 n\u0303 a\u030a'],
    ['whitespace', ' \t\n\r\n   x  \u00a0\u2003'],
    ['empty', ''],
  ])('round-trips %s text exactly', (_, text) => {
    const tokenizer = CharTokenizer.fromText(text);
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    expect(tokenizer.encode(text)).toHaveLength([...text].length);
  });

  it('treats an astral character (emoji) as one token, sorted by code point', () => {
    const tokenizer = CharTokenizer.fromText('\uffff🐋a');
    expect(tokenizer.characters).toEqual(['a', '\uffff', '🐋']);
    expect(tokenizer.encode('🐋')).toEqual([2]);
  });

  it('recognises special tokens inside the text and writes them back', () => {
    const tokenizer = CharTokenizer.fromText('anna', { specialTokens: ['<bos>', '<eos>', '<pad>'] });
    const ids = tokenizer.encode('<bos>anna<eos><pad>');
    expect(ids).toEqual([0, 3, 4, 4, 3, 1, 2]);
    expect(tokenizer.decode(ids)).toBe('<bos>anna<eos><pad>');
  });

  it('keeps a one-character special token that also occurs in the corpus once', () => {
    const tokenizer = CharTokenizer.fromText('ab\ncd\n', { specialTokens: ['\n'] });
    expect(tokenizer.characters).toEqual(['a', 'b', 'c', 'd']);
    expect(tokenizer.encode('a\n')).toEqual([1, 0]);
  });

  it('names an unknown character, its code point and its index', () => {
    const tokenizer = CharTokenizer.fromText('abc');
    expect(() => tokenizer.encode('ab🐋c€')).toThrow(ArgumentError);
    expect(() => tokenizer.encode('ab🐋c')).toThrow(
      'CharTokenizer.encode: character "🐋" (U+1F40B) at index 2 is not in the vocabulary of 3 characters; build the tokenizer from text that contains it, or pass unknownToken.',
    );
    expect(() => tokenizer.encode('abcx')).toThrow(/character "x" \(U\+0078\) at index 3/);
  });

  it('maps unknown characters to the unknown token when one is given', () => {
    const tokenizer = CharTokenizer.fromText('abc', { unknownToken: '<unk>' });
    expect(tokenizer.specialTokens).toEqual(['<unk>']);
    expect(tokenizer.encode('axb🐋')).toEqual([1, 0, 2, 0]);
    expect(tokenizer.decode(tokenizer.encode('axb'))).toBe('a<unk>b');
  });

  it('rejects bad ids, bad special tokens and non-strings with clear messages', () => {
    const tokenizer = CharTokenizer.fromText('ab');
    expect(() => tokenizer.decode([0, 2])).toThrow('CharTokenizer.decode: ids[1] (2) must be an integer in [0, 2).');
    expect(() => tokenizer.decode([0.5])).toThrow(/ids\[0\] \(0.5\)/);
    expect(() => tokenizer.specialTokenId('<eos>')).toThrow('CharTokenizer.specialTokenId: "<eos>" is not a special token (special tokens: none).');
    expect(() => tokenizer.encode(42 as unknown as string)).toThrow('CharTokenizer.encode: text (42) must be a string.');
    expect(() => CharTokenizer.fromText('ab', { specialTokens: ['<a>', '<a>'] })).toThrow(/listed twice/);
    expect(() => new CharTokenizer(['a', 'bc'])).toThrow('CharTokenizer: characters[1] ("bc") must be exactly one character.');
  });

  it('accepts typed arrays in decode', () => {
    const tokenizer = CharTokenizer.fromText('xyz');
    expect(tokenizer.decode(Int32Array.of(2, 1, 0))).toBe('zyx');
  });

  it('round-trips through toJSON / fromJSON / tokenizerFromJSON', () => {
    const tokenizer = CharTokenizer.fromText('héllo 🐋', { specialTokens: ['<eos>'], unknownToken: '?' });
    const text = JSON.stringify(tokenizer);
    const copies = [CharTokenizer.fromJSON(text), CharTokenizer.fromJSON(JSON.parse(text)), tokenizerFromJSON(text)];
    for (const copy of copies) {
      expect(copy).toBeInstanceOf(CharTokenizer);
      expect(copy.toJSON()).toEqual(tokenizer.toJSON());
      expect(copy.encode('héllo<eos>🐋!')).toEqual(tokenizer.encode('héllo<eos>🐋!'));
    }
    expect(() => tokenizerFromJSON('{"type":"word"}')).toThrow(/type \("word"\) must be "char", "byte-pair" or "gpt2"/);
    expect(() => CharTokenizer.fromJSON('{oops')).toThrow(/CharTokenizer.fromJSON: the text is not valid JSON/);
  });

  it('streams one id at a time', () => {
    const tokenizer = CharTokenizer.fromText('ab🐋');
    const stream = tokenizer.streamDecoder();
    expect(tokenizer.encode('🐋ab').map((id) => stream.write(id)).join('') + stream.end()).toBe('🐋ab');
  });
});
