import * as tf from '@tensorflow/tfjs-core';
import { fit, Generator, Linear, loadCheckpoint, saveCheckpoint, Sequential, setBackend, Tanh, type Batch } from '@tensorzoo/core';
import { meanSquaredError } from '@tensorzoo/losses';
import { adam } from '@tensorzoo/optimizers';

await setBackend('cpu');
const data: Batch = { x: tf.linspace(-2, 2, 64).reshape([64, 1]), y: tf.sin(tf.linspace(-2, 2, 64)).reshape([64, 1]) };
const build = () => new Sequential(new Linear(1, 16, { rng: 1 }), new Tanh(), new Linear(16, 1, { rng: 2 }));

// Run A: 4 epochs, a checkpoint after epoch 2 with the optimizer slots, the shuffle generator and the step.
const modelA = build();
const optimizerA = adam({ lr: 0.02 });
const shuffleA = new Generator(42);
const curveA: number[] = [];
await fit(modelA, data, {
  loss: meanSquaredError, optimizer: optimizerA, rng: shuffleA, epochs: 4, batchSize: 16,
  onStep: ({ loss }) => void curveA.push(loss),
  onEpochEnd: async ({ epoch, step }) => {
    if (epoch === 1) await saveCheckpoint('run.safetensors', modelA, { optimizer: optimizerA, rng: shuffleA, step, epoch: epoch + 1 });
  },
});

// Run B: a fresh process would do this: build, load, run the 2 remaining epochs.
const modelB = build();
const optimizerB = adam({ lr: 0.02 });
const shuffleB = new Generator(0); // any seed: its state is restored from the file
const info = await loadCheckpoint('run.safetensors', modelB, { optimizer: optimizerB, rng: shuffleB });
const curveB: number[] = [];
await fit(modelB, data, {
  loss: meanSquaredError, optimizer: optimizerB, rng: shuffleB, epochs: 4 - info.epoch, initialEpoch: info.epoch, batchSize: 16,
  onStep: ({ loss }) => void curveB.push(loss),
});
// The resumed run continues the exact same loss curve.
console.log(curveA.slice(-curveB.length).every((loss, index) => loss === curveB[index])); // true

export { curveA, curveB, info };
