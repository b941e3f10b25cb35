// Losses on the angle between vectors.
import * as tf from '@tensorflow/tfjs-core';
import { asFloat } from './math';
import { reduceLoss, resolveReduction } from './reduction';
import type { LossOutput, Reduction, ReductionOptions } from './reduction';
import { assertPair } from './validation';

/** PyTorch's cosine_embedding_loss adds this to each squared norm. */
const NORM_EPSILON = 1e-12;

/**
 * Cosine similarity loss `1 - cos(yTrue, yPred)` per sample, over the last axis, with
 * `cos = Σ a b / sqrt((Σ a² + 1e-12) (Σ b² + 1e-12))`.
 *
 * Values and gradients equal PyTorch's `nn.CosineEmbeddingLoss()(yTrue, yPred, target)` with
 * every `target = 1` (the loss that pulls the vectors together). Keras's `cosine_similarity`
 * loss is `-cos`, i.e. this loss minus 1: the same gradient, a range of [0, 2] instead of
 * [-1, 1]. A zero vector gives `cos = 0`, loss 1, and a finite gradient.
 *
 * Shapes: `yTrue` and `yPred` are equal, `[N, D]` or `[..., D]`; `'none'` returns `[N]`.
 *
 * @example
 * ```ts
 * const loss = cosineSimilarityLoss(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 1]])); // 1 - 1/√2
 * ```
 */
export function cosineSimilarityLoss<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ReductionOptions<R> = {},
): LossOutput<R> {
  const where = 'cosineSimilarityLoss';
  assertPair(where, yTrue, yPred, 'a vector axis');
  const reduction = resolveReduction(where, options) as R;
  return tf.tidy(() => {
    const target = asFloat(yTrue);
    const dot = tf.sum(tf.mul(target, yPred), -1); // [N]
    const squaredNorms = tf.mul(
      tf.add(tf.sum(tf.square(target), -1), NORM_EPSILON),
      tf.add(tf.sum(tf.square(yPred), -1), NORM_EPSILON),
    ); // [N]
    const cosine = tf.div(dot, tf.sqrt(squaredNorms));
    return reduceLoss(tf.sub(1, cosine), reduction);
  });
}
