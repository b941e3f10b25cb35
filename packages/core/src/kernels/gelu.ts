/**
 * GELU (`0.5·x·(1 + erf(x/√2))`, PyTorch's default `approximate='none'`) as one kernel
 * forward and one for its gradient, instead of the composite's five launches forward
 * (`Multiply`, `Multiply`, `Erf`, `Add`, `Multiply`) and about eight backward. Registered for
 * `cpu` and `wasm` by `installFastKernels`, and for `webgpu` as WGSL programs
 * (`kernels/webgpu/gelu.ts`); {@link fusedGelu} runs them where registered and tells the
 * caller to use the composite ops elsewhere.
 *
 * `erf` is tfjs's own approximation (Abramowitz and Stegun 7.1.26 with `backend_util.ERF_*`,
 * what its cpu `Erf` computes), evaluated in float64 and rounded once; its `exp(−x²/2)` is a
 * polynomial with a relative error under 1e-8 (outputs within a float32 ulp of `Math.exp`'s,
 * and 20% faster):
 *
 * ```text
 * y  = 0.5·x·(1 + erf(x/√2))
 * dx = dy·(0.5·(1 + erf(x/√2)) + x·exp(−x²/2)/√(2π))
 * ```
 *
 * The forward kernel also outputs the derivative (float32), which the backward kernel
 * multiplies `dy` by: the gradient costs one multiply per element instead of a second
 * `erf`/`exp` pass (the GPT's step: ~30 ms less on `cpu`).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { recordingHigherOrder } from './fusion';

/** Name of the forward kernel in tfjs's kernel registry: input `x`, outputs `y` and the derivative `dy/dx`. */
export const GELU_KERNEL = 'TensorZooGelu';
/** Name of the gradient kernel: inputs `dy` and the forward kernel's `derivative`, output `dx`. */
export const GELU_GRAD_KERNEL = 'TensorZooGeluGrad';

const INVERSE_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** `2^k` for `k` in [-128, 127], at `k + 128`: the scale of {@link expOfNonPositive}. */
const POWERS_OF_TWO = Float64Array.from({ length: 256 }, (_, index) => 2 ** (index - 128));

/**
 * `exp(v)` for `v <= 0` (NaN passes through) in float64 to a relative error under 1e-8, twice
 * as fast as `Math.exp` in V8's loops: `exp(v) = 2^k·exp(r)` with `k = round(v/ln 2)`,
 * `|r| <= ln(2)/2`, and `exp(r)` by its degree-7 Taylor polynomial (remainder < 5.3e-9).
 * Below -87 (where float32 results become subnormal) it is `Math.exp` itself. @internal
 */
export function expOfNonPositive(v: number): number {
  if (v < -87) return Math.exp(v);
  const k = Math.floor(v * Math.LOG2E + 0.5);
  const r = v - k * Math.LN2;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * POWERS_OF_TWO[(k + 128) | 0];
}

/**
 * `erf(u)` by tfjs's approximation (the cpu `Erf` kernel's formula with `backend_util.ERF_P`,
 * `ERF_A1`..`ERF_A5`, Abramowitz and Stegun 7.1.26, written out: reading them from the module
 * namespace per element made the loop 20x slower), given `expMinusSquare = exp(-u²)`, which
 * the gradient reuses (for `u = x/√2` it is `exp(-x²/2)`).
 */
function erfWith(u: number, expMinusSquare: number): number {
  const sign = u > 0 ? 1 : u < 0 ? -1 : u; // Math.sign: ±0 and NaN stay
  const t = 1.0 / (1.0 + 0.3275911 * Math.abs(u));
  return sign * (1.0 - (((((1.061405429 * t + -1.453152027) * t) + 1.421413741) * t + -0.284496736) * t + 0.254829592) * t * expMinusSquare);
}

/**
 * GELU of every element of `x` and its derivative `dy/dx` there, which the forward pass
 * computes anyway (it shares `erf` and `exp(-x²/2)`) and the backward pass then only
 * multiplies by: one transcendental pass per training step instead of two. @internal
 */
export function geluArrays(x: Float32Array): { y: Float32Array; derivative: Float32Array } {
  const y = new Float32Array(x.length);
  const derivative = new Float32Array(x.length);
  geluInto(x, y, derivative, 0, x.length);
  return { y, derivative };
}

/**
 * {@link geluArrays} for elements `[from, to)` into given arrays; with `onlyFar`, only where
 * `-u·u < -87` for `u = x/√2` (where {@link expOfNonPositive} takes `Math.exp`, which the SIMD
 * loop of simd-gelu.ts leaves to this function). @internal
 */
export function geluInto(x: Float32Array, y: Float32Array, derivative: Float32Array, from: number, to: number, onlyFar = false): void {
  for (let i = from; i < to; i++) {
    const value = x[i];
    const u = value * Math.SQRT1_2;
    if (onlyFar && !(-u * u < -87)) continue;
    const gaussian = expOfNonPositive(-u * u); // exp(-x²/2)
    const cdf = 0.5 * (1 + erfWith(u, gaussian));
    y[i] = value * cdf;
    derivative[i] = cdf + value * gaussian * INVERSE_SQRT_2PI;
  }
}

/** `dx = dy · derivative`, the gradient from {@link geluArrays}' derivative. @internal */
export function geluGradArrays(dy: Float32Array, derivative: Float32Array): Float32Array {
  const out = new Float32Array(dy.length);
  for (let i = 0; i < dy.length; i++) out[i] = dy[i] * derivative[i];
  return out;
}

/**
 * GELU of `x` with the fused kernels, or `undefined` when the active backend does not have
 * them or `x` is not float32 (then compute it with the composite ops).
 * @internal
 */
export function fusedGelu(x: tf.Tensor): tf.Tensor | undefined {
  if (recordingHigherOrder()) return undefined; // second-order gradients: the composite ops
  const backend = tf.getBackend();
  if (x.dtype !== 'float32' || tf.getKernel(GELU_KERNEL, backend) === undefined || tf.getKernel(GELU_GRAD_KERNEL, backend) === undefined) return undefined;
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [y, derivative] = tf.engine().runKernel(GELU_KERNEL, { x: input }) as unknown as tf.Tensor[];
    save([derivative]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(GELU_GRAD_KERNEL, { dy, derivative: saved[0] }) as tf.Tensor,
    };
  })(x);
}
