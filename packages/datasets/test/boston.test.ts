import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Generator } from '@tensorzoo/core';
import { BOSTON_FEATURE_NAMES, batches, fitStandardizer, loadBostonHousing, standardize, trainTestSplit } from '../src/index';

describe('loadBostonHousing', () => {
  it('has 506 rows of 12 features (b dropped) and medv as target', () => {
    const boston = loadBostonHousing();
    expect(boston.size).toBe(506);
    expect(boston.featureShape).toEqual([12]);
    expect(boston.targetShape).toEqual([1]);
    expect(boston.features).toHaveLength(506 * 12);
    expect(boston.targets).toHaveLength(506);
    expect(boston.featureNames).toEqual(['crim', 'zn', 'indus', 'chas', 'nox', 'rm', 'age', 'dis', 'rad', 'tax', 'ptratio', 'lstat']);
    expect(boston.featureNames).not.toContain('b');
    expect(boston.targetNames).toEqual(['medv']);
    expect(BOSTON_FEATURE_NAMES).toHaveLength(12);
    expect(boston.features.every(Number.isFinite)).toBe(true);
  });

  it('matches the first and last rows of the original data', () => {
    const boston = loadBostonHousing();
    const first = Array.from(boston.features.subarray(0, 12));
    const expectedFirst = [0.00632, 18, 2.31, 0, 0.538, 6.575, 65.2, 4.09, 1, 296, 15.3, 4.98];
    first.forEach((value, column) => expect(value).toBeCloseTo(expectedFirst[column], 5));
    expect(boston.targets[0]).toBeCloseTo(24.0, 5);
    // row 506: 0.04741, 0, 11.93, 0, 0.573, 6.03, 80.8, 2.505, 1, 273, 21, (b 396.9), 7.88, medv 11.9
    const last = Array.from(boston.features.subarray(505 * 12));
    const expectedLast = [0.04741, 0, 11.93, 0, 0.573, 6.03, 80.8, 2.505, 1, 273, 21, 7.88];
    last.forEach((value, column) => expect(value).toBeCloseTo(expectedLast[column], 5));
    expect(boston.targets[505]).toBeCloseTo(11.9, 5);
  });

  it('has the known column summaries', () => {
    const boston = loadBostonHousing();
    const mean = (column: number): number => {
      let sum = 0;
      for (let row = 0; row < 506; row++) sum += boston.features[row * 12 + column];
      return sum / 506;
    };
    expect(mean(BOSTON_FEATURE_NAMES.indexOf('rm'))).toBeCloseTo(6.2846, 3);
    expect(mean(BOSTON_FEATURE_NAMES.indexOf('lstat'))).toBeCloseTo(12.6531, 3);
    expect(boston.targets.reduce((sum, value) => sum + value, 0) / 506).toBeCloseTo(22.5328, 3);
    expect(Math.max(...boston.targets)).toBe(50);
    expect(boston.targets.filter((value) => value === 50)).toHaveLength(16);
  });

  it('returns fresh arrays on every call', () => {
    const first = loadBostonHousing();
    first.features[0] = -1;
    expect(loadBostonHousing().features[0]).toBeCloseTo(0.00632, 5);
  });

  it('runs through split, standardize and batches without leaking tensors', async () => {
    const boston = loadBostonHousing();
    const rng = new Generator(2024);
    const { train, test } = trainTestSplit(boston, { testFraction: 0.2, rng });
    expect([train.size, test.size]).toEqual([405, 101]);
    const trainScaled = standardize(train, { features: fitStandardizer(train.features, 12) });
    const before = tf.memory().numTensors;
    let rows = 0;
    for (const batch of batches(trainScaled, { batchSize: 32, shuffle: true, rng })) {
      expect(batch.x.shape[1]).toBe(12);
      rows += (await batch.y.data()).length;
      tf.dispose([batch.x, batch.y]);
    }
    expect(rows).toBe(405);
    expect(tf.memory().numTensors).toBe(before);
  });
});
