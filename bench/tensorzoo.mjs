// TensorZoo side: the model as a user writes it, trained by a step that mirrors fit()'s
// trainStep, and by fit() itself.
import * as tf from '@tensorflow/tfjs-core';
import { performance } from 'node:perf_hooks';
import { core, losses, optimizers } from './workspace.mjs';

const { Linear, ReLU, Sequential, Sigmoid, fit } = core;

/** @param {import('./cases.mjs').BenchCase} benchCase */
function createTraining(benchCase) {
  const [inFeatures, hidden, outFeatures] = benchCase.features;
  const activation = benchCase.activation === 'relu' ? new ReLU() : new Sigmoid();
  const model = new Sequential(new Linear(inFeatures, hidden, { rng: 1 }), activation, new Linear(hidden, outFeatures, { rng: 2 }));
  const loss =
    benchCase.loss === 'mse'
      ? (yTrue, yPred) => losses.meanSquaredError(yTrue, yPred)
      : (yTrue, yPred) => losses.sparseCategoricalCrossEntropy(yTrue, yPred, { fromLogits: true }); // yPred: logits [N, C]
  const optimizer = optimizers.adam({ lr: benchCase.lr, betas: [0.9, 0.999], eps: 1e-8 });
  return {
    model,
    loss,
    optimizer,
    dispose() {
      model.dispose();
      optimizer.dispose();
    },
  };
}

/**
 * One training step on `batch`, the way fit() runs it: forward and loss under
 * tf.variableGrads, the loss read back, gradients keyed by parameter name, optimizer.step.
 * @returns {{ step: () => Promise<number>, dispose: () => void }}
 */
export function tensorzooStep(benchCase, batch) {
  const training = createTraining(benchCase);
  const parameters = training.model.parameterRecord();
  const nameOf = new Map(Object.entries(parameters).map(([name, variable]) => [variable.name, name]));
  return {
    async step() {
      const { value, grads } = tf.variableGrads(() => training.loss(batch.y, training.model.call(batch.x)), Object.values(parameters));
      const gradients = Object.fromEntries(Object.entries(grads).map(([variableName, gradient]) => [nameOf.get(variableName), gradient]));
      try {
        const loss = (await value.data())[0];
        training.optimizer.step(parameters, gradients);
        return loss;
      } finally {
        tf.dispose([value, ...Object.values(gradients)]);
      }
    },
    dispose: training.dispose,
  };
}

/** Yields the same batch `count` times (fit() does not dispose batches it did not create). */
function* repeat(batch, count) {
  for (let index = 0; index < count; index++) yield batch;
}

/**
 * fit() itself as a {@link import('./timing.mjs').Sampler}: each call trains one epoch of
 * `count + 1` copies of the batch and times the steps between consecutive `onStep` calls,
 * so fit()'s own per-step work is included and its per-call setup is not.
 * @returns {{ sample: import('./timing.mjs').Sampler, dispose: () => void }}
 */
export function tensorzooFit(benchCase, batch) {
  const training = createTraining(benchCase);
  let stamps = [];
  const fitOptions = { loss: training.loss, optimizer: training.optimizer, onStep: () => void stamps.push(performance.now()) };
  return {
    async sample(count) {
      stamps = [];
      await fit(training.model, repeat(batch, count + 1), fitOptions);
      return stamps.slice(1).map((stamp, index) => stamp - stamps[index]);
    },
    dispose: training.dispose,
  };
}

/**
 * `tf.memory()` before and after `steps` TensorZoo steps, by the hand-written step and by
 * fit(). "Before" is read after one warm-up step, which creates Adam's two slots per parameter.
 * @returns {Promise<Array<{ path: string, before: tf.MemoryInfo, after: tf.MemoryInfo }>>}
 */
export async function measureTensorzooMemory(benchCase, batch, steps) {
  const readings = [];
  const manual = tensorzooStep(benchCase, batch);
  try {
    await manual.step();
    const before = tf.memory();
    for (let index = 0; index < steps; index++) await manual.step();
    readings.push({ path: 'step', before, after: tf.memory() });
  } finally {
    manual.dispose();
  }
  const training = createTraining(benchCase);
  try {
    const fitOptions = { loss: training.loss, optimizer: training.optimizer };
    await fit(training.model, repeat(batch, 1), fitOptions);
    const before = tf.memory();
    await fit(training.model, repeat(batch, steps), fitOptions);
    readings.push({ path: 'fit()', before, after: tf.memory() });
  } finally {
    training.dispose();
  }
  return readings;
}
