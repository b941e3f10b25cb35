/**
 * GELU (`0.5·x·(1 + erf(x/√2))`, PyTorch's default `approximate='none'`) as one kernel
 * forward and one for its gradient, instead of the composite's five launches forward
 * (`Multiply`, `Multiply`, `Erf`, `Add`, `Multiply`) and about eight backward. Registered for
 * `cpu` and `wasm` by `installFastKernels`; {@link fusedGelu} runs them where registered and
 * tells the caller to use the composite ops elsewhere.
 *
 * `erf` is tfjs's own approximation (Abramowitz and Stegun 7.1.26 with `backend_util.ERF_*`,
 * what its cpu `Erf` computes), evaluated in float64 and rounded once:
 *
 * ```text
 * y  = 0.5·x·(1 + erf(x/√2))
 * dx = dy·(0.5·(1 + erf(x/√2)) + x·exp(−x²/2)/√(2π))
 * ```
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Name of the forward kernel in tfjs's kernel registry: input `x`, output `y`. */
export const GELU_KERNEL = 'TensorZooGelu';
/** Name of the gradient kernel: inputs `dy`, `x`, output `dx`. */
export const GELU_GRAD_KERNEL = 'TensorZooGeluGrad';

const INVERSE_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** tfjs's erf approximation (the cpu `Erf` kernel's formula) of one value. */
function erf(value: number): number {
  const { ERF_P: p, ERF_A1: a1, ERF_A2: a2, ERF_A3: a3, ERF_A4: a4, ERF_A5: a5 } = tf.backend_util;
  const sign = Math.sign(value);
  const v = Math.abs(value);
  const t = 1.0 / (1.0 + p * v);
  return sign * (1.0 - (((((a5 * t + a4) * t) + a3) * t + a2) * t + a1) * t * Math.exp(-v * v));
}

/** GELU of every element of `x`. @internal */
export function geluArrays(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const value = x[i];
    out[i] = 0.5 * value * (1 + erf(value * Math.SQRT1_2));
  }
  return out;
}

/** `dy · GELU'(x)` per element. @internal */
export function geluGradArrays(dy: Float32Array, x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const value = x[i];
    out[i] = dy[i] * (0.5 * (1 + erf(value * Math.SQRT1_2)) + value * Math.exp(-0.5 * value * value) * INVERSE_SQRT_2PI);
  }
  return out;
}

/**
 * GELU of `x` with the fused kernels, or `undefined` when the active backend does not have
 * them or `x` is not float32 (then compute it with the composite ops).
 * @internal
 */
export function fusedGelu(x: tf.Tensor): tf.Tensor | undefined {
  const backend = tf.getBackend();
  if (x.dtype !== 'float32' || tf.getKernel(GELU_KERNEL, backend) === undefined || tf.getKernel(GELU_GRAD_KERNEL, backend) === undefined) return undefined;
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([input]);
    return {
      value: tf.engine().runKernel(GELU_KERNEL, { x: input }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(GELU_GRAD_KERNEL, { dy, x: saved[0] }) as tf.Tensor,
    };
  })(x);
}
