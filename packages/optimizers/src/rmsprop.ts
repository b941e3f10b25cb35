import * as tf from '@tensorflow/tfjs-core';
import { assertInRange } from '@tensorzoo/core';
import { checkClipOptions, type ClipOptions } from './clipping';
import { addWeightDecay, createOptimizer, type ConfiguredOptimizer } from './optimizer';
import { checkLearningRate, type LearningRate } from './schedules';
import { assertBoolean, assertKnownOptions, assertNonNegative } from './validation';

/** Options of {@link rmsprop}; names and defaults as `torch.optim.RMSprop`. */
export interface RmspropOptions {
  /** Learning rate or schedule. Default 1e-2. */
  lr?: LearningRate;
  /** Smoothing constant of the squared-gradient average, in [0, 1). Default 0.99. */
  alpha?: number;
  /** Added to the denominator for stability, >= 0. Default 1e-8. */
  eps?: number;
  /** Momentum factor, >= 0. Default 0. */
  momentum?: number;
  /** Normalise by the estimated variance (`E[g^2] - E[g]^2`) instead of `E[g^2]`. Default false. */
  centered?: boolean;
  /** L2 penalty added to the gradient (`g + weightDecay * p`), >= 0. Default 0. */
  weightDecay?: number;
  /** Gradient clipping before the update. Default none. */
  clip?: ClipOptions;
}

const RMSPROP_OPTIONS = ['lr', 'alpha', 'eps', 'momentum', 'centered', 'weightDecay', 'clip'] as const;

/**
 * RMSProp (Hinton, 2012), step for step as `torch.optim.RMSprop`:
 *
 * ```text
 * g = grad + weightDecay * p
 * s = alpha * s + (1 - alpha) * g^2          (slot square_avg)
 * a = alpha * a + (1 - alpha) * g            (slot grad_avg, centered only)
 * avg = sqrt(centered ? s - a^2 : s) + eps
 * b = momentum * b + g / avg; p = p - lr * b (slot momentum_buffer, when momentum > 0)
 * p = p - lr * g / avg                       (otherwise)
 * ```
 *
 * All slots start at zero. In the centered variant, `s - a^2` is clamped at 0 before the
 * square root: float32 rounding can push it just below 0, which would give NaN.
 *
 * @example
 * ```ts
 * const optimizer = rmsprop({ lr: 1e-3, momentum: 0.9, centered: true });
 * optimizer.step(parameters, gradients);
 * ```
 */
export function rmsprop(options: RmspropOptions = {}): ConfiguredOptimizer<RmspropOptions> {
  assertKnownOptions('rmsprop', options, RMSPROP_OPTIONS);
  const lr = checkLearningRate('rmsprop', options.lr ?? 1e-2);
  const alpha = assertInRange('rmsprop', 'alpha', options.alpha ?? 0.99, 0, 1);
  const eps = assertNonNegative('rmsprop', 'eps', options.eps ?? 1e-8);
  const momentum = assertNonNegative('rmsprop', 'momentum', options.momentum ?? 0);
  const centered = assertBoolean('rmsprop', 'centered', options.centered ?? false);
  const weightDecay = assertNonNegative('rmsprop', 'weightDecay', options.weightDecay ?? 0);
  return createOptimizer({
    name: 'rmsprop',
    options,
    lr,
    clip: checkClipOptions('rmsprop', options.clip),
    slots: ['square_avg', 'grad_avg', 'momentum_buffer'],
    countsSteps: false,
    update({ parameter, gradient, lr: stepLr, slot, setSlot }) {
      const grad = addWeightDecay(gradient, parameter, weightDecay);
      const squareAvg = tf.add(tf.mul(slot('square_avg') ?? tf.zerosLike(grad), alpha), tf.mul(tf.mul(grad, grad), 1 - alpha));
      setSlot('square_avg', squareAvg);
      let variance = squareAvg;
      if (centered) {
        const gradAvg = tf.add(tf.mul(slot('grad_avg') ?? tf.zerosLike(grad), alpha), tf.mul(grad, 1 - alpha));
        setSlot('grad_avg', gradAvg);
        variance = tf.relu(tf.sub(squareAvg, tf.mul(gradAvg, gradAvg)));
      }
      const average = tf.add(tf.sqrt(variance), eps);
      if (momentum > 0) {
        const buffer = tf.add(tf.mul(slot('momentum_buffer') ?? tf.zerosLike(grad), momentum), tf.div(grad, average));
        setSlot('momentum_buffer', buffer);
        return tf.sub(parameter, tf.mul(buffer, stepLr));
      }
      return tf.sub(parameter, tf.mul(tf.div(grad, average), stepLr));
    },
  });
}
