import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue } from '@tensorzoo/core';

/** Every reduction a loss accepts, in the order error messages list them. */
export const REDUCTIONS = Object.freeze(['mean', 'sum', 'none'] as const);

/**
 * How a loss combines its per-sample values:
 * - `'mean'` (default): the mean over samples, a `tf.Scalar`.
 * - `'sum'`: the sum over samples, a `tf.Scalar`.
 * - `'none'`: one value per sample, a tensor of shape `yPred.shape` without its last axis
 *   (rank-1 inputs: one value per element).
 */
export type Reduction = (typeof REDUCTIONS)[number];

/** The `reduction` option every loss takes. `R` lets the return type follow the choice. */
export interface ReductionOptions<R extends Reduction = Reduction> {
  /** How per-sample losses are combined. Default `'mean'`. */
  reduction?: R;
}

/** What a loss returns for reduction `R`: a tensor for `'none'`, a `tf.Scalar` otherwise. */
export type LossOutput<R extends Reduction> = R extends 'none' ? tf.Tensor : tf.Scalar;

/** Returns the reduction in `options` (default `'mean'`) or throws an {@link ArgumentError}. @internal */
export function resolveReduction(where: string, options: ReductionOptions | undefined): Reduction {
  const reduction = options?.reduction ?? 'mean';
  if (!(REDUCTIONS as readonly string[]).includes(reduction)) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: reduction (${describeValue(reduction)}) must be one of 'mean', 'sum', 'none'.`,
    );
  }
  return reduction;
}

/**
 * Averages an element-wise loss over the last (feature) axis: `[..., D] -> [...]`, so each
 * sample gets one value. Rank-1 inputs are already one value per sample. @internal
 */
export function meanOverLastAxis(elementwise: tf.Tensor): tf.Tensor {
  return elementwise.rank <= 1 ? elementwise : tf.mean(elementwise, -1);
}

/** Applies `reduction` to per-sample losses. Call inside `tf.tidy`. @internal */
export function reduceLoss<R extends Reduction>(perSample: tf.Tensor, reduction: R): LossOutput<R> {
  switch (reduction) {
    case 'none':
      return perSample as LossOutput<R>;
    case 'sum':
      return tf.sum(perSample) as LossOutput<R>;
    default:
      return tf.mean(perSample) as LossOutput<R>;
  }
}
