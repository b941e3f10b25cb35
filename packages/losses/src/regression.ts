// Regression losses: element-wise errors averaged over the last axis per sample (Keras),
// which makes reduction 'mean' equal to PyTorch's MSELoss / L1Loss / HuberLoss 'mean'.
import * as tf from '@tensorflow/tfjs-core';
import { asFloat } from './math';
import { meanOverLastAxis, reduceLoss, resolveReduction } from './reduction';
import type { LossOutput, Reduction, ReductionOptions } from './reduction';
import { assertPair, assertPositive } from './validation';

/** Options of {@link huberLoss}. */
export interface HuberLossOptions<R extends Reduction = Reduction> extends ReductionOptions<R> {
  /** Where the loss turns from quadratic to linear; must be > 0. Default `1` (PyTorch's default). */
  delta?: number;
}

/**
 * Mean squared error: `mean_j (yTrue - yPred)²` per sample.
 *
 * Shapes: `yTrue` and `yPred` are equal, `[N, D]` or any `[..., D]` (rank 1 `[N]` is read as
 * `[N, 1]`). With the default reduction `'mean'` the result equals PyTorch's
 * `nn.MSELoss()(yPred, yTrue)`; `'sum'` adds the per-sample means (PyTorch's `'sum'` divided
 * by `D`); `'none'` returns the `[N]` per-sample values.
 *
 * @param yTrue targets, float32 or int32.
 * @param yPred predictions, float32.
 * @example
 * ```ts
 * const loss = meanSquaredError(tf.tensor2d([[1], [2]]), tf.tensor2d([[1.5], [2]])); // 0.125
 * ```
 */
export function meanSquaredError<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ReductionOptions<R> = {},
): LossOutput<R> {
  const where = 'meanSquaredError';
  assertPair(where, yTrue, yPred);
  const reduction = resolveReduction(where, options) as R;
  return tf.tidy(() => {
    const elementwise = tf.squaredDifference(asFloat(yTrue), yPred); // [..., D]
    return reduceLoss(meanOverLastAxis(elementwise), reduction);
  });
}

/**
 * Mean absolute error: `mean_j |yTrue - yPred|` per sample.
 *
 * Shapes and reductions as {@link meanSquaredError}; `'mean'` equals PyTorch's `nn.L1Loss()`.
 * The gradient at `yTrue == yPred` is 0 (as PyTorch's `sign`).
 *
 * @example
 * ```ts
 * const loss = meanAbsoluteError(tf.tensor1d([1, 2]), tf.tensor1d([1.5, 1])); // 0.75
 * ```
 */
export function meanAbsoluteError<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ReductionOptions<R> = {},
): LossOutput<R> {
  const where = 'meanAbsoluteError';
  assertPair(where, yTrue, yPred);
  const reduction = resolveReduction(where, options) as R;
  return tf.tidy(() => {
    const difference = tf.sub(yPred, asFloat(yTrue)); // [..., D]
    // tf.abs's gradient at 0 is -1. sign(e) * e has gradient sign(e) (tf.sign's own gradient
    // is zero), which is PyTorch's, with 0 at e = 0.
    const elementwise = tf.mul(tf.sign(difference), difference);
    return reduceLoss(meanOverLastAxis(elementwise), reduction);
  });
}

/**
 * Huber loss (smooth L1 scaled by `delta`), element-wise with `e = yPred - yTrue`:
 * `0.5 e²` where `|e| <= delta`, else `delta (|e| - 0.5 delta)`; averaged over the last axis.
 *
 * Shapes and reductions as {@link meanSquaredError}; `'mean'` equals PyTorch's
 * `nn.HuberLoss(delta=delta)` and Keras `Huber(delta)`.
 *
 * @throws ArgumentError when `delta` is not a finite number > 0.
 * @example
 * ```ts
 * const loss = huberLoss(tf.tensor1d([0, 0]), tf.tensor1d([0.5, 2]), { delta: 1 }); // (0.125 + 1.5) / 2
 * ```
 */
export function huberLoss<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: HuberLossOptions<R> = {},
): LossOutput<R> {
  const where = 'huberLoss';
  assertPair(where, yTrue, yPred);
  const reduction = resolveReduction(where, options) as R;
  const delta = options.delta ?? 1;
  assertPositive(where, 'delta', delta);
  return tf.tidy(() => {
    const absError = tf.abs(tf.sub(yPred, asFloat(yTrue))); // [..., D]
    // quadratic = min(|e|, delta): 0.5 q² + delta (|e| - q) is both branches in one formula.
    const quadratic = tf.minimum(absError, delta);
    const linear = tf.sub(absError, quadratic);
    const elementwise = tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, linear));
    return reduceLoss(meanOverLastAxis(elementwise), reduction);
  });
}
