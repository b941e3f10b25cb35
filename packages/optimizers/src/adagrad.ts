import * as tf from '@tensorflow/tfjs-core';
import { checkClipOptions, type ClipOptions } from './clipping';
import { addWeightDecay, createOptimizer, type ConfiguredOptimizer } from './optimizer';
import { checkLearningRate, type LearningRate } from './schedules';
import { assertKnownOptions, assertNonNegative } from './validation';

/** Options of {@link adagrad}; names and defaults as `torch.optim.Adagrad`. */
export interface AdagradOptions {
  /** Learning rate or schedule. Default 1e-2. */
  lr?: LearningRate;
  /** Per-step decay of the learning rate: `lr / (1 + (t - 1) * lrDecay)`, >= 0. Default 0. */
  lrDecay?: number;
  /** Added to the denominator for stability, >= 0. Default 1e-10. */
  eps?: number;
  /** Starting value of the squared-gradient sum, >= 0. Default 0. */
  initialAccumulatorValue?: number;
  /** L2 penalty added to the gradient (`g + weightDecay * p`), >= 0. Default 0. */
  weightDecay?: number;
  /** Gradient clipping before the update. Default none. */
  clip?: ClipOptions;
}

const ADAGRAD_OPTIONS = ['lr', 'lrDecay', 'eps', 'initialAccumulatorValue', 'weightDecay', 'clip'] as const;

/**
 * Adagrad (Duchi et al., 2011), step for step as `torch.optim.Adagrad` (dense gradients).
 * With `t` the per-parameter step count from 1:
 *
 * ```text
 * g = grad + weightDecay * p
 * clr = lr / (1 + (t - 1) * lrDecay)
 * s = s + g^2                       (slot sum, starts at initialAccumulatorValue)
 * p = p - clr * g / (sqrt(s) + eps)
 * ```
 *
 * State: slot `sum`, scalar `"<param>.step"`.
 *
 * @example
 * ```ts
 * const optimizer = adagrad({ lr: 0.1, initialAccumulatorValue: 0.1 });
 * optimizer.step(parameters, gradients);
 * ```
 */
export function adagrad(options: AdagradOptions = {}): ConfiguredOptimizer<AdagradOptions> {
  assertKnownOptions('adagrad', options, ADAGRAD_OPTIONS);
  const lr = checkLearningRate('adagrad', options.lr ?? 1e-2);
  const lrDecay = assertNonNegative('adagrad', 'lrDecay', options.lrDecay ?? 0);
  const eps = assertNonNegative('adagrad', 'eps', options.eps ?? 1e-10);
  const initialAccumulatorValue = assertNonNegative('adagrad', 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0);
  const weightDecay = assertNonNegative('adagrad', 'weightDecay', options.weightDecay ?? 0);
  return createOptimizer({
    name: 'adagrad',
    options,
    lr,
    clip: checkClipOptions('adagrad', options.clip),
    slots: ['sum'],
    countsSteps: true,
    update({ parameter, gradient, lr: stepLr, step, slot, setSlot }) {
      const grad = addWeightDecay(gradient, parameter, weightDecay);
      const decayedLr = stepLr / (1 + (step - 1) * lrDecay);
      const previousSum = slot('sum') ?? tf.fill(grad.shape, initialAccumulatorValue, 'float32');
      const sum = tf.add(previousSum, tf.mul(grad, grad));
      setSlot('sum', sum);
      const denominator = tf.add(tf.sqrt(sum), eps);
      return tf.sub(parameter, tf.mul(tf.div(grad, denominator), decayedLr));
    },
  });
}
