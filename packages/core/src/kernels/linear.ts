/**
 * The affine map of a `Linear` layer as two kernels, one for the forward pass and one for its
 * gradient, instead of the composite's `Reshape` + `BatchMatMul` + `Add` + `Reshape` forward
 * and the ~8 backward launches (two products, a bias `Sum`, reshapes), plus the ~6 reference
 * copies (`Identity`) tfjs makes of the inputs those ops save for the backward pass.
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
import { recordingHigherOrder } from './fusion';
import { batchMatMul } from './matmul';

/** Name of the forward kernel in tfjs's kernel registry: inputs `x`, `weight` (and `bias`), output `y`. */
export const LINEAR_KERNEL = 'TensorZooLinear';
/** Name of the gradient kernel: inputs `dy`, `x`, `weight`, outputs `dx`, `dweight` (and `dbias` with attribute `hasBias`). */
export const LINEAR_GRAD_KERNEL = 'TensorZooLinearGrad';

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
 * Gradient of {@link linearArrays}: `dx` `[rows, in]`, `dweight` `[out, in]` and, with
 * `withBias`, `dbias` `[out]`.
 * @internal
 */
export function linearGradArrays(
  dy: Float32Array,
  x: Float32Array,
  weight: Float32Array,
  rows: number,
  inFeatures: number,
  outFeatures: number,
  withBias: boolean,
): { dx: Float32Array; dweight: Float32Array; dbias?: Float32Array } {
  const dx = batchMatMul(dy, weight, { batch: 1, aBatch: 1, bBatch: 1, rows, columns: inFeatures, depth: outFeatures, transposeA: false, transposeB: false });
  // dyᵀ·x: dy is [rows, out], read as the transpose of a [out, rows] operand.
  const dweight = batchMatMul(dy, x, { batch: 1, aBatch: 1, bBatch: 1, rows: outFeatures, columns: inFeatures, depth: rows, transposeA: true, transposeB: false });
  if (!withBias) return { dx, dweight };
  const sums = new Float64Array(outFeatures);
  for (let row = 0, offset = 0; row < rows; row++, offset += outFeatures) {
    for (let j = 0; j < outFeatures; j++) sums[j] += dy[offset + j];
  }
  return { dx, dweight, dbias: Float32Array.from(sums) };
}

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
  const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, boolean> = {}) =>
    tf.engine().runKernel(name, inputs, attrs) as unknown as tf.Tensor | tf.Tensor[];
  if (bias !== undefined) {
    return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [input, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      save([input, w]);
      return {
        value: run(LINEAR_KERNEL, { x: input, weight: w, bias: b }) as tf.Tensor,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [dx, dweight, dbias] = run(LINEAR_GRAD_KERNEL, { dy, x: saved[0], weight: saved[1] }, { hasBias: true }) as tf.Tensor[];
          return [dx, dweight, bias.rank === 1 ? dbias : tf.reshape(dbias, bias.shape)];
        },
      };
    })(x, weight, bias);
  }
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([input, w]);
    return {
      value: run(LINEAR_KERNEL, { x: input, weight: w }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [dx, dweight] = run(LINEAR_GRAD_KERNEL, { dy, x: saved[0], weight: saved[1] }, { hasBias: false }) as tf.Tensor[];
        return [dx, dweight];
      },
    };
  })(x, weight);
}
