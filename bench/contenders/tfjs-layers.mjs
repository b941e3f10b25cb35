// tfjs-layers contender for the issue-13 workloads: the MLP and the CNN of workloads.mjs as
// Keras users write them in TF.js (tf.sequential of dense / conv2d / maxPooling2d layers,
// softmax on the last one, model.trainOnBatch via ../tfjs-layers.mjs), on a tfjs backend
// with tfjs's stock kernels, as its own users get them (see withStockKernels).
// Same shapes, data, optimizer settings and initialisation scales as TensorZoo's workloads:
// U(+-1/sqrt(fan in)) for weights and biases (tfjs-layers' default would be Glorot / zeros).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { trainOnBatchStep } from '../tfjs-layers.mjs';
import { core } from '../workspace.mjs';
import { initialBound, workloadBatch } from './inputs.mjs';
import { layersUnsupported } from './summary.mjs';

/** Kernels that TensorZoo's setBackend installed into tfjs's registry for `backend` (none in older builds). */
export const tensorzooKernels = (backend) => core.fastKernelsInstalled?.(backend) ?? [];

/**
 * Runs `work` with tfjs's stock kernels. TensorZoo's setBackend may replace some kernels in
 * the registry that tfjs-layers shares (and add some tfjs lacks); tfjs-layers is timed as its
 * own users get it, and TensorZoo's kernels are put back afterwards.
 * @template T
 * @param {string} backend
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function withStockKernels(backend, work) {
  if (tensorzooKernels(backend).length === 0) return work();
  core.restoreStockKernels(backend);
  try {
    return await work();
  } finally {
    core.installFastKernels(backend);
  }
}

/** tfjs-layers' uniform initializer for a layer with `fanIn` inputs per output. */
const uniform = (fanIn, seed) => tfl.initializers.randomUniform({ minval: -initialBound(fanIn), maxval: initialBound(fanIn), seed });

/** Dense layer options with the workloads' initialisation. */
const dense = (inFeatures, units, activation, seed, extra = {}) => ({
  units,
  activation,
  kernelInitializer: uniform(inFeatures, seed),
  biasInitializer: uniform(inFeatures, seed + 100),
  ...extra,
});

/** 3x3 convolution options (valid padding, stride 1) with the workloads' initialisation. */
const convolution = (inChannels, filters, seed, extra = {}) => ({
  filters,
  kernelSize: 3,
  activation: 'relu',
  kernelInitializer: uniform(inChannels * 9, seed),
  biasInitializer: uniform(inChannels * 9, seed + 100),
  ...extra,
});

/**
 * Builds the tfjs-layers training step of an MLP or CNN workload on the active tfjs backend
 * (call it, and the step, inside {@link withStockKernels}).
 * @param {import('../workloads.mjs').Workload} workload
 * @returns {{ step: () => Promise<number>, dispose: () => void, label: string }}
 */
export function prepareLayersStep(workload) {
  const reason = layersUnsupported(workload);
  if (reason) throw new Error(reason);
  const batch = workload.batchSize;
  const data = workloadBatch(workload);
  const layers =
    workload.kind === 'mlp'
      ? [
          tfl.layers.dense(dense(784, 2048, 'relu', 1, { inputShape: [784] })),
          tfl.layers.dense(dense(2048, 1024, 'relu', 2)),
          tfl.layers.dense(dense(1024, 10, 'softmax', 3)),
        ]
      : [
          tfl.layers.conv2d(convolution(1, 32, 1, { inputShape: [28, 28, 1] })), // [N, 26, 26, 32]
          tfl.layers.maxPooling2d({ poolSize: 2 }), // [N, 13, 13, 32]
          tfl.layers.conv2d(convolution(32, 64, 2)), // [N, 11, 11, 64]
          tfl.layers.maxPooling2d({ poolSize: 2 }), // [N, 5, 5, 64]
          tfl.layers.flatten(),
          tfl.layers.dense(dense(1600, 128, 'relu', 3)),
          tfl.layers.dense(dense(128, 10, 'softmax', 4)),
        ];
  const model = tfl.sequential({ layers });
  const optimizer = workload.optimizer === 'sgd' ? tf.train.sgd(workload.lr) : tf.train.adam(workload.lr, 0.9, 0.999, 1e-8);
  const x = tf.tensor(data.x, workload.kind === 'mlp' ? [batch, 784] : [batch, 28, 28, 1]);
  const y = tf.tensor1d(data.labels, 'int32');
  const trainer = trainOnBatchStep(model, optimizer, { x, y, classify: true });
  return {
    label: `${workload.optimizer === 'sgd' ? 'SGD' : 'Adam'} (lr ${workload.lr}), trainOnBatch`,
    step: trainer.step,
    dispose: () => {
      trainer.dispose();
      tf.dispose([x, y]);
    },
  };
}
