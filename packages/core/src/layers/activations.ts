import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module';
import { fusedGelu } from '../kernels/gelu';
import { assertInRange } from '../shape';

/** Exact GELU, `0.5·x·(1 + erf(x/√2))` (PyTorch's default `approximate='none'`). */
export function gelu(x: tf.Tensor): tf.Tensor {
  // cpu and wasm: one fused kernel forward and one backward (installFastKernels).
  const fused = fusedGelu(x);
  if (fused) return fused;
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** GELU with the tanh approximation (PyTorch `approximate='tanh'`, GPT-2). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  });
}

/** `max(0, x)`. */
export class ReLU extends Module {
  static override readonly moduleName: string = 'ReLU';
  /** No constructor arguments: `{}`. */
  getConfig(): Record<string, never> {
    return {};
  }
  /** Builds the layer (it has no options); `loadModel` uses it. */
  static fromConfig(): ReLU {
    return new ReLU();
  }
  protected forward(input: tf.Tensor): tf.Tensor {
    return tf.relu(input);
  }
}

/** `x` for x > 0, `negativeSlope·x` otherwise. Default slope 0.01 (PyTorch and seed 001). */
export class LeakyReLU extends Module {
  static override readonly moduleName: string = 'LeakyReLU';
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = assertInRange('LeakyReLU', 'negativeSlope', negativeSlope, 0, Number.MAX_VALUE);
  }
  /** The constructor argument, `{ negativeSlope }`. */
  getConfig(): { negativeSlope: number } {
    return { negativeSlope: this.negativeSlope };
  }
  /** Builds the layer from {@link LeakyReLU.getConfig}'s output. */
  static fromConfig(config: { negativeSlope?: number }): LeakyReLU {
    return new LeakyReLU(config.negativeSlope);
  }
  protected forward(input: tf.Tensor): tf.Tensor {
    return tf.leakyRelu(input, this.negativeSlope);
  }
}

/** `1 / (1 + e^-x)`. */
export class Sigmoid extends Module {
  static override readonly moduleName: string = 'Sigmoid';
  /** No constructor arguments: `{}`. */
  getConfig(): Record<string, never> {
    return {};
  }
  /** Builds the layer (it has no options); `loadModel` uses it. */
  static fromConfig(): Sigmoid {
    return new Sigmoid();
  }
  protected forward(input: tf.Tensor): tf.Tensor {
    return tf.sigmoid(input);
  }
}

/** Hyperbolic tangent. */
export class Tanh extends Module {
  static override readonly moduleName: string = 'Tanh';
  /** No constructor arguments: `{}`. */
  getConfig(): Record<string, never> {
    return {};
  }
  /** Builds the layer (it has no options); `loadModel` uses it. */
  static fromConfig(): Tanh {
    return new Tanh();
  }
  protected forward(input: tf.Tensor): tf.Tensor {
    return tf.tanh(input);
  }
}

/** GELU; `approximate: 'tanh'` selects the tanh form. */
export class GELU extends Module {
  static override readonly moduleName: string = 'GELU';
  readonly approximate: 'none' | 'tanh';
  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = options.approximate ?? 'none';
  }
  /** The constructor options, `{ approximate }`. */
  getConfig(): { approximate: 'none' | 'tanh' } {
    return { approximate: this.approximate };
  }
  /** Builds the layer from {@link GELU.getConfig}'s output. */
  static fromConfig(config: { approximate?: 'none' | 'tanh' }): GELU {
    return new GELU(config);
  }
  protected forward(input: tf.Tensor): tf.Tensor {
    return this.approximate === 'tanh' ? geluTanh(input) : gelu(input);
  }
}

/** Softmax over `axis` (default the last). */
export class Softmax extends Module {
  static override readonly moduleName: string = 'Softmax';
  readonly axis: number;
  constructor(axis = -1) {
    super();
    this.axis = axis;
  }
  /** The constructor argument, `{ axis }`. */
  getConfig(): { axis: number } {
    return { axis: this.axis };
  }
  /** Builds the layer from {@link Softmax.getConfig}'s output. */
  static fromConfig(config: { axis?: number }): Softmax {
    return new Softmax(config.axis);
  }
  protected forward(input: tf.Tensor): tf.Tensor {
    if (this.axis === -1 || this.axis === input.rank - 1) return tf.softmax(input);
    const moved = moveAxisLast(input.rank, this.axis);
    return tf.transpose(tf.softmax(tf.transpose(input, moved)), inversePermutation(moved));
  }
}

function moveAxisLast(rank: number, axis: number): number[] {
  const normalized = axis < 0 ? rank + axis : axis;
  const order = [...Array(rank).keys()].filter((d) => d !== normalized);
  return [...order, normalized];
}

function inversePermutation(permutation: number[]): number[] {
  const inverse = new Array<number>(permutation.length);
  permutation.forEach((axis, index) => (inverse[axis] = index));
  return inverse;
}
