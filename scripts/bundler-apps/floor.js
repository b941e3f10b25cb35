// The floor of any tfjs app: tfjs-core with its gradient and chained-op registration and the cpu
// backend, computing one product. What TensorZoo adds to an app is measured against this.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import '@tensorflow/tfjs-backend-cpu';
import { report } from './harness.js';

report(async () => {
  await tf.setBackend('cpu');
  const product = tf.ones([2, 3]).matMul(tf.ones([3, 2]));
  const values = await product.data();
  if (values[0] !== 3) throw new Error(`expected 3, got ${values[0]}`);
  return 'cpu: product ok';
});
