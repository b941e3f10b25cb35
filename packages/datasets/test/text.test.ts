import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, Generator, ShapeError } from '@tensorzoo/core';
import { describe, expect, it } from 'vitest';
import {
  languageModelBatches,
  languageModelWindows,
  loadFemaleFirstNames,
  loadMobyDick,
  loadMobyDickChapters,
  padSequences,
  sequenceBatches,
  shuffleSplit,
  splitTokens,
} from '../src/index';

/** Token ids equal to their position, so a window's content tells where it came from. */
const positions = (count: number) => Int32Array.from({ length: count }, (_, index) => index);

describe('text corpora', () => {
  it('loadMobyDick is the whole book with chapter headings', () => {
    const text = loadMobyDick();
    expect(text.length).toBeGreaterThan(1_200_000);
    expect(text.startsWith('CONTENTS\n')).toBe(true);
    expect(text).toContain('CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago—never mind how long precisely');
    expect(text).toContain('CHAPTER 135. The Chase.—Third Day.\n\n');
    expect(text).toContain('and the great shroud of the sea rolled on as it rolled five thousand years ago.\n\n\nEpilogue');
    expect(text.endsWith('in her retracing search after her missing children, only found another orphan.')).toBe(true);
    expect(new Set(text).size).toBe(89);
  });

  it('loadMobyDickChapters has the 139 parts in reading order, fresh on every call', () => {
    const chapters = loadMobyDickChapters();
    expect(chapters).toHaveLength(139);
    expect(chapters.slice(0, 4).map((part) => part.chapter)).toEqual(['Contents', 'Etymology', 'Extracts', '1']);
    expect(chapters[3].title).toBe('Loomings.');
    expect(chapters[138].chapter).toBe('Epilogue');
    chapters[3].text = 'changed';
    expect(loadMobyDickChapters()[3].text).toMatch(/^Call me Ishmael/);
  });

  it('loadFemaleFirstNames has 4,951 names, sorted, fresh on every call', () => {
    const names = loadFemaleFirstNames();
    expect(names).toHaveLength(4951);
    expect(names[0]).toBe('Aaren');
    expect(names.every((name) => /^[A-Z][A-Za-z-]+$/.test(name))).toBe(true);
    names.pop();
    expect(loadFemaleFirstNames()).toHaveLength(4951);
  });
});

describe('shuffleSplit', () => {
  it('splits a seeded shuffle into disjoint parts that cover every item', () => {
    const items = Array.from({ length: 100 }, (_, index) => `item${index}`);
    const first = shuffleSplit(items, { validationFraction: 0.1, rng: new Generator(3) });
    expect(first.validation).toHaveLength(10);
    expect(first.train).toHaveLength(90);
    expect(new Set([...first.train, ...first.validation]).size).toBe(100);
    expect(first.train.slice(0, 10)).not.toEqual(items.slice(0, 10)); // shuffled
    expect(shuffleSplit(items, { validationFraction: 0.1, rng: new Generator(3) })).toEqual(first);
    expect(shuffleSplit(items, { validationFraction: 0.1, rng: new Generator(4) })).not.toEqual(first);
  });

  it('rejects fractions that leave a part empty', () => {
    expect(() => shuffleSplit(['a', 'b'], { validationFraction: 0.1, rng: new Generator(0) })).toThrow(
      'shuffleSplit: validationFraction 0.1 of 2 items leaves an empty training or validation part.',
    );
    expect(() => shuffleSplit(['a', 'b'], { validationFraction: 1, rng: new Generator(0) })).toThrow(/must be a number in \(0, 1\)/);
  });
});

describe('splitTokens', () => {
  it('splits by position: the first 90% for training, the last 10% for validation', () => {
    const { train, validation } = splitTokens(positions(1000), { validationFraction: 0.1 });
    expect(train).toEqual(positions(900));
    expect(validation).toEqual(Int32Array.from({ length: 100 }, (_, index) => 900 + index));
    expect(() => splitTokens([1, 2, 3] as unknown as Int32Array, { validationFraction: 0.1 })).toThrow(ArgumentError);
  });
});

describe('languageModelBatches', () => {
  it('yields x, y int32 [B, T], y shifted by one, windows inside the tokens', async () => {
    const tokens = positions(500);
    const data = languageModelBatches(tokens, { contextLength: 8, batchSize: 4, rng: new Generator(0), batchesPerEpoch: 20 });
    expect(data.batchesPerEpoch).toBe(20);
    let count = 0;
    for (const { x, y, starts } of data) {
      expect(x.shape).toEqual([4, 8]);
      expect(y.shape).toEqual([4, 8]);
      expect([x.dtype, y.dtype]).toEqual(['int32', 'int32']);
      const [xs, ys] = [await x.data(), await y.data()];
      starts.forEach((start, row) => {
        expect(start).toBeGreaterThanOrEqual(0);
        expect(start + 8).toBeLessThanOrEqual(499); // the last target, tokens[start + 8], exists
        for (let column = 0; column < 8; column++) {
          expect(xs[row * 8 + column]).toBe(start + column);
          expect(ys[row * 8 + column]).toBe(start + column + 1);
        }
      });
      count++;
    }
    expect(count).toBe(20);
  });

  it('is deterministic for a seed and draws fresh windows on every loop', () => {
    const tokens = positions(10_000);
    const starts = (seed: number) => {
      const data = languageModelBatches(tokens, { contextLength: 16, batchSize: 8, rng: new Generator(seed), batchesPerEpoch: 3 });
      return [Array.from(data, (batch) => Array.from(batch.starts)), Array.from(data, (batch) => Array.from(batch.starts))];
    };
    const [firstLoop, secondLoop] = starts(7);
    expect(starts(7)).toEqual([firstLoop, secondLoop]);
    expect(secondLoop).not.toEqual(firstLoop);
    expect(starts(8)[0]).not.toEqual(firstLoop);
  });

  it('covers the stream about once per loop by default and never leaks training tokens into validation', () => {
    const { train, validation } = splitTokens(positions(2_000), { validationFraction: 0.25 });
    const data = languageModelBatches(train, { contextLength: 10, batchSize: 5, rng: new Generator(1) });
    expect(data.batchesPerEpoch).toBe(Math.floor(1499 / 50));
    let largest = 0;
    for (const batch of data) largest = Math.max(largest, ...batch.starts);
    expect(largest + 10).toBeLessThan(1_500); // no window (nor its target) reaches a validation position
    expect(validation[0]).toBe(1_500);
  });

  it('disposes each batch when the loop moves on or stops, so nothing leaks', () => {
    const before = tf.memory().numTensors;
    const data = languageModelBatches(positions(100), { contextLength: 4, batchSize: 2, rng: new Generator(0), batchesPerEpoch: 5 });
    for (const batch of data) expect(batch.x.isDisposed).toBe(false);
    for (const _ of data) break;
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects too few tokens and bad options with clear messages', () => {
    expect(() => languageModelBatches(positions(8), { contextLength: 8, batchSize: 1, rng: new Generator(0) })).toThrow(ShapeError);
    expect(() => languageModelBatches(positions(8), { contextLength: 8, batchSize: 1, rng: new Generator(0) })).toThrow(
      'languageModelBatches: 8 tokens cannot fill one window of contextLength 8 plus its shifted target (needs 9).',
    );
    expect(() => languageModelBatches(positions(100), { contextLength: 0, batchSize: 1, rng: new Generator(0) })).toThrow(/contextLength \(0\)/);
    expect(() => languageModelBatches(positions(100), { contextLength: 4, batchSize: 1, rng: undefined as unknown as Generator })).toThrow(/rng/);
  });
});

describe('languageModelWindows', () => {
  it('returns every window in order with the given stride', async () => {
    const windows = languageModelWindows(positions(20), { contextLength: 5, stride: 4 });
    expect(Array.from(windows.starts)).toEqual([0, 4, 8, 12]); // 12 + 5 = 17 < 20; 16 + 5 = 21 > 19
    expect(windows.x.shape).toEqual([4, 5]);
    expect(Array.from(await windows.x.data()).slice(5, 10)).toEqual([4, 5, 6, 7, 8]);
    expect(Array.from(await windows.y.data()).slice(5, 10)).toEqual([5, 6, 7, 8, 9]);
    tf.dispose([windows.x, windows.y]);
    const disjoint = languageModelWindows(positions(21), { contextLength: 5 });
    expect(Array.from(disjoint.starts)).toEqual([0, 5, 10, 15]);
    tf.dispose([disjoint.x, disjoint.y]);
  });
});

describe('padSequences', () => {
  it('writes <bos> sequence and sequence <eos>, padded', () => {
    const rows = padSequences([[5, 6, 7], [8], []], { bosId: 1, eosId: 2, padId: 0 });
    expect([rows.size, rows.length]).toEqual([3, 4]);
    expect(Array.from(rows.x)).toEqual([1, 5, 6, 7, 1, 8, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(rows.y)).toEqual([5, 6, 7, 2, 8, 2, 0, 0, 2, 0, 0, 0]);
    expect(padSequences([[5]], { bosId: 1, eosId: 2, padId: 0, length: 3 }).x).toEqual(Int32Array.of(1, 5, 0));
  });

  it('names a sequence that does not fit', () => {
    expect(() => padSequences([[1], [1, 2, 3]], { bosId: 0, eosId: 0, padId: 0, length: 3 })).toThrow(
      'padSequences: sequences[1] has 3 tokens; with <bos>/<eos> it needs length >= 4, but length is 3.',
    );
    expect(() => padSequences([[1, -1]], { bosId: 0, eosId: 0, padId: 0 })).toThrow(/sequences\[0\]\[1\] \(-1\)/);
  });
});

describe('sequenceBatches', () => {
  const rows = padSequences([[5, 6, 7], [8], [9, 9]], { bosId: 1, eosId: 2, padId: 0 }); // length 4

  it('yields random rows of x and y, int32 [B, length], the same rows in both', async () => {
    const data = sequenceBatches(rows, { batchSize: 5, rng: new Generator(0), batchesPerEpoch: 3 });
    expect(data.batchesPerEpoch).toBe(3);
    for (const { x, y, indices } of data) {
      expect(x.shape).toEqual([5, 4]);
      expect([x.dtype, y.dtype]).toEqual(['int32', 'int32']);
      const [xs, ys] = [await x.data(), await y.data()];
      indices.forEach((row, position) => {
        expect(Array.from(xs.slice(position * 4, position * 4 + 4))).toEqual(Array.from(rows.x.slice(row * 4, row * 4 + 4)));
        expect(Array.from(ys.slice(position * 4, position * 4 + 4))).toEqual(Array.from(rows.y.slice(row * 4, row * 4 + 4)));
      });
    }
  });

  it('depends only on the generator state and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const draw = (rng: Generator) => Array.from(sequenceBatches(rows, { batchSize: 4, rng, batchesPerEpoch: 2 }), (batch) => Array.from(batch.indices));
    const rng = new Generator(5);
    const first = draw(rng);
    const state = rng.getState();
    const second = draw(rng);
    const restored = new Generator(0);
    restored.setState(state);
    expect(draw(restored)).toEqual(second);
    expect(draw(new Generator(5))).toEqual(first);
    expect(sequenceBatches(rows, { batchSize: 2, rng }).batchesPerEpoch).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => sequenceBatches({ x: new Int32Array(3), y: new Int32Array(3), size: 2, length: 2 }, { batchSize: 1, rng })).toThrow(/must be PaddedSequences/);
  });
});
