// Divergences between probability distributions over the last axis.
import * as tf from '@tensorflow/tfjs-core';
import { asFloat, clampedLog } from './math';
import { reduceLoss, resolveReduction } from './reduction';
import type { LossOutput, Reduction, ReductionOptions } from './reduction';
import { assertPair } from './validation';

/**
 * Kullback-Leibler divergence `KL(p || q) = Σ_c p_c (log p_c - log q_c)` per sample, over the
 * last axis, with `p = yTrue` and `q = yPred`, both probabilities (not log-probabilities).
 *
 * This is PyTorch's `F.kl_div(q.log(), p)` (which takes `log q` first and `p` second) summed
 * over the last axis:
 * - `'mean'` (default) = `F.kl_div(q.log(), p, reduction='batchmean')` for `[N, C]` inputs,
 *   the true KL averaged over samples (not PyTorch's `'mean'`, which also divides by `C`);
 * - `'sum'` = `F.kl_div(q.log(), p, reduction='sum')`;
 * - `'none'` = `F.kl_div(q.log(), p, reduction='none').sum(-1)`, shape `[N]`.
 *
 * Terms with `p_c = 0` contribute 0 (PyTorch's `xlogy`); `log q` is clamped to >= -100, so
 * `q_c = 0` gives a large finite value instead of `Infinity`. The gradient with respect to
 * `q` is `-p / q`.
 *
 * Shapes: `yTrue` and `yPred` are equal, `[N, C]` or `[..., C]`.
 *
 * @example
 * ```ts
 * const p = tf.tensor2d([[0.5, 0.5]]);
 * const q = tf.tensor2d([[0.9, 0.1]]);
 * const kl = klDivergence(p, q); // 0.5 ln(0.5/0.9) + 0.5 ln(0.5/0.1) = 0.5108
 * ```
 */
export function klDivergence<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ReductionOptions<R> = {},
): LossOutput<R> {
  const where = 'klDivergence';
  assertPair(where, yTrue, yPred, 'a class axis');
  const reduction = resolveReduction(where, options) as R;
  return tf.tidy(() => {
    const p = asFloat(yTrue);
    // p * clampedLog(p) is exactly 0 where p = 0 (0 * -100), as xlogy.
    const pointwise = tf.mul(p, tf.sub(clampedLog(p), clampedLog(yPred))); // [..., C]
    return reduceLoss(tf.sum(pointwise, -1), reduction);
  });
}
