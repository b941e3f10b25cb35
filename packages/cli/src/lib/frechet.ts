// Fréchet distance between Gaussian fits of feature sets (the FID formula), in plain float64
// TypeScript: no tensors, no backend. Used to score generated images (dcgan-mnist).
//
// It lives in the CLI's lib/ (not in @tensorzoo/gan): it needs no model package, serves any
// generative example (GAN or VAE), and has no dependency on the command itself, so it can move
// to a published package unchanged once one wants it as public API.

/** A Gaussian fit: mean `[size]` and covariance `[size * size]` (row-major). */
export interface GaussianFit {
  mean: Float64Array;
  covariance: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric matrix (cyclic Jacobi, float64): `matrix = V diag(values) Vᵀ`,
 * `vectors` row-major with eigenvectors as columns.
 *
 * @example
 * ```ts
 * symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2).values; // [1, 3] (in some order)
 * ```
 */
export function symmetricEigen(matrix: Float64Array, size: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(size * size);
  for (let i = 0; i < size; i++) v[i * size + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < size; p++) for (let q = p + 1; q < size; q++) off += a[p * size + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < size; p++) {
      for (let q = p + 1; q < size; q++) {
        const apq = a[p * size + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * size + q] - a[p * size + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < size; k++) {
          const akp = a[k * size + p];
          const akq = a[k * size + q];
          a[k * size + p] = c * akp - s * akq;
          a[k * size + q] = s * akp + c * akq;
        }
        for (let k = 0; k < size; k++) {
          const apk = a[p * size + k];
          const aqk = a[q * size + k];
          a[p * size + k] = c * apk - s * aqk;
          a[q * size + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < size; k++) {
          const vkp = v[k * size + p];
          const vkq = v[k * size + q];
          v[k * size + p] = c * vkp - s * vkq;
          v[k * size + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: size }, (_, i) => a[i * size + i]), vectors: v };
}

/**
 * Mean and covariance (float64, unbiased) of `count` feature rows of width `size`, row-major.
 *
 * @example
 * ```ts
 * gaussianOf([0, 0, 2, 2], 2, 2); // mean [1, 1], covariance [2, 2, 2, 2]
 * ```
 */
export function gaussianOf(features: ArrayLike<number>, count: number, size: number): GaussianFit {
  const mean = new Float64Array(size);
  for (let row = 0; row < count; row++) for (let j = 0; j < size; j++) mean[j] += features[row * size + j] / count;
  const covariance = new Float64Array(size * size);
  const centred = new Float64Array(size);
  for (let row = 0; row < count; row++) {
    for (let j = 0; j < size; j++) centred[j] = features[row * size + j] - mean[j];
    for (let i = 0; i < size; i++) for (let j = i; j < size; j++) covariance[i * size + j] += (centred[i] * centred[j]) / (count - 1);
  }
  for (let i = 0; i < size; i++) for (let j = 0; j < i; j++) covariance[i * size + j] = covariance[j * size + i];
  return { mean, covariance };
}

/**
 * Fréchet distance between two Gaussians (the FID formula, Heusel et al. 2017):
 * `|μ1 - μ2|² + Tr(Σ1 + Σ2 - 2 (Σ1^½ Σ2 Σ1^½)^½)`, in float64. With Inception features this is
 * FID; the examples use a small classifier's hidden features instead (see `ImageJudge`).
 *
 * @example
 * ```ts
 * const real = gaussianOf(realFeatures, 1000, 64);
 * frechetDistance(gaussianOf(fakeFeatures, 1000, 64), real); // 0 for identical statistics
 * ```
 */
export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  const size = a.mean.length;
  const { values, vectors } = symmetricEigen(a.covariance, size);
  const root = new Float64Array(size * size); // Σ1^½
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let sum = 0;
      for (let k = 0; k < size; k++) sum += vectors[i * size + k] * Math.sqrt(Math.max(values[k], 0)) * vectors[j * size + k];
      root[i * size + j] = sum;
    }
  }
  const product = multiply(multiply(root, b.covariance, size), root, size); // Σ1^½ Σ2 Σ1^½
  const cross = symmetricEigen(product, size).values.reduce((sum, value) => sum + Math.sqrt(Math.max(value, 0)), 0);
  let distance = 0;
  for (let i = 0; i < size; i++) distance += (a.mean[i] - b.mean[i]) ** 2 + a.covariance[i * size + i] + b.covariance[i * size + i];
  return distance - 2 * cross;
}

/** `x · y` for square row-major matrices of side `size`. */
function multiply(x: Float64Array, y: Float64Array, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < size; k++) {
      const xik = x[i * size + k];
      for (let j = 0; j < size; j++) out[i * size + j] += xik * y[k * size + j];
    }
  }
  return out;
}
