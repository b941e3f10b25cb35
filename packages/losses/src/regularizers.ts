// Weight penalties added to a data loss: L = loss(yTrue, yPred) + l1 Σ|w| + l2 Σw².
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue } from '@tensorzoo/core';
import type { LossFn } from '@tensorzoo/core';
import { asFloat } from './math';
import { assertNonNegative, assertTensor } from './validation';

/** Strengths of {@link withWeightPenalty}; both default to 0 (off). */
export interface WeightPenaltyOptions {
  /** Multiplier of `Σ|w|` (lasso). Must be >= 0. Default `0`. */
  l1?: number;
  /** Multiplier of `Σw²` (ridge; gradient `2 l2 w`). Must be >= 0. Default `0`. */
  l2?: number;
}

function assertWeights(where: string, weights: unknown): asserts weights is tf.Tensor[] {
  if (!Array.isArray(weights)) {
    throw new ArgumentError('not-an-array', `${where}: weights must be an array of tensors, received ${describeValue(weights)}.`);
  }
  weights.forEach((weight, index) => assertTensor(where, `weights[${index}]`, weight));
}

/** `lambda * Σ_w Σ transform(w)` over every tensor; a 0 scalar for an empty list. */
function penalty(weights: tf.Tensor[], lambda: number, transform: (weight: tf.Tensor) => tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const total = weights.reduce<tf.Tensor>((sum, weight) => tf.add(sum, tf.sum(transform(asFloat(weight)))), tf.scalar(0));
    return tf.mul(total, lambda) as tf.Scalar;
  });
}

/**
 * L2 (ridge) penalty `lambda * Σ w²` over every element of every tensor in `weights`.
 *
 * The gradient is `2 lambda w` (Keras `regularizers.l2(lambda)`). PyTorch's SGD
 * `weight_decay=d` adds `d w` to the gradient, so it corresponds to `lambda = d / 2`.
 *
 * @param weights tensors or `tf.Variable`s of any shape; an empty list gives 0.
 * @param lambda strength, >= 0.
 * @example
 * ```ts
 * const penalty = l2Penalty([dense.kernel, dense.bias], 1e-4); // tf.Scalar
 * ```
 */
export function l2Penalty(weights: tf.Tensor[], lambda: number): tf.Scalar {
  assertWeights('l2Penalty', weights);
  assertNonNegative('l2Penalty', 'lambda', lambda);
  return penalty(weights, lambda, tf.square);
}

/**
 * L1 (lasso) penalty `lambda * Σ |w|` over every element of every tensor in `weights`.
 * The gradient is `lambda sign(w)` (0 at `w = 0`, as PyTorch).
 *
 * @param weights tensors or `tf.Variable`s of any shape; an empty list gives 0.
 * @param lambda strength, >= 0.
 * @example
 * ```ts
 * const penalty = l1Penalty(model.parameters(), 1e-5);
 * ```
 */
export function l1Penalty(weights: tf.Tensor[], lambda: number): tf.Scalar {
  assertWeights('l1Penalty', weights);
  assertNonNegative('l1Penalty', 'lambda', lambda);
  // sign(w) * w: |w| with gradient sign(w), 0 at 0 (tf.abs's gradient there is -1).
  return penalty(weights, lambda, (weight) => tf.mul(tf.sign(weight), weight));
}

/**
 * Wraps a loss so that it adds weight penalties:
 * `L(yTrue, yPred) = loss(yTrue, yPred) + l1 Σ|w| + l2 Σw²` over `getWeights()`.
 *
 * `getWeights` is called on every evaluation, so it sees the current variables (inside
 * `tf.variableGrads` the penalty's gradient reaches them). Penalties that are 0 are skipped.
 *
 * @param loss the data loss, e.g. `meanSquaredError`.
 * @param getWeights returns the tensors to penalise (usually the kernels, not the biases).
 * @param options `{ l1, l2 }` strengths, each >= 0, default 0.
 * @returns a {@link LossFn}.
 * @example
 * ```ts
 * const loss = withWeightPenalty(meanSquaredError, () => [dense.kernel], { l2: 1e-3 });
 * const value = loss(yTrue, model.call(x)); // MSE + 0.001 Σ kernel²
 * ```
 */
export function withWeightPenalty(loss: LossFn, getWeights: () => tf.Tensor[], options: WeightPenaltyOptions = {}): LossFn {
  const where = 'withWeightPenalty';
  if (typeof loss !== 'function') {
    throw new ArgumentError('not-a-function', `${where}: loss must be a function (yTrue, yPred) => tf.Scalar, received ${describeValue(loss)}.`);
  }
  if (typeof getWeights !== 'function') {
    throw new ArgumentError('not-a-function', `${where}: getWeights must be a function returning tf.Tensor[], received ${describeValue(getWeights)}.`);
  }
  const l1 = options.l1 ?? 0;
  const l2 = options.l2 ?? 0;
  assertNonNegative(where, 'l1', l1);
  assertNonNegative(where, 'l2', l2);
  return (yTrue, yPred) =>
    tf.tidy(() => {
      let total: tf.Tensor = loss(yTrue, yPred);
      if (l1 > 0 || l2 > 0) {
        const weights = getWeights();
        if (l1 > 0) total = tf.add(total, l1Penalty(weights, l1));
        if (l2 > 0) total = tf.add(total, l2Penalty(weights, l2));
      }
      return total as tf.Scalar;
    });
}
