import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  fit,
  Linear,
  Module,
  Sequential,
  Sigmoid,
  TrainingError,
  type LossFn,
  type Optimizer,
  type OptimizerState,
} from '@tensorzoo/core';

/** Plain SGD, enough to exercise fit() without depending on @tensorzoo/optimizers. */
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

// SwiftShader (the software WebGPU adapter in CI) takes ~100 ms per step: the long runs are
// scaled down there; the loop logic under test is backend-independent.
const onCpu = () => tf.getBackend() === 'cpu';

const mse: LossFn = (yTrue, yPred) => tf.mean(tf.square(tf.sub(yTrue, yPred)));

function lineData(count: number) {
  const xs = Array.from({ length: count }, (_, i) => -1 + (2 * i) / (count - 1));
  return { x: tf.tensor2d(xs, [count, 1]), y: tf.tensor2d(xs.map((v) => 2 * v + 1), [count, 1]) };
}

describe('fit', () => {
  it('learns y = 2x + 1 and reports falling losses', async () => {
    const model = new Linear(1, 1, { rng: 1 });
    const data = lineData(32);
    const steps: number[] = [];
    const history = await fit(model, data, {
      loss: mse,
      optimizer: plainSgd(0.3),
      epochs: 10,
      batchSize: 8,
      rng: 3,
      onStep: ({ step, samplesPerSecond }) => {
        steps.push(step);
        expect(samplesPerSecond).toBeGreaterThan(0);
      },
    });
    const epochs = history.loss.length;
    expect(steps.length).toBe(epochs * 4);
    expect(history.steps).toBe(epochs * 4);
    expect(history.loss[epochs - 1]).toBeLessThan(history.loss[0] / 10);
    expect(Array.from(await model.weight.data())[0]).toBeCloseTo(2, 1);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('holds out a validation split and reports metrics', async () => {
    const model = new Linear(1, 1, { rng: 4 });
    const data = lineData(20);
    const epochs: number[] = [];
    const history = await fit(model, data, {
      loss: mse,
      optimizer: plainSgd(0.1),
      epochs: 3,
      batchSize: 4,
      validationSplit: 0.25,
      metrics: { mae: (t, p) => tf.mean(tf.abs(tf.sub(t, p))) },
      onEpochEnd: ({ valLoss, valMetrics }) => {
        expect(valLoss).toBeGreaterThan(0);
        epochs.push(valMetrics!.mae);
      },
    });
    expect(history.valLoss).toHaveLength(3);
    expect(history.metrics.mae).toHaveLength(3);
    expect(epochs).toHaveLength(3);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('stops with a TrainingError on a NaN loss, naming the step, without updating', async () => {
    const model = new Linear(1, 1, { rng: 5 });
    const before = Array.from(await model.weight.data());
    const data = { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[NaN], [1]]) };
    const error = await fit(model, data, { loss: mse, optimizer: plainSgd(0.1), batchSize: 2, shuffle: false }).catch((e) => e);
    expect(TrainingError.isInstance(error)).toBe(true);
    expect(error.code).toBe('non-finite-loss');
    expect(error.message).toContain('loss is NaN at step 1');
    expect(Array.from(await model.weight.data())).toEqual(before);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('honours an AbortSignal', async () => {
    const model = new Linear(1, 1, { rng: 6 });
    const data = lineData(16);
    const controller = new AbortController();
    const error = await fit(model, data, {
      loss: mse,
      optimizer: plainSgd(0.1),
      epochs: 5,
      batchSize: 4,
      signal: controller.signal,
      onStep: ({ step }) => {
        if (step === 3) controller.abort();
      },
    }).catch((e) => e);
    expect(error.code).toBe('aborted');
    expect(error.message).toBe('fit: aborted at step 3 (epoch 0).');
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('rejects mismatched x and y', async () => {
    const model = new Linear(1, 1);
    const data = { x: tf.zeros([4, 1]), y: tf.zeros([3, 1]) };
    await expect(fit(model, data, { loss: mse, optimizer: plainSgd(0.1) })).rejects.toThrow(
      'fit: data: x [4, 1] and y [3, 1] must have the same first (batch) dimension.',
    );
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('leaks no tensors over 1,000 steps (36 on webgpu)', async () => {
    class Net extends Module {
      body = new Sequential(new Linear(2, 16, { rng: 7 }), new Sigmoid(), new Linear(16, 1, { rng: 8 }));
      protected forward(x: tf.Tensor) {
        return this.body.call(x);
      }
    }
    const model = new Net();
    const data = { x: tf.randomUniform([40, 2], -1, 1, 'float32', 1), y: tf.randomUniform([40, 1], -1, 1, 'float32', 2) };
    const optimizer = plainSgd(0.05);
    await fit(model, data, { loss: mse, optimizer, epochs: 1, batchSize: 4 }); // warm-up
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await fit(model, data, {
      loss: mse,
      optimizer,
      epochs: onCpu() ? 112 : 4,
      batchSize: 4,
      validationSplit: 0.1,
      onEpochEnd: ({ epoch }) => {
        if (epoch % 2 === 0) counts.push(tf.memory().numTensors);
      },
    });
    expect(optimizer.iterations).toBe(10 + (onCpu() ? 1008 : 36));
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(counts).size).toBe(1);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });
});
