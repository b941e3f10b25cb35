import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, ShapeError } from '@tensorzoo/core';
import { fitStandardizer, selectRows, standardize, tabularDataset, trainTestSplit } from '../src/index';

/** Column means and population standard deviations of row-major `values`. */
function columnStats(values: ArrayLike<number>, columns: number): { mean: number[]; std: number[] } {
  const rows = values.length / columns;
  const mean = Array.from({ length: columns }, (_, column) => {
    let sum = 0;
    for (let row = 0; row < rows; row++) sum += values[row * columns + column];
    return sum / rows;
  });
  const std = mean.map((columnMean, column) => {
    let sum = 0;
    for (let row = 0; row < rows; row++) sum += (values[row * columns + column] - columnMean) ** 2;
    return Math.sqrt(sum / rows);
  });
  return { mean, std };
}

describe('tabularDataset', () => {
  it('infers size and shapes', () => {
    const dataset = tabularDataset({ features: [1, 2, 3, 4, 5, 6], targets: [0.5, 1, 1.5] });
    expect(dataset.size).toBe(3);
    expect(dataset.featureShape).toEqual([2]);
    expect(dataset.targetShape).toEqual([1]);
    expect(dataset.features).toBeInstanceOf(Float32Array);
    expect(dataset.targets).toBeInstanceOf(Float32Array);
  });

  it('rejects mismatched feature and target lengths', () => {
    expect(() => tabularDataset({ features: [1, 2, 3, 4, 5], targets: [1, 2] })).toThrow(ShapeError);
    expect(() => tabularDataset({ features: [1, 2, 3, 4, 5, 6], featureShape: [3], targets: [1, 2, 3] })).toThrow(
      'tabularDataset: features has 6 values but targets describe 3 examples; 3 examples of featureShape [3] need 9 values.',
    );
    expect(() => tabularDataset({ features: [1, 2], targets: [] })).toThrow(ShapeError);
    expect(() => tabularDataset({ features: [1, 2], targets: [1, 2, 3], targetShape: [2] })).toThrow(
      'tabularDataset: targets has 3 values, which is not a positive whole number of examples of targetShape [2] (2 values each).',
    );
  });

  it('rejects bad shapes and names', () => {
    expect(() => tabularDataset({ features: [1, 2], targets: [1, 2], featureShape: [0] })).toThrow(ArgumentError);
    expect(() => tabularDataset({ features: [1, 2], targets: [1, 2], featureNames: ['a', 'b'] })).toThrow(
      'tabularDataset: featureNames (array(2)) must list 1 names, one per value.',
    );
  });
});

describe('selectRows', () => {
  it('copies the chosen rows in order', () => {
    const dataset = tabularDataset({ features: [0, 0, 1, 1, 2, 2], targets: [10, 11, 12] });
    const picked = selectRows(dataset, [2, 0]);
    expect(picked.size).toBe(2);
    expect(Array.from(picked.features)).toEqual([2, 2, 0, 0]);
    expect(Array.from(picked.targets)).toEqual([12, 10]);
    expect(() => selectRows(dataset, [3])).toThrow('selectRows: indices[0] (3) must be an integer in [0, 2].');
  });
});

describe('trainTestSplit', () => {
  const dataset = tabularDataset({
    features: Float32Array.from({ length: 100 }, (_, index) => index),
    targets: Float32Array.from({ length: 100 }, (_, index) => 2 * index),
  });

  it('splits into round(testFraction * size) test rows and the rest, covering every row once', () => {
    const { train, test } = trainTestSplit(dataset, { testFraction: 0.25, rng: new Generator(3) });
    expect(test.size).toBe(25);
    expect(train.size).toBe(75);
    const rows = [...train.features, ...test.features].sort((a, b) => a - b);
    expect(rows).toEqual(Array.from({ length: 100 }, (_, index) => index));
    // features and targets stay paired
    train.features.forEach((feature, row) => expect(train.targets[row]).toBe(2 * feature));
  });

  it('is seeded', () => {
    const first = trainTestSplit(dataset, { testFraction: 0.2, rng: new Generator(9) });
    const again = trainTestSplit(dataset, { testFraction: 0.2, rng: new Generator(9) });
    const other = trainTestSplit(dataset, { testFraction: 0.2, rng: new Generator(10) });
    expect(Array.from(again.test.features)).toEqual(Array.from(first.test.features));
    expect(Array.from(other.test.features)).not.toEqual(Array.from(first.test.features));
  });

  it('rejects testFraction outside (0, 1) and empty splits', () => {
    const rng = new Generator(0);
    for (const testFraction of [0, 1, -0.1, 1.5, Number.NaN]) {
      expect(() => trainTestSplit(dataset, { testFraction, rng })).toThrow(ArgumentError);
    }
    expect(() => trainTestSplit(dataset, { testFraction: 1, rng })).toThrow(
      'trainTestSplit: testFraction (1) must be a number strictly between 0 and 1, e.g. 0.2.',
    );
    expect(() => trainTestSplit(dataset, { testFraction: 0.001, rng })).toThrow(
      'trainTestSplit: testFraction (0.001) of 100 examples leaves the test split empty; use a testFraction that rounds to between 1 and 99 examples.',
    );
    expect(() => trainTestSplit(dataset, { testFraction: 0.2 } as never)).toThrow(
      'trainTestSplit: rng (undefined) must be a Generator from @tensorzoo/core, e.g. new Generator(42).',
    );
  });
});

describe('fitStandardizer', () => {
  const rng = new Generator(5);
  const columns = 3;
  // column 0 ~ N(5, 2), column 1 ~ U[100, 200), column 2 constant 7
  const rows = 200;
  const normal = rng.normalArray(rows, 5, 2);
  const uniform = rng.uniformArray(rows, 100, 200);
  const values = Float32Array.from({ length: rows * columns }, (_, index) => {
    const row = Math.floor(index / columns);
    return [normal[row], uniform[row], 7][index % columns];
  });

  it('gives mean 0 and std 1 on the data it was fitted to, and 0 for a constant column', () => {
    const standardizer = fitStandardizer(values, columns);
    expect(standardizer.std[2]).toBe(1); // zero variance -> std 1, documented
    const scaled = columnStats(standardizer.transformValues(values), columns);
    scaled.mean.forEach((mean) => expect(mean).toBeCloseTo(0, 5));
    expect(scaled.std[0]).toBeCloseTo(1, 5);
    expect(scaled.std[1]).toBeCloseTo(1, 5);
    expect(scaled.std[2]).toBe(0);
  });

  it('matches an independent computation of mean and population std', () => {
    const standardizer = fitStandardizer(values, columns);
    const reference = columnStats(values, columns);
    for (let column = 0; column < 2; column++) {
      expect(standardizer.mean[column]).toBeCloseTo(reference.mean[column], 4);
      expect(standardizer.std[column]).toBeCloseTo(reference.std[column], 4);
    }
  });

  it('transforms and inverts tensors like values', async () => {
    const standardizer = fitStandardizer(values, columns);
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(values, [rows, columns]);
    const scaled = standardizer.transform(x);
    const restored = standardizer.inverse(scaled);
    const expected = standardizer.transformValues(values);
    const [scaledData, restoredData] = await Promise.all([scaled.data(), restored.data()]);
    scaledData.forEach((value, index) => expect(value).toBeCloseTo(expected[index], 4));
    restoredData.forEach((value, index) => expect(value).toBeCloseTo(values[index], 3));
    tf.dispose([x, scaled, restored]);
    expect(tf.memory().numTensors).toBe(before);
    const roundTrip = standardizer.inverseValues(expected);
    roundTrip.forEach((value, index) => expect(value).toBeCloseTo(values[index], 3));
  });

  it('rejects mismatched widths', () => {
    const standardizer = fitStandardizer(values, columns);
    const wrong = tf.zeros([2, 4]);
    expect(() => standardizer.transform(wrong)).toThrow('Standardizer.transform: x expected shape [..., 3], received [2, 4].');
    wrong.dispose();
    expect(() => fitStandardizer([1, 2, 3], 2)).toThrow(ShapeError);
    expect(() => fitStandardizer([1, 2], 0)).toThrow('fitStandardizer: columns (0) must be an integer >= 1.');
  });

  it('is fitted on the training split only and applied to both', () => {
    const dataset = tabularDataset({ features: values, targets: normal, featureShape: [columns] });
    const { train, test } = trainTestSplit(dataset, { testFraction: 0.3, rng: new Generator(11) });
    const features = fitStandardizer(train.features, columns);
    const targets = fitStandardizer(train.targets, 1);
    const trainScaled = standardize(train, { features, targets });
    const testScaled = standardize(test, { features });
    const trainStats = columnStats(trainScaled.features, columns);
    trainStats.mean.forEach((mean) => expect(mean).toBeCloseTo(0, 5));
    expect(trainStats.std[0]).toBeCloseTo(1, 5);
    expect(columnStats(trainScaled.targets, 1).mean[0]).toBeCloseTo(0, 5);
    // the test split uses the training statistics, so its mean is near but not exactly 0
    expect(Math.abs(columnStats(testScaled.features, columns).mean[0])).toBeGreaterThan(1e-4);
    expect(testScaled.targets).toBe(test.targets);
    expect(() => standardize(train, { targets: features })).toThrow(
      'standardize: the targets standardizer has 3 columns but the dataset has 1 target values per example.',
    );
  });
});
