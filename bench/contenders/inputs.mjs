// Inputs and initialisation shared by TensorZoo's workloads (workloads.mjs) and the other
// contenders (tfjs-layers, jax-js), so every framework trains on the same numbers at the same
// scales. No dependencies: the contenders import it without loading the packages.

/**
 * Deterministic values in [0, scale) from a small LCG, the same on every backend and framework.
 * @param {number} length
 * @param {number} seed
 * @param {number} [scale]
 * @returns {Float32Array}
 */
export function randomArray(length, seed, scale = 1) {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * scale;
  });
}

/**
 * The bound of PyTorch's (and TensorZoo's) default initialisation of a dense or convolution
 * layer's weight and bias, U(-bound, bound) with bound = 1 / sqrt(fan in).
 * @param {number} fanIn inputs per output: `in` for a dense layer, `in * kh * kw` for a convolution
 */
export const initialBound = (fanIn) => 1 / Math.sqrt(fanIn);

/**
 * Values U(-bound, bound) from {@link randomArray}.
 * @param {number} length
 * @param {number} bound
 * @param {number} seed
 */
export const uniformArray = (length, bound, seed) => randomArray(length, seed, 2 * bound).map((value) => value - bound);

/**
 * A workload's batch as plain arrays: MLP `x` `[N, 784]`, CNN `x` `[N, 28, 28, 1]` (NHWC; the
 * values are the same for NCHW since there is one channel), pixels in [0, 1); labels `[N]` in
 * 0..9. The same seeds as workloads.mjs's TensorZoo batch.
 * @param {{ kind: string, batchSize: number }} workload
 */
export function workloadBatch(workload) {
  const batch = workload.batchSize;
  return { x: randomArray(batch * 784, 1), labels: Int32Array.from(randomArray(batch, 2, 10), Math.floor) };
}
