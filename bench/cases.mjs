// The benchmark cases, as plain data: run.mjs builds them in TensorZoo and tfjs-layers,
// and passes the same JSON to torch_bench.py, so all three train identical shapes.

/**
 * @typedef {object} BenchCase
 * @property {string} name
 * @property {string} description
 * @property {[number, number, number]} features `[in, hidden, out]`: Linear(in, hidden) -> activation -> Linear(hidden, out)
 * @property {'sigmoid' | 'relu'} activation
 * @property {number} batchSize
 * @property {'mse' | 'cross-entropy'} loss `'cross-entropy'`: softmax cross-entropy on integer labels
 * @property {number} lr Adam learning rate (betas 0.9/0.999, eps 1e-8 everywhere)
 * @property {number} warmup untimed steps per contender first (JIT, kernel selection, Adam slots)
 * @property {number} steps timed steps per contender, spread over `rounds` interleaved rounds
 * @property {number} rounds rounds of the JS contenders taking turns (see timing.mjs)
 * @property {number} maxSeconds no new round starts after this long (slow backends time fewer steps)
 */

/** @type {readonly BenchCase[]} */
export const CASES = Object.freeze([
  {
    name: 'regression-mlp',
    description: 'seed 000: Linear(1,16) -> Sigmoid -> Linear(16,1), batch 64, MSE + Adam',
    features: [1, 16, 1],
    activation: 'sigmoid',
    batchSize: 64,
    loss: 'mse',
    lr: 0.01,
    warmup: 50,
    steps: 300,
    rounds: 10,
    maxSeconds: 10,
  },
  {
    name: 'mlp-784',
    description: 'MNIST-sized: Linear(784,256) -> ReLU -> Linear(256,10), batch 128, softmax cross-entropy + Adam',
    features: [784, 256, 10],
    activation: 'relu',
    batchSize: 128,
    loss: 'cross-entropy',
    lr: 1e-3,
    warmup: 5,
    steps: 50,
    rounds: 10,
    maxSeconds: 20,
  },
]);

/** Steps between the two `tf.memory()` readings of the memory check. */
export const MEMORY_STEPS = 200;

/** The memory check of a case is skipped (with a note) on a backend where it would take longer. */
export const MEMORY_MAX_SECONDS = 30;
