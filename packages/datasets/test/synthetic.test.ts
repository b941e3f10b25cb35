import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator } from '@tensorzoo/core';
import { linearRegressionData, sineData } from '../src/index';

/** Ordinary least squares slope and intercept of y on x. */
function leastSquares(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i] / n;
    meanY += y[i] / n;
  }
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    covariance += (x[i] - meanX) * (y[i] - meanY);
    variance += (x[i] - meanX) ** 2;
  }
  const slope = covariance / variance;
  return { slope, intercept: meanY - slope * meanX };
}

describe('linearRegressionData', () => {
  it('defaults to seed article 000: 100 points, x in [0, 1), y = 2x + 1 + N(0, 1)', () => {
    const data = linearRegressionData({ rng: new Generator(0) });
    expect(data.size).toBe(100);
    expect(data.featureShape).toEqual([1]);
    expect(data.targetShape).toEqual([1]);
    expect(Math.min(...data.features)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...data.features)).toBeLessThan(1);
    const residuals = Array.from(data.targets, (y, i) => y - (2 * data.features[i] + 1));
    const meanResidual = residuals.reduce((sum, value) => sum + value, 0) / residuals.length;
    const stdResidual = Math.sqrt(residuals.reduce((sum, value) => sum + (value - meanResidual) ** 2, 0) / residuals.length);
    expect(Math.abs(meanResidual)).toBeLessThan(0.35);
    expect(stdResidual).toBeGreaterThan(0.75);
    expect(stdResidual).toBeLessThan(1.25);
  });

  it('is exact without noise and recoverable by least squares with it', () => {
    const clean = linearRegressionData({ n: 20, slope: -3, intercept: 0.5, noiseStd: 0, xRange: [-2, 2], rng: new Generator(1) });
    clean.targets.forEach((y, i) => expect(y).toBeCloseTo(-3 * clean.features[i] + 0.5, 5));
    const noisy = linearRegressionData({ n: 5000, noiseStd: 0.1, rng: new Generator(2) });
    const fit = leastSquares(noisy.features, noisy.targets);
    expect(fit.slope).toBeCloseTo(2, 1);
    expect(fit.intercept).toBeCloseTo(1, 1);
  });

  it('is seeded', () => {
    const first = linearRegressionData({ rng: new Generator(42) });
    const again = linearRegressionData({ rng: new Generator(42) });
    expect(Array.from(again.features)).toEqual(Array.from(first.features));
    expect(Array.from(again.targets)).toEqual(Array.from(first.targets));
  });

  it('validates its options', () => {
    const rng = new Generator(0);
    expect(() => linearRegressionData({ n: 0, rng })).toThrow('linearRegressionData: n (0) must be an integer >= 1.');
    expect(() => linearRegressionData({ noiseStd: -1, rng })).toThrow('linearRegressionData: noiseStd (-1) must be a finite number >= 0.');
    expect(() => linearRegressionData({ xRange: [1, 1], rng })).toThrow('linearRegressionData: xRange ([1, 1]) must be [low, high] with finite low < high.');
    expect(() => linearRegressionData({} as never)).toThrow(ArgumentError);
  });
});

describe('sineData', () => {
  it('samples a sine wave in [-π, π)', () => {
    const data = sineData({ n: 64, noiseStd: 0, amplitude: 2, rng: new Generator(4) });
    expect(data.size).toBe(64);
    data.features.forEach((x) => {
      expect(x).toBeGreaterThanOrEqual(-Math.PI);
      expect(x).toBeLessThan(Math.PI);
    });
    data.targets.forEach((y, i) => expect(y).toBeCloseTo(2 * Math.sin(data.features[i]), 5));
  });

  it('validates its options', () => {
    expect(() => sineData({ frequency: Number.NaN, rng: new Generator(0) })).toThrow('sineData: frequency (NaN) must be a finite number.');
  });
});
