import * as tf from '@tensorflow/tfjs-core';
import type { LossFn } from '@tensorzoo/core';
import { sparseCategoricalCrossEntropy } from '@tensorzoo/losses';

/** Mean cross-entropy of logits `[B, T, V]` against targets `[B, T]`, skipping `padId` targets. */
export function maskedCrossEntropy(padId: number): LossFn {
  return (yTrue, logits) =>
    tf.tidy(() => {
      const perToken = sparseCategoricalCrossEntropy(yTrue, logits, { fromLogits: true, reduction: 'none' }); // [B, T]
      const mask = tf.cast(tf.notEqual(yTrue, padId), 'float32');
      return tf.div(tf.sum(tf.mul(perToken, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    });
}
