#!/usr/bin/env node
// Packed-tarball smoke test: `pnpm pack` every package, install the tarballs into a fresh
// temporary npm project, then train the y = 2x + 1 regression for a few steps with plain
// `node` from an ESM and a CJS script. This checks what users get from npm: the built
// dist, the exports map, and gradient registration without Vitest's resolver.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'tensorzoo-smoke-'));
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

try {
  const tarballs = [];
  for (const name of readdirSync(join(root, 'packages'))) {
    const dir = join(root, 'packages', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const output = run('pnpm', ['pack', '--pack-destination', work], dir).trim().split('\n').pop();
    tarballs.push(output.startsWith('/') ? output : join(work, output));
  }
  const project = join(work, 'project');
  run('mkdir', ['-p', project], work);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '@tensorflow/tfjs-core@4.22.0', ...tarballs], project);

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
  process.stdout.write(run('node', ['esm.mjs'], project));
  process.stdout.write(run('node', ['cjs.cjs'], project));
  process.stdout.write(run('node', ['node_modules/@tensorzoo/cli/dist/bin.cjs', 'list'], project));
  console.log(`smoke-tarballs: ${tarballs.length} packages installed from tarballs; ESM and CJS trained.`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
