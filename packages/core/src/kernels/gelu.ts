/**
 * GELU (`0.5·x·(1 + erf(x/√2))`, PyTorch's default `approximate='none'`) as one kernel
 * forward and one for its gradient, instead of the composite's five launches forward
 * (`Multiply`, `Multiply`, `Erf`, `Add`, `Multiply`) and about eight backward. Registered for
 * `cpu` and `wasm` by `installFastKernels`, and for `webgpu` as WGSL programs
 * (`kernels/webgpu/gelu.ts`); {@link fusedGelu} runs them where registered and tells the
 * caller to use the composite ops elsewhere.
 *
 * `erf` is tfjs's own approximation (Abramowitz and Stegun 7.1.26 with `backend_util.ERF_*`,
 * what its cpu `Erf` computes), evaluated in float32, every operation rounded as
 * `f32x4` arithmetic rounds it (`Math.fround` here), so that the WebAssembly SIMD loop of
 * simd-gelu.ts (four lanes) and this JavaScript give the same bits; its `exp(−x²/2)` is
 * `2^k·p(r)` with a Cody-Waite reduction and a degree-7 polynomial (within 2 float32 ulp of
 * `Math.exp`'s):
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

const f32 = Math.fround;
/** Float32 constants of {@link geluInto} (simd-gelu.ts splats the same values). @internal */
export const GELU_FLOAT32 = {
  SQRT1_2: f32(Math.SQRT1_2),
  LOG2E: f32(Math.LOG2E),
  /** ln 2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so `k·LN2_HI` is exact for |k| < 2^15. */
  LN2_HI: 0.693359375,
  LN2_LO: f32(Math.LN2 - 0.693359375),
  /** `exp(r)`'s Taylor coefficients, highest first: 1/7!, 1/6!, .., 1/2, 1, 1. */
  EXP: [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1].map(f32),
  /** Abramowitz and Stegun 7.1.26 (`backend_util.ERF_P`, `ERF_A5`..`ERF_A1`). */
  ERF_P: f32(0.3275911),
  ERF: [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592].map(f32),
  INVERSE_SQRT_2PI: f32(1 / Math.sqrt(2 * Math.PI)),
  /** Below this `-u²` the float32 `exp` is subnormal: `Math.exp` (the SIMD loop leaves such lanes to {@link geluInto}). */
  FAR: -87,
} as const;

// The constants as module-level bindings: the loops below read them per element.
const { SQRT1_2: SQRT1_2_F, LOG2E: LOG2E_F, LN2_HI, LN2_LO, ERF_P, INVERSE_SQRT_2PI, FAR } = GELU_FLOAT32;
const [E7, E6, E5, E4, E3, E2, E1, E0] = GELU_FLOAT32.EXP;
const [A5, A4, A3, A2, A1] = GELU_FLOAT32.ERF;

/**
 * `exp(v)` for `v = -u²` in float32 operations: `k = floor(v·log2 e + 1/2)`,
 * `r = (v − k·LN2_HI) − k·LN2_LO`, `2^k·p(r)` (Horner, highest power first); below
 * {@link GELU_FLOAT32}.FAR, `Math.exp`.
 */
function gaussianFloat32(v: number): number {
  if (v < FAR) return f32(Math.exp(v));
  const k = Math.floor(f32(f32(v * LOG2E_F) + 0.5));
  const r = f32(f32(v - f32(k * LN2_HI)) - f32(k * LN2_LO));
  let p = f32(f32(E7 * r) + E6);
  p = f32(f32(p * r) + E5);
  p = f32(f32(p * r) + E4);
  p = f32(f32(p * r) + E3);
  p = f32(f32(p * r) + E2);
  p = f32(f32(p * r) + E1);
  p = f32(f32(p * r) + E0);
  return f32(p * POWERS_OF_TWO[(k + 128) | 0]); // k in [-125, 0] (NaN: p is NaN)
}

/**
 * `erf(u)` by tfjs's approximation (the cpu `Erf` kernel's formula with `backend_util.ERF_P`,
 * `ERF_A1`..`ERF_A5`, Abramowitz and Stegun 7.1.26) in float32 operations, given
 * `expMinusSquare = exp(-u²)`, which the gradient reuses (for `u = x/√2` it is `exp(-x²/2)`).
 */
function erfWith(u: number, expMinusSquare: number): number {
  const sign = u > 0 ? 1 : u < 0 ? -1 : u; // Math.sign: ±0 and NaN stay
  const t = f32(1 / f32(1 + f32(ERF_P * Math.abs(u))));
  let a = f32(f32(A5 * t) + A4);
  a = f32(f32(a * t) + A3);
  a = f32(f32(a * t) + A2);
  a = f32(f32(a * t) + A1);
  a = f32(f32(a * t) * expMinusSquare);
  return f32(sign * f32(1 - a));
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
 * `-u·u < -87` for `u = x/√2` (where the float32 `exp` takes `Math.exp`, which the SIMD loop
 * of simd-gelu.ts leaves to this function). @internal
 */
export function geluInto(x: Float32Array, y: Float32Array, derivative: Float32Array, from: number, to: number, onlyFar = false): void {
  for (let i = from; i < to; i++) {
    const value = x[i];
    const u = f32(value * SQRT1_2_F);
    const v = f32(-u * u);
    if (onlyFar && !(v < FAR)) continue;
    const gaussian = gaussianFloat32(v); // exp(-x²/2)
    const cdf = f32(0.5 * f32(1 + erfWith(u, gaussian)));
    y[i] = value * cdf;
    derivative[i] = cdf + f32(f32(value * gaussian) * INVERSE_SQRT_2PI);
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
