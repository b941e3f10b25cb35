import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '../errors';
import { Module } from '../module';
import { assertShape, describeValue, formatShape } from '../shape';

/**
 * Flattens channels-last images to vectors in PyTorch's `(C, H, W)` order (PyTorch
 * `nn.Flatten()` on the NCHW equivalent), so a following `Linear` loaded from a PyTorch
 * `state_dict` sees the features in the same order.
 *
 * Input `[N, H, W, C]` -> output `[N, C·H·W]`. Inputs of other ranks `[N, ...]` (rank >= 2)
 * are flattened in their own row-major order.
 * @example
 * ```ts
 * new Flatten().call(tf.zeros([8, 5, 5, 64])).shape; // [8, 1600]
 * ```
 */
export class Flatten extends Module {
  static override readonly moduleName: string = 'Flatten';
  /** No constructor arguments: `{}`. */
  getConfig(): Record<string, never> {
    return {};
  }
  /** Builds the layer (it has no options); `loadModel` uses it. */
  static fromConfig(): Flatten {
    return new Flatten();
  }
  protected forward(input: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'input', input, ['...', null]);
    if (input.rank < 2) {
      throw new ShapeError('shape-mismatch', `${this.path}: input expected shape [N, ...] of rank >= 2, received ${formatShape(input.shape)}.`);
    }
    const ordered = input.rank === 4 ? tf.transpose(input, [0, 3, 1, 2]) : input; // [N, C, H, W]
    return tf.reshape(ordered, [input.shape[0], -1]); // [N, C*H*W]
  }
}

/**
 * The inverse of {@link Flatten}: reads vectors as PyTorch `(C, H, W)` feature maps and
 * returns channels-last images (PyTorch `x.view(N, C, H, W)` / `nn.Unflatten(1, (C, H, W))`
 * followed by the NCHW -> NHWC change of layout). DCGAN's generator uses it after its first
 * dense layer, so weights loaded from PyTorch produce the same images.
 *
 * With a target of another rank it is a plain row-major reshape `[N, ...] -> [N, ...shape]`.
 *
 * Input `[N, C·H·W]` -> output `[N, H, W, C]` for `shape = [C, H, W]`.
 * @example
 * ```ts
 * new Reshape([256, 7, 7]).call(tf.zeros([8, 12544])).shape; // [8, 7, 7, 256]
 * ```
 */
export class Reshape extends Module {
  static override readonly moduleName: string = 'Reshape';
  /** The per-example target shape; `[C, H, W]` in PyTorch order for images. */
  readonly shape: readonly number[];

  /** @param shape per-example target; `[C, H, W]` (PyTorch order) gives NHWC images. */
  constructor(shape: readonly number[]) {
    super();
    const where = (new.target as { moduleName?: string }).moduleName ?? new.target.name;
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new ArgumentError(
        'bad-argument',
        `${where}: shape (${Array.isArray(shape) ? formatShape(shape) : describeValue(shape)}) must be a non-empty list of integers >= 1.`,
      );
    }
    this.shape = [...shape];
  }

  /** The constructor argument, `{ shape }`. */
  getConfig(): { shape: number[] } {
    return { shape: [...this.shape] };
  }

  /** Builds the layer from {@link Reshape.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: { shape: readonly number[] }): Reshape {
    return new Reshape(config.shape);
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    const size = this.shape.reduce((a, b) => a * b, 1);
    if (input.rank < 2 || input.size / input.shape[0] !== size) {
      throw new ShapeError(
        'shape-mismatch',
        `${this.path}: input expected [N, ...] with ${size} values per example (to reshape to ${formatShape(this.shape)}), received ${formatShape(input.shape)}.`,
      );
    }
    const batch = input.shape[0];
    if (this.shape.length !== 3) return tf.reshape(input, [batch, ...this.shape]);
    const nchw = tf.reshape(input, [batch, ...this.shape]); // [N, C, H, W]
    return tf.transpose(nchw, [0, 2, 3, 1]); // [N, H, W, C]
  }
}

/**
 * {@link Reshape} under PyTorch's name for the `[C, H, W]` case:
 * `[N, C·H·W]` (PyTorch order) -> channels-last `[N, H, W, C]`.
 * @example
 * ```ts
 * new Unflatten([256, 7, 7]).call(tf.zeros([8, 12544])).shape; // [8, 7, 7, 256]
 * ```
 */
export class Unflatten extends Reshape {
  static override readonly moduleName: string = 'Unflatten';
  /** Builds the layer from {@link Reshape.getConfig}'s output; `loadModel` uses it. */
  static override fromConfig(config: { shape: readonly number[] }): Unflatten {
    return new Unflatten(config.shape);
  }
}
