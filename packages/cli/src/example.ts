import type { Batch, Generator, History, LossFn, Module, Optimizer } from '@tensorzoo/core';

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
  /**
   * Trains `model` on `data` up to {@link ExampleContext.epochs} epochs and writes the
   * checkpoint. When the run resumes, it first loads the weights, optimizer and generator
   * state from the checkpoint and starts at the saved epoch.
   *
   * @returns the loss history of the whole run, resumed epochs included.
   */
  train(model: Module, data: Batch, setup: TrainSetup): Promise<History>;
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
