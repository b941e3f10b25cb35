#!/usr/bin/env node
// The training workloads of issue 13, timed on TensorZoo's cpu and wasm backends and in
// PyTorch (1 and 2 threads) in one run: MLP 784-2048-1024-10 with SGD and with Adam, a
// CNN conv32-pool-conv64-pool-128-10 with Adam, a GPT (vocab 65, ctx 64, d 128, 4 heads,
// 4 layers, batch 16) with AdamW, the dcgan-mnist step (one discriminator and one generator
// update), the vae-mnist step (784-400-20, negative ELBO, Adam) and a 512^3 matrix product. Per workload and backend:
// median ms per step, per-round medians, kernel launches, tensors made (kernel outputs) and
// peak bytes per step (tf.profile of one step). Nothing here passes or fails on speed.
//
//   node bench/workloads.mjs [--quick] [--backends cpu,wasm] [--only dcgan-adam,vae-adam] [--no-torch] [--contenders] [--json out.json]
//
// --contenders (run.mjs sets it) also times tfjs-layers and jax-js on the MLP and CNN workloads
// (contenders/), in the same rounds.
//
// run.mjs calls runWorkloads() and puts the result in bench/results/latest.{json,md}.
// With BENCH_PACKAGES (see workspace.mjs) it measures another checkout's built packages.
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { contenderTimer, workloadContenders } from './contenders/index.mjs';
import { randomArray } from './contenders/inputs.mjs';
import { summarize } from './timing.mjs';
import { core, importBuilt, losses, optimizers } from './workspace.mjs';

const transformer = await importBuilt('transformer', { optional: true });
const gan = await importBuilt('gan', { optional: true });
const vae = await importBuilt('vae', { optional: true });

/**
 * @typedef {object} Workload
 * @property {string} name
 * @property {string} description
 * @property {'mlp' | 'cnn' | 'gpt' | 'dcgan' | 'vae' | 'matmul' | 'generate'} kind
 * @property {number} [tokens] new tokens per step (generate)
 * @property {'sgd' | 'adam' | 'adamW'} [optimizer]
 * @property {number} lr
 * @property {number} batchSize
 */

/** @type {readonly Workload[]} The same JSON goes to workloads_torch.py. */
export const WORKLOADS = Object.freeze([
  { name: 'mlp-sgd', description: 'MLP 784-2048-1024-10, batch 64, SGD', kind: 'mlp', optimizer: 'sgd', lr: 0.01, batchSize: 64 },
  { name: 'mlp-adam', description: 'MLP 784-2048-1024-10, batch 64, Adam', kind: 'mlp', optimizer: 'adam', lr: 1e-3, batchSize: 64 },
  { name: 'cnn-adam', description: 'CNN conv32-pool-conv64-pool-128-10, batch 64, Adam', kind: 'cnn', optimizer: 'adam', lr: 1e-3, batchSize: 64 },
  { name: 'gpt-adamw', description: 'GPT vocab 65, ctx 64, d 128, 4 heads, 4 layers, batch 16, AdamW', kind: 'gpt', optimizer: 'adamW', lr: 3e-4, batchSize: 16 },
  {
    name: 'dcgan-adam',
    description: 'DCGAN of dcgan-mnist (G 100-7x7x48-14x14x24-28x28 with batch norm, D conv16-conv32, 4x4), batch 64: one D + one G update, Adam 2e-4',
    kind: 'dcgan',
    optimizer: 'adam',
    lr: 2e-4,
    batchSize: 64,
  },
  { name: 'vae-adam', description: 'VAE of vae-mnist (784-400-20, Bernoulli ELBO), batch 64, Adam', kind: 'vae', optimizer: 'adam', lr: 1e-3, batchSize: 64 },
  { name: 'matmul-512', description: 'matmul 512^3 (one product, read back)', kind: 'matmul', lr: 0, batchSize: 512 },
  {
    name: 'gpt-generate',
    description: 'GPT of gpt-adamw generating 64 tokens after a 1-token prompt, greedy, with the KV cache (one sequence)',
    kind: 'generate',
    lr: 0,
    batchSize: 1,
    tokens: 64,
  },
]);

/** Steps per round and rounds: full and --quick. */
const PLANS = { full: { warmup: 2, steps: 5, rounds: 3 }, quick: { warmup: 1, steps: 2, rounds: 1 } };
const GPT_SHAPE = { vocabSize: 65, contextLength: 64, dModel: 128, numHeads: 4, numLayers: 4 };

const crossEntropy = (labels, logits) => losses.sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true });

function makeOptimizer(workload) {
  if (workload.optimizer === 'sgd') return optimizers.sgd({ lr: workload.lr });
  if (workload.optimizer === 'adam') return optimizers.adam({ lr: workload.lr });
  return optimizers.adamW({ lr: workload.lr, weightDecay: 0.01 });
}

/** Model, batch and loss of a workload on the active backend. */
function build(workload) {
  const { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } = core;
  const batch = workload.batchSize;
  if (workload.kind === 'mlp') {
    const model = new Sequential(new Linear(784, 2048, { rng: 1 }), new ReLU(), new Linear(2048, 1024, { rng: 2 }), new ReLU(), new Linear(1024, 10, { rng: 3 }));
    const x = tf.tensor2d(randomArray(batch * 784, 1), [batch, 784]);
    const y = tf.tensor1d(Int32Array.from(randomArray(batch, 2, 10), Math.floor), 'int32');
    return { model, inputs: [x, y], loss: () => crossEntropy(y, model.call(x)) };
  }
  if (workload.kind === 'cnn') {
    const model = new Sequential(
      new Conv2d(1, 32, 3, { rng: 1 }), new ReLU(), new MaxPool2d(2), // [N, 13, 13, 32]
      new Conv2d(32, 64, 3, { rng: 2 }), new ReLU(), new MaxPool2d(2), // [N, 5, 5, 64]
      new Flatten(), new Linear(1600, 128, { rng: 3 }), new ReLU(), new Linear(128, 10, { rng: 4 }),
    );
    const x = tf.tensor4d(randomArray(batch * 28 * 28, 1), [batch, 28, 28, 1]);
    const y = tf.tensor1d(Int32Array.from(randomArray(batch, 2, 10), Math.floor), 'int32');
    return { model, inputs: [x, y], loss: () => crossEntropy(y, model.call(x)) };
  }
  if (workload.kind === 'vae') {
    const model = new vae.VAE({ hiddenDims: [400], latentDim: 20, rng: 1, noise: new core.Generator(2) });
    const x = tf.tensor4d(randomArray(batch * 784, 1), [batch, 28, 28, 1]); // pixels in [0, 1)
    return { model, inputs: [x], loss: () => vae.elboLoss(x, model.call(x, { sample: true })) };
  }
  const { vocabSize, contextLength } = GPT_SHAPE;
  const model = new transformer.GPT({ ...GPT_SHAPE, rng: 1 });
  const tokens = Int32Array.from(randomArray(batch * (contextLength + 1), 3, vocabSize), Math.floor);
  const rows = Array.from({ length: batch }, (_, row) => tokens.subarray(row * (contextLength + 1), (row + 1) * (contextLength + 1)));
  const x = tf.tensor2d(rows.flatMap((row) => Array.from(row.subarray(0, -1))), [batch, contextLength], 'int32');
  const y = tf.tensor2d(rows.flatMap((row) => Array.from(row.subarray(1))), [batch, contextLength], 'int32');
  return { model, inputs: [x, y], loss: () => crossEntropy(y, model.call(x)) };
}

/** A training step (forward, loss, backward, update, loss read back) or one matmul, plus its disposal. */
export function prepare(workload) {
  if (workload.kind === 'matmul') {
    const size = workload.batchSize;
    const a = tf.tensor2d(randomArray(size * size, 1), [size, size]);
    const b = tf.tensor2d(randomArray(size * size, 2), [size, size]);
    return {
      step: async () => {
        const product = tf.matMul(a, b);
        await product.data();
        product.dispose();
      },
      dispose: () => tf.dispose([a, b]),
    };
  }
  if (workload.kind === 'dcgan') return prepareGAN(workload);
  if (workload.kind === 'generate') return prepareGeneration(workload);
  const { model, inputs, loss } = build(workload);
  const optimizer = makeOptimizer(workload);
  const parameters = model.parameterRecord();
  const nameOf = new Map(Object.entries(parameters).map(([name, variable]) => [variable.name, name]));
  return {
    step: async () => {
      const { value, grads } = tf.variableGrads(loss, Object.values(parameters));
      const gradients = Object.fromEntries(Object.entries(grads).map(([id, gradient]) => [nameOf.get(id), gradient]));
      optimizer.step(parameters, gradients);
      const result = (await value.data())[0];
      tf.dispose([value, ...Object.values(grads)]);
      return result;
    },
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      tf.dispose(inputs);
    },
  };
}

/**
 * The dcgan-mnist training step as the CLI runs it: GANTrainer's discriminator update on a
 * real batch and a generated one, then its generator update on fresh noise (each with its
 * loss read back and the finite-weights check), the non-saturating loss from logits.
 */
function prepareGAN(workload) {
  const batch = workload.batchSize;
  const generator = new gan.DCGANGenerator({ latentDim: 100, channels: [48, 24], kernelSize: 4, batchNorm: true, rng: 1 });
  const discriminator = new gan.DCGANDiscriminator({ channels: [16, 32], kernelSize: 4, stride: 2, outputActivation: 'none', rng: 2 });
  const settings = { lr: workload.lr, betas: [0.5, 0.999] };
  const trainer = new gan.GANTrainer({
    generator,
    discriminator,
    generatorOptimizer: optimizers.adam(settings),
    discriminatorOptimizer: optimizers.adam(settings),
    loss: gan.nonSaturatingGANLoss({ fromLogits: true }),
    rng: 3,
  });
  const real = tf.tensor4d(randomArray(batch * 784, 4, 2).map((value) => value - 1), [batch, 28, 28, 1]); // [-1, 1)
  return {
    step: async () => {
      await trainer.discriminatorStep(real);
      return trainer.generatorStep(batch);
    },
    dispose: () => {
      tf.dispose(real);
      for (const disposable of [generator, discriminator, trainer.generatorOptimizer, trainer.discriminatorOptimizer]) disposable.dispose();
    },
  };
}

/**
 * Token-by-token generation with the KV cache as `generate()` runs it: the prompt once, then
 * one decoding step per new token against the cache, each token's logits read back.
 */
function prepareGeneration(workload) {
  const model = new transformer.GPT({ ...GPT_SHAPE, rng: 1 });
  model.eval();
  return {
    step: async () => {
      const tokens = await transformer.generate(model, [0], { maxNewTokens: workload.tokens, strategy: 'greedy' });
      if (tokens.length !== workload.tokens) throw new Error(`gpt-generate: expected ${workload.tokens} tokens, received ${tokens.length}`);
      return tokens.length;
    },
    dispose: () => model.dispose(),
  };
}

/** Kernel launches, tensors made and peak bytes of one step (tf.profile). */
async function profileStep(step) {
  const profile = await tf.profile(step);
  const tensorsMade = profile.kernels.reduce((total, kernel) => total + kernel.outputShapes.length, 0);
  return { launches: profile.kernels.length, tensorsMade, peakBytes: profile.peakBytes };
}

/** The built package a workload needs beyond core (undefined: none, or present). */
const missingPackage = (workload) =>
  ({ gpt: transformer === undefined && 'transformer', generate: transformer === undefined && 'transformer', dcgan: gan === undefined && 'gan', vae: vae === undefined && 'vae' })[
    workload.kind
  ] || undefined;
/** Whether a workload can run here (the GPT, DCGAN and VAE need their built packages). */
const available = (workload) => missingPackage(workload) === undefined;

/**
 * Times every workload on every backend, alternating backends and workloads round by round
 * so that load from other processes falls on all of them alike. `contenders`: also time
 * tfjs-layers and jax-js (contenders/index.mjs) in each round, after TensorZoo's backends.
 * `threads`: thread counts for TensorZoo's matrix products on cpu and wasm (`setNumThreads`);
 * each count above 1 adds a row per cpu/wasm workload with `threads` set.
 * @returns {Promise<{ rows: object[], notes: string[], contenders?: object[] }>}
 */
export async function runWorkloads({ backends = ['cpu', 'wasm'], threads = [1], quick = false, only, contenders = false, log = () => {} } = {}) {
  const chosen = WORKLOADS.filter((workload) => available(workload) && (!only || only.includes(workload.name)));
  const plan = quick ? PLANS.quick : PLANS.full;
  const notes = [];
  const samples = new Map();
  const profiles = new Map();
  const usable = [];
  for (const backend of backends) {
    try {
      await core.setBackend(backend, backend === 'webgpu' ? { allowFallbackAdapter: true } : undefined);
      usable.push(backend);
    } catch (error) {
      notes.push(`${backend} skipped: ${error.message}`);
    }
  }
  const others = contenders ? contenderTimer({ contenders: workloadContenders(usable), workloads: chosen, quick, log }) : undefined;
  // Thread counts apply to TensorZoo's matrix products on cpu and wasm (setNumThreads).
  const threadCounts = [1, ...threads.filter((count) => count > 1)];
  if (threadCounts.length > 1 && typeof core.setNumThreads !== 'function') {
    notes.push('thread counts skipped: this build of @tensorzoo/core has no setNumThreads');
    threadCounts.length = 1;
  }
  const variants = usable.flatMap((backend) => threadCounts.filter((count) => count === 1 || backend === 'cpu' || backend === 'wasm').map((count) => ({ backend, threads: count })));
  for (let round = 0; round < plan.rounds; round++) {
    for (const { backend, threads: threadCount } of variants) {
      await core.setBackend(backend, backend === 'webgpu' ? { allowFallbackAdapter: true } : undefined);
      if (typeof core.setNumThreads === 'function' && core.setNumThreads(threadCount) !== threadCount) {
        notes.push(`${backend} with ${threadCount} threads skipped: ${core.threadsUnavailableReason()}`);
        continue;
      }
      for (const workload of chosen) {
        const key = `${workload.name}/${backend}/${threadCount}`;
        if (samples.get(key) === null) continue; // failed before
        log(`workloads round ${round + 1}/${plan.rounds}: ${backend}${threadCount > 1 ? ` (${threadCount} threads)` : ''} ${workload.name}`);
        let prepared;
        try {
          prepared = prepare(workload);
          for (let index = 0; index < plan.warmup; index++) await prepared.step();
          if (!profiles.has(key)) profiles.set(key, await profileStep(prepared.step));
          const times = samples.get(key) ?? [];
          const roundTimes = [];
          for (let index = 0; index < plan.steps; index++) {
            const started = performance.now();
            await prepared.step();
            roundTimes.push(performance.now() - started);
          }
          times.push(roundTimes);
          samples.set(key, times);
        } catch (error) {
          notes.push(`${workload.name} on ${backend}${threadCount > 1 ? ` (${threadCount} threads)` : ''} fails: ${String(error.message).split('\n')[0]}`);
          samples.set(key, null);
        } finally {
          prepared?.dispose();
        }
      }
    }
    core.setNumThreads?.(1);
    await others?.round(`round ${round + 1}/${plan.rounds}`);
  }
  for (const workload of WORKLOADS.filter((each) => !available(each))) {
    notes.push(`${workload.name} skipped: packages/${missingPackage(workload)}/dist is not built`);
  }
  const rows = [];
  for (const workload of WORKLOADS) {
    for (const { backend, threads: threadCount } of variants) {
      const key = `${workload.name}/${backend}/${threadCount}`;
      const rounds = samples.get(key);
      if (!rounds) continue;
      const summary = summarize(rounds.flat());
      const flops = workload.kind === 'matmul' ? 2 * workload.batchSize ** 3 : undefined;
      rows.push({
        workload: workload.name,
        backend,
        threads: threadCount,
        // The WebAssembly instruction set of TensorZoo's products in this process ('relaxed-simd' under node --experimental-wasm-relaxed-simd).
        instructionSet: core.gemmInstructionSet?.(),
        ...summary,
        roundMediansMs: rounds.map((times) => summarize(times).medianMs),
        gflops: flops && flops / (summary.medianMs * 1e6),
        tokensPerSecond: workload.tokens && (1000 * workload.tokens) / summary.medianMs,
        ...profiles.get(key),
      });
    }
  }
  const contenderRows = others?.rows();
  return { rows, notes: [...notes, ...(others?.notes ?? [])], ...(contenderRows && { contenders: contenderRows }) };
}

/** Runs workloads_torch.py at 1 and 2 threads; returns its JSON or `{ available: false, reason }`. */
export function runTorchWorkloads({ quick = false, only, python = process.env.BENCH_PYTHON ?? '/usr/bin/python3' } = {}) {
  const environment = { ...process.env };
  delete environment.OPENBLAS_CORETYPE; // OpenBLAS detects the CPU itself, for this subprocess only
  delete environment.OPENBLAS_L2_SIZE;
  environment.OMP_WAIT_POLICY = 'PASSIVE'; // a spinning OpenMP thread starves OpenBLAS at 2 threads
  const script = fileURLToPath(new URL('./workloads_torch.py', import.meta.url));
  const plan = quick ? PLANS.quick : PLANS.full;
  const run = spawnSync(python, [script, JSON.stringify({ workloads: WORKLOADS.filter((workload) => !only || only.includes(workload.name)), plan, gpt: GPT_SHAPE })], {
    env: environment,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.error) return { available: false, reason: `${python}: ${run.error.message}` };
  if (run.status !== 0) return { available: false, reason: run.stderr.trim().split('\n').at(-1) || `exit status ${run.status}` };
  return { available: true, ...JSON.parse(run.stdout) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
  const quick = args.includes('--quick');
  const only = option('only')?.split(',');
  const result = await runWorkloads({
    backends: option('backends', 'cpu,wasm').split(','),
    threads: option('threads', '1').split(',').map(Number),
    quick,
    only,
    contenders: args.includes('--contenders'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const torch = args.includes('--no-torch') ? { available: false, reason: '--no-torch' } : runTorchWorkloads({ quick, only });
  const output = { date: new Date().toISOString(), packages: process.env.BENCH_PACKAGES ?? 'packages', ...result, torch };
  const text = JSON.stringify(output, null, 2);
  if (option('json')) writeFileSync(option('json'), `${text}\n`);
  process.stdout.write(`${text}\n`);
}
