import type * as tf from '@tensorflow/tfjs-core';

/**
 * A loss function: `(yTrue, yPred) => scalar` (argument order as in TF.js and Keras).
 * Implementations live in `@tensorzoo/losses`.
 */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** A JSON-serialisable value (optimizer hyper-parameters, step counters). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An optimizer's complete state, so that a checkpoint can resume training exactly.
 * `tensors` maps `"<parameterName>.<slot>"` (e.g. `"layers.0.weight.exp_avg"`) to a tensor
 * the caller owns; `scalars` holds counters and schedule positions.
 */
export interface OptimizerState {
  tensors: Record<string, tf.Tensor>;
  scalars: Record<string, JsonValue>;
}

/**
 * The optimizer contract `fit()` and checkpoints rely on. Implementations live in
 * `@tensorzoo/optimizers`; any object with this shape works.
 */
export interface Optimizer {
  /**
   * Applies one update. `parameters` and `gradients` are keyed by the same dotted
   * parameter names (`namedParameters()` of a Module). Gradients are not disposed.
   */
  step(parameters: Record<string, tf.Variable>, gradients: Record<string, tf.Tensor>): void;
  /** Number of `step` calls so far. */
  readonly iterations: number;
  /** Snapshot of the state (copies; the caller disposes `tensors`). */
  getState(): OptimizerState;
  /**
   * Restores a snapshot taken by `getState()` (copies the tensors). Should validate the
   * whole state before changing anything, so that a rejected state leaves the optimizer as
   * it was (checkpoint loading relies on this).
   */
  setState(state: OptimizerState): void;
  /**
   * Optional: checks, without changing anything, that `state` fits the `parameters` it will
   * update (keyed by dotted name), throwing a typed error otherwise. Checkpoint loading calls
   * it before touching the model; without it the generic rules of `checkOptimizerState` apply
   * (slots are `<parameter>.<slot>` with the parameter's shape, the same slots for every
   * parameter with state, dotted scalars name parameters).
   */
  checkState?(state: OptimizerState, parameters: Record<string, tf.Variable>): void;
  /** Frees the optimizer's slot tensors. */
  dispose(): void;
}
