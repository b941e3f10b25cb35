import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertInRange, describeValue, fusedAdamUpdate } from '@tensorzoo/core';
import { checkClipOptions, type ClipOptions } from './clipping';
import { addWeightDecay, createOptimizer, type ConfiguredOptimizer, type OptimizerName, type UpdateContext } from './optimizer';
import { checkLearningRate, type LearningRate } from './schedules';
import { assertBoolean, assertKnownOptions, assertNonNegative } from './validation';

/** Options of {@link adam}; names and defaults as `torch.optim.Adam`. */
export interface AdamOptions {
  /** Learning rate or schedule. Default 1e-3. */
  lr?: LearningRate;
  /** Decay rates `[beta1, beta2]` of the first and second moment averages, each in [0, 1). Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to the denominator for stability, >= 0. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (`g + weightDecay * p`, coupled), >= 0. Default 0. Prefer {@link adamW}. */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad). Default false. */
  amsgrad?: boolean;
  /** Gradient clipping before the update. Default none. */
  clip?: ClipOptions;
}

/** Options of {@link adamW}; names and defaults as `torch.optim.AdamW`. */
export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay: `p = p * (1 - lr * weightDecay)` before the Adam update, >= 0. Default 1e-2. */
  weightDecay?: number;
}

const ADAM_OPTIONS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'clip'] as const;

interface AdamSettings {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  decoupled: boolean;
}

function checkAdamOptions(name: OptimizerName, options: AdamOptions, defaultWeightDecay: number): AdamSettings {
  assertKnownOptions(name, options, ADAM_OPTIONS);
  const betas: unknown = options.betas ?? [0.9, 0.999];
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new ArgumentError('bad-argument', `${name}: betas (${describeValue(betas)}) must be a pair [beta1, beta2], e.g. [0.9, 0.999].`);
  }
  return {
    beta1: assertInRange(name, 'betas[0]', betas[0], 0, 1),
    beta2: assertInRange(name, 'betas[1]', betas[1], 0, 1),
    eps: assertNonNegative(name, 'eps', options.eps ?? 1e-8),
    weightDecay: assertNonNegative(name, 'weightDecay', options.weightDecay ?? defaultWeightDecay),
    amsgrad: assertBoolean(name, 'amsgrad', options.amsgrad ?? false),
    decoupled: name === 'adamW',
  };
}

/**
 * One Adam / AdamW step: one fused kernel where the backend has it (cpu, wasm), else the
 * composite ops below.
 */
function adamUpdate(settings: AdamSettings, context: UpdateContext): tf.Tensor {
  const { gradient, lr, step, slot, setSlot } = context;
  const fused = fusedAdamUpdate(
    {
      parameter: context.parameter,
      gradient,
      expAvg: slot('exp_avg'),
      expAvgSq: slot('exp_avg_sq'),
      maxExpAvgSq: settings.amsgrad ? slot('max_exp_avg_sq') : undefined,
    },
    { ...settings, lr, step },
  );
  if (!fused) return compositeAdamUpdate(settings, context);
  setSlot('exp_avg', fused.expAvg);
  setSlot('exp_avg_sq', fused.expAvgSq);
  if (fused.maxExpAvgSq) setSlot('max_exp_avg_sq', fused.maxExpAvgSq);
  return fused.parameter;
}

/** One Adam / AdamW step as tensor ops, in torch's order of operations (`_single_tensor_adam(w)`). */
function compositeAdamUpdate(settings: AdamSettings, context: UpdateContext): tf.Tensor {
  const { beta1, beta2, eps, weightDecay, amsgrad, decoupled } = settings;
  const { gradient, lr, step, slot, setSlot } = context;
  let parameter: tf.Tensor = context.parameter;
  let grad = gradient;
  if (decoupled) parameter = weightDecay === 0 ? parameter : tf.mul(parameter, 1 - lr * weightDecay);
  else grad = addWeightDecay(gradient, parameter, weightDecay);

  const expAvg = tf.add(tf.mul(slot('exp_avg') ?? tf.zerosLike(grad), beta1), tf.mul(grad, 1 - beta1));
  const expAvgSq = tf.add(tf.mul(slot('exp_avg_sq') ?? tf.zerosLike(grad), beta2), tf.mul(tf.mul(grad, grad), 1 - beta2));
  setSlot('exp_avg', expAvg);
  setSlot('exp_avg_sq', expAvgSq);

  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = lr / biasCorrection1;
  let secondMoment = expAvgSq;
  if (amsgrad) {
    const previousMax = slot('max_exp_avg_sq');
    secondMoment = previousMax === undefined ? expAvgSq : tf.maximum(previousMax, expAvgSq);
    setSlot('max_exp_avg_sq', secondMoment);
  }
  const denominator = tf.add(tf.div(tf.sqrt(secondMoment), Math.sqrt(biasCorrection2)), eps);
  return tf.sub(parameter, tf.mul(tf.div(expAvg, denominator), stepSize));
}

/**
 * Adam (Kingma & Ba, 2015), step for step as `torch.optim.Adam` (including its optional
 * coupled L2 weight decay and AMSGrad). With `t` the per-parameter step count from 1:
 *
 * ```text
 * g = grad + weightDecay * p
 * m = beta1 * m + (1 - beta1) * g                 (slot exp_avg)
 * v = beta2 * v + (1 - beta2) * g^2               (slot exp_avg_sq)
 * vMax = max(vMax, v), used instead of v          (slot max_exp_avg_sq, amsgrad only)
 * denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 * p = p - lr / (1 - beta1^t) * m / denom
 * ```
 *
 * State: slots `exp_avg`, `exp_avg_sq` (and `max_exp_avg_sq`), scalar `"<param>.step"`.
 *
 * @example
 * ```ts
 * const optimizer = adam({ lr: 3e-4, betas: [0.9, 0.98] });
 * optimizer.step(parameters, gradients);
 * ```
 */
export function adam(options: AdamOptions = {}): ConfiguredOptimizer<AdamOptions> {
  const settings = checkAdamOptions('adam', options, 0);
  return createOptimizer({
    name: 'adam',
    options,
    lr: checkLearningRate('adam', options.lr ?? 1e-3),
    clip: checkClipOptions('adam', options.clip),
    slots: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
    countsSteps: true,
    update: (context) => adamUpdate(settings, context),
  });
}

/**
 * AdamW (Loshchilov & Hutter, 2019), step for step as `torch.optim.AdamW`: Adam whose weight
 * decay is decoupled from the gradient, shrinking the parameter before the Adam update:
 *
 * ```text
 * p = p * (1 - lr * weightDecay)
 * m, v, denom as in adam() with g = grad (no L2 term)
 * p = p - lr / (1 - beta1^t) * m / denom
 * ```
 *
 * Defaults as torch: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2.
 * State: as {@link adam}.
 *
 * @example
 * ```ts
 * const optimizer = adamW({ lr: cosineDecay(6e-4, 5000, { warmupSteps: 200 }), weightDecay: 0.1 });
 * ```
 */
export function adamW(options: AdamWOptions = {}): ConfiguredOptimizer<AdamWOptions> {
  const settings = checkAdamOptions('adamW', options, 1e-2);
  return createOptimizer({
    name: 'adamW',
    options,
    lr: checkLearningRate('adamW', options.lr ?? 1e-3),
    clip: checkClipOptions('adamW', options.clip),
    slots: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
    countsSteps: true,
    update: (context) => adamUpdate(settings, context),
  });
}
