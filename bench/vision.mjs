// Vision models at ImageNet size: ResNet-18 and MobileNetV2 inference (224x224, batch 1 and 8)
// and one ResNet-18 fine-tuning step (layer4 + fc trainable, batch 8) on TensorZoo's backends,
// next to torchvision on PyTorch CPU with 1 and 2 threads (bench/vision_torch.py).
//
// Usage: node bench/vision.mjs [--backends cpu,wasm] [--steps 3] [--batches 1,8]
//                              [--no-torch] [--no-finetune] [--json out.json]
// `webgpu` (Dawn in Node) is accepted in --backends; on a software adapter it measures SwiftShader.
// Needs the built core and cnn (`pnpm --filter @tensorzoo/core --filter @tensorzoo/cnn build`).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

async function importBuilt(name) {
  const entry = new URL(`../packages/${name}/dist/index.js`, import.meta.url);
  if (!existsSync(entry)) throw new Error(`bench: ${fileURLToPath(entry)} is missing; build @tensorzoo/${name} first.`);
  return import(entry.href);
}
const { setBackend } = await importBuilt('core');
const { resnet18, mobilenetV2 } = await importBuilt('cnn');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
};
const steps = Number(option('steps', 3));
const batches = option('batches', '1,8').split(',').map(Number);
const backends = option('backends', 'cpu,wasm').split(',');
const FINE_TUNE_BATCH = 8;
const LR = 0.01;

/** Warm-up once, then `steps` timed calls of `run` (each awaited); median and min in ms. */
async function timed(run) {
  await run();
  const samples = [];
  for (let index = 0; index < steps; index++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const round = (ms) => Math.round(ms * 10) / 10;
  return { medianMs: round(samples[Math.floor(samples.length / 2)]), minMs: round(samples[0]), steps };
}

/** Inference: eval mode, logits read back to JS (as an app would). */
async function inference(create, batch) {
  const model = create().eval();
  const images = tf.randomUniform([batch, 224, 224, 3], 0, 1, 'float32', 1);
  try {
    return await timed(async () => {
      const logits = model.call(images);
      await logits.data();
      logits.dispose();
    });
  } finally {
    images.dispose();
    model.dispose();
  }
}

/**
 * One fine-tuning step of ResNet-18: the frozen stem and layer1-3 run outside the gradient tape
 * (PyTorch does not record them either: requires_grad is off), then layer4 + fc forward,
 * softmax cross-entropy, gradients of layer4 + fc, SGD update, loss read back.
 */
async function fineTune() {
  const model = resnet18().train();
  const images = tf.randomUniform([FINE_TUNE_BATCH, 224, 224, 3], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([FINE_TUNE_BATCH], 0, 1000, 'int32', 2), 1000);
  const trainable = model.namedParameters().filter(([name]) => name.startsWith('layer4.') || name.startsWith('fc.')).map(([, variable]) => variable);
  try {
    return await timed(async () => {
      const frozen = tf.tidy(() => {
        let x = model.maxpool.call(tf.relu(model.bn1.call(model.conv1.call(images))));
        for (const layer of [model.layer1, model.layer2, model.layer3]) x = layer.call(x);
        return x; // [N, 14, 14, 256]
      });
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.fc.call(model.avgpool.call(model.layer4.call(frozen))); // [N, 1000]
        return tf.losses.softmaxCrossEntropy(labels, logits);
      }, trainable);
      tf.tidy(() => {
        for (const variable of trainable) variable.assign(tf.sub(variable, tf.mul(grads[variable.name], LR)));
      });
      await value.data();
      tf.dispose([frozen, value, ...Object.values(grads)]);
    });
  } finally {
    tf.dispose([images, labels]);
    model.dispose();
  }
}

function torchTimings() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL('./vision_torch.py', import.meta.url));
  const plan = JSON.stringify({ steps, batches, threads: [1, 2] });
  const result = spawnSync(process.env.BENCH_PYTHON ?? '/usr/bin/python3', [script, plan], { env, encoding: 'utf8' });
  if (result.status !== 0) return { error: (result.stderr || result.error?.message || 'failed').trim().split('\n').pop() };
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

const cases = [];
for (const batch of batches) cases.push([`resnet18 inference batch ${batch}`, () => inference(() => resnet18(), batch)]);
for (const batch of batches) cases.push([`mobilenet_v2 inference batch ${batch}`, () => inference(() => mobilenetV2(), batch)]);
if (!args.includes('--no-finetune')) cases.push([`resnet18 fine-tune step batch ${FINE_TUNE_BATCH}`, fineTune]);

const report = { steps, backends: {}, torch: undefined };
for (const backend of backends) {
  try {
    await setBackend(backend, backend === 'webgpu' ? { allowFallbackAdapter: true } : undefined);
  } catch (error) {
    report.backends[backend] = { error: String(error.message ?? error) };
    console.log(`${backend}: unavailable (${error.message ?? error})`);
    continue;
  }
  const entry = {};
  for (const [name, run] of cases) {
    try {
      entry[name] = await run();
    } catch (error) {
      entry[name] = { error: String(error.message ?? error).split('\n')[0] };
    }
    console.log(`${backend} ${name}: ${JSON.stringify(entry[name])}`);
  }
  report.backends[backend] = entry;
}
if (!args.includes('--no-torch')) {
  report.torch = torchTimings();
  console.log(`torch: ${JSON.stringify(report.torch)}`);
}

// The table: median ms per case, and the ratio to PyTorch with 1 and 2 threads.
const torchThreads = report.torch?.threads ?? {};
const header = ['case', ...backends.map((b) => `${b} ms`), 'torch 1t ms', 'torch 2t ms', ...backends.flatMap((b) => [`${b} / torch 1t`, `${b} / torch 2t`])];
const rows = cases.map(([name]) => {
  const ms = (result) => (result && result.medianMs !== undefined ? result.medianMs : undefined);
  const torch1 = ms(torchThreads['1']?.[name]);
  const torch2 = ms(torchThreads['2']?.[name]);
  const ours = backends.map((backend) => ms(report.backends[backend]?.[name]));
  const ratio = (a, b) => (a !== undefined && b !== undefined ? (a / b).toFixed(1) : 'n/a');
  return [name, ...ours.map((value) => value ?? 'n/a'), torch1 ?? 'n/a', torch2 ?? 'n/a', ...ours.flatMap((value) => [ratio(value, torch1), ratio(value, torch2)])];
});
const table = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
console.log(`\n${table}`);
const json = option('json', undefined);
if (json) writeFileSync(json, JSON.stringify({ ...report, table }, null, 2));
