// npm i @tensorzoo/core @tensorzoo/losses @tensorzoo/optimizers @tensorflow/tfjs-core
import * as tf from '@tensorflow/tfjs-core';
import { fit, Linear, saveCheckpoint, Sequential, setBackend, Sigmoid } from '@tensorzoo/core';
import { meanSquaredError } from '@tensorzoo/losses';
import { adam } from '@tensorzoo/optimizers';

const backend = await setBackend('auto'); // Node: tensorflow (CUDA) > webgpu > cpu
const model = new Sequential(new Linear(1, 16, { rng: 1 }), new Sigmoid(), new Linear(16, 1, { rng: 2 }));
const x = tf.linspace(-1, 1, 128).reshape([128, 1]); // [128, 1]
const y = tf.add(tf.mul(x, 2), 1); //                  y = 2x + 1
const history = await fit(model, { x, y }, { loss: meanSquaredError, optimizer: adam({ lr: 0.05 }), epochs: 50 });
console.log(`${backend}: loss ${history.loss[0].toFixed(3)} -> ${history.loss.at(-1)!.toFixed(5)}`);
await saveCheckpoint('line.safetensors', model); // PyTorch names: 0.weight, 0.bias, 2.weight, 2.bias

export { history, model };
