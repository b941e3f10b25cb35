#!/usr/bin/env node
// Packed-tarball smoke test: `pnpm pack` every package, install the tarballs into a fresh
// temporary npm project, then train the y = 2x + 1 regression for a few steps with plain
// `node` from an ESM and a CJS script. This checks what users get from npm: the built
// dist, the exports map, and gradient registration without Vitest's resolver.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmProject, packAll, root, run } from './lib/tarballs.mjs';

const work = mkdtempSync(join(tmpdir(), 'tensorzoo-smoke-'));

try {
  const tarballs = packAll(work);
  const project = join(work, 'project');
  npmProject(project, ['@tensorflow/tfjs-core@4.22.0', ...tarballs]);

  const body = (imports) => `${imports}
async function main() {
  await setBackend('cpu');
  // gradients and chained ops must work with no extra import
  const g = tf.grad((x) => x.square())(tf.tensor1d([3]));
  if ((await g.data())[0] !== 6) throw new Error('gradient of x^2 at 3 should be 6');
  const data = linearRegressionData({ n: 64, slope: 2, intercept: 1, noiseStd: 0, xRange: [-1, 1], rng: new Generator(1) });
  const model = new Sequential(new Linear(1, 8, { rng: 1 }), new Sigmoid(), new Linear(8, 1, { rng: 2 }));
  const x = tf.tensor2d(data.features, [data.size, 1]);
  const y = tf.tensor2d(data.targets, [data.size, 1]);
  const history = await fit(model, { x, y }, { loss: meanSquaredError, optimizer: adam({ lr: 0.05 }), epochs: 8, batchSize: 16 });
  const first = history.loss[0], last = history.loss[history.loss.length - 1];
  if (!(last < first * 0.7)) throw new Error('loss did not fall: ' + history.loss.join(', '));
  console.log(FLAVOUR + ': loss ' + first.toFixed(4) + ' -> ' + last.toFixed(4));
}
main().catch((error) => { console.error(error); process.exit(1); });
`;
  writeFileSync(
    join(project, 'esm.mjs'),
    `const FLAVOUR = 'ESM';\n` +
      body(`import * as tf from '@tensorflow/tfjs-core';
import { fit, Generator, Linear, Sequential, setBackend, Sigmoid } from '@tensorzoo/core';
import { meanSquaredError } from '@tensorzoo/losses';
import { adam } from '@tensorzoo/optimizers';
import { linearRegressionData } from '@tensorzoo/datasets';`),
  );
  writeFileSync(
    join(project, 'cjs.cjs'),
    `const FLAVOUR = 'CJS';\n` +
      body(`const tf = require('@tensorflow/tfjs-core');
const { fit, Generator, Linear, Sequential, setBackend, Sigmoid } = require('@tensorzoo/core');
const { meanSquaredError } = require('@tensorzoo/losses');
const { adam } = require('@tensorzoo/optimizers');
const { linearRegressionData } = require('@tensorzoo/datasets');`),
  );
  // Importing every package changes no global state beyond tfjs-core's own gradient and
  // chained-op registration: no new globals, no kernel registered or replaced, no backend.
  writeFileSync(
    join(project, 'globals.mjs'),
    `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
const kernels = () => tf.getKernelsForBackend('cpu').map((kernel) => kernel.kernelName + ':' + kernel.kernelFunc.toString().length).join();
const globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));
const kernelsBefore = kernels();
const backendsBefore = Object.keys(tf.engine().registryFactory).join();
for (const name of ['core', 'losses', 'optimizers', 'attention', 'transformer', 'cnn', 'gan', 'vae', 'datasets']) await import('@tensorzoo/' + name);
const added = Object.getOwnPropertyNames(globalThis).filter((name) => !globalsBefore.has(name));
const changes = [];
if (added.length) changes.push('new globals: ' + added.join(', '));
if (kernels() !== kernelsBefore) changes.push('cpu kernels changed');
if (Object.keys(tf.engine().registryFactory).join() !== backendsBefore) changes.push('backends registered');
if (!tf.getGradient('Square')) changes.push('gradients NOT registered');
if (changes.length) { console.error('import side effects: ' + changes.join('; ')); process.exit(1); }
console.log('import side effects: none (globals, kernels and backends unchanged; tfjs-core gradients registered)');
`,
  );
  // Two-thread products: the workers start from the dist's inline code, give the one-thread
  // numbers bit for bit, and an idle pool does not keep the process alive (a hang fails
  // through the timeout).
  const threads = (imports) => `${imports}
async function main() {
  await setBackend('cpu');
  const a = tf.randomNormal([256, 512], 0, 1, 'float32', 1), b = tf.randomNormal([512, 384], 0, 1, 'float32', 2);
  const one = await tf.matMul(a, b).data();
  if (setNumThreads(2) !== 2) throw new Error('setNumThreads(2) gave one thread: ' + threadsUnavailableReason());
  for (let waited = 0; getNumThreads() < 2; waited += 10) {
    if (waited > 10000) throw new Error('the worker did not start within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const two = await tf.matMul(a, b).data();
  if (!one.every((value, i) => Object.is(value, two[i]))) throw new Error('2-thread product differs from 1-thread product');
  console.log(FLAVOUR + ': 2-thread matMul equals the 1-thread product bit for bit');
}
main().catch((error) => { console.error(error); process.exit(1); });
`;
  writeFileSync(
    join(project, 'threads.mjs'),
    `const FLAVOUR = 'ESM threads';\n` + threads(`import * as tf from '@tensorflow/tfjs-core';\nimport { getNumThreads, setBackend, setNumThreads, threadsUnavailableReason } from '@tensorzoo/core';`),
  );
  writeFileSync(
    join(project, 'threads.cjs'),
    `const FLAVOUR = 'CJS threads';\n` + threads(`const tf = require('@tensorflow/tfjs-core');\nconst { getNumThreads, setBackend, setNumThreads, threadsUnavailableReason } = require('@tensorzoo/core');`),
  );
  for (const script of ['threads.mjs', 'threads.cjs']) {
    process.stdout.write(execFileSync('node', [script], { cwd: project, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 60_000 }));
  }
  process.stdout.write(run('node', ['globals.mjs'], project));
  process.stdout.write(run('node', ['esm.mjs'], project));
  process.stdout.write(run('node', ['cjs.cjs'], project));
  process.stdout.write(run('node', ['node_modules/@tensorzoo/cli/dist/bin.cjs', 'list'], project));
  // No copy of tfjs-core's code in any dist: its engine and gradient configs are tfjs-core's alone.
  const copied = [];
  for (const name of readdirSync(join(root, 'packages'))) {
    const dist = join(root, 'packages', name, 'dist');
    for (const file of readdirSync(dist, { recursive: true })) {
      if (!/\.(c|m)?js$/.test(file)) continue;
      const text = readFileSync(join(dist, file), 'utf8');
      if (/[a-z]GradConfig\b|_tfengine|class Engine\b/.test(text)) copied.push(`packages/${name}/dist/${file}`);
    }
  }
  if (copied.length) throw new Error(`tfjs-core code copied into: ${copied.join(', ')}`);
  console.log(`smoke-tarballs: ${tarballs.length} packages installed from tarballs; ESM and CJS trained; no tfjs-core code in any dist.`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
