import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError } from './errors';
import { formatShape } from './shape';

const MODULE_MARKER = Symbol.for('tensorzoo.module');

/** Fields never walked for parameters or children. */
const SKIPPED_FIELDS = new Set(['training', 'modulePath']);

/** A child entry of a module: a sub-module or a variable, under a local name. */
export type ModuleChild = Module<never, unknown, never> | tf.Variable;

/**
 * Base class of every layer and model.
 *
 * A model is a tree of modules. Parameters are `tf.Variable` fields (or arrays of them);
 * sub-modules are `Module` fields or arrays of modules. They are found by walking the
 * fields in declaration order, so names come out as PyTorch's `state_dict` names
 * (`encoder.layers.0.attn.q.weight`) when fields are declared in the same order as the
 * reference `nn.Module`. Non-trainable variables (`trainable: false`) are buffers, like
 * BatchNorm's running statistics: saved in checkpoints, not optimised.
 *
 * Subclasses implement {@link Module.forward}; users call {@link Module.call}, which
 * names the tree (for error messages) and runs `forward` inside `tf.tidy`.
 *
 * @typeParam Input what `call` takes (a tensor by default)
 * @typeParam Output what `call` returns (a tensor by default)
 * @typeParam Options the optional second argument of `call`
 * @example
 * ```ts
 * class MLP extends Module {
 *   hidden = new Linear(1, 8, { rng });
 *   out = new Linear(8, 1, { rng });
 *   forward(x: tf.Tensor) { return this.out.call(tf.sigmoid(this.hidden.call(x))); }
 * }
 * new MLP().namedParameters().map(([name]) => name); // hidden.weight, hidden.bias, out.weight, out.bias
 * ```
 */
export abstract class Module<Input = tf.Tensor, Output = tf.Tensor, Options = undefined> {
  /** @internal */
  readonly [MODULE_MARKER] = true;
  /** Training mode (dropout active, batch statistics). Toggle with {@link train} / {@link eval}. */
  training = true;
  /** Where this module sits in its model, e.g. `"GPT.blocks.0.attn (MultiHeadAttention)"`. @internal */
  protected modulePath: string | undefined;

  /** The computation. Called by {@link call}; may call sub-modules' `call`. */
  protected abstract forward(input: Input, options?: Options): Output;

  /**
   * Runs the module: `forward(input, options)` inside `tf.tidy`, so intermediate tensors
   * are freed and only the outputs survive.
   */
  call(input: Input, options?: Options): Output {
    if (this.modulePath === undefined) this.nameTree();
    return tf.tidy(() => this.forward(input, options) as unknown as tf.TensorContainer) as unknown as Output;
  }

  /**
   * The class's name for error messages and checkpoints. Subclasses declare it
   * (`static readonly moduleName = 'Linear'`) because bundlers minify class names;
   * without it `constructor.name` is used.
   */
  static readonly moduleName: string | undefined = undefined;

  /** This module's class name: its static `moduleName`, else `constructor.name`. */
  get typeName(): string {
    const ctor = this.constructor as { moduleName?: string; name: string };
    return Object.prototype.hasOwnProperty.call(ctor, 'moduleName') && ctor.moduleName ? ctor.moduleName : ctor.name;
  }

  /** Human-readable location for error messages: `"MLP.hidden (Linear)"`. */
  get path(): string {
    return this.modulePath ?? this.typeName;
  }

  /** True when `value` is a Module (from any copy of this package). */
  static isModule(value: unknown): value is Module<never, unknown, never> {
    return typeof value === 'object' && value !== null && MODULE_MARKER in value;
  }

  /**
   * Local children in order: `[name, module | variable]`. The default walks the
   * instance's own fields (arrays become `name.0`, `name.1`, ...). Override only for
   * containers whose children have no field names (see `Sequential`).
   */
  protected children(): Array<[string, ModuleChild]> {
    const found: Array<[string, ModuleChild]> = [];
    for (const [key, value] of Object.entries(this)) {
      if (SKIPPED_FIELDS.has(key) || key.startsWith('_')) continue;
      if (isChild(value)) found.push([key, value]);
      else if (Array.isArray(value)) {
        value.forEach((item, index) => {
          if (isChild(item)) found.push([`${key}.${index}`, item]);
        });
      }
    }
    return found;
  }

  /** Every sub-module with its dotted name, depth first, this module first (name `''`). */
  namedModules(): Array<[string, Module<never, unknown, never>]> {
    const out: Array<[string, Module<never, unknown, never>]> = [];
    const seen = new Set<unknown>();
    const visit = (prefix: string, module: Module<never, unknown, never>) => {
      if (seen.has(module)) return;
      seen.add(module);
      out.push([prefix, module]);
      for (const [name, child] of module.children()) {
        if (Module.isModule(child)) visit(prefix ? `${prefix}.${name}` : name, child);
      }
    };
    visit('', this as unknown as Module<never, unknown, never>);
    return out;
  }

  /**
   * Every variable (parameters and buffers) with its dotted name, in PyTorch `state_dict`
   * order. A variable shared by two modules (weight tying) appears once, under its first name.
   */
  namedVariables(): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    const seen = new Set<tf.Variable>();
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, child] of module.children()) {
        if (Module.isModule(child) || seen.has(child)) continue;
        seen.add(child);
        out.push([prefix ? `${prefix}.${name}` : name, child]);
      }
    }
    return out;
  }

  /** Trainable variables with their dotted names (`layers.0.weight`). */
  namedParameters(): Array<[string, tf.Variable]> {
    return this.namedVariables().filter(([, variable]) => variable.trainable);
  }

  /** Non-trainable variables (running statistics) with their dotted names. */
  namedBuffers(): Array<[string, tf.Variable]> {
    return this.namedVariables().filter(([, variable]) => !variable.trainable);
  }

  /** Trainable variables, in order. */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, variable]) => variable);
  }

  /** Trainable variables keyed by name (the form `Optimizer.step` takes). */
  parameterRecord(): Record<string, tf.Variable> {
    return Object.fromEntries(this.namedParameters());
  }

  /** Total number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((sum, variable) => sum + variable.size, 0);
  }

  /** Switches this module and all sub-modules to training mode. Returns `this`. */
  train(mode = true): this {
    for (const [, module] of this.namedModules()) module.training = mode;
    return this;
  }

  /** Switches to evaluation mode (no dropout, running statistics). Returns `this`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Copies values into this module's variables by name (like `load_state_dict(strict=True)`).
   * Every variable must be present with the same shape; unknown names are rejected. The
   * tensors are not disposed.
   * @throws {CheckpointError} listing missing/unexpected names or the first shape mismatch.
   */
  loadStateDict(values: Record<string, tf.Tensor>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const variables = this.namedVariables();
    const known = new Set(variables.map(([name]) => name));
    const missing = variables.map(([name]) => name).filter((name) => !(name in values));
    const unexpected = Object.keys(values).filter((name) => !known.has(name)).sort();
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new CheckpointError(
        'state-dict-mismatch',
        `${this.path}.loadStateDict: names do not match the model.` +
          (missing.length ? ` Missing: ${missing.join(', ')}.` : '') +
          (unexpected.length ? ` Unexpected: ${unexpected.join(', ')}.` : ''),
      );
    }
    for (const [name, variable] of variables) {
      const value = values[name];
      if (!value) continue;
      if (value.shape.length !== variable.shape.length || value.shape.some((d, i) => d !== variable.shape[i])) {
        throw new CheckpointError(
          'shape-mismatch',
          `${this.path}.loadStateDict: "${name}" expected shape ${formatShape(variable.shape)}, received ${formatShape(value.shape)}.`,
        );
      }
      if (value.dtype !== variable.dtype) {
        throw new CheckpointError(
          'dtype-mismatch',
          `${this.path}.loadStateDict: "${name}" expected dtype ${variable.dtype}, received ${value.dtype}.`,
        );
      }
    }
    for (const [name, variable] of variables) {
      const value = values[name];
      if (value) variable.assign(value);
    }
  }

  /** Frees every variable of this module tree. The module must not be used afterwards. */
  dispose(): void {
    for (const [, variable] of this.namedVariables()) variable.dispose();
  }

  /** Gives every module of the tree its path, for error messages. */
  private nameTree(): void {
    const root = this.typeName;
    for (const [name, module] of this.namedModules()) {
      module.modulePath = name ? `${root}.${name} (${module.typeName})` : root;
    }
  }
}

function isChild(value: unknown): value is ModuleChild {
  return value instanceof tf.Variable || Module.isModule(value);
}

/**
 * Turns an initial tensor into a module parameter (a `tf.Variable`), taking ownership of
 * `initial`. Assign the result to a field of your `Module`; the field name becomes the
 * parameter's name. Pass `trainable: false` for a buffer (saved, not optimised).
 * @example
 * ```ts
 * class Scale extends Module {
 *   weight = parameter(tf.ones([4]));
 *   forward(x: tf.Tensor) { return tf.mul(x, this.weight); }
 * }
 * ```
 */
export function parameter(initial: tf.Tensor, trainable = true): tf.Variable {
  if (initial.dtype !== 'float32') {
    throw new ArgumentError('bad-parameter', `parameter: expected a float32 tensor, received ${initial.dtype}.`);
  }
  const variable = tf.variable(initial, trainable);
  initial.dispose(); // the variable holds its own reference to the data
  return variable;
}
