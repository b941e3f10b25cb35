import { ArgumentError, assertInteger, describeValue } from '@tensorzoo/core';
import { assertNonNegative, assertPositive } from './validation';

/** What a built-in schedule was made from: its factory's name and arguments. */
export type ScheduleConfig =
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'stepDecay'; readonly base: number; readonly stepSize: number; readonly gamma: number }
  | { readonly kind: 'exponentialDecay'; readonly base: number; readonly gamma: number }
  | {
      readonly kind: 'cosineDecay';
      readonly base: number;
      readonly totalSteps: number;
      readonly warmupSteps: number;
      readonly minLr: number;
    };

/**
 * A learning-rate schedule: a function from the optimizer step to a learning rate.
 *
 * `step` is **0-based**: the number of optimizer steps already taken, i.e. the optimizer's
 * `iterations` before the step. The first `step()` uses `schedule(0)`. This is torch's
 * convention when `scheduler.step()` is called once after every `optimizer.step()`
 * (LambdaLR's `lr_lambda(epoch)` with `epoch` = calls so far). A schedule must return a
 * finite number >= 0. Any plain function works; the built-in ones also carry `config`.
 *
 * @example
 * ```ts
 * const warmup: Schedule = (step) => 0.01 * Math.min(1, (step + 1) / 100);
 * const optimizer = adam({ lr: warmup });
 * ```
 */
export interface Schedule {
  (step: number): number;
  /** The factory and arguments that made it (set by the built-in schedules, absent on plain functions). */
  readonly config?: ScheduleConfig;
}

/** A fixed learning rate or a {@link Schedule}; what every optimizer's `lr` option takes. */
export type LearningRate = number | Schedule;

function makeSchedule(config: ScheduleConfig, curve: (step: number) => number): Schedule {
  const frozen = Object.freeze({ ...config });
  const where = config.kind;
  const schedule = (step: number): number => {
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
      throw new ArgumentError('bad-argument', `${where}: step (${describeValue(step)}) must be an integer >= 0.`);
    }
    return curve(step);
  };
  return Object.assign(schedule, { config: frozen });
}

/**
 * The same learning rate at every step; `constant(0.01)` behaves exactly like `lr: 0.01`.
 *
 * @param value learning rate, > 0.
 * @example
 * ```ts
 * sgd({ lr: constant(0.1), momentum: 0.9 });
 * ```
 */
export function constant(value: number): Schedule {
  assertPositive('constant', 'value', value);
  return makeSchedule({ kind: 'constant', value }, () => value);
}

/**
 * Step decay: `lr(step) = base * gamma ** floor(step / stepSize)`, as torch's `StepLR`
 * stepped once per optimizer step (so `stepSize` counts optimizer steps, not epochs).
 *
 * @param base learning rate for steps `0 .. stepSize - 1`, > 0.
 * @param stepSize steps between decays, an integer >= 1.
 * @param gamma multiplier applied at every decay, > 0 (usually < 1).
 * @example
 * ```ts
 * const schedule = stepDecay(0.1, 3, 0.5);
 * [0, 1, 2, 3, 6].map(schedule); // [0.1, 0.1, 0.1, 0.05, 0.025]
 * ```
 */
export function stepDecay(base: number, stepSize: number, gamma: number): Schedule {
  assertPositive('stepDecay', 'base', base);
  assertInteger('stepDecay', 'stepSize', stepSize, 1);
  assertPositive('stepDecay', 'gamma', gamma);
  return makeSchedule({ kind: 'stepDecay', base, stepSize, gamma }, (step) => base * gamma ** Math.floor(step / stepSize));
}

/**
 * Exponential decay: `lr(step) = base * gamma ** step`, as torch's `ExponentialLR`
 * stepped once per optimizer step.
 *
 * @param base learning rate at step 0, > 0.
 * @param gamma per-step multiplier, > 0 (usually just below 1, e.g. 0.999).
 * @example
 * ```ts
 * adam({ lr: exponentialDecay(1e-3, 0.999) });
 * ```
 */
export function exponentialDecay(base: number, gamma: number): Schedule {
  assertPositive('exponentialDecay', 'base', base);
  assertPositive('exponentialDecay', 'gamma', gamma);
  return makeSchedule({ kind: 'exponentialDecay', base, gamma }, (step) => base * gamma ** step);
}

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** Steps of linear warmup from 0 to `base` (step `s < warmupSteps` gets `base * s / warmupSteps`). Default 0. */
  warmupSteps?: number;
  /** Learning rate reached at `totalSteps` and kept afterwards, in [0, base]. Default 0. */
  minLr?: number;
}

/**
 * Linear warmup, then cosine decay from `base` to `minLr`:
 *
 * - `step < warmupSteps`: `base * step / warmupSteps` (starts at 0, like Hugging Face's
 *   `get_cosine_schedule_with_warmup`);
 * - otherwise, with `progress = min(1, (step - warmupSteps) / (totalSteps - warmupSteps))`:
 *   `minLr + (base - minLr) * (1 + cos(pi * progress)) / 2`.
 *
 * Without warmup this is torch's `CosineAnnealingLR(T_max = totalSteps, eta_min = minLr)`
 * for steps 0..totalSteps; afterwards it stays at `minLr` (torch's curve would rise again).
 *
 * @param base peak learning rate, > 0.
 * @param totalSteps step at which `minLr` is reached, warmup included; an integer > `warmupSteps`.
 * @example
 * ```ts
 * const schedule = cosineDecay(1e-3, 10_000, { warmupSteps: 500, minLr: 1e-5 });
 * adamW({ lr: schedule, weightDecay: 0.1 });
 * ```
 */
export function cosineDecay(base: number, totalSteps: number, options: CosineDecayOptions = {}): Schedule {
  const { warmupSteps = 0, minLr = 0 } = options;
  assertPositive('cosineDecay', 'base', base);
  assertInteger('cosineDecay', 'totalSteps', totalSteps, 1);
  assertInteger('cosineDecay', 'warmupSteps', warmupSteps, 0);
  if (warmupSteps >= totalSteps) {
    throw new ArgumentError(
      'bad-argument',
      `cosineDecay: warmupSteps (${warmupSteps}) must be < totalSteps (${totalSteps}); totalSteps counts the warmup.`,
    );
  }
  assertNonNegative('cosineDecay', 'minLr', minLr);
  if (minLr > base) {
    throw new ArgumentError('bad-argument', `cosineDecay: minLr (${minLr}) must be <= base (${base}).`);
  }
  const decaySteps = totalSteps - warmupSteps;
  return makeSchedule({ kind: 'cosineDecay', base, totalSteps, warmupSteps, minLr }, (step) => {
    if (step < warmupSteps) return (base * step) / warmupSteps;
    const progress = Math.min(1, (step - warmupSteps) / decaySteps);
    return minLr + (base - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
  });
}

/** Learning rate for `step` (0-based); throws when a schedule returns something unusable. @internal */
export function learningRateAt(where: string, lr: LearningRate, step: number): number {
  if (typeof lr === 'number') return lr;
  const value = lr(step);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ArgumentError(
      'bad-schedule',
      `${where}: the lr schedule returned ${describeValue(value)} at step ${step}; a schedule must return a finite number >= 0.`,
    );
  }
  return value;
}

/** Checks an `lr` option: a number > 0 or a function. @internal */
export function checkLearningRate(where: string, lr: unknown): LearningRate {
  if (typeof lr === 'function') return lr as Schedule;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: lr (${describeValue(lr)}) must be a finite number > 0 or a Schedule, e.g. ${where}({ lr: 0.01 }).`,
    );
  }
  return lr;
}
