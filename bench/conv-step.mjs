// One CNN training step on CPU-class backends: tfjs's stock kernels vs TensorZoo's
// (installed by @tensorzoo/core's setBackend), and PyTorch CPU on the same machine.
//
// Model (MNIST-sized, batch 64): Conv2d 1->32 3x3 + ReLU + MaxPool 2 + Conv2d 32->64 3x3
// + ReLU + MaxPool 2 + Flatten + Linear 1600->10, softmax cross-entropy, plain SGD.
//
// Usage: node bench/conv-step.mjs [--steps 5] [--stock-steps 2] [--backends cpu,wasm]
//                                 [--no-stock] [--no-torch] [--json out.json]
// Needs the built core (`npx turbo run build --filter=@tensorzoo/core`).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const coreEntry = new URL('../packages/core/dist/index.js', import.meta.url);
if (!existsSync(coreEntry)) throw new Error(`bench: ${fileURLToPath(coreEntry)} is missing; build @tensorzoo/core first.`);
const core = await import(coreEntry.href);
const { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, setBackend, installFastKernels, restoreStockKernels } = core;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
};
const steps = Number(option('steps', 5));
const stockSteps = Number(option('stock-steps', 2));
const backends = option('backends', 'cpu,wasm').split(',');
const withStock = !args.includes('--no-stock');
const withTorch = !args.includes('--no-torch');
const BATCH = 64;
const LR = 0.01;

function createModel() {
  return new Sequential(
    new Conv2d(1, 32, 3, { rng: 1 }), // [N, 26, 26, 32]
    new ReLU(),
    new MaxPool2d(2), // [N, 13, 13, 32]
    new Conv2d(32, 64, 3, { rng: 2 }), // [N, 11, 11, 64]
    new ReLU(),
    new MaxPool2d(2), // [N, 5, 5, 64]
    new Flatten(), // [N, 1600]
    new Linear(1600, 10, { rng: 3 }), // [N, 10]
  );
}

/** Mean softmax cross-entropy of logits [N, C] against int32 labels [N] (torch's CrossEntropyLoss). */
function crossEntropy(logits, labels) {
  const logProbabilities = tf.logSoftmax(logits); // [N, C]
  const picked = tf.sum(tf.mul(logProbabilities, tf.oneHot(labels, logits.shape[1])), 1); // [N]
  return tf.neg(tf.mean(picked));
}

/** Times `count` SGD steps (forward, backward, update, loss read back); returns ms per step. */
async function timeSteps(count) {
  const model = createModel();
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
  const parameters = model.parameters();
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => crossEntropy(model.call(x), labels), parameters);
    tf.tidy(() => {
      for (const variable of parameters) variable.assign(tf.sub(variable, tf.mul(grads[variable.name], LR)));
    });
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  try {
    await step(); // warm-up (JIT, allocations)
    const samples = [];
    for (let index = 0; index < count; index++) {
      const started = performance.now();
      await step();
      samples.push(performance.now() - started);
    }
    return summarise(samples);
  } finally {
    tf.dispose([x, labels]);
    model.dispose();
  }
}

function summarise(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return { medianMs: round(median), minMs: round(sorted[0]), steps: samples.length };
}
const round = (ms) => Math.round(ms * 10) / 10;

/** PyTorch CPU: the same model and step, run by /usr/bin/python3 (default threads and 1 thread). */
function torchTiming() {
  const script = `
import json, time, statistics, torch
from torch import nn
def run(label, threads, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 10))
    opt = torch.optim.SGD(model.parameters(), lr=${LR})
    x = torch.rand(${BATCH}, 1, 28, 28); y = torch.randint(0, 10, (${BATCH},))
    loss_fn = nn.CrossEntropyLoss()
    def step():
        opt.zero_grad(set_to_none=True); loss = loss_fn(model(x), y); loss.backward(); opt.step(); return loss.item()
    for _ in range(5): step()
    samples = []
    for _ in range(steps):
        t = time.perf_counter(); step(); samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {"label": label, "threads": threads, "medianMs": round(samples[len(samples) // 2], 1), "minMs": round(samples[0], 1), "steps": steps}
default_threads = torch.get_num_threads()
print(json.dumps({"torch": torch.__version__, "results": [run("default", default_threads, 30), run("1 thread", 1, 30), run("2 threads", 2, 30)]}))
`;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const result = spawnSync('/usr/bin/python3', ['-c', script], { env, encoding: 'utf8' });
  if (result.status !== 0) return { error: (result.stderr || result.error?.message || 'failed').trim().split('\n').pop() };
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

const report = { batch: BATCH, model: 'conv1-32 3x3, relu, maxpool, conv32-64 3x3, relu, maxpool, linear 1600-10', backends: {} };
for (const backend of backends) {
  const entry = {};
  try {
    await setBackend(backend); // installs TensorZoo's kernels for cpu / wasm
  } catch (error) {
    report.backends[backend] = { error: String(error.message ?? error) };
    console.log(`${backend}: unavailable (${error.message ?? error})`);
    continue;
  }
  if (withStock) {
    restoreStockKernels(backend);
    try {
      entry.stock = await timeSteps(stockSteps);
    } catch (error) {
      entry.stock = { error: String(error.message ?? error).split('\n')[0] };
    }
    installFastKernels(backend);
  }
  entry.tensorzoo = await timeSteps(steps);
  if (entry.stock?.medianMs) entry.speedup = round(entry.stock.medianMs / entry.tensorzoo.medianMs);
  report.backends[backend] = entry;
  console.log(`${backend}: stock ${JSON.stringify(entry.stock)}  tensorzoo ${JSON.stringify(entry.tensorzoo)}${entry.speedup ? `  speedup x${entry.speedup}` : ''}`);
}
if (withTorch) {
  report.torch = torchTiming();
  console.log(`pytorch cpu: ${JSON.stringify(report.torch)}`);
  for (const [backend, entry] of Object.entries(report.backends)) {
    if (!entry.tensorzoo) continue;
    entry.versusTorch = Object.fromEntries((report.torch.results ?? []).map((run) => [run.label, round(entry.tensorzoo.medianMs / run.medianMs)]));
    console.log(`${backend}: tensorzoo / pytorch = ${Object.entries(entry.versusTorch).map(([label, ratio]) => `x${ratio} (torch ${label})`).join(', ')}`);
  }
}
const jsonPath = option('json');
if (jsonPath) writeFileSync(jsonPath, JSON.stringify(report, null, 2));
