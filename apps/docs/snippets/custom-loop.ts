import * as tf from '@tensorflow/tfjs-core';
import { Linear, Sequential, setBackend, Tanh } from '@tensorzoo/core';
import { meanSquaredError } from '@tensorzoo/losses';
import { adamW, clipGradientsByGlobalNorm, cosineDecay } from '@tensorzoo/optimizers';

await setBackend('cpu');
const model = new Sequential(new Linear(2, 32, { rng: 0 }), new Tanh(), new Linear(32, 1, { rng: 1 }));
const optimizer = adamW({ lr: cosineDecay(0.02, 200), weightDecay: 1e-4 });
const x = tf.randomUniform([256, 2], -1, 1, 'float32', 7); //      [256, 2]
const y = tf.tidy(() => tf.sum(tf.sin(tf.mul(x, 3)), 1, true)); // [256, 1]

const losses: number[] = [];
for (let step = 0; step < 200; step++) {
  // value: the loss; grads: one gradient per parameter, keyed by its dotted name.
  const { value, grads } = tf.variableGrads(() => meanSquaredError(y, model.call(x)), model.parameters());
  const byName = Object.fromEntries(model.namedParameters().map(([name, variable]) => [name, grads[variable.name]]));
  const { gradients, globalNorm } = clipGradientsByGlobalNorm(byName, 1.0);
  optimizer.step(model.parameterRecord(), gradients);
  if (step % 20 === 0) losses.push((await value.data())[0]);
  tf.dispose([value, globalNorm, ...Object.values(grads), ...Object.values(gradients)]); // no leaks
}
console.log(losses.map((loss) => loss.toFixed(4)).join(' -> '));

export { losses };
