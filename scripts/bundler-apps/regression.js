// The seed 000 regression (y = 2x + 1, a 1-16-1 sigmoid MLP, Adam, MSE) written with TensorZoo,
// plus two error checks that must read the same after minification.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, fit, Linear, Sequential, setBackend, ShapeError, Sigmoid } from '@tensorzoo/core';
import { meanSquaredError } from '@tensorzoo/losses';
import { adam } from '@tensorzoo/optimizers';
import { backend, OPTIONS, report } from './harness.js';

report(async () => {
  const active = await setBackend(backend(), OPTIONS);
  if (active !== backend()) throw new Error(`asked for ${backend()}, got ${active}`);
  const model = new Sequential(new Linear(1, 16, { rng: 1 }), new Sigmoid(), new Linear(16, 1, { rng: 2 }));
  const x = tf.linspace(-1, 1, 64).reshape([64, 1]);
  const y = x.mul(2).add(1);
  const history = await fit(model, { x, y }, { loss: meanSquaredError, optimizer: adam({ lr: 0.05 }), epochs: 6, batchSize: 16 });
  const first = history.loss[0];
  const last = history.loss[history.loss.length - 1];
  if (!(last < first)) throw new Error(`loss did not fall: ${history.loss.join(', ')}`);
  // Error names and module paths come from declared names, not minified class names.
  const errors = [];
  try { await setBackend('nope'); } catch (error) { errors.push(`${error.name}: ${error.message.slice(0, 40)}`); if (!ArgumentError.isInstance(error) || error.name !== 'ArgumentError') throw new Error(`expected ArgumentError, got ${error.name}`); }
  try { model.call(tf.zeros([2, 3])); } catch (error) { errors.push(`${error.name}: ${error.message.slice(0, 60)}`); if (!ShapeError.isInstance(error) || !/Sequential|Linear/.test(error.message)) throw new Error(`expected a ShapeError naming the module, got ${error.name}: ${error.message}`); }
  return `${active}: loss ${first.toFixed(4)} -> ${last.toFixed(4)}; ${errors.join(' | ')}`;
});
