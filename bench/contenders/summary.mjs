// The issue-13 comparison in one row per workload, from run.mjs's `report.workloads`
// (TensorZoo's rows, the contenders' rows, PyTorch's results), and which workloads each
// contender can express. No dependencies: chart.mjs uses it on a results file alone.

/** The workload kinds (workloads.mjs) that tfjs-layers and jax-js are given here: the MLP and the CNN. */
const CONTENDER_KINDS = new Set(['mlp', 'cnn']);

/**
 * Why tfjs-layers cannot run `workload` here, or undefined when it can.
 * @param {{ kind: string }} workload
 */
export const layersUnsupported = (workload) => (CONTENDER_KINDS.has(workload.kind) ? undefined : 'the tfjs-layers contender covers the MLP and CNN workloads only');

/**
 * Why jax-js cannot run `workload` here, or undefined when it can.
 * @param {{ kind: string }} workload
 */
export const jaxUnsupported = (workload) => (CONTENDER_KINDS.has(workload.kind) ? undefined : 'the jax-js contender covers the MLP and CNN workloads only (issue 13)');

/** Per contender key of a summary row, why it cannot express a workload. */
const UNSUPPORTED = { tfjsLayers: layersUnsupported, jaxJs: jaxUnsupported };

/**
 * One row per workload in the shape of issue 13's table: TensorZoo per backend and its better
 * one (one thread), its better multi-threaded row (`tensorzooThreads`), its better row timed with
 * relaxed SIMD in a process of its own (`tensorzooRelaxed`, rows with `relaxedRun`), tfjs-layers on its better backend, jax-js, PyTorch at 1 and 2 threads, and ratios of
 * the better TensorZoo backend to each (lower is better; undefined where one is missing).
 * `notExpressible` lists the contenders (`tfjsLayers`, `jaxJs`) that cannot express the workload
 * ('-' in the table and chart; a contender missing otherwise did not run or failed: 'n/a').
 * @param {{ workloads: readonly { name: string, kind: string }[], rows: object[], contenders?: object[], torch: object }} report run.mjs's `report.workloads`
 */
export function workloadSummary({ workloads, rows, contenders = [], torch }) {
  const best = (candidates) => candidates.reduce((fastest, row) => (fastest === undefined || row.medianMs < fastest.medianMs ? row : fastest), undefined);
  const ratio = (numerator, denominator) => (numerator !== undefined && denominator !== undefined ? numerator / denominator : undefined);
  return workloads
    .map((workload) => {
      // One thread (rows from before thread counts have none) against the multi-threaded rows.
      // Rows timed with relaxed SIMD (a separate process, `node --experimental-wasm-relaxed-simd`)
      // are reported beside the default instruction set, never as TensorZoo's main figure.
      const relaxed = (row) => row.instructionSet === 'relaxed-simd' && row.relaxedRun === true;
      const ours = rows.filter((row) => row.workload === workload.name && (row.threads ?? 1) === 1 && !relaxed(row));
      const fused = best(rows.filter((row) => row.workload === workload.name && (row.threads ?? 1) === 1 && relaxed(row)));
      if (ours.length === 0) return undefined;
      const tensorzoo = best(ours);
      const threaded = best(rows.filter((row) => row.workload === workload.name && (row.threads ?? 1) > 1 && !relaxed(row)));
      const layers = best(contenders.filter((row) => row.workload === workload.name && row.contender === 'tfjs-layers'));
      const jax = best(contenders.filter((row) => row.workload === workload.name && row.contender === 'jax-js'));
      const pytorch = torch?.available ? torch.results[workload.name] : undefined;
      return {
        workload: workload.name,
        notExpressible: Object.entries(UNSUPPORTED)
          .filter(([, reason]) => reason(workload) !== undefined)
          .map(([contender]) => contender),
        tensorzooByBackend: Object.fromEntries(ours.map((row) => [row.backend, row.medianMs])),
        tensorzoo: { backend: tensorzoo.backend, medianMs: tensorzoo.medianMs },
        tensorzooThreads: threaded && { backend: threaded.backend, threads: threaded.threads, medianMs: threaded.medianMs },
        tensorzooRelaxed: fused && { backend: fused.backend, medianMs: fused.medianMs },
        tfjsLayers: layers && { backend: layers.backend, medianMs: layers.medianMs, label: layers.label },
        jaxJs: jax && { backend: jax.backend, medianMs: jax.medianMs, label: jax.label },
        pytorch1: pytorch?.['1']?.medianMs,
        pytorch2: pytorch?.['2']?.medianMs,
        ratios: {
          tensorzooOverPytorch1: ratio(tensorzoo.medianMs, pytorch?.['1']?.medianMs),
          tensorzooOverJaxJs: ratio(tensorzoo.medianMs, jax?.medianMs),
          tensorzooOverTfjsLayers: ratio(tensorzoo.medianMs, layers?.medianMs),
          tensorzooThreadsOverPytorch1: ratio(threaded?.medianMs, pytorch?.['1']?.medianMs),
          tensorzooThreadsOverPytorch2: ratio(threaded?.medianMs, pytorch?.['2']?.medianMs),
          tensorzooRelaxedOverPytorch1: ratio(fused?.medianMs, pytorch?.['1']?.medianMs),
        },
      };
    })
    .filter((row) => row !== undefined);
}
