import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** A tensor as the reference scripts write it. */
export interface Encoded {
  shape: number[];
  data: Array<number | boolean>;
}

/** Builds a tensor from a fixture entry (float32 unless `dtype` says otherwise; booleans give bool). */
export function fromFixture(encoded: Encoded, dtype?: 'float32' | 'int32' | 'bool'): tf.Tensor {
  const kind = dtype ?? (typeof encoded.data[0] === 'boolean' ? 'bool' : 'float32');
  return tf.tensor(encoded.data as number[], encoded.shape, kind);
}

/** Largest error seen per check, printed by the parity tests for the record. */
export const maxErrors: Record<string, number> = {};

/**
 * Fails unless every element is within `tolerance · max(1, |expected|)` of `expected`
 * (1e-4 at least on webgpu). Returns the largest absolute error and records it under `label`.
 */
export async function expectClose(actual: tf.Tensor, expected: Encoded | ArrayLike<number>, tolerance = 1e-5, label?: string): Promise<number> {
  const want = 'data' in expected ? (expected.data as number[]) : expected;
  if ('shape' in expected) expect(actual.shape).toEqual(expected.shape);
  const values = await actual.data();
  expect(values.length).toBe(want.length);
  const loose = tf.getBackend() === 'webgpu' ? Math.max(tolerance, 1e-4) : tolerance;
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const diff = Math.abs(values[i] - want[i]);
    worst = Math.max(worst, diff);
    if (!(diff <= loose * Math.max(1, Math.abs(want[i])))) {
      expect.fail(`${label ?? 'tensor'} element ${i}: got ${values[i]}, expected ${want[i]} (|diff| ${diff} > ${loose})`);
    }
  }
  if (label) maxErrors[label] = Math.max(maxErrors[label] ?? 0, worst);
  return worst;
}

/** Prints the recorded maximum errors (one line per check). */
export function reportMaxErrors(title: string): void {
  const lines = Object.entries(maxErrors).map(([label, error]) => `  ${label}: ${error.toExponential(2)}`);
  console.info(`${title} (backend ${tf.getBackend()}), max |error|:\n${lines.join('\n')}`);
}
