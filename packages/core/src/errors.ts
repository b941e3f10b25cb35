const MARKER = Symbol.for('tensorzoo.error');

/**
 * Base class of every error TensorZoo throws on purpose.
 *
 * `instanceof` fails when two copies of a package are installed, so each class
 * carries a `Symbol.for` marker and a static `isInstance` that checks it.
 *
 * @example
 * ```ts
 * try { loadCheckpoint(bytes); } catch (error) {
 *   if (CheckpointError.isInstance(error)) console.error(error.code);
 * }
 * ```
 */
export class TensorZooError extends Error {
  /** @internal */
  readonly [MARKER] = true;
  /** Stable machine-readable reason, e.g. `'shape-mismatch'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** True when `value` is an error of this class (or a subclass), from any copy of the package. */
  static isInstance<T extends typeof TensorZooError>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null || !(MARKER in value)) return false;
    if (this === (TensorZooError as unknown)) return true;
    // Walk the prototype chain by name: classes from another copy are different objects.
    for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      if (proto.constructor?.name === this.name) return true;
    }
    return false;
  }
}

/** A tensor had the wrong shape or rank at a module or function boundary. */
export class ShapeError extends TensorZooError {}

/** An argument was outside its allowed range or of the wrong kind. */
export class ArgumentError extends TensorZooError {}

/** A backend could not be loaded or initialised. */
export class BackendError extends TensorZooError {}

/** A checkpoint or safetensors file is malformed, truncated or does not match the model. */
export class CheckpointError extends TensorZooError {}

/** Training stopped: a non-finite loss, an abort, or a bad batch. */
export class TrainingError extends TensorZooError {}
