import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from './errors';
import { Generator } from './rng';

/**
 * An initializer: returns a new float32 tensor of `shape` drawn from `rng`.
 * Shapes follow PyTorch's layout (`[out, in, ...kernel]`), which fixes fan-in and fan-out.
 */
export type Initializer = (shape: readonly number[], rng: Generator) => tf.Tensor;

let globalGenerator = /* @__PURE__ */ new Generator(0);

/**
 * Re-seeds the default generator used by layers created without an `rng` option
 * (like `torch.manual_seed`). Prefer passing `rng` explicitly.
 */
export function manualSeed(seed: number): void {
  globalGenerator = new Generator(seed);
}

/** The default generator (see {@link manualSeed}). */
export function defaultGenerator(): Generator {
  return globalGenerator;
}

/** Resolves an `rng` option: a Generator, a seed, or the default generator. */
export function resolveGenerator(rng: Generator | number | undefined): Generator {
  if (rng === undefined) return globalGenerator;
  return typeof rng === 'number' ? new Generator(rng) : rng;
}

/** Fan-in and fan-out of a PyTorch-layout weight `[out, in, ...receptiveField]`. */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new ArgumentError('bad-shape', `computeFans: a weight needs at least 2 dimensions, received [${shape.join(', ')}].`);
  }
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** All zeros. */
export const zeros: Initializer = (shape) => tf.zeros(shape as number[]);

/** All ones. */
export const ones: Initializer = (shape) => tf.ones(shape as number[]);

/** A constant value. */
export function constant(value: number): Initializer {
  return (shape) => tf.fill(shape as number[], value);
}

/** N(mean, std²). */
export function normal(options: { mean?: number; std?: number } = {}): Initializer {
  const { mean = 0, std = 1 } = options;
  return (shape, rng) => tf.tensor(rng.normalArray(size(shape), mean, std), shape as number[]);
}

/** U[low, high). */
export function uniform(options: { low?: number; high?: number } = {}): Initializer {
  const { low = 0, high = 1 } = options;
  return (shape, rng) => tf.tensor(rng.uniformArray(size(shape), low, high), shape as number[]);
}

/** Glorot/Xavier uniform: U(±gain·sqrt(6 / (fanIn + fanOut))) (`nn.init.xavier_uniform_`). */
export function glorotUniform(gain = 1): Initializer {
  return (shape, rng) => {
    const { fanIn, fanOut } = computeFans(shape);
    const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
    return uniform({ low: -limit, high: limit })(shape, rng);
  };
}

/** Glorot/Xavier normal: N(0, gain²·2 / (fanIn + fanOut)) (`nn.init.xavier_normal_`). */
export function glorotNormal(gain = 1): Initializer {
  return (shape, rng) => {
    const { fanIn, fanOut } = computeFans(shape);
    return normal({ std: gain * Math.sqrt(2 / (fanIn + fanOut)) })(shape, rng);
  };
}

/**
 * He/Kaiming uniform (`nn.init.kaiming_uniform_`, fan-in mode):
 * U(±sqrt(6 / ((1 + a²)·fanIn))) for leaky-ReLU slope `a` (0 for ReLU).
 */
export function heUniform(a = 0): Initializer {
  return (shape, rng) => {
    const { fanIn } = computeFans(shape);
    const limit = Math.sqrt(6 / ((1 + a * a) * fanIn));
    return uniform({ low: -limit, high: limit })(shape, rng);
  };
}

/** He/Kaiming normal (`nn.init.kaiming_normal_`, fan-in mode): N(0, 2 / ((1 + a²)·fanIn)). */
export function heNormal(a = 0): Initializer {
  return (shape, rng) => {
    const { fanIn } = computeFans(shape);
    return normal({ std: Math.sqrt(2 / ((1 + a * a) * fanIn)) })(shape, rng);
  };
}

/**
 * PyTorch's default for `nn.Linear`/`nn.Conv*` weights: kaiming_uniform with a = sqrt(5),
 * which is U(±1/sqrt(fanIn)).
 */
export const torchDefaultWeight: Initializer = /* @__PURE__ */ heUniform(Math.sqrt(5));

/** PyTorch's default bias for a layer with the given fan-in: U(±1/sqrt(fanIn)). */
export function torchDefaultBias(fanIn: number): Initializer {
  const limit = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform({ low: -limit, high: limit });
}
