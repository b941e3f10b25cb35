import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from './errors';

/** Inputs per `addN` launch: one output and 4 inputs stay within WebGPU's guaranteed 8 storage buffers per shader stage. */
const GROUP = 4;

/**
 * The sum of any number of tensors of one shape, as a tree of `addN` launches of at most 4
 * inputs each. `tf.addN` of 8 or more tensors fails on WebGPU adapters that keep the default
 * limit of 8 storage buffers per shader ("The number of storage buffers (9) in the Compute
 * stage exceeds the maximum per-stage limit (8)", Dawn in Node); this works everywhere, in
 * about `n / 3` launches.
 * @throws ArgumentError when `tensors` is empty.
 * @example
 * ```ts
 * const total = addMany(parameters.map((p) => tf.sum(tf.square(p)))); // a scalar
 * ```
 */
export function addMany(tensors: readonly tf.Tensor[]): tf.Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ArgumentError('bad-argument', `addMany: expected a non-empty array of tensors, received ${Array.isArray(tensors) ? 'an empty array' : typeof tensors}.`);
  }
  return tf.tidy(() => {
    let level: tf.Tensor[] = [...tensors];
    while (level.length > 1) {
      const next: tf.Tensor[] = [];
      for (let start = 0; start < level.length; start += GROUP) {
        const group = level.slice(start, start + GROUP);
        next.push(group.length === 1 ? group[0] : tf.addN(group));
      }
      level = next;
    }
    return level[0].clone(); // a new tensor even for one input, like addN
  });
}
