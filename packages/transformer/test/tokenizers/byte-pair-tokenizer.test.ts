import { ArgumentError } from '@tensorzoo/core';
import { describe, expect, it } from 'vitest';
import { BytePairTokenizer, splitWords } from '../../src/tokenizers/byte-pair-tokenizer';
import { tokenizerFromJSON } from '../../src/tokenizers/from-json';

/** The toy corpus of the Hugging Face course's BPE chapter: word frequencies hug 10, pug 5, pun 12, bun 4, hugs 5. */
const toyCorpus = [
  ...Array<string>(10).fill('hug'),
  ...Array<string>(5).fill('pug'),
  ...Array<string>(12).fill('pun'),
  ...Array<string>(4).fill('bun'),
  ...Array<string>(5).fill('hugs'),
];
const code = (character: string) => character.charCodeAt(0);

/** About 40 KB of English-like text (seeded): words of two Moby-Dick sentences, numbers, punctuation, varied whitespace. */
const prose = (() => {
  const words = (
    'Call me Ishmael Some years ago never mind how long precisely having little or no money in my purse and nothing ' +
    'particular to interest me on shore I thought I would sail about a little and see the watery part of the world It is ' +
    'a way I have of driving off the spleen and regulating the circulation whenever it is a damp drizzly November in my soul'
  ).split(' ');
  let state = 12345;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  let text = '';
  for (let index = 0; index < 7_000; index++) {
    const roll = next(20);
    if (roll === 0) text += ` ${next(10_000)}`;
    else if (roll === 1) text += '.\n\n';
    else if (roll === 2) text += ',';
    else if (roll === 3) text += "'s";
    else text += ` ${words[next(words.length)]}`;
  }
  return text;
})();

describe('BytePairTokenizer', () => {
  it('learns the hand-computed merges of the toy corpus, ties broken by the smaller ids', () => {
    // Pair counts: ug 20, un 16, (h, ug) 15, (p, un) 12, then (p, ug) 5 and (hug, s) 5 tie: p (112) < hug (258).
    const tokenizer = BytePairTokenizer.train(toyCorpus, { vocabSize: 256 + 6 });
    const [u, g, n, h, p, s] = ['u', 'g', 'n', 'h', 'p', 's'].map(code);
    expect(tokenizer.merges).toEqual([
      [u, g], // 256 "ug"
      [u, n], // 257 "un"
      [h, 256], // 258 "hug"
      [p, 257], // 259 "pun"
      [p, 256], // 260 "pug"
      [258, s], // 261 "hugs"
    ]);
    expect(tokenizer.size).toBe(262);
    expect(tokenizer.encode('hugs')).toEqual([261]);
    expect(tokenizer.encode('bun')).toEqual([code('b'), 257]);
    expect(tokenizer.encode('hug pun')).toEqual([258, code(' '), 259]); // merges never join the space to "pun"
  });

  it('respects vocabSize and stops at minFrequency', () => {
    expect(BytePairTokenizer.train(toyCorpus, { vocabSize: 259 }).merges).toHaveLength(3);
    expect(BytePairTokenizer.train(toyCorpus, { vocabSize: 259 }).size).toBe(259);
    // (b, un) occurs 4 times, (hug, s) 5 times: with minFrequency 5 training stops after 6 merges.
    const limited = BytePairTokenizer.train(toyCorpus, { vocabSize: 1000, minFrequency: 5 });
    expect(limited.size).toBe(262);
    const large = BytePairTokenizer.train(prose, { vocabSize: 400, specialTokens: ['<|endoftext|>'] });
    expect(large.size).toBe(400);
    expect(large.merges).toHaveLength(400 - 256 - 1);
    expect(large.specialTokenId('<|endoftext|>')).toBe(399);
  });

  it('trains deterministically', () => {
    const first = BytePairTokenizer.train(prose, { vocabSize: 350 });
    const second = BytePairTokenizer.train(prose, { vocabSize: 350 });
    expect(second.toJSON()).toEqual(first.toJSON());
  });

  it('splits text into words like GPT-2 before merging', () => {
    expect(splitWords("Hello, world! It's 2024   now\n\n")).toEqual(['Hello', ',', ' world', '!', ' It', "'s", ' 2024', '  ', ' now', '\n\n']);
    expect(splitWords('')).toEqual([]);
  });

  const tokenizer = BytePairTokenizer.train(prose, { vocabSize: 500, specialTokens: ['<|endoftext|>'] });

  it.each([
    ['ASCII', 'The quick brown fox jumps over the lazy dog. 0123456789 !? Call me Ishmael.'],
    ['emoji', 'whale 🐋 and 👩‍👩‍👧 family 🇫🇷'],
    ['CJK', '鯨は大きい。白鯨 (Moby-Dick)'],
    ['combining marks', 'cafe\u0301 n\u0303 a\u030a'],
    ['whitespace', ' \t\n\r\n   x  \u00a0\u2003  '],
    ['empty', ''],
    ['special tokens', 'one<|endoftext|>two <|endoftext|><|endoftext|>'],
  ])('round-trips %s text exactly', (_, text) => {
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  it('compresses text it was trained on and uses one id per special token', () => {
    const ids = tokenizer.encode(prose);
    expect(ids.length).toBeLessThan(new TextEncoder().encode(prose).length / 3);
    expect(tokenizer.encode('<|endoftext|>')).toEqual([499]);
    expect(tokenizer.decode([499])).toBe('<|endoftext|>');
  });

  it('streams ids one at a time, holding back characters split over tokens', () => {
    const text = 'sail 🐋 鯨<|endoftext|>é';
    const stream = tokenizer.streamDecoder();
    const pieces = tokenizer.encode(text).map((id) => stream.write(id));
    expect(pieces.join('') + stream.end()).toBe(text);
    expect(pieces.every((piece) => !piece.includes('\ufffd'))).toBe(true);
    expect(tokenizer.decode(tokenizer.encode('🐋').slice(0, 2))).toBe('\ufffd'); // half a character
  });

  it('merges exactly as the GPT-2 reference loop (lowest rank everywhere, repeat)', () => {
    const rankOf = new Map(tokenizer.merges.map(([left, right], rank) => [`${left},${right}`, rank]));
    const reference = (word: string): number[] => {
      let symbols = Array.from(new TextEncoder().encode(word));
      for (;;) {
        let best = -1;
        for (let index = 0; index + 1 < symbols.length; index++) {
          const rank = rankOf.get(`${symbols[index]},${symbols[index + 1]}`);
          if (rank !== undefined && (best < 0 || rank < best)) best = rank;
        }
        if (best < 0) return symbols;
        const [left, right] = tokenizer.merges[best];
        const merged: number[] = [];
        for (let index = 0; index < symbols.length; index++) {
          if (index + 1 < symbols.length && symbols[index] === left && symbols[index + 1] === right) {
            merged.push(256 + best);
            index++;
          } else merged.push(symbols[index]);
        }
        symbols = merged;
      }
    };
    const words = splitWords(prose.slice(0, 20_000) + ' aaaaaaa eeeee llll ssss   \n\n\n 11111');
    for (const word of words) expect(tokenizer.encode(word)).toEqual(reference(word));
  });

  it('encodes a long text quickly', () => {
    const text = prose.repeat(10); // about 100 KB
    const started = performance.now();
    const ids = tokenizer.encode(text);
    const fresh = BytePairTokenizer.fromJSON(tokenizer.toJSON()); // empty cache
    fresh.encode('x'.repeat(20_000) + '鯨'.repeat(5_000)); // two very long words
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(tokenizer.decode(ids)).toBe(text);
  });

  it('round-trips through toJSON / fromJSON / tokenizerFromJSON', () => {
    const text = JSON.stringify(tokenizer);
    for (const copy of [BytePairTokenizer.fromJSON(text), tokenizerFromJSON(JSON.parse(text))]) {
      expect(copy).toBeInstanceOf(BytePairTokenizer);
      expect(copy.toJSON()).toEqual(tokenizer.toJSON());
      expect(copy.encode(prose.slice(0, 500))).toEqual(tokenizer.encode(prose.slice(0, 500)));
    }
  });

  it('rejects bad arguments with clear messages', () => {
    expect(() => BytePairTokenizer.train('abc', { vocabSize: 100 })).toThrow(ArgumentError);
    expect(() => BytePairTokenizer.train('abc', { vocabSize: 256, specialTokens: ['<s>'] })).toThrow(
      'BytePairTokenizer.train: vocabSize (256) must be an integer in [257, 2097152] (256 byte tokens + 1 special tokens + merges).',
    );
    expect(() => BytePairTokenizer.train('abc', { vocabSize: 300, minFrequency: 0 })).toThrow(/minFrequency \(0\) must be a positive integer/);
    expect(() => new BytePairTokenizer([[97, 98], [256, 300]])).toThrow('BytePairTokenizer: merges[1] ([256,300]) must be two ids in [0, 257) (existing tokens before it).');
    expect(() => new BytePairTokenizer([[97, 98], [97, 98]])).toThrow(/repeats an earlier merge/);
    expect(() => tokenizer.decode([500])).toThrow('BytePairTokenizer.decode: ids[0] (500) must be an integer in [0, 500).');
    expect(() => tokenizer.specialTokenId('<eos>')).toThrow('BytePairTokenizer.specialTokenId: "<eos>" is not a special token (special tokens: "<|endoftext|>").');
  });
});
