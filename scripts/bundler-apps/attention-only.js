// Uses one function of @tensorzoo/attention: the bundle should hold little beyond it and tfjs-core.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { scaledDotProductAttention } from '@tensorzoo/attention';
import { report } from './harness.js';

report(async () => {
  await tf.setBackend('cpu');
  const q = tf.ones([1, 2, 4, 8]);
  const out = scaledDotProductAttention(q, q, q, { causal: true });
  const values = await out.data();
  if (out.shape.join() !== '1,2,4,8' || Math.abs(values[0] - 1) > 1e-6) throw new Error(`unexpected output ${out.shape}`);
  return `attention output ${out.shape.join('x')}`;
});
