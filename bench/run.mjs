#!/usr/bin/env node
// TensorZoo benchmarks: median ms per training step, side by side with tfjs-layers on the
// same tfjs backend and with PyTorch on the CPU, reported as ratios (lower is better), plus
// a tf.memory() reading before and after 200 steps. Nothing here passes or fails on speed.
//
//   pnpm bench                    # builds the packages, then runs this
//   node bench/run.mjs            # when packages/*/dist is already built
//   node bench/run.mjs --quick    # smoke run (< 2 min): few steps, no memory check
//   node bench/run.mjs --quick --out /tmp/results   # the same, writing its results there
//
// Also times the issue-13 training workloads (workloads.mjs: MLP SGD/Adam, CNN, GPT,
// matmul) on cpu and wasm and in PyTorch at 1 and 2 threads, with kernel launches per step,
// and tfjs-layers and jax-js on the MLP and CNN workloads (contenders/).
// Writes bench/results/latest.json, bench/results/latest.md and the chart
// bench/results/latest.svg (chart.mjs) - not with --quick, unless --write is given: a smoke
// run should not replace the committed results.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CASES, MEMORY_MAX_SECONDS, MEMORY_STEPS } from './cases.mjs';
import { writeChart } from './chart.mjs';
import { QUICK_SKIPPED, contenderVersions } from './contenders/index.mjs';
import { jaxUnsupported, layersUnsupported, workloadSummary } from './contenders/summary.mjs';
import { tensorzooKernels, withStockKernels } from './contenders/tfjs-layers.mjs';
import { makeBatch } from './data.mjs';
import { layersStep } from './tfjs-layers.mjs';
import { measureTensorzooMemory, tensorzooFit, tensorzooStep } from './tensorzoo.mjs';
import { compareInterleaved, sampleSteps } from './timing.mjs';
import { runTorchWorkloads, runWorkloads } from './workloads.mjs';
import { core } from './workspace.mjs';

const QUICK = process.argv.includes('--quick');
/** --out <folder>: write the results there instead of bench/results/ (also with --quick). */
const OUT = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : undefined;
const WRITE = !QUICK || process.argv.includes('--write') || OUT !== undefined;
/** --quick: a few steps per case, enough to show that everything runs. */
const cases = QUICK ? CASES.map((benchCase) => ({ ...benchCase, warmup: 2, steps: 6, rounds: 2, maxSeconds: 3 })) : CASES;

/** Backends compared, in order; one that does not load in this Node is skipped with a note. */
const BACKENDS = ['cpu', 'wasm'];
/** Debian's python3-torch; set BENCH_PYTHON to use another interpreter (e.g. a virtualenv's). */
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const TORCH_TIMEOUT_MS = 150_000;
const resultsFolder = OUT ? pathToFileURL(`${resolve(OUT)}/`) : new URL('./results/', import.meta.url);

const progress = (line) => process.stderr.write(`${line}\n`);

/** Runs torch_bench.py; returns its JSON, or `{ available: false, reason }`. */
function runTorch() {
  progress('pytorch: running bench/torch_bench.py ...');
  const environment = { ...process.env };
  // OpenBLAS detects the CPU itself: the machine-wide overrides are removed for this subprocess only.
  delete environment.OPENBLAS_CORETYPE;
  delete environment.OPENBLAS_L2_SIZE;
  environment.OMP_WAIT_POLICY = 'PASSIVE'; // a spinning OpenMP thread starves OpenBLAS with 2+ threads
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const run = spawnSync(PYTHON, [script, JSON.stringify(cases)], { env: environment, encoding: 'utf8', timeout: TORCH_TIMEOUT_MS });
  if (run.error) return { available: false, reason: `${PYTHON}: ${run.error.message}` };
  if (run.status !== 0) return { available: false, reason: lastLine(run.stderr) || `exit status ${run.status}` };
  return { available: true, ...JSON.parse(run.stdout) };
}

const lastLine = (text) => text.trim().split('\n').at(-1) ?? '';

/**
 * Times the workloads once more on cpu and wasm (one thread) in a Node started with
 * `--experimental-wasm-relaxed-simd`, where TensorZoo's products take fused multiply-adds as
 * they do by default in Chrome/Edge 114+, Firefox 146+ and Node 22+; adds those rows (marked
 * `relaxedRun`) to `workloads`, or a note where this Node has no relaxed SIMD. A separate
 * process, after the main rounds: compare its ratios, not its times, with the rows above.
 */
function addRelaxedSimdRows(workloads) {
  progress('workloads: cpu and wasm again with node --experimental-wasm-relaxed-simd ...');
  const output = resolve(os.tmpdir(), `tensorzoo-relaxed-${process.pid}.json`);
  const script = fileURLToPath(new URL('./workloads.mjs', import.meta.url));
  const run = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', script, '--backends', BACKENDS.join(','), '--no-torch', '--json', output], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 600_000,
  });
  if (run.status !== 0) {
    workloads.notes.push(`relaxed SIMD rows skipped: node --experimental-wasm-relaxed-simd exited with ${run.error?.message ?? `status ${run.status}`}`);
    return;
  }
  const result = JSON.parse(readFileSync(output, 'utf8'));
  rmSync(output, { force: true });
  const rows = result.rows.filter((row) => row.instructionSet === 'relaxed-simd');
  if (rows.length === 0) {
    workloads.notes.push('relaxed SIMD rows skipped: this Node has no relaxed SIMD even with --experimental-wasm-relaxed-simd');
    return;
  }
  workloads.rows.push(...rows.map((row) => ({ ...row, relaxedRun: true })));
  workloads.notes.push(...result.notes.map((note) => `relaxed SIMD run: ${note}`));
}

/** What the backend is running on, e.g. whether wasm has SIMD and threads in this Node. */
async function describeBackend(backend) {
  const kernels = tensorzooKernels(backend);
  const ours = kernels.length > 0 ? `; TensorZoo kernels for ${kernels.join(', ')}` : '';
  if (backend !== 'wasm') return `plain JS, one thread${ours}${gemmNote()}`;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return `SIMD ${simd ? 'on' : 'off'}, ${threads ? 'multi-threaded' : 'one thread'}${ours}`;
}

/** The instruction set of TensorZoo's cpu matrix product (relaxed SIMD needs `node --experimental-wasm-relaxed-simd` in Node 20). */
const gemmNote = () => (core.gemmInstructionSet ? `; GEMM: WebAssembly ${core.gemmInstructionSet() === 'relaxed-simd' ? 'relaxed SIMD (fused multiply-add)' : core.gemmInstructionSet() === 'simd' ? 'SIMD' : 'none (TypeScript)'}` : '');

/**
 * Times one case on the current backend: TensorZoo step, TensorZoo fit() and tfjs-layers,
 * interleaved. Also records the loss of the hand-written TensorZoo step and of tfjs-layers
 * before and after, so a step that does not train (a broken kernel) does not go unnoticed.
 */
async function timeCase(benchCase, backend) {
  progress(`${backend} ${benchCase.name}: TensorZoo step, TensorZoo fit(), tfjs-layers trainOnBatch`);
  const batch = makeBatch(benchCase);
  const manual = tensorzooStep(benchCase, batch);
  const viaFit = tensorzooFit(benchCase, batch);
  const layers = layersStep(benchCase, batch);
  try {
    const layersStock = () => withStockKernels(backend, layers.step);
    const firstLoss = { tensorzoo: await manual.step(), layers: await layersStock() };
    const timings = await compareInterleaved(
      {
        tensorzoo: sampleSteps(manual.step),
        tensorzooFit: viaFit.sample,
        layers: (count) => withStockKernels(backend, () => sampleSteps(layers.step)(count)),
      },
      benchCase,
    );
    const lastLoss = { tensorzoo: await manual.step(), layers: await layersStock() };
    return { ...timings, loss: { first: firstLoss, last: lastLoss } };
  } finally {
    for (const contender of [manual, viaFit, layers]) contender.dispose();
    tf.dispose([batch.x, batch.y]);
  }
}

/**
 * Notes when the losses look wrong: a contender whose loss did not fall by 10% while it was
 * timed on one fixed batch, or initial losses more than 10x apart (same data and objective,
 * only the initialisations differ). The timing of such a step measures a broken computation.
 */
function checkTraining(benchCase, backend, loss) {
  const where = `${benchCase.name} / ${backend}`;
  const notes = [];
  for (const contender of ['tensorzoo', 'layers']) {
    const [first, last] = [loss.first[contender], loss.last[contender]];
    if (!(Number.isFinite(last) && last < 0.9 * first)) {
      notes.push(`${where}: ${contender} loss went ${first.toPrecision(3)} -> ${last.toPrecision(3)}, it did not train`);
    }
  }
  const initialRatio = loss.first.tensorzoo / loss.first.layers;
  if (!(initialRatio > 0.1 && initialRatio < 10)) {
    notes.push(
      `${where}: initial loss TensorZoo ${loss.first.tensorzoo.toPrecision(3)} vs tfjs-layers ${loss.first.layers.toPrecision(3)}, more than 10x apart`,
    );
  }
  return notes;
}

async function memoryCase(benchCase, backend) {
  progress(`${backend} ${benchCase.name}: memory over ${MEMORY_STEPS} steps`);
  const batch = makeBatch(benchCase);
  try {
    const readings = await measureTensorzooMemory(benchCase, batch, MEMORY_STEPS);
    return readings.map(({ path, before, after }) => ({
      case: benchCase.name,
      backend,
      path,
      numTensors: { before: before.numTensors, after: after.numTensors },
      numBytes: { before: before.numBytes, after: after.numBytes },
    }));
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
}

// ---------------------------------------------------------------------------------------
// Report

/** One row of the speed table: the timings, PyTorch's for the same case, and the ratios. */
function speedRow(benchCase, backend, timings, torch) {
  const pytorch = torch.available ? torch.results[benchCase.name] : undefined; // by thread count
  return {
    case: benchCase.name,
    backend,
    ...timings,
    pytorch,
    ratios: {
      tensorzooOverLayers: ratio(timings.tensorzoo.medianMs, timings.layers.medianMs),
      tensorzooOverPytorch: ratio(timings.tensorzoo.medianMs, pytorch?.['1']?.medianMs),
      fitOverStep: ratio(timings.tensorzooFit.medianMs, timings.tensorzoo.medianMs),
    },
    // The fastest step of each is the least disturbed by other processes on a busy machine.
    ratiosOfMin: {
      tensorzooOverLayers: ratio(timings.tensorzoo.minMs, timings.layers.minMs),
      tensorzooOverPytorch: ratio(timings.tensorzoo.minMs, pytorch?.['1']?.minMs),
    },
  };
}

const ratio = (numerator, denominator) => (numerator !== undefined && denominator !== undefined ? numerator / denominator : undefined);
const formatMs = (ms) => (ms === undefined ? 'n/a' : ms < 1 ? ms.toFixed(3) : ms.toFixed(2));
const formatRatio = (value) => (value === undefined ? 'n/a' : `${value.toFixed(2)}x`);
const formatDelta = (before, after) => `${before} -> ${after} (${after - before >= 0 ? '+' : ''}${after - before})`;

/** A markdown table, padded so it also reads as plain text in a terminal. */
function markdownTable(header, rows) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) => `| ${cells.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The workloads table: TensorZoo per backend next to PyTorch at 1 and 2 threads. */
function renderWorkloads(report) {
  const { workloads } = report;
  if (!workloads) return [];
  const torch = workloads.torch;
  const header = ['workload', 'backend', 'threads', 'TensorZoo ms (median)', 'round medians ms', 'launches / step', 'tensors / step', 'peak MB', 'PyTorch 1 thread ms', 'PyTorch 2 threads ms', 'TensorZoo / PyTorch 1 thread'];
  const rows = workloads.rows.map((row) => {
    const pytorch = torch.available ? torch.results[row.workload] : undefined;
    const unit =
      row.gflops !== undefined
        ? (ms, gflops) => `${formatMs(ms)} (${gflops.toFixed(0)} GFLOPS)`
        : row.tokensPerSecond !== undefined
          ? (ms, _gflops, tokensPerSecond) => `${formatMs(ms)} (${tokensPerSecond.toFixed(0)} tokens/s)`
          : (ms) => formatMs(ms);
    return [
      row.workload,
      row.relaxedRun ? `${row.backend} (relaxed SIMD)` : row.backend,
      row.threads ?? 1,
      unit(row.medianMs, row.gflops, row.tokensPerSecond),
      row.roundMediansMs.map((ms) => formatMs(ms)).join(', '),
      row.launches ?? 'n/a',
      row.tensorsMade ?? 'n/a',
      row.peakBytes === undefined ? 'n/a' : (row.peakBytes / 2 ** 20).toFixed(1),
      pytorch ? unit(pytorch['1'].medianMs, pytorch['1'].gflops, pytorch['1'].tokensPerSecond) : 'n/a',
      pytorch ? unit(pytorch['2'].medianMs, pytorch['2'].gflops, pytorch['2'].tokensPerSecond) : 'n/a',
      formatRatio(ratio(row.medianMs, pytorch?.['1']?.medianMs)),
    ];
  });
  const descriptions = Object.fromEntries(workloads.workloads.map((workload) => [workload.name, workload.description]));
  return [
    'Training workloads of issue 13 (median ms per step: forward + loss + backward + update + loss read back;',
    'matmul: one 512^3 product read back; gpt-generate: 64 new tokens with the KV cache). Launches, tensors (kernel outputs) and peak bytes are of one step',
    `(tf.profile). PyTorch ${torch.available ? torch.torchVersion : `n/a (${torch.reason})`}, 2 threads with OMP_WAIT_POLICY=PASSIVE.`,
    ...(workloads.rows.some((row) => row.relaxedRun)
      ? ["Backend '(relaxed SIMD)': timed after the others in a Node started with --experimental-wasm-relaxed-simd, TensorZoo's products with fused multiply-adds (the default in Chrome 114+ and Node 22+)."]
      : []),
    '',
    ...Object.entries(descriptions).map(([name, description]) => `- \`${name}\`: ${description}`),
    ...workloads.notes.map((note) => `- Note: ${note}`),
    '',
    markdownTable(header, rows),
    '',
    ...renderFrameworks(report),
  ];
}

/**
 * The workloads against the other frameworks, one row per workload as in issue 13: TensorZoo
 * per backend, tfjs-layers (better backend, stock kernels), jax-js (wasm) and PyTorch; the
 * ratios take TensorZoo's better backend. '-': the contender cannot express the workload.
 */
function renderFrameworks(report) {
  const { workloads } = report;
  if (!workloads.summary) return [];
  const backends = [...new Set(workloads.rows.filter((row) => (row.threads ?? 1) === 1).map((row) => row.backend))];
  const threadCounts = [...new Set(workloads.rows.map((row) => row.threads ?? 1).filter((count) => count > 1))];
  const threadsTitle = `TensorZoo ${threadCounts.join('/')} threads`;
  const relaxed = workloads.summary.some((row) => row.tensorzooRelaxed);
  const byName = Object.fromEntries(workloads.workloads.map((workload) => [workload.name, workload]));
  const optimizerName = { sgd: 'SGD', adam: 'Adam', adamW: 'AdamW' };
  const failed = (name, workload) => workloads.notes.some((note) => note.startsWith(`${name} (`) && note.includes(` cannot run ${workload.name}:`));
  const contenderCell = (summaryRow, { key, name, unsupported, withBackend }) => {
    const workload = byName[summaryRow.workload];
    if (unsupported(workload)) return '-';
    const entry = summaryRow[key];
    if (!entry) {
      if (report.quick && Object.entries(QUICK_SKIPPED).some(([contender, names]) => contender.startsWith(`${name}/`) && names.includes(workload.name))) return 'skipped (--quick)';
      return failed(name, workload) ? 'fails (see notes)' : 'n/a';
    }
    // Say so when the contender trained with another optimizer than the workload's.
    const optimizer = optimizerName[workload.optimizer];
    const parts = [withBackend && entry.backend, optimizer && !entry.label?.startsWith(optimizer) && entry.label].filter(Boolean);
    return `${formatMs(entry.medianMs)}${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`;
  };
  const header = [
    'workload',
    ...backends.map((backend) => `TensorZoo ${backend} ms`),
    'tfjs-layers ms (backend)',
    'jax-js wasm ms',
    ...(threadCounts.length > 0 ? [`${threadsTitle} ms (backend)`] : []),
    ...(relaxed ? ['TensorZoo relaxed SIMD ms (backend)'] : []),
    'PyTorch 1 thread ms',
    'PyTorch 2 threads ms',
    'TensorZoo / PyTorch 1 thread',
    'TensorZoo / jax-js',
    'TensorZoo / tfjs-layers',
    ...(threadCounts.length > 0 ? [`${threadsTitle} / PyTorch 1 thread`, `${threadsTitle} / PyTorch 2 threads`] : []),
    ...(relaxed ? ['TensorZoo relaxed SIMD / PyTorch 1 thread'] : []),
  ];
  const rows = workloads.summary.map((row) => [
    row.workload,
    ...backends.map((backend) => (row.tensorzooByBackend[backend] === undefined ? 'n/a' : `${formatMs(row.tensorzooByBackend[backend])}${backends.length > 1 && row.tensorzoo.backend === backend ? ' *' : ''}`)),
    contenderCell(row, { key: 'tfjsLayers', name: 'tfjs-layers', unsupported: layersUnsupported, withBackend: true }),
    contenderCell(row, { key: 'jaxJs', name: 'jax-js', unsupported: jaxUnsupported, withBackend: false }),
    ...(threadCounts.length > 0 ? [row.tensorzooThreads ? `${formatMs(row.tensorzooThreads.medianMs)} (${row.tensorzooThreads.backend}${threadCounts.length > 1 ? `, ${row.tensorzooThreads.threads}` : ''})` : 'n/a'] : []),
    ...(relaxed ? [row.tensorzooRelaxed ? `${formatMs(row.tensorzooRelaxed.medianMs)} (${row.tensorzooRelaxed.backend})` : 'n/a'] : []),
    formatMs(row.pytorch1),
    formatMs(row.pytorch2),
    formatRatio(row.ratios.tensorzooOverPytorch1),
    jaxUnsupported(byName[row.workload]) ? '-' : formatRatio(row.ratios.tensorzooOverJaxJs),
    layersUnsupported(byName[row.workload]) ? '-' : formatRatio(row.ratios.tensorzooOverTfjsLayers),
    ...(threadCounts.length > 0 ? [formatRatio(row.ratios.tensorzooThreadsOverPytorch1), formatRatio(row.ratios.tensorzooThreadsOverPytorch2)] : []),
    ...(relaxed ? [formatRatio(row.ratios.tensorzooRelaxedOverPytorch1)] : []),
  ]);
  const contenderRows = (workloads.contenders ?? []).map((row) => [
    row.contender,
    row.backend,
    row.workload,
    row.label,
    formatMs(row.medianMs),
    row.roundMediansMs.map((ms) => formatMs(ms)).join(', '),
    row.steps,
    `${row.loss.first?.toFixed(4)} -> ${row.loss.last?.toFixed(4)}`,
  ]);
  const versions = report.versions.contenders ?? {};
  return [
    `Against the other frameworks (median ms per step; * TensorZoo's better backend on one thread, which the first three ratios use; lower is better).`,
    ...(threadCounts.length > 0 ? [`${threadsTitle}: setNumThreads(${threadCounts.join('/')}), TensorZoo's matrix products on worker threads; its better backend of cpu and wasm.`] : []),
    ...(relaxed ? ["TensorZoo relaxed SIMD: one thread, its better backend, in a separate Node process with --experimental-wasm-relaxed-simd (fused multiply-adds in the products, as Chrome 114+ and Node 22+ run them by default)."] : []),
    `tfjs-layers ${versions['tfjs-layers'] ?? ''}: tf.sequential + model.trainOnBatch with tfjs's stock kernels, on its better backend of ${backends.filter((backend) => backend !== 'webgpu').join(' and ')};`,
    `jax-js ${versions['jax-js'] ?? ''}: wasm device, one thread in Node, the whole step under jit(valueAndGrad + update). '-': the contender cannot express the workload.`,
    ...(report.quick ? ['--quick: one warm-up and one timed step per contender (see the notes above for what it skips).'] : []),
    '',
    markdownTable(header, rows),
    '',
    'Each contender run (the loss of its first round, first -> last step):',
    '',
    markdownTable(['contender', 'backend', 'workload', 'step', 'ms (median)', 'round medians ms', 'steps', 'loss'], contenderRows),
    '',
  ];
}

function renderReport(report) {
  const { machine, versions, torch } = report;
  const allCores = machine.cores; // torch_bench.py also times os.cpu_count() threads
  const speedHeader = [
    'case',
    'backend',
    'TensorZoo step ms',
    'TensorZoo fit() ms',
    'tfjs-layers ms',
    'PyTorch 1 thread ms',
    `PyTorch ${allCores} threads ms`,
    'TensorZoo / tfjs-layers',
    'TensorZoo / PyTorch',
  ];
  const speedRows = report.speed.map((row) => [
    row.case,
    row.backend,
    formatMs(row.tensorzoo.medianMs),
    formatMs(row.tensorzooFit.medianMs),
    formatMs(row.layers.medianMs),
    formatMs(row.pytorch?.['1']?.medianMs),
    formatMs(row.pytorch?.[String(allCores)]?.medianMs),
    formatRatio(row.ratios.tensorzooOverLayers),
    formatRatio(row.ratios.tensorzooOverPytorch),
  ]);
  const memoryHeader = ['case', 'backend', 'path', `numTensors before -> after ${MEMORY_STEPS} steps`, 'numBytes before -> after'];
  const memoryRows = report.memory.map((row) => [
    row.case,
    row.backend,
    row.path,
    formatDelta(row.numTensors.before, row.numTensors.after),
    formatDelta(row.numBytes.before, row.numBytes.after),
  ]);
  const torchLine = torch.available
    ? `PyTorch ${torch.torchVersion} (default ${torch.defaultThreads} thread${torch.defaultThreads === 1 ? '' : 's'})`
    : `PyTorch n/a (${torch.reason})`;
  return [
    `Machine: ${machine.cpu} x ${machine.cores}, ${machine.os}; Node ${machine.node}; ` +
      `1-min load average ${machine.loadAverageAtStart.toFixed(1)} at start, ${machine.loadAverageAtEnd.toFixed(1)} at end`,
    `tfjs-core ${versions.tfjsCore}, tfjs-layers ${versions.tfjsLayers}; ${torchLine}`,
    `Backends: ${report.backends.map((entry) => `${entry.name} (${entry.detail})`).join(', ')}`,
    ...report.notes.map((note) => `Note: ${note}`),
    '',
    'Median ms per training step (forward + backward + Adam update + loss read back); ratios use the TensorZoo step',
    'and PyTorch on 1 thread (the tfjs cpu and wasm backends use one). Lower is better.',
    '',
    markdownTable(speedHeader, speedRows),
    '',
    ...(memoryRows.length > 0
      ? [`Memory: tf.memory() after 1 warm-up step and after ${MEMORY_STEPS} more (reported, not asserted):`, '', markdownTable(memoryHeader, memoryRows), '']
      : []),
    ...renderWorkloads(report),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      loadAverageAtStart: os.loadavg()[0],
    },
    versions: { tfjsCore: tf.version_core, tfjsLayers: tfl.version_layers, contenders: await contenderVersions() },
    quick: QUICK,
    cases,
    backends: [],
    notes: [],
    torch: runTorch(),
    speed: [],
    memory: [],
  };
  const { torch } = report;
  if (!torch.available) report.notes.push(`PyTorch not available: ${torch.reason}`);

  for (const backend of BACKENDS) {
    try {
      await core.setBackend(backend);
    } catch (error) {
      report.notes.push(`${backend} backend skipped: ${error.message}`);
      continue;
    }
    report.backends.push({ name: backend, detail: await describeBackend(backend) });
    for (const benchCase of cases) {
      const timings = await timeCase(benchCase, backend);
      report.notes.push(...checkTraining(benchCase, backend, timings.loss));
      report.speed.push(speedRow(benchCase, backend, timings, torch));
    }
    for (const benchCase of QUICK ? [] : cases) {
      const stepMs = report.speed.find((row) => row.case === benchCase.name && row.backend === backend).tensorzoo.medianMs;
      const estimatedSeconds = (2 * (MEMORY_STEPS + 1) * stepMs) / 1000; // hand-written step and fit()
      if (estimatedSeconds <= MEMORY_MAX_SECONDS) report.memory.push(...(await memoryCase(benchCase, backend)));
      else report.notes.push(`memory check of ${benchCase.name} on ${backend} skipped: ~${estimatedSeconds.toFixed(0)} s > ${MEMORY_MAX_SECONDS} s`);
    }
  }
  progress('workloads: pytorch (1 and 2 threads) ...');
  const torchWorkloads = runTorchWorkloads({ quick: QUICK });
  const { WORKLOADS } = await import('./workloads.mjs');
  report.workloads = { workloads: WORKLOADS, ...(await runWorkloads({ backends: BACKENDS, threads: [1, 2], quick: QUICK, contenders: true, log: progress })), torch: torchWorkloads };
  if (!QUICK) addRelaxedSimdRows(report.workloads);
  report.workloads.summary = workloadSummary(report.workloads);
  report.machine.loadAverageAtEnd = os.loadavg()[0];
  const load = Math.max(report.machine.loadAverageAtStart, report.machine.loadAverageAtEnd);
  if (load > report.machine.cores) {
    report.notes.push(
      `measured under load (1-min load average up to ${load.toFixed(1)} on ${report.machine.cores} cores): absolute times are inflated and noisy; compare ratios within this run only`,
    );
  }
  report.seconds = (Date.now() - started) / 1000;

  const text = renderReport(report);
  process.stdout.write(`\n${text}\n`);
  // The smoke check CI runs (--quick): nothing about speed, but every workload must run.
  const failures = report.workloads.notes.filter((note) => note.includes(' fails: '));
  if (failures.length > 0) {
    process.exitCode = 1;
    progress(`bench: ${failures.length} workload(s) failed:\n  ${failures.join('\n  ')}`);
  }
  if (!WRITE) {
    progress(`--quick: results not written (add --write to) (${report.seconds.toFixed(0)} s)`);
    return;
  }
  mkdirSync(resultsFolder, { recursive: true });
  writeFileSync(new URL('latest.json', resultsFolder), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(new URL('latest.md', resultsFolder), `# Latest benchmark results\n\n${report.date}, ${report.seconds.toFixed(0)} s\n\n![Median ms per step](latest.svg)\n\n${text}`);
  writeChart(new URL('latest.json', resultsFolder), new URL('latest.svg', resultsFolder));
  progress(`wrote ${fileURLToPath(resultsFolder)}latest.json, latest.md and latest.svg (${report.seconds.toFixed(0)} s)`);
}

await main();
