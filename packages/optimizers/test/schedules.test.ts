import { describe, expect, it } from 'vitest';
import { expectArgumentError } from '@tensorzoo/core/testing';
import { constant, cosineDecay, exponentialDecay, stepDecay } from '../src/schedules';

describe('schedules (0-based step)', () => {
  it('constant', () => {
    expect([0, 1, 1000].map(constant(0.3))).toEqual([0.3, 0.3, 0.3]);
    expect(constant(0.3).config).toEqual({ kind: 'constant', value: 0.3 });
  });

  it('stepDecay multiplies by gamma every stepSize steps, starting after step stepSize - 1', () => {
    expect([0, 1, 2, 3, 5, 6].map(stepDecay(0.1, 3, 0.5))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(stepDecay(0.1, 3, 0.5).config).toEqual({ kind: 'stepDecay', base: 0.1, stepSize: 3, gamma: 0.5 });
  });

  it('exponentialDecay is base * gamma ** step', () => {
    const schedule = exponentialDecay(2, 0.5);
    expect([0, 1, 2, 10].map(schedule)).toEqual([2, 1, 0.5, 2 / 1024]);
  });

  it('cosineDecay warms up linearly from 0, decays to minLr at totalSteps and stays there', () => {
    const schedule = cosineDecay(1, 14, { warmupSteps: 4, minLr: 0.1 });
    expect([0, 1, 2, 3, 4].map(schedule)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(schedule(9)).toBeCloseTo(0.55, 12); // half way: (1 + 0.1) / 2
    expect(schedule(14)).toBeCloseTo(0.1, 12);
    expect(schedule(100)).toBeCloseTo(0.1, 12);
    expect(cosineDecay(1, 10)(0)).toBe(1);
    expect(schedule.config).toEqual({ kind: 'cosineDecay', base: 1, totalSteps: 14, warmupSteps: 4, minLr: 0.1 });
  });

  it('rejects bad arguments, naming the argument, its value and the rule', () => {
    expectArgumentError(() => constant(0), 'constant: value (0) must be a finite number > 0.');
    expectArgumentError(() => stepDecay(-1, 3, 0.5), 'stepDecay: base (-1) must be a finite number > 0.');
    expectArgumentError(() => stepDecay(0.1, 0, 0.5), 'stepDecay: stepSize (0) must be an integer >= 1.');
    expectArgumentError(() => stepDecay(0.1, 2.5, 0.5), 'stepDecay: stepSize (2.5) must be an integer >= 1.');
    expectArgumentError(() => exponentialDecay(0.1, 0), 'exponentialDecay: gamma (0) must be a finite number > 0.');
    expectArgumentError(
      () => cosineDecay(0.1, 10, { warmupSteps: 10 }),
      'cosineDecay: warmupSteps (10) must be < totalSteps (10); totalSteps counts the warmup.',
    );
    expectArgumentError(() => cosineDecay(0.1, 10, { minLr: 0.2 }), 'cosineDecay: minLr (0.2) must be <= base (0.1).');
    expectArgumentError(() => cosineDecay(0.1, 10, { minLr: -1 }), 'cosineDecay: minLr (-1) must be a finite number >= 0.');
    expectArgumentError(() => stepDecay(0.1, 3, 0.5)(-1), 'stepDecay: step (-1) must be an integer >= 0.');
  });
});
