// The other JavaScript frameworks on the issue-13 training workloads: tfjs-layers (on each
// tfjs backend, stock kernels) and jax-js (wasm). runWorkloads (workloads.mjs) times them
// round by round after TensorZoo's backends, so load from other processes falls on all alike.
//
// A contender step slower than SLOW_STEP_MS (tfjs-layers' stock cpu convolution takes ~20 s)
// gets one warm-up step in its first round and none later, and each round times steps only
// until ROUND_BUDGET_MS has passed (at least one): a full run stays within minutes.
import { performance } from 'node:perf_hooks';
import { summarize } from '../timing.mjs';
import { core } from '../workspace.mjs';
import { jaxVersion, prepareJaxStep } from './jaxjs.mjs';
import { jaxUnsupported, layersUnsupported } from './summary.mjs';
import { prepareLayersStep, withStockKernels } from './tfjs-layers.mjs';

const SLOW_STEP_MS = 1000;
const ROUND_BUDGET_MS = 4000;

/**
 * @typedef {object} Contender
 * @property {string} name `tfjs-layers` or `jax-js`
 * @property {string} backend where it runs (a tfjs backend, or jax-js's device)
 * @property {(workload: import('../workloads.mjs').Workload) => string | undefined} unsupported why it cannot express a workload
 * @property {<T>(work: () => Promise<T>) => Promise<T>} run sets its backend up around `work`
 * @property {(workload: import('../workloads.mjs').Workload) => Promise<{ step: () => Promise<number>, dispose: () => void, label: string }>} prepare
 */

/**
 * The contenders for TensorZoo's `backends`: tfjs-layers on each of `cpu` and `wasm` that is
 * there, and jax-js on its wasm device.
 * @param {string[]} backends the tfjs backends that loaded
 * @returns {Contender[]}
 */
export function workloadContenders(backends) {
  const layers = backends
    .filter((backend) => backend === 'cpu' || backend === 'wasm')
    .map((backend) => ({
      name: 'tfjs-layers',
      backend,
      unsupported: layersUnsupported,
      run: async (work) => {
        await core.setBackend(backend);
        return withStockKernels(backend, work);
      },
      prepare: async (workload) => prepareLayersStep(workload),
    }));
  return [...layers, { name: 'jax-js', backend: 'wasm', unsupported: jaxUnsupported, run: (work) => work(), prepare: prepareJaxStep }];
}

/** Versions of the contenders' packages, for the report. */
export async function contenderVersions() {
  const { version_layers: layers } = await import('@tensorflow/tfjs-layers');
  return { 'tfjs-layers': layers, 'jax-js': jaxVersion() };
}

/** Warm-up and timed steps per round (each round is also cut at ROUND_BUDGET_MS), full and --quick. */
const PLANS = { full: { warmup: 2, steps: 5 }, quick: { warmup: 1, steps: 1 } };
/**
 * What --quick (a smoke run of under 2 minutes) skips, by `contender/backend`: tfjs-layers'
 * stock cpu convolution takes ~20 s a step (and on wasm it fails at once: no
 * Conv2DBackpropFilter in stock tfjs-wasm).
 */
export const QUICK_SKIPPED = Object.freeze({ 'tfjs-layers/cpu': Object.freeze(['cnn-adam']) });
const quickSkips = (contender, workload) => (QUICK_SKIPPED[`${contender.name}/${contender.backend}`] ?? []).includes(workload.name);

/**
 * Times contenders round by round: call `round()` once per round, then `rows()`.
 * @param {{ contenders: Contender[], workloads: readonly import('../workloads.mjs').Workload[], quick?: boolean, log?: (line: string) => void }} options
 */
export function contenderTimer({ contenders, workloads, quick = false, log = () => {} }) {
  const plan = quick ? PLANS.quick : PLANS.full;
  const skipped = (contender, workload) => contender.unsupported(workload) !== undefined || (quick && quickSkips(contender, workload));
  /** @type {Map<string, number[][] | null>} per key, each round's step times; null: it failed */
  const samples = new Map();
  const slow = new Set();
  const labels = new Map();
  const losses = new Map();
  const notes = quick
    ? contenders.flatMap((contender) =>
        workloads.filter((workload) => quickSkips(contender, workload)).map((workload) => `--quick: ${contender.name} (${contender.backend}) skips ${workload.name} (slow; a full run times it)`),
      )
    : [];
  const keyOf = (contender, workload) => `${contender.name}/${contender.backend}/${workload.name}`;

  async function timeOne(contender, workload, roundName) {
    const key = keyOf(contender, workload);
    log(`workloads ${roundName}: ${contender.name} (${contender.backend}) ${workload.name}`);
    let prepared;
    try {
      prepared = await contender.prepare(workload);
      labels.set(key, prepared.label);
      // The loss of the first round's first and last steps (later rounds start from the same initial weights).
      const loss = {};
      for (let index = 0; index < (slow.has(key) ? 0 : plan.warmup); index++) {
        const started = performance.now();
        const value = await prepared.step();
        loss.first ??= value;
        if (performance.now() - started > SLOW_STEP_MS) break;
      }
      const times = [];
      const roundStarted = performance.now();
      while (times.length < plan.steps && (times.length === 0 || performance.now() - roundStarted < ROUND_BUDGET_MS)) {
        const started = performance.now();
        const value = await prepared.step();
        times.push(performance.now() - started);
        loss.first ??= value;
        loss.last = value;
      }
      if (!losses.has(key)) losses.set(key, loss);
      if (summarize(times).medianMs > SLOW_STEP_MS) slow.add(key);
      samples.set(key, [...(samples.get(key) ?? []), times]);
    } catch (error) {
      notes.push(`${contender.name} (${contender.backend}) cannot run ${workload.name}: ${String(error.message).split('\n')[0]}`);
      samples.set(key, null);
    } finally {
      prepared?.dispose();
    }
  }

  return {
    notes,
    /** One round: every contender over every workload it can express (and has not failed). */
    async round(roundName) {
      for (const contender of contenders) {
        const pending = workloads.filter((workload) => !skipped(contender, workload) && samples.get(keyOf(contender, workload)) !== null);
        if (pending.length === 0) continue;
        await contender.run(async () => {
          for (const workload of pending) await timeOne(contender, workload, roundName);
        });
      }
    },
    /** One row per contender, backend and workload that ran, like runWorkloads' rows. */
    rows() {
      const rows = [];
      for (const contender of contenders) {
        for (const workload of workloads) {
          const key = keyOf(contender, workload);
          const rounds = samples.get(key);
          if (!rounds) continue;
          const loss = losses.get(key);
          if (!(Number.isFinite(loss.last) && loss.last < loss.first)) {
            notes.push(`${contender.name} (${contender.backend}) ${workload.name}: loss went ${loss.first?.toPrecision(4)} -> ${loss.last?.toPrecision(4)}, it did not train`);
          }
          rows.push({
            contender: contender.name,
            backend: contender.backend,
            workload: workload.name,
            label: labels.get(key),
            ...summarize(rounds.flat()),
            roundMediansMs: rounds.map((times) => summarize(times).medianMs),
            loss,
          });
        }
      }
      return rows;
    },
  };
}
