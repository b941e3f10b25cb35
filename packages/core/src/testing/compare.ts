/**
 * Numeric comparison and test assertions shared by every package's tests.
 *
 * Tolerance policy (one for the whole zoo), numpy's `allclose`:
 *
 *     |actual - expected| <= atol + rtol * |expected|      element-wise
 *
 * - Defaults `atol = rtol = 1e-5`: float32 TensorZoo against float64 PyTorch references.
 *   `tolerance: t` is shorthand for `atol = rtol = t` (the parity tests' single number).
 * - On any backend other than tfjs's `cpu` (WebGPU - SwiftShader in CI -, WebGL, wasm with
 *   XNNPACK, tfjs-node), both are raised to at least {@link NON_CPU_TOLERANCE_FLOOR} (1e-4):
 *   those backends fuse and reorder float32 arithmetic and use less exact `exp`/`log`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { ArgumentError } from '@tensorzoo/core';
import type { FixtureTensor } from './fixtures';

/** Default absolute and relative tolerance of {@link expectClose}. */
export const DEFAULT_TOLERANCE = 1e-5;

/** The least `atol` and `rtol` {@link expectClose} uses on backends other than `cpu`. */
export const NON_CPU_TOLERANCE_FLOOR = 1e-4;

/** Options of {@link expectClose}. */
export interface CloseOptions {
  /** Absolute tolerance. Default {@link DEFAULT_TOLERANCE}, or `tolerance` when given. */
  atol?: number;
  /** Relative tolerance (times `|expected|`). Default {@link DEFAULT_TOLERANCE}, or `tolerance` when given. */
  rtol?: number;
  /** Shorthand for `atol` and `rtol` both (an explicit `atol` / `rtol` wins). */
  tolerance?: number;
  /** Names the check in failure messages and in {@link reportMaxErrors}' record. */
  label?: string;
  /**
   * Backend whose loosening applies (default the active one): for a comparison made after
   * switching backends, name the backend that computed `actual`.
   */
  backend?: string;
}

/** The `atol` and `rtol` {@link expectClose} applies for `options` on `backend`. */
export function closeTolerance(options: CloseOptions = {}, backend: string = options.backend ?? tf.getBackend()): { atol: number; rtol: number } {
  const atol = options.atol ?? options.tolerance ?? DEFAULT_TOLERANCE;
  const rtol = options.rtol ?? options.tolerance ?? DEFAULT_TOLERANCE;
  if (backend === 'cpu') return { atol, rtol };
  return { atol: Math.max(atol, NON_CPU_TOLERANCE_FLOOR), rtol: Math.max(rtol, NON_CPU_TOLERANCE_FLOOR) };
}

/** Largest absolute error seen per label by {@link expectClose} in this test file, for {@link reportMaxErrors}. */
export const maxErrors: Record<string, number> = {};

/**
 * Fails unless every element of `actual` is within the tolerance policy of `expected`
 * (`|a - e| <= atol + rtol * |e|`, see the module notes). `expected` is a fixture tensor
 * (`{ shape, data }`: the shape is checked too) or plain numbers in row-major order.
 * @returns the largest absolute error `max |a - e|`, also recorded under `options.label` for {@link reportMaxErrors}.
 * @example
 * ```ts
 * await expectClose(model.call(input), fixture.output, { label: 'output' });
 * await expectClose(loss, [0.125], { tolerance: 1e-4, label: 'loss' });
 * ```
 */
export async function expectClose(actual: tf.Tensor, expected: FixtureTensor | ArrayLike<number>, options: CloseOptions = {}): Promise<number> {
  const label = options.label ?? 'tensor';
  let want: ArrayLike<number>;
  if ('shape' in expected && 'data' in expected) {
    expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
    want = expected.data as number[];
  } else want = expected as ArrayLike<number>;
  const values = await actual.data();
  expect(values.length, `${label}: element count`).toBe(want.length);
  const { atol, rtol } = closeTolerance(options);
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const difference = Math.abs(values[i] - want[i]);
    if (!(difference <= atol + rtol * Math.abs(want[i]))) {
      expect.fail(`${label} element ${i}: got ${values[i]}, expected ${want[i]} (|difference| ${difference} > ${atol} + ${rtol} * |expected|)`);
    }
    worst = Math.max(worst, difference);
  }
  if (options.label !== undefined) maxErrors[options.label] = Math.max(maxErrors[options.label] ?? 0, worst);
  return worst;
}

/**
 * Prints the largest errors {@link expectClose} recorded per label (one line each), for
 * the parity tests' record; call it in `afterAll`.
 * @example
 * ```ts
 * afterAll(() => reportMaxErrors('attention parity vs PyTorch float64'));
 * ```
 */
export function reportMaxErrors(title: string): void {
  const lines = Object.entries(maxErrors).map(([label, error]) => `  ${label}: ${error.toExponential(2)}`);
  console.info(`${title} (backend ${tf.getBackend()}), max |error|:\n${lines.join('\n')}`);
}

/**
 * Runs `body` and fails unless `tf.memory().numTensors` is the same afterwards.
 * @example
 * ```ts
 * await expectNoLeak(() => meanSquaredError(yTrue, yPred).dispose());
 * ```
 */
export async function expectNoLeak(body: () => void | Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  await body();
  expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
}

/**
 * Runs `action` and returns what it threw; fails when it does not throw.
 * @example
 * ```ts
 * expect(thrown(() => new SGD({ lr: -1 })).message).toContain('lr');
 * ```
 */
export function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  return expect.fail('expected the call to throw, and it returned');
}

/**
 * Fails unless `action` throws an {@link ArgumentError} whose message is exactly `message`.
 * @example
 * ```ts
 * expectArgumentError(() => new SGD({ lr: -1 }), 'SGD: lr must be a positive number, got -1.');
 * ```
 */
export function expectArgumentError(action: () => unknown, message: string): void {
  const error = thrown(action);
  expect(ArgumentError.isInstance(error), `an ArgumentError, got ${String(error)}`).toBe(true);
  expect(error.message).toBe(message);
}
