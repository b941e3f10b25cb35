import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '@tensorzoo/core/testing';
import fixtureJson from '../fixtures/optimizers.json';
import {
  adagrad,
  adam,
  adamW,
  clipGradientsByGlobalNorm,
  cosineDecay,
  exponentialDecay,
  rmsprop,
  sgd,
  stepDecay,
  type LearningRate,
  type Schedule,
  type ScheduleConfig,
} from '../src/index';
import type { Optimizer } from '@tensorzoo/core';

const fixture = readFixture('optimizers.json', fixtureJson);

// Trajectories recorded by scripts/reference/optimizers.py with torch.optim in float64:
// 20 steps per configuration, with the raw gradients torch saw at every step. Feeding those
// gradients checks the optimizer alone; float32 round-off stays far below the tolerance.

interface Trajectory {
  name: string;
  optimizer: 'sgd' | 'adam' | 'adamW' | 'rmsprop' | 'adagrad';
  options: Record<string, unknown> & { schedule?: ScheduleConfig };
  clip?: { value?: number; globalNorm?: number };
  lrs: number[];
  gradients: Record<string, number[][]>;
  parameters: Record<string, number[][]>;
  globalNorms?: number[];
}

interface ScheduleCase {
  schedule: ScheduleConfig;
  torch: string;
  lrs: number[];
}

const trajectories = fixture.trajectories as unknown as Trajectory[];
const scheduleCases = fixture.schedules as unknown as ScheduleCase[];
const shapes = fixture.problem.shapes as Record<string, number[]>;
const initial = fixture.problem.initial as Record<string, number[]>;

/** Relative tolerance: float32 on cpu; GPU backends reassociate sums and use fast math. */
const tolerance = () => (tf.getBackend() === 'cpu' ? 1e-5 : 1e-4);

/** Elementwise `|actual - expected| <= tolerance * max(|expected|, 1e-2)`: relative, with a floor near 0. */
function worstError(actual: ArrayLike<number>, expected: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-2));
  }
  return worst;
}

function scheduleFrom(config: ScheduleConfig): Schedule {
  switch (config.kind) {
    case 'stepDecay':
      return stepDecay(config.base, config.stepSize, config.gamma);
    case 'exponentialDecay':
      return exponentialDecay(config.base, config.gamma);
    case 'cosineDecay':
      return cosineDecay(config.base, config.totalSteps, { warmupSteps: config.warmupSteps, minLr: config.minLr });
    case 'constant':
      throw new Error('no constant schedule in the fixture');
  }
}

function optimizerFor(trajectory: Trajectory): Optimizer {
  const { schedule, ...rest } = trajectory.options;
  const lr: LearningRate = schedule ? scheduleFrom(schedule) : (rest.lr as number);
  const options = { ...rest, lr, ...(trajectory.clip ? { clip: trajectory.clip } : {}) };
  switch (trajectory.optimizer) {
    case 'sgd':
      return sgd(options);
    case 'adam':
      return adam(options);
    case 'adamW':
      return adamW(options);
    case 'rmsprop':
      return rmsprop(options);
    case 'adagrad':
      return adagrad(options);
  }
}

function initialParameters(): Record<string, tf.Variable> {
  const parameters: Record<string, tf.Variable> = {};
  for (const [name, values] of Object.entries(initial)) parameters[name] = tf.variable(tf.tensor(values, shapes[name]));
  return parameters;
}


describe('parity with torch.optim (recorded gradients, 20 steps)', () => {
  for (const trajectory of trajectories) {
    it(trajectory.name, async () => {
      const optimizer = optimizerFor(trajectory);
      const parameters = initialParameters();
      const errors: number[] = [];
      for (let step = 0; step < fixture.steps; step++) {
        const gradients: Record<string, tf.Tensor> = {};
        for (const name of Object.keys(parameters)) gradients[name] = tf.tensor(trajectory.gradients[name][step], shapes[name]);
        optimizer.step(parameters, gradients);
        tf.dispose(Object.values(gradients));
        let worst = 0;
        for (const [name, parameter] of Object.entries(parameters)) {
          worst = Math.max(worst, worstError(await parameter.data(), trajectory.parameters[name][step]));
        }
        errors.push(worst);
      }
      expect(Math.max(...errors)).toBeLessThanOrEqual(tolerance());
      expect(optimizer.iterations).toBe(fixture.steps);
      optimizer.dispose();
      tf.dispose(Object.values(parameters));
    });
  }
});

describe('schedules match torch.optim.lr_scheduler', () => {
  for (const { schedule, torch, lrs } of scheduleCases) {
    it(`${schedule.kind} as ${torch}`, () => {
      const ours = scheduleFrom(schedule);
      lrs.forEach((expected, step) => expect(ours(step)).toBeCloseTo(expected, 12));
    });
  }
  it('trajectories used schedule(step) at 0-based step', () => {
    for (const trajectory of trajectories.filter((entry) => entry.options.schedule)) {
      const schedule = scheduleFrom(trajectory.options.schedule!);
      trajectory.lrs.forEach((expected, step) => expect(schedule(step)).toBeCloseTo(expected, 12));
    }
  });
});

describe('clipGradientsByGlobalNorm matches torch.nn.utils.clip_grad_norm_', () => {
  it('returns the norms torch reported, and clipped gradients with norm <= maxNorm', async () => {
    const trajectory = trajectories.find((entry) => entry.globalNorms)!;
    const maxNorm = trajectory.clip!.globalNorm!;
    for (let step = 0; step < fixture.steps; step++) {
      const gradients: Record<string, tf.Tensor> = {};
      for (const name of Object.keys(shapes)) gradients[name] = tf.tensor(trajectory.gradients[name][step], shapes[name]);
      const { gradients: clipped, globalNorm } = clipGradientsByGlobalNorm(gradients, maxNorm);
      const [norm] = await globalNorm.data();
      expect(Math.abs(norm - trajectory.globalNorms![step]) / trajectory.globalNorms![step]).toBeLessThan(tolerance());
      const clippedNorm = Math.hypot(...(await Promise.all(Object.values(clipped).map((tensor) => tensor.data()))).flatMap((values) => Array.from(values)));
      expect(clippedNorm).toBeLessThanOrEqual(maxNorm * (1 + tolerance()));
      tf.dispose([...Object.values(gradients), ...Object.values(clipped), globalNorm]);
    }
  });
});

describe('closed loop: gradients from tf.variableGrads in float32', () => {
  // The same MSE loss as the script, differentiated by tfjs: checks that the optimizers work
  // with tfjs' own gradients (float32 round-off in the loss stays within the same bound).
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;
  beforeAll(() => {
    x = tf.tensor2d(fixture.problem.x.data, fixture.problem.x.shape as [number, number]);
    y = tf.tensor2d(fixture.problem.y.data, fixture.problem.y.shape as [number, number]);
  });
  afterAll(() => tf.dispose([x, y]));
  for (const trajectory of trajectories) {
    it(trajectory.name, async () => {
      const optimizer = optimizerFor(trajectory);
      const parameters = initialParameters();
      const [weight, bias] = [parameters['layers.0.weight'], parameters['layers.0.bias']];
      let worst = 0;
      for (let step = 0; step < fixture.steps; step++) {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, weight), bias), y))), [weight, bias]);
        optimizer.step(parameters, { 'layers.0.weight': grads[weight.name], 'layers.0.bias': grads[bias.name] });
        tf.dispose([value, ...Object.values(grads)]);
        for (const [name, parameter] of Object.entries(parameters)) {
          worst = Math.max(worst, worstError(await parameter.data(), trajectory.parameters[name][step]));
        }
      }
      expect(worst).toBeLessThanOrEqual(tolerance());
      optimizer.dispose();
      tf.dispose(Object.values(parameters));
    });
  }
});
