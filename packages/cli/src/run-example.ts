import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ArgumentError,
  CheckpointError,
  assertInteger,
  parseSafetensorsHeader,
  readFileBytes,
  setBackend,
  type BackendName,
  type History,
} from '@tensorzoo/core';
import type { CustomTraining, ExampleContext, ExampleSummary, Hyperparameters } from './example';
import { findExample } from './examples/index';
import { plotLossCurve } from './plot';
import type { ProgressMode } from './progress';
import { METADATA, fitTraining, runTraining, type ResumePoint, type TrainingRun } from './training-harness';

/** Backends `--backend` accepts in Node (WebGL needs a browser). */
export const CLI_BACKENDS = Object.freeze(['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow'] as const);

/** Seed used when none is given and the run does not resume. */
export const DEFAULT_SEED = 0;

/** Options of {@link runExample}; every one is optional. */
export interface RunExampleOptions {
  /** Tensor backend. Default `'auto'` (tensorflow, then webgpu with a hardware adapter, then cpu). */
  backend?: (typeof CLI_BACKENDS)[number];
  /** Total epochs. Default: the example's `defaultEpochs`. A resumed run trains only the rest. */
  epochs?: number;
  /** Seed of the data, the initial weights and the shuffling. Default 0, or the checkpoint's when resuming. */
  seed?: number;
  /** Folder for `loss.png`, `checkpoint.safetensors` and `history.json`. Default `runs/<example>`. */
  outDir?: string;
  /** A `checkpoint.safetensors` written by an earlier run of the same example, to continue from. */
  resume?: string;
  /** Progress display. Default `'auto'`: a bar on a terminal, log lines otherwise. */
  progress?: ProgressMode;
  /** Receives the result lines. Default `console.log`. */
  log?: (line: string) => void;
  /** Receives notices, e.g. backends `'auto'` skipped. Default `console.warn`. */
  warn?: (line: string) => void;
  /**
   * `--lr`, `--batch-size`, `--steps`: overrides of the example's peak learning rate, batch size
   * and steps per epoch. Default: the example's own, or the checkpoint's when resuming.
   */
  hyperparameters?: Hyperparameters;
  /**
   * Stops training after the current step: the last finished epoch is written to the
   * checkpoint and the run rejects with a `TrainingError` (code `'aborted'`) saying so.
   */
  signal?: AbortSignal;
}

/** Paths of the files a run writes. */
export interface RunFiles {
  lossCurve: string;
  checkpoint: string;
  history: string;
}

/** What {@link runExample} returns; `history.json` holds the same data. */
export interface RunResult {
  example: string;
  /** The backend that ran, e.g. `'cpu'`. */
  backend: string;
  seed: number;
  /** Total epochs, resumed ones included. */
  epochs: number;
  /** Optimizer steps over the whole run. */
  steps: number;
  /** Mean training loss per epoch, over the whole run. */
  loss: number[];
  /** Validation loss per epoch (empty when the example has no validation data). */
  valLoss: number[];
  /** Name of the validation curve, e.g. `'validation'` or `'test'`. */
  valLabel: string;
  /** The example's own numbers, e.g. `{ maxError: 0.012 }`. */
  summary: ExampleSummary;
  /** Wall time of this invocation, in seconds. */
  seconds: number;
  files: RunFiles;
}

/**
 * Runs one example end to end: selects the backend, builds data and model, trains with a
 * progress display, prints the example's results and writes `loss.png`,
 * `checkpoint.safetensors` (weights, optimizer, generator, step and epoch) and
 * `history.json` into `outDir`. The checkpoint is replaced atomically as training goes: after
 * the first epoch, then at most once a second, after the last epoch, and when the run stops
 * early (an aborted `signal`, an error), so an interrupted run can be resumed.
 *
 * With `resume`, the checkpoint's weights, optimizer and generator state are restored and
 * training continues at the saved epoch, so 2 epochs + 2 resumed epochs give exactly the loss
 * history of 4 straight epochs.
 *
 * @param name an example name from {@link examples}, e.g. `'regression'`.
 * @throws {ArgumentError} (`unknown-example`) listing the valid names; (`bad-argument`) for bad numbers.
 * @throws {ArgumentError} (`bad-out`) when `outDir` is a file.
 * @throws {CheckpointError} when `resume` is not a checkpoint of this example.
 * @throws {TrainingError} (`aborted`) after `signal` aborts, saying which epoch the checkpoint holds.
 * @example
 * ```ts
 * const result = await runExample('regression', { backend: 'cpu', epochs: 50, outDir: 'out' });
 * result.loss.at(-1);          // final training loss
 * result.summary.maxError;     // regression's max |prediction - (2x + 1)| on [-1, 1]
 * ```
 */
export async function runExample(name: string, options: RunExampleOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const example = findExample(name);
  const epochs = assertInteger('runExample', 'epochs', options.epochs ?? example.defaultEpochs);
  const backendName = options.backend ?? 'auto';
  if (!(CLI_BACKENDS as readonly string[]).includes(backendName)) {
    throw new ArgumentError('unknown-backend', `runExample: backend ${JSON.stringify(backendName)} is not one of ${CLI_BACKENDS.join(', ')}.`);
  }
  const resume = options.resume === undefined ? undefined : await readResumePoint(options.resume, example.name);
  const seed = checkSeed(options.seed, resume);
  const hyperparameters = checkHyperparameters({ ...resume?.hyperparameters, ...definedOnly(options.hyperparameters ?? {}) });
  const log = options.log ?? ((line: string) => console.log(line));
  const outDir = options.outDir ?? join('runs', example.name);
  const files: RunFiles = {
    lossCurve: join(outDir, 'loss.png'),
    checkpoint: join(outDir, 'checkpoint.safetensors'),
    history: join(outDir, 'history.json'),
  };

  await createOutputFolder(outDir);
  const backend = await setBackend(backendName as BackendName | 'auto', { warn: options.warn ?? ((line) => console.warn(line)) });
  const given = Object.entries(hyperparameters).map(([key, value]) => `${key} ${value}`);
  log(`${example.name}: backend ${backend}, seed ${seed}, ${epochs} epochs${given.length ? `, ${given.join(', ')}` : ''}${resume ? `, resuming from ${resume.path}` : ''}`);

  let trained: { history: History; valLabel: string; lossLabel?: string } | undefined;
  const run: TrainingRun = { example: example.name, seed, hyperparameters, epochs, resume, checkpoint: files.checkpoint, progress: options.progress ?? 'auto', signal: options.signal };
  const trainOnce = async (training: CustomTraining) => {
    if (trained) throw new ArgumentError('train-twice', `${example.name}: context.train may be called once per run.`);
    const history = await runTraining(training, run);
    trained = { history, valLabel: training.labels?.valLoss ?? 'validation', lossLabel: training.labels?.loss };
    return history;
  };
  const context: ExampleContext = {
    seed,
    epochs,
    log,
    outDir,
    hyperparameters,
    trainCustom: trainOnce,
    train: (model, data, setup) => trainOnce(fitTraining(model, data, setup)),
  };
  const summary = await example.run(context);
  if (!trained) throw new ArgumentError('no-training', `${example.name}: run() finished without calling context.train.`);

  const { history, valLabel } = trained;
  const curves = [{ label: trained.lossLabel ?? 'train', values: history.loss }, ...(history.valLoss.length ? [{ label: valLabel, values: history.valLoss }] : [])];
  await writeFile(files.lossCurve, plotLossCurve(curves, { title: example.name }));
  const result: RunResult = {
    example: example.name,
    backend,
    seed,
    epochs,
    steps: history.steps,
    loss: history.loss,
    valLoss: history.valLoss,
    valLabel,
    summary,
    seconds: (performance.now() - started) / 1000,
    files,
  };
  await writeFile(files.history, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${files.lossCurve}, ${files.checkpoint}, ${files.history} (${result.seconds.toFixed(1)} s)`);
  return result;
}

/**
 * Creates `outDir` (and its parents) unless it is a folder already.
 * @throws {ArgumentError} (`bad-out`) when it, or a parent, is a file.
 */
async function createOutputFolder(outDir: string): Promise<void> {
  const info = await stat(outDir).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw new ArgumentError('bad-out', `--out ${outDir} is a file, not a folder; pass a folder for the run's files (it is created if missing), e.g. --out runs/my-run.`);
  }
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOTDIR' || code === 'EEXIST' ? 'a parent of it is a file' : (error as Error).message;
    throw new ArgumentError('bad-out', `--out ${outDir}: cannot create the folder (${reason}); pass a folder path, e.g. --out runs/my-run.`, { cause: error });
  }
}

/** Reads a checkpoint's CLI metadata (example, seed, loss history) before the model is built. */
async function readResumePoint(path: string, example: string): Promise<ResumePoint> {
  const bytes = await readFileBytes(path).catch((error: unknown) => {
    throw new ArgumentError('bad-resume', `--resume ${path}: cannot read the file (${(error as Error).message}).`, { cause: error });
  });
  let metadata: Record<string, string>;
  try {
    metadata = parseSafetensorsHeader(bytes).metadata;
  } catch (error) {
    throw new CheckpointError('bad-checkpoint', `${path}: not a safetensors checkpoint (${(error as Error).message}).`, { cause: error });
  }
  const saved = metadata[METADATA.example];
  if (saved === undefined) {
    throw new CheckpointError('not-a-cli-checkpoint', `${path} was not written by "tensorzoo train" (it has no ${METADATA.example} metadata), so it cannot be resumed.`);
  }
  if (saved !== example) {
    throw new CheckpointError('wrong-example', `${path} is a checkpoint of "${saved}", not "${example}"; run "tensorzoo train ${saved} --resume ${path}".`);
  }
  try {
    const history = JSON.parse(metadata[METADATA.history]) as { loss: number[]; valLoss: number[] };
    const seed = Number(metadata[METADATA.seed]);
    if (!Array.isArray(history.loss) || !Array.isArray(history.valLoss) || !Number.isInteger(seed)) throw new Error('unexpected values');
    const saved = metadata[METADATA.hyperparameters];
    const hyperparameters = saved === undefined ? {} : checkHyperparameters(JSON.parse(saved) as Hyperparameters);
    return { path, bytes, seed, hyperparameters, loss: history.loss, valLoss: history.valLoss };
  } catch (error) {
    throw new CheckpointError('bad-metadata', `${path}: the ${METADATA.history} or ${METADATA.seed} metadata is damaged (${(error as Error).message}).`, { cause: error });
  }
}

/** `values` without its `undefined` entries. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Checks the overrides: a finite learning rate > 0, whole batch size and steps >= 1, no other keys. */
function checkHyperparameters(values: Hyperparameters): Hyperparameters {
  const rules: Record<keyof Hyperparameters, (value: number) => boolean> = {
    learningRate: (value) => Number.isFinite(value) && value > 0,
    batchSize: (value) => Number.isInteger(value) && value >= 1,
    stepsPerEpoch: (value) => Number.isInteger(value) && value >= 1,
  };
  for (const [key, value] of Object.entries(values)) {
    const rule = rules[key as keyof Hyperparameters];
    if (!rule) throw new ArgumentError('bad-argument', `runExample: unknown hyper-parameter "${key}"; use learningRate, batchSize or stepsPerEpoch.`);
    if (typeof value !== 'number' || !rule(value)) {
      const expected = key === 'learningRate' ? 'a finite number > 0' : 'an integer >= 1';
      throw new ArgumentError('bad-argument', `runExample: ${key} (${String(value)}) must be ${expected}.`);
    }
  }
  return values;
}

/** The run's seed: the option, else the checkpoint's, else {@link DEFAULT_SEED}; a resumed run must keep its seed. */
function checkSeed(seed: number | undefined, resume: ResumePoint | undefined): number {
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) {
    throw new ArgumentError('bad-argument', `runExample: seed (${seed}) must be an integer in [0, 4294967295].`);
  }
  if (resume && seed !== undefined && seed !== resume.seed) {
    throw new ArgumentError(
      'bad-argument',
      `runExample: seed ${seed} differs from the seed ${resume.seed} of ${resume.path}; a resumed run must use the same data, so leave the seed out.`,
    );
  }
  return seed ?? resume?.seed ?? DEFAULT_SEED;
}
