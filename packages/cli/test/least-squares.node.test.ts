import { describe, expect, it } from 'vitest';
import { leastSquares, predictLinear, rootMeanSquaredError } from '../src/least-squares';

describe('leastSquares', () => {
  it('recovers an exact linear relation with its intercept', () => {
    // y = 3 + 2a - b on 5 rows of (a, b)
    const features = [0, 0, 1, 0, 0, 1, 2, 3, -1, 4];
    const targets = [3, 5, 2, 4, -3];
    const fit = leastSquares(features, targets, 2);
    expect(fit.intercept).toBeCloseTo(3, 10);
    expect(Array.from(fit.weights)).toEqual([expect.closeTo(2, 10), expect.closeTo(-1, 10)]);
    expect(rootMeanSquaredError(predictLinear(fit, features), targets)).toBeLessThan(1e-10);
  });

  it('minimises the squared error of noisy data (residuals orthogonal to the columns)', () => {
    const features = [1, 2, 3, 4, 5];
    const targets = [1.1, 1.9, 3.2, 3.9, 5.1];
    const fit = leastSquares(features, targets, 1);
    const residuals = predictLinear(fit, features).map((prediction, i) => targets[i] - prediction);
    expect(residuals.reduce((sum, r) => sum + r, 0)).toBeCloseTo(0, 10);
    expect(residuals.reduce((sum, r, i) => sum + r * features[i], 0)).toBeCloseTo(0, 10);
  });

  it('names a dependent column and mismatched lengths', () => {
    expect(() => leastSquares([1, 2, 2, 4, 3, 6], [1, 2, 3], 2)).toThrow('leastSquares: feature column 1 is a linear combination of the others');
    expect(() => leastSquares([1, 2, 3], [1, 2], 1)).toThrow('leastSquares: features has 3 values, expected rows × columns = 2 × 1 = 2.');
    expect(() => rootMeanSquaredError([1], [])).toThrow('rootMeanSquaredError: 1 predictions for 0 targets');
  });
});
