// A/B of the fused LayerNorm and GELU kernels on one GPT training step (vocab 65, ctx 64,
// d 128, 4 heads, 4 layers, batch 16, AdamW): the same process alternates rounds with the four
// fused kernels registered and unregistered (then LayerNorm and gelu use the composite ops),
// so load from other processes falls on both alike. Prints the kernel launches of one step
// (tf.profile) and the median ms per step over 5 rounds of 3 steps. Asserts nothing.
//
//   node bench/fused-kernels.mjs [cpu|wasm]      (needs the built packages)
import * as tf from '@tensorflow/tfjs-core';
import { performance } from 'node:perf_hooks';
import { core, importBuilt, losses, optimizers } from './workspace.mjs';

const FUSED_KERNELS = ['TensorZooLayerNorm', 'TensorZooLayerNormGrad', 'TensorZooGelu', 'TensorZooGeluGrad'];
const ROUNDS = 5;
const STEPS_PER_ROUND = 3;

const transformer = await importBuilt('transformer');
const backend = process.argv[2] ?? 'cpu';
await core.setBackend(backend);

const model = new transformer.GPT({ vocabSize: 65, contextLength: 64, dModel: 128, numHeads: 4, numLayers: 4, rng: 1 });
const inputs = tf.randomUniform([16, 64], 0, 65, 'int32', 1);
const targets = tf.randomUniform([16, 64], 0, 65, 'int32', 2);
const optimizer = optimizers.adamW({ lr: 3e-4, weightDecay: 0.01 });
const parameters = model.parameterRecord();
const nameOf = new Map(Object.entries(parameters).map(([name, variable]) => [variable.name, name]));

/** One training step: forward, loss, backward, AdamW update, loss read back. */
async function step() {
  const loss = () => losses.sparseCategoricalCrossEntropy(targets, model.call(inputs), { fromLogits: true });
  const { value, grads } = tf.variableGrads(loss, Object.values(parameters));
  optimizer.step(parameters, Object.fromEntries(Object.entries(grads).map(([id, gradient]) => [nameOf.get(id), gradient])));
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
}

const kernels = FUSED_KERNELS.map((name) => tf.getKernel(name, backend));
if (kernels.some((kernel) => kernel === undefined)) throw new Error(`bench: the fused kernels are not registered on ${backend}.`);
/** Registers the fused kernels (`true`) or removes them, so the layers fall back to the composite ops. */
function useFused(on) {
  for (const kernel of kernels) {
    if (tf.getKernel(kernel.kernelName, backend)) tf.unregisterKernel(kernel.kernelName, backend);
    if (on) tf.registerKernel(kernel);
  }
}

const modes = { fused: true, composite: false };
const launches = {};
const times = { fused: [], composite: [] };
for (const [mode, on] of Object.entries(modes)) {
  useFused(on);
  await step();
  launches[mode] = (await tf.profile(step)).kernels.length;
}
for (let round = 0; round < ROUNDS; round++) {
  for (const [mode, on] of Object.entries(modes)) {
    useFused(on);
    await step();
    const started = performance.now();
    for (let index = 0; index < STEPS_PER_ROUND; index++) await step();
    times[mode].push((performance.now() - started) / STEPS_PER_ROUND);
  }
}
useFused(true);
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
console.log(
  JSON.stringify({
    backend,
    launches,
    medianMs: { fused: Number(median(times.fused).toFixed(1)), composite: Number(median(times.composite).toFixed(1)) },
    roundMs: times,
  }),
);
