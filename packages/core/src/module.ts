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
 * A model is a tree of modules. Parameters are `tf.Variable` fields; sub-modules are
 * `Module` fields. They are found by walking the fields in declaration order, so names come
 * out as PyTorch's `state_dict` names (`encoder.layers.0.attn.q.weight`) when fields are
 * declared in the same order as the reference `nn.Module`. Non-trainable variables
 * (`trainable: false`) are buffers, like BatchNorm's running statistics: saved in
 * checkpoints, not optimised.
 *
 * Discovery is complete or loud (like Equinox's pytrees). For each own field, in order:
 * - a `Module` or `tf.Variable` is a child, named by the field (`fc`, `weight`);
 * - arrays (nested too), plain objects (`{}` literals) and `Map`s with string keys are
 *   walked recursively, their indices and keys joining the name: `blocks.0.attn`,
 *   `heads.query.weight`, `grid.1.0.weight`;
 * - everything else (numbers, strings, tensors that are not variables, functions, class
 *   instances such as a `Generator` or a tokenizer) is ignored, as are the base class's
 *   `training` and `modulePath`;
 * - fields whose name starts with `_` are private and not walked, but one holding a module
 *   or variable anywhere inside throws an `ArgumentError` (`hidden-parameter`) naming it, as
 *   do modules in a `Set` or under a non-string `Map` key (`unnamed-children`), because they
 *   would silently be left out of training and checkpoints;
 * - a container that contains itself throws (`module-cycle`); a module reached twice
 *   (shared, or a reference back to a parent) is listed once, under its first name.
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
   * Local children in order: `[name, module | variable]`. The default walks the instance's
   * own fields by the rule in the class documentation (arrays, plain objects and Maps are
   * walked recursively). Override only for containers whose children have no field names
   * (see `Sequential`).
   * @throws {ArgumentError} `hidden-parameter` when a `_`-prefixed field holds a module or
   *   variable; `unnamed-children` for modules in a Set or under a non-string Map key;
   *   `module-cycle` when an array, object or Map contains itself.
   */
  protected children(): Array<[string, ModuleChild]> {
    const found: Array<[string, ModuleChild]> = [];
    for (const [key, value] of Object.entries(this)) {
      if (SKIPPED_FIELDS.has(key)) continue;
      if (key.startsWith('_')) {
        const hidden: Array<[string, ModuleChild]> = [];
        collectChildren(this.typeName, key, value, hidden, []);
        if (hidden.length > 0) {
          throw new ArgumentError(
            'hidden-parameter',
            `${this.typeName}: field "${key}" holds a ${Module.isModule(hidden[0][1]) ? 'Module' : 'tf.Variable'} ("${hidden[0][0]}"), ` +
              'but fields starting with "_" are private and never searched for parameters, so it would be left out of ' +
              'parameters(), training and checkpoints. Rename the field without the leading "_".',
          );
        }
        continue;
      }
      collectChildren(this.typeName, key, value, found, []);
    }
    return found;
  }

  /**
   * A snapshot of every variable (parameters and buffers) by dotted name, in PyTorch
   * `state_dict` order - the input {@link loadStateDict} takes. Each value is a new tensor the
   * caller owns and must dispose (it shares the variable's current data, so it costs no copy,
   * and later updates of the variable do not change it).
   * @example
   * ```ts
   * const saved = model.stateDict();   // { 'fc.weight': Tensor, 'fc.bias': Tensor }
   * // ... train ...
   * model.loadStateDict(saved);        // back to the snapshot
   * tf.dispose(Object.values(saved));
   * ```
   */
  stateDict(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.namedVariables().map(([name, variable]) => [name, tf.clone(variable)]));
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
   * Every variable must be present with the same shape and dtype; unknown names are rejected.
   * Everything is checked before any variable changes, so on error the module is unchanged.
   * Only the record's own keys count (a key such as `__proto__` is an ordinary, unknown
   * name). The tensors are not disposed.
   * @throws {CheckpointError} listing missing/unexpected names (the first 10 of each) or the
   *   first shape or dtype mismatch.
   */
  loadStateDict(values: Record<string, tf.Tensor>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const variables = this.namedVariables();
    const known = new Set(variables.map(([name]) => name));
    const has = (name: string) => Object.prototype.hasOwnProperty.call(values, name);
    const missing = variables.map(([name]) => name).filter((name) => !has(name));
    const unexpected = Object.keys(values).filter((name) => !known.has(name)).sort();
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new CheckpointError(
        'state-dict-mismatch',
        `${this.path}.loadStateDict: names do not match the model.` +
          (missing.length ? ` Missing: ${listNames(missing)}.` : '') +
          (unexpected.length ? ` Unexpected: ${listNames(unexpected)}.` : ''),
      );
    }
    for (const [name, variable] of variables) {
      if (!has(name)) continue;
      const value: unknown = values[name];
      if (!(value instanceof tf.Tensor)) {
        throw new CheckpointError('bad-value', `${this.path}.loadStateDict: "${name}" must be a tf.Tensor, received ${typeof value}.`);
      }
      if (value.shape.length !== variable.shape.length || value.shape.some((d: number, i: number) => d !== variable.shape[i])) {
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
      if (has(name)) variable.assign(values[name]);
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

/** `a, b` for messages, cut after 10 names (each cut to 80 characters). */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((name) => (name.length > 80 ? `${name.slice(0, 77)}...` : name));
  return names.length > 10 ? `${shown.join(', ')} and ${names.length - 10} more` : shown.join(', ');
}

/** An object literal or `Object.create(null)`: walked for children (class instances are not). */
function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Adds the modules and variables inside `value` to `found` under dotted names: the value
 * itself, or recursively the items of an array (`name.0`), the entries of a plain object
 * (`name.key`) or of a Map with string keys (`name.key`). `ancestors` holds the containers
 * being walked, to detect a container that contains itself.
 */
function collectChildren(owner: string, name: string, value: unknown, found: Array<[string, ModuleChild]>, ancestors: object[]): void {
  if (isChild(value)) {
    found.push([name, value]);
    return;
  }
  if (typeof value !== 'object' || value === null || value instanceof tf.Tensor) return;
  const isContainer = Array.isArray(value) || value instanceof Map || value instanceof Set || isPlainObject(value);
  if (!isContainer) return;
  if (ancestors.includes(value)) {
    throw new ArgumentError('module-cycle', `${owner}: field "${name}" contains itself; module fields must form a tree.`);
  }
  ancestors.push(value);
  if (Array.isArray(value)) {
    value.forEach((item, index) => collectChildren(owner, `${name}.${index}`, item, found, ancestors));
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      if (typeof key === 'string') collectChildren(owner, `${name}.${key}`, item, found, ancestors);
      else rejectUnnamed(owner, `${name} (a Map key ${typeof key})`, item, ancestors);
    }
  } else if (value instanceof Set) {
    for (const item of value) rejectUnnamed(owner, `${name} (a Set)`, item, ancestors);
  } else {
    for (const [key, item] of Object.entries(value)) collectChildren(owner, `${name}.${key}`, item, found, ancestors);
  }
  ancestors.pop();
}

/** Throws when `value` holds a module or variable that would have no name. */
function rejectUnnamed(owner: string, where: string, value: unknown, ancestors: object[]): void {
  const inside: Array<[string, ModuleChild]> = [];
  collectChildren(owner, where, value, inside, ancestors);
  if (inside.length > 0) {
    throw new ArgumentError(
      'unnamed-children',
      `${owner}: field ${where} holds a module or variable, which gets no parameter name there; ` +
        'use an array, a plain object or a Map with string keys.',
    );
  }
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
