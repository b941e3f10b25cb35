import * as tf from '@tensorflow/tfjs-core';
import { fit, Linear, ReLU, Sequential, setBackend, TrainingError } from '@tensorzoo/core';
import { sparseCategoricalCrossEntropy } from '@tensorzoo/losses';
import { sgd } from '@tensorzoo/optimizers';

await setBackend('cpu');
// Two interleaved half-moons as a stand-in for your data: x [N, 2] float32, labels [N] int32.
const points: number[][] = [];
const labels: number[] = [];
for (let index = 0; index < 400; index++) {
  const angle = (Math.PI * ((Math.floor(index / 2) * 77) % 200)) / 200; // angles in a scrambled order
  const upper = index % 2 === 0;
  points.push(upper ? [Math.cos(angle), Math.sin(angle)] : [1 - Math.cos(angle), 0.5 - Math.sin(angle)]);
  labels.push(upper ? 0 : 1);
}
const x = tf.tensor2d(points); //            [400, 2]
const y = tf.tensor1d(labels, 'int32'); //  [400]

const model = new Sequential(new Linear(2, 32, { rng: 0 }), new ReLU(), new Linear(32, 2, { rng: 1 }));
const accuracy = (yTrue: tf.Tensor, logits: tf.Tensor) => tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), yTrue), 'float32')) as tf.Scalar;
const controller = new AbortController(); // controller.abort() stops at the next step

const history = await fit(model, { x, y }, {
  loss: (labels, logits) => sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true }),
  optimizer: sgd({ lr: 0.3, momentum: 0.9 }),
  epochs: 30,
  batchSize: 32,
  validationSplit: 0.2, // the last 20% of the rows, before shuffling (as Keras)
  metrics: { accuracy },
  rng: 0, //               seeded shuffling: the same run every time
  signal: controller.signal,
  onEpochEnd: ({ epoch, loss, valMetrics }) => {
    if (epoch % 10 === 9) console.log(`epoch ${epoch + 1}: loss ${loss.toFixed(3)}, validation accuracy ${valMetrics?.accuracy.toFixed(3)}`);
  },
});

// A loss that becomes NaN or Infinity stops training with a TrainingError naming the step.
let stopped: TrainingError | undefined;
try {
  const brokenLoss = (_: tf.Tensor, logits: tf.Tensor) => tf.div(tf.mean(logits), 0) as tf.Scalar; // divides by zero
  await fit(model, { x, y }, { loss: brokenLoss, optimizer: sgd({ lr: 0.1 }), epochs: 1 });
} catch (error) {
  if (TrainingError.isInstance(error)) stopped = error; // error.code === 'non-finite-loss'
  else throw error;
}

export { history, stopped };
