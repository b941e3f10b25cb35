// Imports every browser-usable @tensorzoo package and trains one step of a small GPT.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, setBackend } from '@tensorzoo/core';
import { sparseCategoricalCrossEntropy } from '@tensorzoo/losses';
import { adamW } from '@tensorzoo/optimizers';
import { MultiHeadAttention } from '@tensorzoo/attention';
import { GPT, CharTokenizer } from '@tensorzoo/transformer';
import { LeNet5 } from '@tensorzoo/cnn';
import { DCGANGenerator } from '@tensorzoo/gan';
import { VAE } from '@tensorzoo/vae';
import { batches, linearRegressionData } from '@tensorzoo/datasets';
import { backend, OPTIONS, report } from './harness.js';

report(async () => {
  const active = await setBackend(backend(), OPTIONS);
  if (active !== backend()) throw new Error(`asked for ${backend()}, got ${active}`);
  const tokenizer = CharTokenizer.fromText('hello tensorzoo');
  const model = new GPT({ vocabSize: tokenizer.size, contextLength: 8, dModel: 16, numHeads: 2, numLayers: 1, rng: 1 });
  const optimizer = adamW({ lr: 1e-2 });
  const ids = tf.tensor2d([tokenizer.encode('hello te')], [1, 8], 'int32');
  const targets = tf.tensor2d([tokenizer.encode('ello ten')], [1, 8], 'int32');
  const losses = [];
  for (let step = 0; step < 3; step++) {
    const { value, grads } = tf.variableGrads(() => sparseCategoricalCrossEntropy(targets, model.call(ids), { fromLogits: true }), model.parameters());
    optimizer.step(model.parameterRecord(), Object.fromEntries(model.namedParameters().map(([name, variable]) => [name, grads[variable.name]])));
    losses.push((await value.data())[0]);
    tf.dispose([value, ...Object.values(grads)]);
  }
  if (!(losses[2] < losses[0])) throw new Error(`GPT loss did not fall: ${losses}`);
  const parts = [new MultiHeadAttention(8, 2, { rng: 1 }), new LeNet5(), new DCGANGenerator({ latentDim: 8 }), new VAE()];
  const data = linearRegressionData({ n: 8, rng: new Generator(0) });
  const count = [...batches(data, { batchSize: 4 })].length;
  return `${active}: GPT loss ${losses[0].toFixed(3)} -> ${losses[2].toFixed(3)}; ${parts.length} more models built; ${count} batches`;
});
