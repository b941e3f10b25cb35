// Issue 10 item 5: fit never returns normally with NaN or infinite weights.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TrainingError, checkFiniteParameters, fit, Linear, type LossFn, type Optimizer, type OptimizerState } from '@tensorzoo/core';

/** Plain SGD (core tests do not depend on @tensorzoo/optimizers). */
function plainSgd(lr: number): Optimizer {
  let iterations = 0;
  return {
    get iterations() {
      return iterations;
    },
    step(parameters, gradients) {
      tf.tidy(() => {
        for (const [name, variable] of Object.entries(parameters)) variable.assign(tf.sub(variable, tf.mul(gradients[name], lr)));
      });
      iterations++;
    },
    getState: (): OptimizerState => ({ tensors: {}, scalars: { iterations } }),
    setState: (state) => {
      iterations = Number(state.scalars.iterations);
    },
    dispose: () => {},
  };
}

const mse: LossFn = (yTrue, yPred) => tf.mean(tf.square(tf.sub(yTrue, yPred)));

describe('fit: finite parameters after every update', () => {
  it('stops with a TrainingError naming the step and parameter when the last update overflows', async () => {
    const model = new Linear(1, 1, { rng: 1 });
    // Loss ~1e10 is finite, but lr * gradient ~1e43 overflows float32: the update writes -Infinity/Infinity.
    const data = { x: tf.tensor2d([[1e5]]), y: tf.tensor2d([[0]]) };
    const error = await fit(model, data, { loss: mse, optimizer: plainSgd(1e38), epochs: 1, batchSize: 1 }).catch((caught: unknown) => caught);
    expect(TrainingError.isInstance(error)).toBe(true);
    expect((error as TrainingError).code).toBe('non-finite-parameters');
    expect((error as TrainingError).message).toMatch(/^fit: after the update at step 1, parameter "weight" \[1, 1\] holds -?Infinity at flat index 0\./);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('a normal run is unaffected and leaks no tensors', async () => {
    const model = new Linear(1, 1, { rng: 1 });
    const data = { x: tf.tensor2d([[1], [2], [3], [4]]), y: tf.tensor2d([[3], [5], [7], [9]]) };
    await fit(model, data, { loss: mse, optimizer: plainSgd(0.01), epochs: 1, batchSize: 2 });
    const before = tf.memory().numTensors;
    const history = await fit(model, data, { loss: mse, optimizer: plainSgd(0.01), epochs: 3, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(history.loss[2]).toBeLessThan(history.loss[0]);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('checkFiniteParameters passes finite values, even ones whose sum overflows, and names NaN', async () => {
    const big = tf.variable(tf.fill([4], 3e38)); // the sum of these is Infinity, the values are finite
    const small = tf.variable(tf.tensor1d([1, 2, NaN]));
    await expect(checkFiniteParameters({ big }, 'check')).resolves.toBeUndefined();
    const before = tf.memory().numTensors;
    await expect(checkFiniteParameters({ big, small }, 'check')).rejects.toThrow('check, parameter "small" [3] holds NaN at flat index 2.');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([big, small]);
  });
});
