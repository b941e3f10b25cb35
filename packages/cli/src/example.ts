import type { Batch, Generator, History, LossFn, Module, Optimizer, StepInfo } from '@tensorzoo/core';

/** What an example hands to {@link ExampleContext.train}: everything `fit` needs besides the data. */
export interface TrainSetup {
  /** `(yTrue, yPred) => scalar`, e.g. `meanSquaredError` from `@tensorzoo/losses`. */
  loss: LossFn;
  /** The optimizer; its state is saved in the checkpoint and restored by `--resume`. */
  optimizer: Optimizer;
  /** The shuffle generator given to `fit`; its state is saved and restored too. */
  rng: Generator;
  /** Rows per step. */
  batchSize: number;
  /** Data scored after every epoch (the second curve of `loss.png`). */
  validationData?: Batch;
  /** Name of that curve in the plot and in `history.json`. Default `'validation'`. */
  validationLabel?: string;
  /** Extra string metadata for the checkpoint, e.g. a model config and tokenizer for `tensorzoo sample`. */
  metadata?: Record<string, string>;
}

/**
 * A training loop an example runs itself, for models `fit` cannot train (a GAN's alternating
 * updates of two networks). {@link ExampleContext.trainCustom} wraps it with the progress
 * display, `--resume`, the checkpoint and `loss.png`, as `train` wraps `fit`.
 */
export interface CustomTraining {
  /** Names of the two curves of `loss.png` (the `loss` and `valLoss` of each epoch). Default `'train'` and `'validation'`. */
  labels?: { loss?: string; valLoss?: string };
  /**
   * Trains epoch `epoch` (0-based), calling `onStep` after each step, and returns the
   * epoch's numbers. Throw a `TrainingError` (`'aborted'`) when `signal` is aborted.
   */
  trainEpoch(
    epoch: number,
    progress: { onStep: (info: StepInfo) => Promise<void>; signal?: AbortSignal },
  ): Promise<{ loss: number; valLoss?: number; steps: number }>;
  /** The whole training state (weights, optimizers, generators, epoch) as checkpoint bytes, with `metadata`. */
  save(state: { epoch: number; metadata: Record<string, string> }): Promise<Uint8Array>;
  /** Restores a state written by `save`; returns its epoch. */
  load(bytes: Uint8Array): Promise<number>;
}

/**
 * The hyper-parameters every example lets the user change (`--lr`, `--batch-size`, `--steps`).
 * Each is `undefined` unless given; examples fall back to their own defaults with
 * {@link hyperparameters}.
 */
export interface Hyperparameters {
  /** Peak learning rate: where the example's schedule starts (after any warmup). */
  learningRate?: number;
  /** Examples (rows, images, sequences) per optimizer step. */
  batchSize?: number;
  /** Optimizer steps per epoch. Examples that pass over a fixed dataset draw this many random batches per epoch instead. */
  stepsPerEpoch?: number;
}

/**
 * The run's hyper-parameters: the user's overrides from `context`, else `defaults`.
 * `stepsPerEpoch` stays `undefined` when neither gives one (a full pass over the data).
 *
 * @example
 * ```ts
 * const { learningRate, batchSize, stepsPerEpoch } = hyperparameters(context, { learningRate: 1e-3, batchSize: 64, stepsPerEpoch: 25 });
 * ```
 */
export function hyperparameters<D extends { learningRate: number; batchSize: number; stepsPerEpoch?: number }>(
  context: Pick<ExampleContext, 'hyperparameters'>,
  defaults: D,
): { learningRate: number; batchSize: number; stepsPerEpoch: D['stepsPerEpoch'] extends number ? number : number | undefined } {
  const given = context.hyperparameters;
  return {
    learningRate: given.learningRate ?? defaults.learningRate,
    batchSize: given.batchSize ?? defaults.batchSize,
    stepsPerEpoch: (given.stepsPerEpoch ?? defaults.stepsPerEpoch) as D['stepsPerEpoch'] extends number ? number : number | undefined,
  };
}

/**
 * What `Example.run` receives: the run's settings and a `train` function that wraps
 * `fit` with the progress display, `--resume` and the checkpoint.
 */
export interface ExampleContext {
  /** Seed of every random choice in the run (data, initial weights, shuffling). */
  readonly seed: number;
  /** Total epochs the run should reach (a resumed run trains only the remaining ones). */
  readonly epochs: number;
  /** Prints one line of results (stdout for the CLI). */
  log(line: string): void;
  /** The run's output folder (`--out`), for files of the example's own, e.g. image grids. */
  readonly outDir: string;
  /** The user's `--lr`, `--batch-size` and `--steps` (read them through {@link hyperparameters}). */
  readonly hyperparameters: Readonly<Hyperparameters>;
  /**
   * Trains `model` on `data` up to {@link ExampleContext.epochs} epochs and writes the
   * checkpoint. When the run resumes, it first loads the weights, optimizer and generator
   * state from the checkpoint and starts at the saved epoch.
   *
   * @param data the whole dataset (batched and shuffled by `fit`), or an iterable whose every
   *   loop yields one epoch of batches (e.g. `languageModelBatches` from `@tensorzoo/datasets`).
   * @returns the loss history of the whole run, resumed epochs included.
   */
  train(model: Module, data: Batch | Iterable<Batch>, setup: TrainSetup): Promise<History>;
  /**
   * Like {@link ExampleContext.train} for a loop the example runs itself (see
   * {@link CustomTraining}): restores `--resume`, runs the remaining epochs with the progress
   * display and writes the checkpoint. Call either `train` or `trainCustom`, once.
   */
  trainCustom(training: CustomTraining): Promise<History>;
}

/** Numbers an example reports after training (saved in `history.json` under `summary`). */
export type ExampleSummary = Record<string, number>;

/**
 * One runnable example: a model, its data and what it prints afterwards.
 * Add one by copying a file in `src/examples/` and listing it in `src/examples/index.ts`.
 */
export interface Example {
  /** Command-line name, kebab-case (`tensorzoo train <name>`). */
  readonly name: string;
  /** One line for `tensorzoo list`. */
  readonly description: string;
  /** Epochs when `--epochs` is not given. */
  readonly defaultEpochs: number;
  /** Builds data and model, calls `context.train` once, then prints and returns its results. */
  run(context: ExampleContext): Promise<ExampleSummary>;
}
