import type { Generator } from '@tensorzoo/core';
import { tabularDataset, type TabularDataset } from './tabular';
import { assertFinite, assertGenerator, assertInteger, assertRange } from './validate';

/** Options of {@link linearRegressionData}. The defaults reproduce seed article 000. */
export interface LinearRegressionOptions {
  /** Seeded rng for x and the noise. Required: randomness is always explicit. */
  rng: Generator;
  /** Number of examples. Default 100. */
  n?: number;
  /** True slope. Default 2. */
  slope?: number;
  /** True intercept. Default 1. */
  intercept?: number;
  /** Standard deviation of the Gaussian noise added to y (0 for none). Default 1, as `np.random.randn`. */
  noiseStd?: number;
  /** x is drawn uniformly from `[low, high)`. Default `[0, 1]`, as `np.random.rand`. */
  xRange?: readonly [number, number];
}

/**
 * Noisy points on a line: `y = slope * x + intercept + noiseStd * N(0, 1)`, with x uniform in
 * `xRange`. The defaults give seed article 000's set, `y = 2x + 1 + noise` for 100 points of
 * x in [0, 1). Draw order: all n x values, then all n noise values.
 *
 * @returns a dataset with x `[n, 1]` and y `[n, 1]`.
 * @example
 * ```ts
 * const data = linearRegressionData({ rng: new Generator(0) }); // y = 2x + 1 + noise
 * const clean = linearRegressionData({ n: 50, noiseStd: 0, xRange: [-1, 1], rng: new Generator(0) });
 * ```
 */
export function linearRegressionData(options: LinearRegressionOptions): TabularDataset {
  const where = 'linearRegressionData';
  const { rng, n = 100, slope = 2, intercept = 1, noiseStd = 1, xRange = [0, 1] } = options;
  assertGenerator(where, rng);
  assertInteger(where, 'n', n);
  assertFinite(where, 'slope', slope);
  assertFinite(where, 'intercept', intercept);
  assertFinite(where, 'noiseStd', noiseStd, 0);
  const [low, high] = assertRange(where, 'xRange', xRange);
  const x = rng.uniformArray(n, low, high);
  const noise = rng.normalArray(n, 0, noiseStd);
  const y = Float32Array.from(x, (value, index) => slope * value + intercept + noise[index]);
  return tabularDataset({ features: x, targets: y, featureShape: [1], targetShape: [1], featureNames: ['x'], targetNames: ['y'] });
}

/** Options of {@link sineData}. */
export interface SineOptions {
  /** Seeded rng for x and the noise. */
  rng: Generator;
  /** Number of examples. Default 200. */
  n?: number;
  /** Peak height. Default 1. */
  amplitude?: number;
  /** Angular frequency (radians per unit of x). Default 1. */
  frequency?: number;
  /** Phase shift in radians. Default 0. */
  phase?: number;
  /** Standard deviation of the Gaussian noise added to y. Default 0.1. */
  noiseStd?: number;
  /** x is drawn uniformly from `[low, high)`. Default `[-π, π]`. */
  xRange?: readonly [number, number];
}

/**
 * Noisy samples of a sine wave, a first non-linear regression target:
 * `y = amplitude * sin(frequency * x + phase) + noiseStd * N(0, 1)`, x uniform in `xRange`.
 * Draw order: all n x values, then all n noise values.
 *
 * @returns a dataset with x `[n, 1]` and y `[n, 1]`.
 * @example
 * ```ts
 * const data = sineData({ n: 256, rng: new Generator(1) });
 * ```
 */
export function sineData(options: SineOptions): TabularDataset {
  const where = 'sineData';
  const { rng, n = 200, amplitude = 1, frequency = 1, phase = 0, noiseStd = 0.1, xRange = [-Math.PI, Math.PI] } = options;
  assertGenerator(where, rng);
  assertInteger(where, 'n', n);
  assertFinite(where, 'amplitude', amplitude);
  assertFinite(where, 'frequency', frequency);
  assertFinite(where, 'phase', phase);
  assertFinite(where, 'noiseStd', noiseStd, 0);
  const [low, high] = assertRange(where, 'xRange', xRange);
  const x = rng.uniformArray(n, low, high);
  const noise = rng.normalArray(n, 0, noiseStd);
  const y = Float32Array.from(x, (value, index) => amplitude * Math.sin(frequency * value + phase) + noise[index]);
  return tabularDataset({ features: x, targets: y, featureShape: [1], targetShape: [1], featureNames: ['x'], targetNames: ['y'] });
}
