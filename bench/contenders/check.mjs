#!/usr/bin/env node
// Times only the contenders (tfjs-layers, jax-js) on the issue-13 workloads, without TensorZoo
// and PyTorch: a check of the contender code, or their numbers alone. A separate entry point
// because workloads.mjs imports index.mjs.
//
//   node bench/contenders/check.mjs [--quick] [--only mlp-sgd,cnn-adam] [--backends cpu,wasm] [--rounds 1]
import { WORKLOADS } from '../workloads.mjs';
import { contenderTimer, workloadContenders } from './index.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const only = option('only')?.split(',');
const quick = args.includes('--quick');
const rounds = Number(option('rounds', quick ? 1 : 3));
const timer = contenderTimer({
  contenders: workloadContenders(option('backends', 'cpu,wasm').split(',')),
  workloads: WORKLOADS.filter((workload) => !only || only.includes(workload.name)),
  quick,
  log: (line) => process.stderr.write(`${line}\n`),
});
for (let round = 0; round < rounds; round++) await timer.round(`round ${round + 1}/${rounds}`);
for (const row of timer.rows()) {
  const medians = row.roundMediansMs.map((ms) => ms.toFixed(1)).join(', ');
  process.stdout.write(`${row.contender} (${row.backend}) ${row.workload}: ${row.medianMs.toFixed(1)} ms median of ${row.steps} (round medians ${medians}); ${row.label}\n`);
}
for (const note of timer.notes) process.stdout.write(`note: ${note}\n`);
