import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { Module, parameter } from '../module';
import { assertInRange, assertInteger, assertShape, type DimPattern } from '../shape';

/** Options of {@link BatchNorm1d} and {@link BatchNorm2d}. */
export interface BatchNormOptions {
  /** Added to the variance before the square root. Default `1e-5`. */
  eps?: number;
  /**
   * Weight of the new batch statistic in the running averages:
   * `running = (1 - momentum)·running + momentum·batch`. `null` gives the cumulative
   * average over all batches seen (PyTorch's `momentum=None`). Default `0.1`.
   */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` and shift `bias`. Default `true`. */
  affine?: boolean;
  /** Keep running statistics for eval mode; without them eval mode uses batch statistics. Default `true`. */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over every axis but the last (channels last), shared by the 1-d and
 * 2-d layers. Field order gives PyTorch's `state_dict` names: `weight`, `bias`,
 * `running_mean`, `running_var`, `num_batches_tracked`.
 */
abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  /** `[numFeatures]`, initialised to ones (absent when `affine: false`). */
  weight?: tf.Variable;
  /** `[numFeatures]`, initialised to zeros (absent when `affine: false`). */
  bias?: tf.Variable;
  /** Buffer `[numFeatures]`: running mean, initialised to zeros. */
  running_mean?: tf.Variable;
  /** Buffer `[numFeatures]`: running unbiased variance, initialised to ones. */
  running_var?: tf.Variable;
  /** Buffer, int32 scalar: training batches seen. */
  num_batches_tracked?: tf.Variable;

  constructor(where: string, numFeatures: number, options: BatchNormOptions) {
    super();
    this.numFeatures = assertInteger(where, 'numFeatures', numFeatures);
    this.eps = assertInRange(where, 'eps', options.eps ?? 1e-5, 0, 1);
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.momentum = momentum === null ? null : assertInRange(where, 'momentum', momentum, 0, 1, true);
    if (options.affine ?? true) {
      this.weight = parameter(tf.ones([numFeatures]));
      this.bias = parameter(tf.zeros([numFeatures]));
    }
    if (options.trackRunningStats ?? true) {
      this.running_mean = parameter(tf.zeros([numFeatures]), false);
      this.running_var = parameter(tf.ones([numFeatures]), false);
      this.num_batches_tracked = tf.variable(tf.scalar(0, 'int32'), false);
    }
  }

  /** The constructor arguments, `{ numFeatures, eps, momentum, affine, trackRunningStats }`. */
  getConfig(): { numFeatures: number; eps: number; momentum: number | null; affine: boolean; trackRunningStats: boolean } {
    return { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.weight !== undefined, trackRunningStats: this.running_mean !== undefined };
  }

  /** The accepted input shapes, for the shape check. */
  protected abstract patterns(): DimPattern[][];

  protected forward(input: tf.Tensor): tf.Tensor {
    const patterns = this.patterns();
    const pattern = patterns.find((candidate) => candidate.length === input.shape.length) ?? patterns[0];
    assertShape(this.path, 'input', input, pattern, 'float32');
    const axes = input.shape.slice(0, -1).map((_, axis) => axis); // all but channels
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (this.training || !this.running_mean || !this.running_var) {
      const count = input.size / this.numFeatures;
      if (this.training && count < 2) {
        throw new ArgumentError(
          'bad-batch',
          `${this.path}: training mode needs more than 1 value per channel, received input ${JSON.stringify(input.shape)}.`,
        );
      }
      ({ mean, variance } = tf.moments(input, axes)); // [C], biased variance
      if (this.training) this.updateRunningStats(mean, variance, count);
    } else {
      mean = this.running_mean;
      variance = this.running_var;
    }
    let output = tf.mul(tf.sub(input, mean), tf.rsqrt(tf.add(variance, this.eps)));
    if (this.weight && this.bias) output = tf.add(tf.mul(output, this.weight), this.bias);
    return output;
  }

  /** running ← (1 - m)·running + m·batch, with the unbiased batch variance (like PyTorch). */
  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    if (!this.running_mean || !this.running_var || !this.num_batches_tracked) return;
    const runningMean = this.running_mean;
    const runningVar = this.running_var;
    const tracked = this.num_batches_tracked;
    tf.tidy(() => {
      const batches = tf.add(tracked, tf.scalar(1, 'int32'));
      const factor = this.momentum === null ? tf.div(1, tf.cast(batches, 'float32')) : tf.scalar(this.momentum);
      const unbiased = tf.mul(variance, count / (count - 1));
      const blend = (running: tf.Tensor, batch: tf.Tensor) => tf.add(running, tf.mul(tf.sub(batch, running), factor));
      // assign() shares the new tensors' data, so tidy's cleanup leaves the buffers intact.
      runningMean.assign(blend(runningMean, mean));
      runningVar.assign(blend(runningVar, unbiased));
      tracked.assign(batches);
    });
  }
}

/**
 * Batch normalisation of channels-last images (PyTorch `nn.BatchNorm2d`).
 *
 * Training mode normalises with the batch's per-channel mean and biased variance over
 * `N, H, W`, and updates the running mean and the running *unbiased* variance in place;
 * eval mode (`module.eval()`) uses the running statistics.
 *
 * Input `[N, H, W, numFeatures]` -> output of the same shape.
 * @example
 * ```ts
 * const norm = new BatchNorm2d(32);
 * norm.call(tf.randomNormal([8, 14, 14, 32])).shape; // [8, 14, 14, 32]; running stats updated
 * ```
 */
export class BatchNorm2d extends BatchNorm {
  static override readonly moduleName: string = 'BatchNorm2d';
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }

  /** Builds the layer from {@link BatchNorm2d.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: { numFeatures: number } & BatchNormOptions): BatchNorm2d {
    return new BatchNorm2d(config.numFeatures, config);
  }

  protected patterns(): DimPattern[][] {
    return [[null, null, null, this.numFeatures]];
  }
}

/**
 * Batch normalisation of feature vectors or channels-last sequences (PyTorch
 * `nn.BatchNorm1d`); statistics per feature over every other axis.
 *
 * Input `[N, numFeatures]` or `[N, L, numFeatures]` (channels last; PyTorch's is
 * `[N, C, L]`) -> output of the same shape.
 * @example
 * ```ts
 * const norm = new BatchNorm1d(16);
 * norm.call(tf.randomNormal([8, 16])).shape; // [8, 16]
 * ```
 */
export class BatchNorm1d extends BatchNorm {
  static override readonly moduleName: string = 'BatchNorm1d';
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }

  /** Builds the layer from {@link BatchNorm1d.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: { numFeatures: number } & BatchNormOptions): BatchNorm1d {
    return new BatchNorm1d(config.numFeatures, config);
  }

  protected patterns(): DimPattern[][] {
    return [[null, this.numFeatures], [null, null, this.numFeatures]];
  }
}
