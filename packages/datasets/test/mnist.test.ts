import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator } from '@tensorzoo/core';
import { batches } from '../src/batching';
import { MNIST_CLASS_NAMES, MNIST_IMAGE_SHAPE, loadMnist, type MnistDataset } from '../src/mnist';

/** Sum of the 784 pixel bytes of image `row` (features in [0, 1] or [-1, 1]). */
function byteSum(dataset: MnistDataset, row: number, range: 'unit' | 'symmetric' = 'unit'): number {
  let sum = 0;
  for (const value of dataset.features.subarray(row * 784, (row + 1) * 784)) sum += Math.round(range === 'unit' ? value * 255 : (value + 1) * 127.5);
  return sum;
}

/** Element-wise equality of two typed arrays (Vitest's deep equality is slow on 300k elements). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

function minMax(values: Float32Array): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return [low, high];
}

// Images per digit in the training split: count - round(count / 5) of the package's 1001, 1127, ... images.
const TRAIN_COUNTS = [801, 902, 793, 826, 784, 690, 811, 856, 755, 782];
const TEST_COUNTS = [200, 225, 198, 206, 196, 173, 203, 214, 189, 196];

describe('loadMnist', () => {
  it('splits 10,000 digits into 8,000 train / 2,000 test, stratified by digit', async () => {
    const train = await loadMnist();
    const test = await loadMnist({ split: 'test' });
    expect(train.size).toBe(8000);
    expect(test.size).toBe(2000);
    expect(train.featureShape).toEqual([28, 28, 1]);
    expect(MNIST_IMAGE_SHAPE).toEqual([28, 28, 1]);
    expect(train.targetShape).toEqual([]);
    expect(train.targets).toBeInstanceOf(Int32Array);
    expect(train.classCounts).toEqual(TRAIN_COUNTS);
    expect(test.classCounts).toEqual(TEST_COUNTS);
    const counted = new Array(10).fill(0);
    for (const label of test.targets) counted[label]++;
    expect(counted).toEqual(TEST_COUNTS);
    expect(train.classes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(train.classNames).toEqual(MNIST_CLASS_NAMES);
    expect(train.split).toBe('train');
  });

  it('interleaves the classes and starts with known images', async () => {
    const train = await loadMnist();
    const test = await loadMnist({ split: 'test' });
    expect(Array.from(train.targets.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // Byte sums of the first image of digit 0 and of digit 1 in the package, and of the first test 0.
    expect(byteSum(train, 0)).toBe(31095);
    expect(byteSum(train, 1)).toBe(17135);
    expect(byteSum(test, 0)).toBe(29098);
    // After the 690 fives run out, the round-robin skips digit 5.
    expect(train.targets[690 * 10 + 5]).toBe(6);
  });

  it('scales pixels to [0, 1], or [-1, 1] with range symmetric', async () => {
    const unit = await loadMnist({ split: 'test', limit: 200 });
    const symmetric = await loadMnist({ split: 'test', limit: 200, range: 'symmetric' });
    expect(minMax(unit.features)).toEqual([0, 1]);
    expect(minMax(symmetric.features)).toEqual([-1, 1]);
    expect(byteSum(symmetric, 0, 'symmetric')).toBe(29098);
    for (let index = 0; index < 784 * 3; index++) expect(symmetric.features[index]).toBeCloseTo(unit.features[index] * 2 - 1, 6);
  });

  it('is deterministic: two loads give identical arrays', async () => {
    const first = await loadMnist({ split: 'test', classes: [4, 9] });
    const second = await loadMnist({ split: 'test', classes: [4, 9] });
    expect(first.features).not.toBe(second.features);
    expect(sameValues(first.features, second.features)).toBe(true);
    expect(sameValues(first.targets, second.targets)).toBe(true);
  });

  it('keeps a subset of classes, relabelled by position, from the same split', async () => {
    const subset = await loadMnist({ classes: [8, 3] });
    const all = await loadMnist();
    expect(subset.size).toBe(755 + 826);
    expect(subset.classes).toEqual([8, 3]);
    expect(subset.classNames).toEqual(['8', '3']);
    expect(subset.classCounts).toEqual([755, 826]);
    expect(Array.from(subset.targets.subarray(0, 4))).toEqual([0, 1, 0, 1]);
    // The first 8 of the subset is the first 8 of the full training split (row 8).
    expect(sameValues(subset.features.subarray(0, 784), all.features.subarray(8 * 784, 9 * 784))).toBe(true);
  });

  it('encodes labels as one-hot rows or a binary column', async () => {
    const oneHot = await loadMnist({ split: 'test', labels: 'one-hot', limit: 20 });
    expect(oneHot.targetShape).toEqual([10]);
    expect(oneHot.targets).toBeInstanceOf(Float32Array);
    expect(Array.from(oneHot.targets.subarray(30, 40))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]); // row 3 is a 3
    const binary = await loadMnist({ split: 'test', labels: 'binary', classes: [3, 8], limit: 6 });
    expect(binary.targetShape).toEqual([1]);
    expect(Array.from(binary.targets)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('limit keeps a balanced prefix; all = train then test', async () => {
    const small = await loadMnist({ limit: 300 });
    expect(small.size).toBe(300);
    expect(small.classCounts).toEqual(new Array(10).fill(30));
    const all = await loadMnist({ split: 'all', classes: [0] });
    expect(all.size).toBe(1001);
    expect(byteSum(all, 0)).toBe(31095);
    expect(byteSum(all, 801)).toBe(29098);
  });

  it('feeds batches(): x [b, 28, 28, 1] float32, y [b] int32, seeded shuffle', async () => {
    const data = await loadMnist({ split: 'test', limit: 100 });
    const order = (seed: number) => Array.from(batches(data, { batchSize: 32, shuffle: true, rng: new Generator(seed) }), (batch) => {
      expect(batch.x.shape).toEqual([batch.indices.length, 28, 28, 1]);
      expect(batch.x.dtype).toBe('float32');
      expect(batch.y.shape).toEqual([batch.indices.length]);
      expect(batch.y.dtype).toBe('int32');
      tf.dispose([batch.x, batch.y]);
      return Array.from(batch.indices);
    });
    const first = order(7);
    expect(first.map((indices) => indices.length)).toEqual([32, 32, 32, 4]);
    expect(order(7)).toEqual(first);
    expect(order(8)).not.toEqual(first);
    const [batch] = batches(data, { batchSize: 2 });
    expect(Array.from(await batch.y.data())).toEqual([0, 1]);
    tf.dispose([batch.x, batch.y]);
  });

  it('rejects bad options with the rule', async () => {
    await expect(loadMnist({ classes: [3, 10] })).rejects.toThrow('loadMnist: classes ([3, 10]) must be a non-empty array of class ids 0-9, e.g. [3, 8].');
    await expect(loadMnist({ classes: [3, 3] })).rejects.toThrow('lists a class twice');
    await expect(loadMnist({ labels: 'binary' })).rejects.toThrow("loadMnist: labels 'binary' needs exactly 2 classes, received 10");
    await expect(loadMnist({ split: 'validation' as 'test' })).rejects.toThrow(`loadMnist: split ("validation") must be one of 'train', 'test', 'all'.`);
    await expect(loadMnist({ limit: 0 })).rejects.toThrow('loadMnist: limit (0) must be an integer >= 1.');
    await expect(loadMnist({ shuffle: true } as never)).rejects.toThrow('unknown option "shuffle"');
    const error = await loadMnist({ range: 'bytes' as 'unit' }).catch((caught: unknown) => caught);
    expect(ArgumentError.isInstance(error)).toBe(true);
  });
});
