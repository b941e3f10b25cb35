/**
 * The affine map of a `Linear` layer as one forward kernel and one gradient kernel launched
 * once per input that needs a gradient, instead of the composite's `Reshape` + `BatchMatMul` +
 * `Add` + `Reshape` forward and the ~8 backward launches (two products, a bias `Sum`,
 * reshapes), plus the ~6 reference copies (`Identity`) tfjs makes of the inputs those ops
 * save for the backward pass. A first layer's input needs no gradient, so its `dy·weight`
 * product is never computed.
 * Registered for `cpu` and `wasm` by `installFastKernels`; {@link fusedLinear} runs them
 * where registered and tells the caller to use the composite ops elsewhere.
 *
 * With `x` viewed as `[N, in]` (any leading axes), `weight` `[out, in]` and `bias` `[out]`:
 *
 * ```text
 * y  = x·weightᵀ + bias           [N, out]
 * dx = dy·weight                  [N, in]
 * dweight = dyᵀ·x                 [out, in]
 * dbias   = Σ_rows dy             [out]   (float64 sums, rounded once)
 * ```
 *
 * The products are the blocked GEMM of `BatchMatMul` (kernels/matmul.ts), so the numbers
 * equal the composite's up to the order of the bias sums.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig } from '@tensorflow/tfjs-core';
import { recordingHigherOrder } from './fusion';
import { batchMatMul } from './matmul';

/** Name of the forward kernel in tfjs's kernel registry: inputs `x`, `weight` (and `bias`), output `y`. */
export const LINEAR_KERNEL = 'TensorZooLinear';
/**
 * Name of the gradient kernel: inputs `dy`, `x`, `weight`; attribute `output` picks what it
 * computes: `'dx'` (`dy·weight`), `'dweight'` (`dyᵀ·x`) or `'dbias'` (`dy` summed over rows).
 */
export const LINEAR_GRAD_KERNEL = 'TensorZooLinearGrad';

/** What one launch of {@link LINEAR_GRAD_KERNEL} computes. */
export type LinearGradOutput = 'dx' | 'dweight' | 'dbias';

/**
 * `y = x·weightᵀ (+ bias)` for `x` `[rows, inFeatures]` (flat), `weight` `[outFeatures, inFeatures]`.
 * @internal
 */
export function linearArrays(x: Float32Array, weight: Float32Array, bias: Float32Array | undefined, rows: number, inFeatures: number, outFeatures: number): Float32Array {
  const y = batchMatMul(x, weight, { batch: 1, aBatch: 1, bBatch: 1, rows, columns: outFeatures, depth: inFeatures, transposeA: false, transposeB: true });
  if (bias) {
    for (let row = 0, offset = 0; row < rows; row++, offset += outFeatures) {
      for (let j = 0; j < outFeatures; j++) y[offset + j] += bias[j];
    }
  }
  return y;
}

/**
 * One part of the gradient of {@link linearArrays}: `dx` `[rows, in]`, `dweight` `[out, in]` or
 * `dbias` `[out]` (float64 sums, rounded once).
 * @internal
 */
export function linearGradArrays(
  output: LinearGradOutput,
  dy: Float32Array,
  x: Float32Array,
  weight: Float32Array,
  rows: number,
  inFeatures: number,
  outFeatures: number,
): Float32Array {
  if (output === 'dx') return batchMatMul(dy, weight, { batch: 1, aBatch: 1, bBatch: 1, rows, columns: inFeatures, depth: outFeatures, transposeA: false, transposeB: false });
  // dyᵀ·x: dy is [rows, out], read as the transpose of a [out, rows] operand.
  if (output === 'dweight') return batchMatMul(dy, x, { batch: 1, aBatch: 1, bBatch: 1, rows: outFeatures, columns: inFeatures, depth: rows, transposeA: true, transposeB: false });
  const sums = new Float64Array(outFeatures);
  for (let row = 0, offset = 0; row < rows; row++, offset += outFeatures) {
    for (let j = 0; j < outFeatures; j++) sums[j] += dy[offset + j];
  }
  return Float32Array.from(sums);
}

/**
 * The gradient of {@link LINEAR_KERNEL}, registered by `installFastKernels`. Each input's
 * gradient is its own launch of {@link LINEAR_GRAD_KERNEL}, and tfjs runs only those of inputs
 * on the way to what is differentiated: a first layer's input needs none, so its product
 * (`dy·weight`, as costly as the forward pass) is skipped.
 * @internal
 */
export const LINEAR_GRADIENT: GradConfig = {
  kernelName: LINEAR_KERNEL,
  inputsToSave: ['x', 'weight'],
  gradFunc: (dy, saved, attrs) => {
    const [x, weight] = saved;
    const part = (output: LinearGradOutput) => tf.engine().runKernel(LINEAR_GRAD_KERNEL, { dy: dy as tf.Tensor, x, weight }, { output }) as tf.Tensor;
    const biasShape = (attrs as { biasShape?: number[] }).biasShape;
    return {
      x: () => part('dx'),
      weight: () => part('dweight'),
      bias: () => {
        const dbias = part('dbias');
        return biasShape && biasShape.length !== 1 ? tf.reshape(dbias, biasShape) : dbias;
      },
    };
  },
};

/**
 * `x·weightᵀ + bias` over the last axis of `x` with the fused kernels (forward and
 * gradient), or `undefined` when the active backend does not have them or the operands are
 * not float32 (then compute it with the composite ops). `weight` is `[out, in]`, `bias` `[out]`.
 * @internal
 */
export function fusedLinear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor | undefined {
  if (recordingHigherOrder()) return undefined; // second-order gradients: the composite ops
  const backend = tf.getBackend();
  if (tf.getKernel(LINEAR_KERNEL, backend) === undefined || tf.getKernel(LINEAR_GRAD_KERNEL, backend) === undefined) return undefined;
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || x.rank === 0 || weight.rank !== 2 || x.shape[x.rank - 1] !== weight.shape[1]) return undefined;
  if (bias !== undefined && (bias.dtype !== 'float32' || bias.size !== weight.shape[0])) return undefined;
  if (tf.getGradient(LINEAR_KERNEL) === undefined) return undefined; // registered with the kernels
  const inputs: tf.NamedTensorMap = bias === undefined ? { x, weight } : { x, weight, bias };
  return tf.engine().runKernel(LINEAR_KERNEL, inputs, bias === undefined ? {} : { biasShape: bias.shape }) as tf.Tensor;
}
