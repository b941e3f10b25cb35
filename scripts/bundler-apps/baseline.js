// The same regression written on plain @tensorflow/tfjs-core (the size baseline): tfjs-core's
// optimizers, its gradient registration, the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import '@tensorflow/tfjs-backend-cpu';
import { report } from './harness.js';

report(async () => {
  await tf.setBackend('cpu');
  const w1 = tf.variable(tf.randomNormal([1, 16], 0, 1, 'float32', 1));
  const b1 = tf.variable(tf.zeros([16]));
  const w2 = tf.variable(tf.randomNormal([16, 1], 0, 0.25, 'float32', 2));
  const b2 = tf.variable(tf.zeros([1]));
  const x = tf.linspace(-1, 1, 64).reshape([64, 1]);
  const y = tf.add(tf.mul(x, 2), 1);
  const optimizer = tf.train.adam(0.05);
  const losses = [];
  for (let step = 0; step < 24; step++) {
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, tf.add(tf.matMul(tf.sigmoid(tf.add(tf.matMul(x, w1), b1)), w2), b2)), true);
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  if (!(losses[losses.length - 1] < losses[0])) throw new Error(`loss did not fall: ${losses.join(', ')}`);
  return `cpu: loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}`;
});
