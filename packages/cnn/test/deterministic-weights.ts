// The closed-form weights of scripts/reference/torchvision_models.py (`deterministic_value`),
// so parity fixtures need only outputs. Same formula, float64, PyTorch layouts.
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@tensorzoo/core';

/** A number per tensor name: sum of (character code · position), mod 9973. */
function nameSeed(name: string): number {
  let sum = 0;
  for (let index = 0; index < name.length; index++) sum += name.charCodeAt(index) * (index + 1);
  return sum % 9973;
}

/** The value of every element of tensor `name` with PyTorch shape `shape`, flat in PyTorch order. */
export function deterministicValues(name: string, shape: readonly number[]): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = 0.013 * nameSeed(name) + 1.0;
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) {
    const base = Math.sin(0.7 * index + offset);
    if (leaf === 'running_mean') values[index] = 0.1 * base;
    else if (leaf === 'running_var') values[index] = 1.0 + 0.5 * base * base;
    else if (shape.length === 1 && leaf === 'weight') values[index] = 0.3 + 0.1 * base; // BatchNorm scale
    else if (leaf === 'bias') values[index] = 0.1 * base;
    else values[index] = base * Math.sqrt(2.0 / fanIn); // Conv2d / Linear weight: variance 1 / fan-in
  }
  return values;
}

/** Fills every float32 variable of `model` (PyTorch names and layouts) with {@link deterministicValues}. */
export function fillDeterministic(model: Module<never, unknown, never>): void {
  for (const [name, variable] of model.namedVariables()) {
    if (name.endsWith('num_batches_tracked')) continue;
    tf.tidy(() => variable.assign(tf.tensor(deterministicValues(name, variable.shape), variable.shape)));
  }
}

/** The reference input `1.5·sin(0.05·i + 0.3)` over an NCHW shape, returned NHWC. */
export function deterministicInput(nchw: readonly [number, number, number, number]): tf.Tensor4D {
  const count = nchw.reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: count }, (_, index) => 1.5 * Math.sin(0.05 * index + 0.3));
  return tf.tidy(() => tf.transpose(tf.tensor4d(values, [...nchw]), [0, 2, 3, 1]) as tf.Tensor4D);
}
