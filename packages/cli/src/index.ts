/**
 * The `tensorzoo` command-line tool as a library: run the examples from code and draw loss
 * curves. The command itself lives in `bin.ts` (`npx tensorzoo train regression`).
 *
 * @packageDocumentation
 */
export { runExample, CLI_BACKENDS, DEFAULT_SEED, type RunExampleOptions, type RunResult, type RunFiles } from './run-example';
export { examples, findExample } from './examples/index';
export { hyperparameters } from './example';
export type { CustomTraining, Example, ExampleContext, ExampleSummary, Hyperparameters, TrainSetup } from './example';
export { CHECKPOINT_INTERVAL_MS } from './training-harness';
export { plotLossCurve, LOG_SCALE_RATIO, type LossCurve, type PlotOptions, type Color } from './plot';
export type { ProgressMode } from './progress';
