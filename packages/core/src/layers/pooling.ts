import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '../errors';
import { Module } from '../module';
import { assertShape, formatShape } from '../shape';
import { convOutputSize, toPair, type Size2d } from './conv';

/** Options of {@link MaxPool2d} and {@link AvgPool2d}. */
export interface Pool2dOptions {
  /** Step between windows, a number or `[height, width]`. Default: the kernel size. */
  stride?: Size2d;
  /** Padding added on both sides, a number or `[height, width]`, at most half the kernel. Default `0`. */
  padding?: Size2d;
}

/** Shared argument handling of the two pooling layers. */
abstract class Pool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(where: string, kernelSize: Size2d, options: Pool2dOptions) {
    super();
    this.kernelSize = toPair(where, 'kernelSize', kernelSize);
    this.stride = toPair(where, 'stride', options.stride ?? this.kernelSize);
    this.padding = toPair(where, 'padding', options.padding ?? 0, 0);
    if (this.padding[0] > this.kernelSize[0] / 2 || this.padding[1] > this.kernelSize[1] / 2) {
      throw new ArgumentError(
        'bad-argument',
        `${where}: padding (${formatShape(this.padding)}) must be at most half the kernel size (${formatShape(this.kernelSize)}).`,
      );
    }
  }

  /** The constructor arguments, `{ kernelSize, stride, padding }` as `[height, width]` pairs. */
  getConfig(): { kernelSize: [number, number]; stride: [number, number]; padding: [number, number] } {
    return { kernelSize: [...this.kernelSize], stride: [...this.stride], padding: [...this.padding] };
  }

  /** Checks the input and returns the explicit NHWC padding for tfjs. */
  protected prepare(input: tf.Tensor): [[number, number], [number, number], [number, number], [number, number]] {
    assertShape(this.path, 'input', input, [null, null, null, null], 'float32');
    const [, height, width] = input.shape;
    const [ph, pw] = this.padding;
    if (convOutputSize(height, this.kernelSize[0], this.stride[0], ph) < 1 || convOutputSize(width, this.kernelSize[1], this.stride[1], pw) < 1) {
      throw new ShapeError(
        'input-too-small',
        `${this.path}: input ${formatShape(input.shape)} is smaller than the window ${formatShape(this.kernelSize)} with padding ${formatShape(this.padding)}.`,
      );
    }
    return [[0, 0], [ph, ph], [pw, pw], [0, 0]];
  }
}

/**
 * 2-D max pooling (PyTorch `nn.MaxPool2d`, floor mode) on channels-last images. Padded
 * positions never win (they count as -infinity, like PyTorch).
 *
 * Input `[N, H, W, C]` -> output `[N, H', W', C]`, `H' = floor((H + 2·padding - kh) / stride) + 1`.
 * @example
 * ```ts
 * new MaxPool2d(2).call(tf.zeros([8, 28, 28, 32])).shape; // [8, 14, 14, 32]
 * ```
 */
export class MaxPool2d extends Pool2d {
  static override readonly moduleName: string = 'MaxPool2d';
  /** @param kernelSize window size, a number or `[height, width]`. */
  constructor(kernelSize: Size2d, options: Pool2dOptions = {}) {
    super('MaxPool2d', kernelSize, options);
  }

  /** Builds the layer from {@link MaxPool2d.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: { kernelSize: Size2d } & Pool2dOptions): MaxPool2d {
    return new MaxPool2d(config.kernelSize, config);
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    const pad = this.prepare(input);
    const numeric = pad[1][0] === 0 && pad[2][0] === 0 ? 'valid' : pad;
    return tf.maxPool(input as tf.Tensor4D, this.kernelSize, this.stride, numeric); // [N, H', W', C]
  }
}

/**
 * 2-D average pooling (PyTorch `nn.AvgPool2d` with its defaults: floor mode,
 * `count_include_pad=True`, so padded zeros count in the average) on channels-last images.
 *
 * Input `[N, H, W, C]` -> output `[N, H', W', C]`, `H' = floor((H + 2·padding - kh) / stride) + 1`.
 * @example
 * ```ts
 * new AvgPool2d(2).call(tf.zeros([8, 28, 28, 32])).shape; // [8, 14, 14, 32]
 * ```
 */
export class AvgPool2d extends Pool2d {
  static override readonly moduleName: string = 'AvgPool2d';
  /** @param kernelSize window size, a number or `[height, width]`. */
  constructor(kernelSize: Size2d, options: Pool2dOptions = {}) {
    super('AvgPool2d', kernelSize, options);
  }

  /** Builds the layer from {@link AvgPool2d.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: { kernelSize: Size2d } & Pool2dOptions): AvgPool2d {
    return new AvgPool2d(config.kernelSize, config);
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    const pad = this.prepare(input);
    // tfjs averages over the valid positions only; zero-pad first to count the padding.
    const padded = pad[1][0] === 0 && pad[2][0] === 0 ? input : tf.pad(input, pad); // [N, H+2ph, W+2pw, C]
    return tf.avgPool(padded as tf.Tensor4D, this.kernelSize, this.stride, 'valid'); // [N, H', W', C]
  }
}

/**
 * Global average pooling: the mean over height and width (PyTorch
 * `nn.AdaptiveAvgPool2d(1)` followed by flattening).
 *
 * Input `[N, H, W, C]` -> output `[N, C]`.
 * @example
 * ```ts
 * new GlobalAvgPool2d().call(tf.zeros([8, 7, 7, 64])).shape; // [8, 64]
 * ```
 */
export class GlobalAvgPool2d extends Module {
  static override readonly moduleName: string = 'GlobalAvgPool2d';
  /** No constructor arguments: `{}`. */
  getConfig(): Record<string, never> {
    return {};
  }
  /** Builds the layer (it has no options); `loadModel` uses it. */
  static fromConfig(): GlobalAvgPool2d {
    return new GlobalAvgPool2d();
  }
  protected forward(input: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'input', input, [null, null, null, null], 'float32');
    return tf.mean(input, [1, 2]); // [N, C]
  }
}
