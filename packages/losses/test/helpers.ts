// Shared by the losses tests. No Node APIs: these run in node, node-webgpu and the browser.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** numpy-style `|actual - expected| <= absolute + relative * |expected|`, looser on WebGPU. */
export function tolerance(): { relative: number; absolute: number } {
  // SwiftShader's WebGPU exp/log are less exact than the cpu backend's JS Math.
  return tf.getBackend() === 'webgpu' ? { relative: 1e-4, absolute: 1e-5 } : { relative: 1e-5, absolute: 1e-6 };
}

/** Reads `tensor` (async, as WebGPU needs) and compares it element-wise with `expected`. */
export async function expectClose(tensor: tf.Tensor, expected: readonly number[], label: string): Promise<void> {
  const actual = Array.from(await tensor.data());
  expect(actual.length, `${label}: element count`).toBe(expected.length);
  const { relative, absolute } = tolerance();
  const failures = actual
    .map((value, index) => ({ index, value, expected: expected[index] }))
    .filter(({ value, expected }) => !(Math.abs(value - expected) <= absolute + relative * Math.abs(expected)));
  expect(failures, label).toEqual([]);
}

/** Runs `body` and asserts that it leaves `tf.memory().numTensors` unchanged. */
export async function expectNoLeak(body: () => void | Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  await body();
  expect(tf.memory().numTensors).toBe(before);
}
