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

  /**
   * The class's name, declared on each class: bundlers minify class names, so
   * `constructor.name` would print `x4` in production builds.
   */
  static readonly errorName: string = 'TensorZooError';

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = (new.target as typeof TensorZooError).errorName;
  }

  /** True when `value` is an error of this class (or a subclass), from any copy of the package. */
  static isInstance<T extends typeof TensorZooError>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null || !(MARKER in value)) return false;
    if (this.errorName === TensorZooError.errorName) return true;
    // Walk the prototype chain by declared name: classes from another copy are different objects.
    for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      if ((proto.constructor as { errorName?: string } | undefined)?.errorName === this.errorName) return true;
    }
    return false;
  }
}

/** A tensor had the wrong shape or rank at a module or function boundary. */
export class ShapeError extends TensorZooError {
  static override readonly errorName: string = 'ShapeError';
}

/** An argument was outside its allowed range or of the wrong kind. */
export class ArgumentError extends TensorZooError {
  static override readonly errorName: string = 'ArgumentError';
}

/** A backend could not be loaded or initialised. */
export class BackendError extends TensorZooError {
  static override readonly errorName: string = 'BackendError';
}

/** A checkpoint or safetensors file is malformed, truncated or does not match the model. */
export class CheckpointError extends TensorZooError {
  static override readonly errorName: string = 'CheckpointError';
}

/** Training stopped: a non-finite loss, an abort, or a bad batch. */
export class TrainingError extends TensorZooError {
  static override readonly errorName: string = 'TrainingError';
}
