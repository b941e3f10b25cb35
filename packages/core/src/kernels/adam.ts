/**
 * The whole Adam / AdamW update of one parameter as one kernel: one pass over the
 * parameter, its gradient and its moment slots, instead of a dozen element-wise launches
 * (each reading and writing the full tensor). Registered for `cpu` and `wasm` by
 * `installFastKernels`, and for `webgpu` as WGSL programs (`kernels/webgpu/adam.ts`, float32);
 * {@link fusedAdamUpdate} runs it where registered and tells the caller to use the composite
 * ops elsewhere (webgl, tensorflow).
 *
 * Element-wise in torch's order (`_single_tensor_adam`), in float64, rounded once per output:
 *
 * ```text
 * p = p * (1 - lr * weightDecay)                 (decoupled: AdamW)
 * g = g + weightDecay * p                        (coupled: Adam)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * vMax = max(vMax, v), used for v                (amsgrad)
 * p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * ```
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Name of the fused kernel in tfjs's kernel registry. */
export const ADAM_UPDATE_KERNEL = 'TensorZooAdamUpdate';

/** Hyper-parameters of one fused Adam step (see {@link fusedAdamUpdate}). */
export interface AdamUpdateSettings {
  /** Learning rate of this step. */
  lr: number;
  /** 1-based step count of this parameter (for the bias corrections). */
  step: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** `true`: AdamW's decoupled decay; `false`: Adam's L2 term added to the gradient. */
  decoupled: boolean;
  /** Use the running maximum of the second moment. */
  amsgrad: boolean;
}

/** The tensors of one Adam step; the moments are absent (zero) before the first step. */
export interface AdamUpdateInputs {
  parameter: tf.Tensor;
  gradient: tf.Tensor;
  expAvg?: tf.Tensor;
  expAvgSq?: tf.Tensor;
  /** Only with `amsgrad`; absent before its first step (then `expAvgSq` is the maximum). */
  maxExpAvgSq?: tf.Tensor;
}

/** New values after one step; `maxExpAvgSq` only with `amsgrad`. */
export interface AdamUpdateResult {
  parameter: tf.Tensor;
  expAvg: tf.Tensor;
  expAvgSq: tf.Tensor;
  maxExpAvgSq?: tf.Tensor;
}

/** Float32 views of the inputs (a missing moment is `undefined`, meaning zeros). */
export interface AdamUpdateArrays {
  parameter: Float32Array;
  gradient: Float32Array;
  expAvg?: Float32Array;
  expAvgSq?: Float32Array;
  maxExpAvgSq?: Float32Array;
}

/**
 * One Adam step over plain arrays; writes `outputs` (same length as `parameter`, `max`
 * only with amsgrad). Inputs and outputs may not overlap.
 * @internal
 */
export function adamUpdateArrays(
  inputs: AdamUpdateArrays,
  settings: AdamUpdateSettings,
  outputs: { parameter: Float32Array; expAvg: Float32Array; expAvgSq: Float32Array; maxExpAvgSq?: Float32Array },
): void {
  const { lr, step, beta1, beta2, eps, weightDecay, decoupled, amsgrad } = settings;
  const { parameter, gradient, expAvg, expAvgSq, maxExpAvgSq } = inputs;
  const shrink = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  const stepSize = lr / (1 - beta1 ** step);
  const correction2 = Math.sqrt(1 - beta2 ** step);
  const [keep1, take1, keep2, take2] = [beta1, 1 - beta1, beta2, 1 - beta2];
  const outParameter = outputs.parameter;
  const outAvg = outputs.expAvg;
  const outAvgSq = outputs.expAvgSq;
  const outMax = outputs.maxExpAvgSq;
  for (let i = 0; i < parameter.length; i++) {
    let p = parameter[i];
    let g = gradient[i];
    if (decoupled) {
      if (weightDecay !== 0) p = Math.fround(p * shrink); // a tensor op in torch: rounded to float32
    } else if (l2 !== 0) g = Math.fround(g + l2 * p);
    const m = Math.fround((expAvg ? expAvg[i] * keep1 : 0) + g * take1);
    const v = Math.fround((expAvgSq ? expAvgSq[i] * keep2 : 0) + g * g * take2);
    outAvg[i] = m;
    outAvgSq[i] = v;
    let second = v;
    if (amsgrad) {
      if (maxExpAvgSq) {
        const previous = maxExpAvgSq[i];
        second = previous > v || previous !== previous ? previous : v; // tf.maximum: NaN wins
      }
      outMax![i] = second;
    }
    outParameter[i] = p - (stepSize * m) / (Math.sqrt(second) / correction2 + eps);
  }
}

/**
 * Runs one Adam / AdamW step of a float32 parameter as one fused kernel when the active
 * backend has it (`cpu`, `wasm` and `webgpu` after `setBackend` / `installFastKernels`).
 *
 * @returns the new parameter and slot values, or `undefined` when the backend has no fused
 *   kernel or the tensors are not float32 (then use the composite ops).
 * @example
 * ```ts
 * const next = fusedAdamUpdate({ parameter, gradient, expAvg, expAvgSq },
 *   { lr: 1e-3, step: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, amsgrad: false });
 * if (next) parameter.assign(next.parameter);
 * ```
 */
export function fusedAdamUpdate(inputs: AdamUpdateInputs, settings: AdamUpdateSettings): AdamUpdateResult | undefined {
  if (tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) === undefined) return undefined;
  const present = Object.entries(inputs).filter((entry): entry is [string, tf.Tensor] => entry[1] !== undefined);
  if (!present.every(([, tensor]) => tensor.dtype === 'float32' && tf.util.arraysEqual(tensor.shape, inputs.parameter.shape))) return undefined;
  const outputs = tf.engine().runKernel(ADAM_UPDATE_KERNEL, Object.fromEntries(present), { ...settings }) as unknown as tf.Tensor[];
  const [parameter, expAvg, expAvgSq, maxExpAvgSq] = outputs;
  return settings.amsgrad ? { parameter, expAvg, expAvgSq, maxExpAvgSq } : { parameter, expAvg, expAvgSq };
}
