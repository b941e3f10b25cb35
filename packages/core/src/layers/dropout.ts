import * as tf from '@tensorflow/tfjs-core';
import { resolveGenerator } from '../init';
import { Module } from '../module';
import type { Generator } from '../rng';
import { assertInRange } from '../shape';

/**
 * Inverted dropout: in training mode zeroes each element with probability `p` and scales the
 * rest by `1/(1-p)`; identity in eval mode. The mask's randomness comes from `rng` (one seed
 * drawn per call), so runs are reproducible on every backend.
 */
export class Dropout extends Module {
  static override readonly moduleName: string = 'Dropout';
  readonly p: number;
  private readonly _rng: Generator;

  /** @param p drop probability in [0, 1). */
  constructor(p = 0.5, options: { rng?: Generator | number } = {}) {
    super();
    this.p = assertInRange('Dropout', 'p', p, 0, 1);
    this._rng = resolveGenerator(options.rng);
  }

  /** The constructor arguments, `{ p }` (no rng). */
  getConfig(): { p: number } {
    return { p: this.p };
  }

  /** Builds a Dropout layer from {@link Dropout.getConfig}'s output. */
  static fromConfig(config: { p?: number }): Dropout {
    return new Dropout(config.p);
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return input.clone();
    const keep = tf.greaterEqual(tf.randomUniform(input.shape, 0, 1, 'float32', this._rng.seed()), this.p);
    return tf.mul(input, tf.mul(tf.cast(keep, 'float32'), 1 / (1 - this.p)));
  }
}
