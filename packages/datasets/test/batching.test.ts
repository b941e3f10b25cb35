import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator } from '@tensorzoo/core';
import { batchCount, batches, tabularDataset, type Batch, type TabularDataset } from '../src/index';

/** `size` rows; row i has features [i, 100 + i] and target 10 * i, so every value names its row. */
function indexedDataset(size: number, labels = false): TabularDataset {
  const features = Float32Array.from({ length: size * 2 }, (_, index) => (index % 2 === 0 ? index / 2 : 100 + (index - 1) / 2));
  const targets = labels ? Int32Array.from({ length: size }, (_, row) => row % 3) : Float32Array.from({ length: size }, (_, row) => 10 * row);
  return tabularDataset({ features, targets, featureShape: [2], targetShape: labels ? [] : [1] });
}

/** Reads every batch, disposes it, and returns the row indices read back from x. */
async function readRows(iterator: Iterable<Batch>): Promise<{ rows: number[][]; shapes: number[][][] }> {
  const rows: number[][] = [];
  const shapes: number[][][] = [];
  for (const batch of iterator) {
    const [x, y] = await Promise.all([batch.x.data(), batch.y.data()]);
    const batchRows = Array.from({ length: batch.x.shape[0] }, (_, row) => x[row * 2]);
    batchRows.forEach((index, row) => {
      expect(x[row * 2 + 1]).toBe(100 + index);
      expect(y[row]).toBe(10 * index);
    });
    expect(Array.from(batch.indices)).toEqual(batchRows);
    rows.push(batchRows);
    shapes.push([batch.x.shape, batch.y.shape]);
    tf.dispose([batch.x, batch.y]);
  }
  return { rows, shapes };
}

describe('batches', () => {
  it('yields full batches then a partial last batch, in order, without shuffle', async () => {
    const { rows, shapes } = await readRows(batches(indexedDataset(10), { batchSize: 4 }));
    expect(rows).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(shapes).toEqual([
      [[4, 2], [4, 1]],
      [[4, 2], [4, 1]],
      [[2, 2], [2, 1]],
    ]);
  });

  it('drops the partial last batch with dropLast', async () => {
    const { rows } = await readRows(batches(indexedDataset(10), { batchSize: 4, dropLast: true }));
    expect(rows).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect((await readRows(batches(indexedDataset(8), { batchSize: 4, dropLast: true }))).rows).toHaveLength(2);
    expect((await readRows(batches(indexedDataset(3), { batchSize: 4, dropLast: true }))).rows).toHaveLength(0);
  });

  it('gives one batch when batchSize exceeds the dataset', async () => {
    const { rows } = await readRows(batches(indexedDataset(3), { batchSize: 64 }));
    expect(rows).toEqual([[0, 1, 2]]);
  });

  it('counts batches like batchCount', () => {
    expect(batchCount(10, { batchSize: 4 })).toBe(3);
    expect(batchCount(10, { batchSize: 4, dropLast: true })).toBe(2);
    expect(batchCount(8, { batchSize: 4 })).toBe(2);
    expect(batchCount(0, { batchSize: 4 })).toBe(0);
  });

  it('shuffles into a permutation of all rows', async () => {
    const { rows } = await readRows(batches(indexedDataset(37), { batchSize: 8, shuffle: true, rng: new Generator(7) }));
    expect(rows.map((batch) => batch.length)).toEqual([8, 8, 8, 8, 5]);
    const visited = rows.flat();
    expect([...visited].sort((a, b) => a - b)).toEqual(Array.from({ length: 37 }, (_, index) => index));
    expect(visited).not.toEqual(Array.from({ length: 37 }, (_, index) => index));
  });

  it('is deterministic for a seed and draws a new order each epoch', async () => {
    const dataset = indexedDataset(20);
    const first = new Generator(123);
    const second = new Generator(123);
    const epoch1 = (await readRows(batches(dataset, { batchSize: 6, shuffle: true, rng: first }))).rows;
    const epoch1Again = (await readRows(batches(dataset, { batchSize: 6, shuffle: true, rng: second }))).rows;
    expect(epoch1Again).toEqual(epoch1);
    const epoch2 = (await readRows(batches(dataset, { batchSize: 6, shuffle: true, rng: first }))).rows;
    expect(epoch2).not.toEqual(epoch1);
    // The order comes from Generator.permutation, the same numbers on every backend.
    expect(epoch1.flat()).toEqual(Array.from(new Generator(123).permutation(20)));
  });

  it('keeps int32 label targets with targetShape []', async () => {
    const [batch] = [...batches(indexedDataset(5, true), { batchSize: 5 })];
    expect(batch.y.dtype).toBe('int32');
    expect(batch.y.shape).toEqual([5]);
    expect(Array.from(await batch.y.data())).toEqual([0, 1, 2, 0, 1]);
    tf.dispose([batch.x, batch.y]);
  });

  it('keeps multi-dimensional feature shapes', () => {
    const dataset = tabularDataset({ features: new Float32Array(3 * 2 * 2), targets: [1, 2, 3], featureShape: [2, 2] });
    const [batch] = [...batches(dataset, { batchSize: 3 })];
    expect(batch.x.shape).toEqual([3, 2, 2]);
    tf.dispose([batch.x, batch.y]);
  });

  it('leaks no tensors when every batch is disposed', async () => {
    const dataset = indexedDataset(50);
    const before = tf.memory().numTensors;
    for (const batch of batches(dataset, { batchSize: 7, shuffle: true, rng: new Generator(1) })) {
      await batch.x.data();
      tf.dispose([batch.x, batch.y]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('materialises one batch at a time', () => {
    const before = tf.memory().numTensors;
    const iterator = batches(indexedDataset(50), { batchSize: 10 });
    expect(tf.memory().numTensors).toBe(before);
    const { value } = iterator.next();
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([value.x, value.y]);
  });

  it('rejects a bad batchSize', () => {
    const dataset = indexedDataset(4);
    for (const batchSize of [0, -1, 2.5, Number.NaN]) {
      expect(() => batches(dataset, { batchSize })).toThrow(ArgumentError);
    }
    expect(() => batches(dataset, { batchSize: 0 })).toThrow('batches: batchSize (0) must be an integer >= 1.');
    expect(() => batches(dataset, { batchSize: '4' as unknown as number })).toThrow('batches: batchSize ("4") must be an integer >= 1.');
  });

  it('rejects a hand-built dataset whose lengths disagree', () => {
    const broken = { features: new Float32Array(6), featureShape: [2], targets: new Float32Array(2), targetShape: [1], size: 3 };
    expect(() => batches(broken, { batchSize: 2 })).toThrow(
      'batches: dataset of size 3 needs 6 feature values (featureShape [2]) and 3 target values (targetShape [1]), but has 6 and 2; build it with tabularDataset().',
    );
  });

  it('rejects shuffle without a rng, at call time', () => {
    expect(() => batches(indexedDataset(4), { batchSize: 2, shuffle: true })).toThrow(
      'batches: shuffle is true but no rng was given; pass { shuffle: true, rng: new Generator(seed) }.',
    );
  });
});
