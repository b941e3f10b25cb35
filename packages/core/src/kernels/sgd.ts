/**
 * The whole SGD update of one parameter (PyTorch's `torch.optim.SGD`: weight decay,
 * momentum, dampening, Nesterov) as one kernel: one pass over the parameter, its gradient and
 * its momentum buffer instead of two to six element-wise launches, each reading and writing
 * the full tensor (an MLP's 3.7 M parameters: ~27 ms of `Sub` and `Multiply` on `cpu`).
 * Registered for `cpu` and `wasm` by `installFastKernels` (on `wasm` as a WebAssembly SIMD
 * loop over the tensors in the backend's heap, simd-elementwise.ts: a JavaScript loop there
 * was slower than tfjs-wasm's native `Sub` and `Multiply`); {@link fusedSgdUpdate} runs it
 * where registered and tells the caller to use the composite ops elsewhere.
 *
 * Element-wise, each operation rounded to float32 like the composite ops it replaces (so the
 * numbers are bit-identical to them; the scalars are float32 too, as `tf.mul(x, s)` makes them):
 *
 * ```text
 * d = g + weightDecay * p
 * b = d                                    (first step)
 * b = momentum * b + (1 - dampening) * d   (later steps)
 * d = nesterov ? d + momentum * b : b      (with momentum)
 * p = p - lr * d
 * ```
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Name of the fused kernel in tfjs's kernel registry. */
export const SGD_UPDATE_KERNEL = 'TensorZooSgdUpdate';

/** Hyper-parameters of one fused SGD step (see {@link fusedSgdUpdate}). */
export interface SgdUpdateSettings {
  /** Learning rate of this step. */
  lr: number;
  /** 0: plain SGD (no buffer). */
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/** The tensors of one SGD step; `momentumBuffer` is absent before the first step with momentum. */
export interface SgdUpdateInputs {
  parameter: tf.Tensor;
  gradient: tf.Tensor;
  momentumBuffer?: tf.Tensor;
}

/** New values after one step; `momentumBuffer` only with momentum. */
export interface SgdUpdateResult {
  parameter: tf.Tensor;
  momentumBuffer?: tf.Tensor;
}

/**
 * One step over float32 arrays; writes `outParameter` (and `outBuffer` with momentum).
 * @internal
 */
export function sgdUpdateArrays(
  parameter: Float32Array,
  gradient: Float32Array,
  buffer: Float32Array | undefined,
  settings: SgdUpdateSettings,
  outParameter: Float32Array,
  outBuffer: Float32Array | undefined,
): void {
  const f = Math.fround;
  const lr = f(settings.lr);
  const weightDecay = f(settings.weightDecay);
  const momentum = f(settings.momentum);
  const keep = f(1 - settings.dampening);
  const decay = settings.weightDecay !== 0;
  const withMomentum = settings.momentum !== 0;
  for (let i = 0; i < parameter.length; i++) {
    const p = parameter[i];
    let d = decay ? f(gradient[i] + f(p * weightDecay)) : gradient[i];
    if (withMomentum) {
      const b = buffer ? f(f(buffer[i] * momentum) + f(d * keep)) : d;
      outBuffer![i] = b;
      d = settings.nesterov ? f(d + f(b * momentum)) : b;
    }
    outParameter[i] = p - f(d * lr);
  }
}

/**
 * Runs one SGD step of a float32 parameter as one fused kernel when the active backend has it
 * (`cpu` after `setBackend` / `installFastKernels`).
 *
 * @returns the new parameter (and momentum buffer), or `undefined` when the backend has no
 *   fused kernel or the tensors are not float32 of one shape (then use the composite ops).
 * @example
 * ```ts
 * const next = fusedSgdUpdate({ parameter, gradient }, { lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
 * if (next) parameter.assign(next.parameter);
 * ```
 */
export function fusedSgdUpdate(inputs: SgdUpdateInputs, settings: SgdUpdateSettings): SgdUpdateResult | undefined {
  if (tf.getKernel(SGD_UPDATE_KERNEL, tf.getBackend()) === undefined) return undefined;
  const present = Object.entries(inputs).filter((entry): entry is [string, tf.Tensor] => entry[1] !== undefined);
  if (!present.every(([, tensor]) => tensor.dtype === 'float32' && tf.util.arraysEqual(tensor.shape, inputs.parameter.shape))) return undefined;
  const outputs = tf.engine().runKernel(SGD_UPDATE_KERNEL, Object.fromEntries(present), { ...settings }) as unknown as tf.Tensor[];
  return settings.momentum !== 0 ? { parameter: outputs[0], momentumBuffer: outputs[1] } : { parameter: outputs[0] };
}
