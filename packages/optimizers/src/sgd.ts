import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, fusedSgdUpdate } from '@tensorzoo/core';
import { checkClipOptions, type ClipOptions } from './clipping';
import { addWeightDecay, createOptimizer, type ConfiguredOptimizer } from './optimizer';
import { checkLearningRate, type LearningRate } from './schedules';
import { assertBoolean, assertKnownOptions, assertNonNegative } from './validation';

/** Options of {@link sgd}; names and defaults as `torch.optim.SGD`. */
export interface SgdOptions {
  /** Learning rate or schedule. Required (torch.optim.SGD has no default either). */
  lr: LearningRate;
  /** Momentum factor, >= 0. Default 0 (plain SGD). */
  momentum?: number;
  /** Dampening for momentum, in [0, 1]: the buffer adds `(1 - dampening) * g`. Default 0. */
  dampening?: number;
  /** Nesterov momentum; needs `momentum > 0` and `dampening = 0`. Default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (`g + weightDecay * p`), >= 0. Default 0. */
  weightDecay?: number;
  /** Gradient clipping before the update. Default none. */
  clip?: ClipOptions;
}

const SGD_OPTIONS = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'clip'] as const;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay,
 * step for step as `torch.optim.SGD`:
 *
 * ```text
 * g = grad + weightDecay * p
 * b = g                                   (first step)
 * b = momentum * b + (1 - dampening) * g  (later steps)
 * g = nesterov ? g + momentum * b : b     (when momentum > 0)
 * p = p - lr * g
 * ```
 *
 * State: slot `momentum_buffer` per parameter when `momentum > 0`.
 *
 * @example
 * ```ts
 * const optimizer = sgd({ lr: 0.1, momentum: 0.9, nesterov: true });
 * const parameters = { 'linear.weight': tf.variable(tf.zeros([3, 1])) };
 * const gradients = { 'linear.weight': tf.ones([3, 1]) };
 * optimizer.step(parameters, gradients); // weight = 0 - 0.1 * (1 + 0.9 * 1) = -0.19
 * ```
 */
export function sgd(options: SgdOptions): ConfiguredOptimizer<SgdOptions> {
  assertKnownOptions('sgd', options, SGD_OPTIONS);
  if (options.lr === undefined) {
    throw new ArgumentError('bad-argument', 'sgd: lr is required (torch.optim.SGD has no default either), e.g. sgd({ lr: 0.01 }).');
  }
  const lr = checkLearningRate('sgd', options.lr);
  const momentum = assertNonNegative('sgd', 'momentum', options.momentum ?? 0);
  const dampening = assertNonNegative('sgd', 'dampening', options.dampening ?? 0);
  if (dampening > 1) throw new ArgumentError('bad-argument', `sgd: dampening (${dampening}) must be in [0, 1].`);
  const nesterov = assertBoolean('sgd', 'nesterov', options.nesterov ?? false);
  const weightDecay = assertNonNegative('sgd', 'weightDecay', options.weightDecay ?? 0);
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new ArgumentError(
      'bad-argument',
      `sgd: nesterov (true) requires momentum > 0 and dampening = 0, received momentum ${momentum} and dampening ${dampening}.`,
    );
  }
  return createOptimizer({
    name: 'sgd',
    options,
    lr,
    clip: checkClipOptions('sgd', options.clip),
    slots: ['momentum_buffer'],
    countsSteps: false,
    update({ parameter, gradient, lr: stepLr, slot, setSlot }) {
      // cpu and wasm: one fused kernel, bit-identical to the ops below.
      const fused = fusedSgdUpdate(
        { parameter, gradient, momentumBuffer: momentum !== 0 ? slot('momentum_buffer') : undefined },
        { lr: stepLr, momentum, dampening, nesterov, weightDecay },
      );
      if (fused) {
        if (fused.momentumBuffer) setSlot('momentum_buffer', fused.momentumBuffer);
        return fused.parameter;
      }
      let direction = addWeightDecay(gradient, parameter, weightDecay);
      if (momentum !== 0) {
        const previous = slot('momentum_buffer');
        const buffer = previous === undefined ? direction : tf.add(tf.mul(previous, momentum), tf.mul(direction, 1 - dampening));
        setSlot('momentum_buffer', buffer);
        direction = nesterov ? tf.add(direction, tf.mul(buffer, momentum)) : buffer;
      }
      return tf.sub(parameter, tf.mul(direction, stepLr));
    },
  });
}
