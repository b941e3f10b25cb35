// One fixed batch per case: step time depends on the shapes, not the values.
import * as tf from '@tensorflow/tfjs-core';

/**
 * @param {import('./cases.mjs').BenchCase} benchCase
 * @returns {{ x: tf.Tensor2D, y: tf.Tensor }} `x` `[N, in]` in [-1, 1]; `y` `[N, out]` float32
 *   for MSE (y = 2x + 1 when in == out, as seed 000), `[N]` int32 class labels for cross-entropy.
 */
export function makeBatch(benchCase) {
  const [inFeatures, , outFeatures] = benchCase.features;
  const rows = benchCase.batchSize;
  return tf.tidy(() => {
    const x = tf.randomUniform([rows, inFeatures], -1, 1, 'float32', 1); // [N, in]
    if (benchCase.loss === 'cross-entropy') return { x, y: tf.randomUniform([rows], 0, outFeatures, 'int32', 2) }; // [N]
    const y = inFeatures === outFeatures ? tf.add(tf.mul(x, 2), 1) : tf.randomNormal([rows, outFeatures], 0, 1, 'float32', 2);
    return { x, y }; // y: [N, out]
  });
}
