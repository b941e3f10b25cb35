// tfjs-layers side: the same network as Keras users write it in TF.js, trained with
// model.trainOnBatch (forward, backward, update, loss read back) on the same backend.
// trainOnBatchStep is shared with the issue-13 workloads (contenders/tfjs-layers.mjs).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Compiles `model` with `optimizer` and returns its `trainOnBatch` step on one fixed batch.
 * Keras' cross-entropy takes probabilities (the model ends in a softmax) and wants sparse
 * labels as a float column `[N, 1]`; integer labels `[N]` are converted once here.
 * @param {tfl.LayersModel} model
 * @param {tf.Optimizer} optimizer disposed with the step
 * @param {{ x: tf.Tensor, y: tf.Tensor, classify: boolean }} batch `classify`: sparse
 *   categorical cross-entropy on integer labels `y` `[N]`; otherwise mean squared error.
 * @returns {{ step: () => Promise<number>, dispose: () => void }} `dispose` frees the model,
 *   the optimizer and the converted labels (not `x` and `y`).
 */
export function trainOnBatchStep(model, optimizer, { x, y, classify }) {
  model.compile({ optimizer, loss: classify ? 'sparseCategoricalCrossentropy' : 'meanSquaredError' });
  const labels = classify ? tf.tidy(() => tf.reshape(tf.cast(y, 'float32'), [-1, 1])) : y;
  return {
    step: () => model.trainOnBatch(x, labels),
    dispose() {
      model.dispose();
      optimizer.dispose();
      if (labels !== y) labels.dispose();
    },
  };
}

/**
 * @param {import('./cases.mjs').BenchCase} benchCase
 * @param {{ x: tf.Tensor, y: tf.Tensor }} batch as from makeBatch
 * @returns {{ step: () => Promise<number>, dispose: () => void }}
 */
export function layersStep(benchCase, batch) {
  const [inFeatures, hidden, outFeatures] = benchCase.features;
  const classify = benchCase.loss === 'cross-entropy';
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [inFeatures], units: hidden, activation: benchCase.activation }),
      // Keras' cross-entropy takes probabilities: softmax in the last layer (TensorZoo and torch take logits).
      tfl.layers.dense({ units: outFeatures, activation: classify ? 'softmax' : 'linear' }),
    ],
  });
  return trainOnBatchStep(model, tf.train.adam(benchCase.lr, 0.9, 0.999, 1e-8), { x: batch.x, y: batch.y, classify });
}
