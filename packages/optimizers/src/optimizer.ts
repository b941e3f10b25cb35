import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, describeValue, formatShape } from '@tensorzoo/core';
import type { JsonValue, Optimizer, OptimizerState } from '@tensorzoo/core';
import { applyClip, type ClipOptions } from './clipping';
import { learningRateAt, type LearningRate } from './schedules';

/** Names of the optimizers in this package, as stored in `getState().scalars.optimizer`. */
export type OptimizerName = 'sgd' | 'adam' | 'adamW' | 'rmsprop' | 'adagrad';

/**
 * An {@link Optimizer} from this package: the core contract plus its name, its options and
 * the learning rate of the next step.
 *
 * @typeParam Options the options object its factory takes.
 * @example
 * ```ts
 * const optimizer = adam({ lr: cosineDecay(1e-3, 1000) });
 * optimizer.name;          // 'adam'
 * optimizer.learningRate;  // 0.001 (schedule at step 0)
 * optimizer.getConfig();   // { lr: [Function] }
 * ```
 */
export interface ConfiguredOptimizer<Options> extends Optimizer {
  /** The factory that made it. */
  readonly name: OptimizerName;
  /** Learning rate the next `step()` will use: `lr`, or the schedule at `iterations`. */
  readonly learningRate: number;
  /** A copy of the options passed to the factory (exactly those; defaults are not filled in). */
  getConfig(): Options;
}

/**
 * What an update rule sees for one parameter. Everything runs inside `tf.tidy`; tensors
 * returned by `slot()` and passed to `setSlot()` need no disposal.
 * @internal
 */
export interface UpdateContext {
  readonly parameter: tf.Variable;
  /** The gradient after clipping. */
  readonly gradient: tf.Tensor;
  /** Learning rate of this step (schedule already applied). */
  readonly lr: number;
  /** 1-based count of updates of this parameter, this one included (torch's `state['step']`). */
  readonly step: number;
  /** Current value of a slot, or `undefined` before its first `setSlot`. */
  slot(slot: string): tf.Tensor | undefined;
  /** Stores a slot's new value (creating the slot variable on first use). */
  setSlot(slot: string, value: tf.Tensor): void;
}

/** The parts that differ between optimizers. @internal */
export interface OptimizerDefinition<Options> {
  name: OptimizerName;
  options: Options;
  lr: LearningRate;
  clip: ClipOptions | undefined;
  /** Every slot the rule may create, e.g. `['exp_avg', 'exp_avg_sq']`. */
  slots: readonly string[];
  /** Whether per-parameter step counts are state (torch keeps `state['step']` for Adam and Adagrad). */
  countsSteps: boolean;
  /** Returns the parameter's new value. */
  update(context: UpdateContext): tf.Tensor;
}

/** Splits `"layers.0.weight.exp_avg"` into `["layers.0.weight", "exp_avg"]` (slot names have no dots). */
function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return dot <= 0 ? ['', key] : [key.slice(0, dot), key.slice(dot + 1)];
}

/** `a, b, c` for messages; long lists are cut after 10 names. */
function listNames(names: readonly string[]): string {
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

/**
 * The shared machinery: validation of `step()` arguments, clipping, schedules, lazily
 * created slot variables, state save/restore and disposal. Each factory supplies an
 * {@link OptimizerDefinition}.
 */
class SlotOptimizer<Options> implements ConfiguredOptimizer<Options> {
  readonly name: OptimizerName;
  /** parameter name -> slot name -> variable. */
  private slotVariables = new Map<string, Map<string, tf.Variable>>();
  /** parameter name -> updates so far (only when `countsSteps`). */
  private stepCounts = new Map<string, number>();
  private stepsTaken = 0;
  /** A copy of the factory's options, so later changes to the caller's object do not show. */
  private readonly config: Options;

  constructor(private readonly definition: OptimizerDefinition<Options>) {
    this.name = definition.name;
    this.config = { ...definition.options };
  }

  get iterations(): number {
    return this.stepsTaken;
  }

  get learningRate(): number {
    return learningRateAt(this.name, this.definition.lr, this.stepsTaken);
  }

  getConfig(): Options {
    return { ...this.config };
  }

  step(parameters: Record<string, tf.Variable>, gradients: Record<string, tf.Tensor>): void {
    const where = `${this.name}.step`;
    const names = this.checkStepArguments(where, parameters, gradients);
    const lr = learningRateAt(where, this.definition.lr, this.stepsTaken);
    tf.tidy(() => {
      const clipped = applyClip(gradients, this.definition.clip);
      for (const name of names) {
        const parameter = parameters[name];
        const step = (this.stepCounts.get(name) ?? 0) + 1;
        tf.tidy(() => {
          const updated = this.definition.update({
            parameter,
            gradient: clipped[name],
            lr,
            step,
            slot: (slot) => this.slotVariables.get(name)?.get(slot),
            setSlot: (slot, value) => this.setSlot(name, slot, value),
          });
          parameter.assign(updated);
        });
        if (this.definition.countsSteps) this.stepCounts.set(name, step);
      }
    });
    this.stepsTaken += 1;
  }

  /** Validates everything before any update, so a bad call changes nothing. Returns the names to update. */
  private checkStepArguments(
    where: string,
    parameters: Record<string, tf.Variable>,
    gradients: Record<string, tf.Tensor>,
  ): string[] {
    for (const [what, record] of [['parameters', parameters], ['gradients', gradients]] as const) {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw new ArgumentError('bad-argument', `${where}: ${what} must be a record keyed by parameter name, received ${describeValue(record)}.`);
      }
    }
    const names = Object.keys(gradients);
    for (const name of names) {
      const parameter = parameters[name];
      const gradient = gradients[name];
      if (!Object.prototype.hasOwnProperty.call(parameters, name)) {
        throw new ArgumentError(
          'unknown-parameter',
          `${where}: gradient "${name}" has no parameter of that name; parameters are ${listNames(Object.keys(parameters))}.`,
        );
      }
      if (!(parameter instanceof tf.Variable)) {
        throw new ArgumentError('bad-argument', `${where}: parameter "${name}" must be a tf.Variable, received ${describeValue(parameter)}.`);
      }
      if (!(gradient instanceof tf.Tensor)) {
        throw new ArgumentError('bad-argument', `${where}: gradient "${name}" must be a tf.Tensor, received ${describeValue(gradient)}.`);
      }
      if (!tf.util.arraysEqual(gradient.shape, parameter.shape)) {
        throw new ShapeError(
          'shape-mismatch',
          `${where}: gradient of "${name}" has shape ${formatShape(gradient.shape)} but the parameter has shape ${formatShape(parameter.shape)}.`,
        );
      }
      if (gradient.dtype !== parameter.dtype) {
        throw new ShapeError(
          'dtype-mismatch',
          `${where}: gradient of "${name}" has dtype ${gradient.dtype} but the parameter has dtype ${parameter.dtype}.`,
        );
      }
      for (const [slot, variable] of this.slotVariables.get(name) ?? []) {
        if (!tf.util.arraysEqual(variable.shape, parameter.shape)) {
          throw new ShapeError(
            'shape-mismatch',
            `${where}: slot "${name}.${slot}" has shape ${formatShape(variable.shape)} but the parameter has shape ${formatShape(parameter.shape)}; the state does not belong to these parameters.`,
          );
        }
      }
    }
    return names;
  }

  private setSlot(name: string, slot: string, value: tf.Tensor): void {
    let slots = this.slotVariables.get(name);
    if (slots === undefined) {
      slots = new Map();
      this.slotVariables.set(name, slots);
    }
    const variable = slots.get(slot);
    // A variable shares its value's data (tfjs data is immutable), so creating one from a
    // tensor inside tf.tidy is safe: tidy frees the tensor handle, the variable keeps the data.
    if (variable === undefined) slots.set(slot, tf.variable(value, false));
    else if (value.dataId !== variable.dataId) variable.assign(value); // assigning its own data would free it
  }

  getState(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, slots] of this.slotVariables) {
      for (const [slot, variable] of slots) tensors[`${name}.${slot}`] = tf.clone(variable);
    }
    const scalars: Record<string, JsonValue> = { optimizer: this.name, iterations: this.stepsTaken };
    for (const [name, count] of this.stepCounts) scalars[`${name}.step`] = count;
    return { tensors, scalars };
  }

  setState(state: OptimizerState): void {
    const where = `${this.name}.setState`;
    if (state === null || typeof state !== 'object' || typeof state.tensors !== 'object' || typeof state.scalars !== 'object') {
      throw new ArgumentError('bad-state', `${where}: expected { tensors, scalars } from getState(), received ${describeValue(state)}.`);
    }
    const { tensors, scalars } = state;
    if (scalars.optimizer !== undefined && scalars.optimizer !== this.name) {
      throw new ArgumentError(
        'bad-state',
        `${where}: the state was saved by ${describeValue(scalars.optimizer)}, not "${this.name}"; create the same optimizer to restore it.`,
      );
    }
    const iterations = scalars.iterations;
    if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 0) {
      throw new ArgumentError('bad-state', `${where}: scalars.iterations (${describeValue(iterations)}) must be an integer >= 0.`);
    }
    const stepCounts = new Map<string, number>();
    for (const [key, value] of Object.entries(scalars)) {
      if (key === 'optimizer' || key === 'iterations') continue;
      const [name, field] = splitKey(key);
      if (!this.definition.countsSteps || field !== 'step' || name === '') {
        throw new ArgumentError(
          'bad-state',
          `${where}: unknown scalar "${key}"; ${this.name} keeps ${this.definition.countsSteps ? 'optimizer, iterations and "<parameter>.step"' : 'optimizer and iterations'}.`,
        );
      }
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new ArgumentError('bad-state', `${where}: scalars["${key}"] (${describeValue(value)}) must be an integer >= 0.`);
      }
      stepCounts.set(name, value);
    }
    const entries: Array<[string, string, tf.Tensor]> = [];
    for (const [key, tensor] of Object.entries(tensors)) {
      const [name, slot] = splitKey(key);
      if (name === '' || !this.definition.slots.includes(slot)) {
        throw new ArgumentError(
          'bad-state',
          `${where}: unknown slot tensor "${key}"; ${this.name} keeps "<parameter>.<slot>" with slot one of ${this.definition.slots.join(', ')}.`,
        );
      }
      if (!(tensor instanceof tf.Tensor) || tensor.dtype !== 'float32') {
        throw new ArgumentError('bad-state', `${where}: tensors["${key}"] must be a float32 tf.Tensor, received ${describeValue(tensor)}.`);
      }
      if (this.definition.countsSteps && !stepCounts.has(name)) {
        throw new ArgumentError('bad-state', `${where}: scalars["${name}.step"] is missing; ${this.name} needs it for tensors of "${name}".`);
      }
      entries.push([name, slot, tensor]);
    }
    this.dispose();
    for (const [name, slot, tensor] of entries) {
      // tf.variable shares the tensor's (immutable) data: a copy the caller may dispose.
      this.setSlot(name, slot, tensor);
    }
    this.stepCounts = stepCounts;
    this.stepsTaken = iterations;
  }

  dispose(): void {
    for (const slots of this.slotVariables.values()) {
      for (const variable of slots.values()) variable.dispose();
    }
    this.slotVariables.clear();
    this.stepCounts.clear();
    this.stepsTaken = 0;
  }
}

/** Builds an optimizer from its definition. @internal */
export function createOptimizer<Options>(definition: OptimizerDefinition<Options>): ConfiguredOptimizer<Options> {
  return new SlotOptimizer(definition);
}

/** `gradient + weightDecay * parameter` (L2 penalty folded into the gradient), or the gradient itself. @internal */
export function addWeightDecay(gradient: tf.Tensor, parameter: tf.Tensor, weightDecay: number): tf.Tensor {
  return weightDecay === 0 ? gradient : tf.add(gradient, tf.mul(parameter, weightDecay));
}
