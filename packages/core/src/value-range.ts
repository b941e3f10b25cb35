import * as tf from '@tensorflow/tfjs-core';

/** The smallest and largest value of a tensor. NaNs may be skipped by the reductions: leave them to `fit`'s finite-loss check. */
export interface ValueRange {
  min: number;
  max: number;
}

/**
 * WebGPU tensors are never read synchronously here: tfjs-backend-webgpu's `readSync` draws
 * through an `OffscreenCanvas`, which Node (Dawn) does not have and which fails on some
 * adapters in browsers (`createBuffer failed ... mappedAtCreation` on SwiftShader), and it
 * stalls the pipeline where it works. Checks fall back to {@link nanUnless} there.
 */
function canReadSynchronously(): boolean {
  return tf.getBackend() !== 'webgpu';
}

/**
 * Reads the smallest and largest value of `tensor`, for data-dependent argument checks
 * (class labels in `[0, C)`, probabilities in `[0, 1]`, token ids in the vocabulary).
 *
 * Cost: on `cpu`, `wasm` and `tensorflow` the data already lives in host memory, so this is
 * one pass over it in JavaScript (measured on cpu: 0.4 µs for 64 labels, 0.3 ms for 50k
 * values). On `webgl` it is one `min` and one `max` reduction on the
 * device and a synchronous read of their two numbers, which waits for the work queued so far
 * (a pipeline stall: a lost overlap of CPU and GPU); callers offer an option to skip their
 * check for that reason. On `webgpu` it returns `undefined` without reading (see above);
 * callers then fall back to {@link nanUnless}, which turns the bad entries into NaN on the
 * device.
 *
 * @param tensor any numeric tensor; an empty one gives `undefined` (nothing to check).
 * @returns `{ min, max }`, or `undefined` when empty or not readable synchronously.
 * @example
 * ```ts
 * readValueRange(tf.tensor1d([3, -1, 7], 'int32')); // { min: -1, max: 7 }
 * ```
 */
export function readValueRange(tensor: tf.Tensor): ValueRange | undefined {
  if (tensor.size === 0 || !canReadSynchronously()) return undefined;
  if (HOST_MEMORY_BACKENDS.has(tf.getBackend())) {
    // The values are in host memory already: one pass in JavaScript beats four kernel launches.
    const values = tensor.dataSync();
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < values.length; index++) {
      const value = values[index] as number;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return { min, max };
  }
  const both = tf.tidy(() => tf.stack([tf.min(tensor), tf.max(tensor)]));
  try {
    const [min, max] = both.dataSync();
    return { min, max };
  } finally {
    both.dispose();
  }
}

/** Backends whose tensors live in host memory, so `dataSync` is a cheap copy or no copy at all. */
const HOST_MEMORY_BACKENDS: ReadonlySet<string> = /* @__PURE__ */ new Set(['cpu', 'wasm', 'tensorflow']);

/**
 * `values` with NaN wherever `valid` is false: the fallback of a value check on a backend that
 * cannot read synchronously (see {@link readValueRange}), so bad input gives a loud NaN (which
 * `fit` reports as a non-finite loss) instead of a plausible number. `valid` (bool) must
 * broadcast to `values`' shape from the left, e.g. ids `[B, T]` for embeddings `[B, T, E]`.
 * Costs one `where` on the device and no read.
 *
 * @example
 * ```ts
 * const ids = tf.tensor1d([1, 12], 'int32');
 * nanUnless(tf.less(ids, 10), tf.ones([2, 4])); // row 1 is all NaN
 * ```
 */
export function nanUnless(valid: tf.Tensor, values: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let mask = valid;
    while (mask.rank < values.rank) mask = tf.expandDims(mask, -1);
    const full = tf.broadcastTo(mask, values.shape);
    return tf.where(full, values, tf.fill(values.shape, Number.NaN, values.dtype));
  });
}
