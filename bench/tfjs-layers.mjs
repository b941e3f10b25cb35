// tfjs-layers side: the same network as Keras users write it in TF.js, trained with
// model.trainOnBatch (forward, backward, update, loss read back) on the same backend.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

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
  const optimizer = tf.train.adam(benchCase.lr, 0.9, 0.999, 1e-8);
  model.compile({ optimizer, loss: classify ? 'sparseCategoricalCrossentropy' : 'meanSquaredError' });
  // Keras wants sparse labels as a float column [N, 1].
  const y = classify ? tf.tidy(() => tf.reshape(tf.cast(batch.y, 'float32'), [-1, 1])) : batch.y;
  return {
    step: () => model.trainOnBatch(batch.x, y),
    dispose() {
      model.dispose();
      optimizer.dispose();
      if (y !== batch.y) y.dispose();
    },
  };
}
