// The one training harness behind `tensorzoo train`: fit-based examples (`context.train`) and
// examples with their own loop (`context.trainCustom`) both run as a CustomTraining here, so
// resume, progress, event-loop yields, the history merge, checkpoint metadata and the
// checkpoint writes (every epoch, and when the run stops) live in one place.
import {
  ArgumentError,
  CheckpointError,
  TrainingError,
  encodeCheckpoint,
  decodeCheckpoint,
  fit,
  writeFileAtomic,
  type Batch,
  type History,
  type Module,
} from '@tensorzoo/core';
import type { CustomTraining, Hyperparameters, TrainSetup } from './example';
import { createProgressReporter, type ProgressMode } from './progress';

/** Metadata keys the CLI adds to its checkpoints. */
export const METADATA = {
  example: 'tensorzoo.cli.example',
  seed: 'tensorzoo.cli.seed',
  history: 'tensorzoo.cli.history',
  /** The `--lr` / `--batch-size` / `--steps` overrides of the run (JSON), reused by `--resume`. */
  hyperparameters: 'tensorzoo.cli.hyperparameters',
} as const;

/**
 * Least time between two checkpoint writes. Every epoch's state is encoded when the epoch
 * ends, but written to disk (an fsync, ~10 ms) at most this often, and always after the last
 * epoch and when the run stops early (Ctrl-C, SIGTERM, an error): a 200-epoch run of tiny
 * epochs does not spend its time in fsync, and a stop never loses a finished epoch.
 */
export const CHECKPOINT_INTERVAL_MS = 1000;

/** Longest time the harness lets a CPU-bound loop run without yielding to the event loop. */
const YIELD_INTERVAL_MS = 100;

/** What `--resume` needs from a checkpoint before the model exists. */
export interface ResumePoint {
  path: string;
  bytes: Uint8Array;
  seed: number;
  /** The overrides the checkpoint's run used (empty for checkpoints that predate them). */
  hyperparameters: Hyperparameters;
  loss: number[];
  valLoss: number[];
}

/** One run of {@link runTraining}. */
export interface TrainingRun {
  example: string;
  seed: number;
  /** The user's overrides, saved in the checkpoint. */
  hyperparameters: Hyperparameters;
  /** Total epochs, resumed ones included. */
  epochs: number;
  resume?: ResumePoint;
  /** Where the checkpoint goes (replaced atomically). */
  checkpoint: string;
  progress: ProgressMode;
  signal?: AbortSignal;
  /** Least time between two checkpoint writes. Default {@link CHECKPOINT_INTERVAL_MS}. */
  checkpointIntervalMs?: number;
}

/** A {@link CustomTraining} that trains `model` with core's `fit`, one epoch per call. */
export function fitTraining(model: Module, data: Batch | Iterable<Batch>, setup: TrainSetup): CustomTraining {
  const { optimizer, rng } = setup;
  return {
    labels: { valLoss: setup.validationLabel },
    async trainEpoch(epoch, { onStep, signal }) {
      // One fit call per epoch continues exactly where the previous one stopped: the optimizer
      // counts the steps and `rng` (the shuffle) carries its state across calls.
      const history = await fit(model, data, {
        loss: setup.loss,
        optimizer,
        rng,
        epochs: 1,
        initialEpoch: epoch,
        batchSize: setup.batchSize,
        validationData: setup.validationData,
        signal,
        onStep,
      });
      return { loss: history.loss[0], valLoss: history.valLoss[0], steps: history.steps };
    },
    save: ({ epoch, metadata }) =>
      encodeCheckpoint(model, { optimizer, rng, step: optimizer.iterations, epoch, metadata: { ...setup.metadata, ...metadata } }),
    load: async (bytes) => (await decodeCheckpoint(bytes, model, { optimizer, rng })).epoch,
  };
}

/**
 * Restores `run.resume` (if any) into `training`, trains the remaining epochs with the
 * progress display and writes the checkpoint as it goes (see {@link CHECKPOINT_INTERVAL_MS}).
 * Returns the whole run's history, resumed epochs included.
 *
 * When `run.signal` aborts, the current step finishes, the last finished epoch is written and
 * a `TrainingError` (`'aborted'`) says which epoch the checkpoint holds and how to resume.
 */
export async function runTraining(training: CustomTraining, run: TrainingRun): Promise<History> {
  const initialEpoch = run.resume ? await restore(training, run.resume, run.epochs) : 0;
  const reporter = createProgressReporter(run.progress, { epochs: run.epochs });
  const history: History = { loss: [...(run.resume?.loss ?? [])], valLoss: [...(run.resume?.valLoss ?? [])], metrics: {}, valMetrics: {}, steps: 0 };
  const metadata = () => ({
    [METADATA.example]: run.example,
    [METADATA.seed]: String(run.seed),
    [METADATA.hyperparameters]: JSON.stringify(run.hyperparameters),
    [METADATA.history]: JSON.stringify({ loss: history.loss, valLoss: history.valLoss }),
  });
  const writer = new CheckpointWriter(run.checkpoint, run.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS);
  let lastYield = performance.now();
  const onStep = async (info: Parameters<typeof reporter.onStep>[0]) => {
    reporter.onStep(info);
    // On the cpu backend a step never waits for I/O: without this the event loop would starve
    // (no Ctrl-C, no progress-bar timer) until training ends.
    if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  };
  let epoch = initialEpoch;
  let failure: unknown;
  try {
    if (initialEpoch === run.epochs) writer.offer(await training.save({ epoch, metadata: metadata() }), epoch);
    for (; epoch < run.epochs; epoch++) {
      if (run.signal?.aborted) throw new TrainingError('aborted', `${run.example}: aborted at epoch ${epoch}.`, { cause: run.signal.reason });
      const started = performance.now();
      const result = await training.trainEpoch(epoch, { onStep, signal: run.signal });
      history.loss.push(result.loss);
      if (result.valLoss !== undefined) history.valLoss.push(result.valLoss);
      history.steps = result.steps;
      reporter.onEpochEnd({ epoch, step: result.steps, loss: result.loss, metrics: {}, valLoss: result.valLoss, seconds: (performance.now() - started) / 1000 });
      writer.offer(await training.save({ epoch: epoch + 1, metadata: metadata() }), epoch + 1);
      if (epoch + 1 < run.epochs) await writer.writeIfDue();
    }
  } catch (error) {
    failure = error;
  } finally {
    reporter.stop();
  }
  try {
    await writer.flush();
  } catch (error) {
    failure ??= error;
  }
  if (failure === undefined) return history;
  if (TrainingError.isInstance(failure) && failure.code === 'aborted') {
    throw new TrainingError('aborted', stopMessage(run, epoch, writer.writtenEpoch), { cause: failure.cause ?? failure });
  }
  throw failure;
}

/** Says where the run stopped and what the checkpoint on disk holds now. */
function stopMessage(run: TrainingRun, epoch: number, writtenEpoch: number | undefined): string {
  const stopped = `${run.example}: stopped during epoch ${epoch + 1} of ${run.epochs}`;
  if (writtenEpoch !== undefined) {
    return `${stopped}; ${run.checkpoint} holds the state after epoch ${writtenEpoch}: continue with --resume ${run.checkpoint}.`;
  }
  if (run.resume) return `${stopped} before finishing an epoch; ${run.resume.path} still holds epoch ${epoch}: continue with --resume ${run.resume.path}.`;
  return `${stopped} before finishing an epoch, so no checkpoint was written.`;
}

/** Loads the checkpoint into `training`; returns its epoch. */
async function restore(training: CustomTraining, resume: ResumePoint, epochs: number): Promise<number> {
  const epoch = await training.load(resume.bytes).catch((error: unknown) => {
    throw CheckpointError.isInstance(error) ? new CheckpointError(error.code, `${resume.path}: ${error.message}`, { cause: error }) : error;
  });
  if (epoch > epochs) {
    throw new ArgumentError(
      'bad-argument',
      `${resume.path} is at epoch ${epoch}, past the requested total of ${epochs} epochs; pass --epochs above ${epoch} to train further.`,
    );
  }
  return epoch;
}

/** Holds the newest encoded checkpoint and writes it atomically, at most every `intervalMs`. */
class CheckpointWriter {
  private pending: { bytes: Uint8Array; epoch: number } | undefined;
  private lastWrite = Number.NEGATIVE_INFINITY; // the first finished epoch is written at once
  /** The epoch of the checkpoint on disk, once one was written by this run. */
  writtenEpoch: number | undefined;

  constructor(
    private readonly path: string,
    private readonly intervalMs: number,
  ) {}

  offer(bytes: Uint8Array, epoch: number): void {
    this.pending = { bytes, epoch };
  }

  async writeIfDue(): Promise<void> {
    if (performance.now() - this.lastWrite >= this.intervalMs) await this.flush();
  }

  async flush(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    await writeFileAtomic(this.path, pending.bytes);
    this.lastWrite = performance.now();
    this.writtenEpoch = pending.epoch;
  }
}
